"""Fixtures for the storage tests: a fresh database per test, on each engine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from smarter_tui.storage import Database, open_database


@pytest.fixture
def db_path(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> Path | str:
    """Return a new database: a file path not yet created (SQLite) or an empty migrated one's URL."""
    if engine == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return tmp_path / "data" / "smarter.db"


@pytest.fixture
def empty_db_path(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> Path | str:
    """Return a database with no schema at all: a file not yet created or a fresh PostgreSQL schema."""
    if engine == "postgresql":
        return str(request.getfixturevalue("postgres_empty_url"))
    return tmp_path / "data" / "smarter.db"


@pytest.fixture
def db(db_path: Path | str) -> Iterator[Database]:
    """Return an opened, fully migrated database, closed afterwards."""
    database = open_database(db_path)
    yield database
    database.close()
