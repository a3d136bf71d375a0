"""Looking into a test database directly, on either engine (beside the stores, to check them)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any


def connect(target: Path | str) -> Any:
    """Return a new DB-API connection to a SQLite file or a PostgreSQL URL (autocommit)."""
    if isinstance(target, str) and target.startswith("postgres"):
        import psycopg

        return psycopg.connect(target, autocommit=True)
    return sqlite3.connect(target, isolation_level=None)


def rows(target: Path | str, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Run one query (`?` placeholders) on its own connection and return every row."""
    conn = connect(target)
    try:
        if not isinstance(conn, sqlite3.Connection):
            sql = sql.replace("?", "%s")
        return list(conn.execute(sql, params).fetchall())
    finally:
        conn.close()


def scalar(target: Path | str, sql: str, params: tuple[Any, ...] = ()) -> Any:
    """Return the first column of the first row of a query."""
    return rows(target, sql, params)[0][0]
