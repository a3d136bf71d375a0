"""Statements built with peewee once and run as SQL text with fresh parameters (the hot paths).

Building a query's SQL is most of what a small peewee query costs: a primary-key read took
~0.4 ms, of which the database's own work was ~0.01 ms. A `Statement` builds its query once per
open database (so each engine gets its own SQL: placeholders, `RETURNING`, `ON CONFLICT`) with
named `slot()`s where values go, and afterwards only fills the slots and hands the SQL to the
driver. Values are passed as the driver takes them: callers convert with the field's `db_value`
when peewee would have (timestamps are UTC text, see `rows.to_utc_text`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

import peewee


class Slot:
    """A named parameter of a `Statement` (a placeholder in the compiled SQL)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Slot({self.name!r})"


def slot(name: str) -> peewee.Value:
    """Return a query value filled in at each run with the keyword argument `name`.

    No converter: peewee would turn the marker into text (TextField) or fail (IntegerField).
    """
    return peewee.Value(Slot(name), converter=False, unpack=False)


class Statement:
    """One query, compiled to SQL the first time it runs on a database, then reused."""

    def __init__(self, build: Callable[[], peewee.Query]) -> None:
        """`build` returns the query (bound tables, `slot()` values); it is called once per database."""
        self._build = build
        self._compiled: tuple[peewee.Database, str, tuple[Any, ...]] | None = None
        self._lock = threading.Lock()

    def _sql(self, db: peewee.Database) -> tuple[str, tuple[Any, ...]]:
        compiled = self._compiled
        if compiled is None or compiled[0] is not db:
            with self._lock:
                # The tables are bound through the proxy, which `db` initialised: its dialect.
                sql, params = self._build().sql()
                compiled = (db, sql, tuple(params))
                self._compiled = compiled
        return compiled[1], compiled[2]

    def execute(self, db: peewee.Database, values: Mapping[str, Any] | None = None, **named: Any) -> Any:
        """Run the statement on `db` with its slots filled from `values`/`named`; return the cursor."""
        sql, template = self._sql(db)
        given = {**values, **named} if values else named
        params = [given[p.name] if type(p) is Slot else p for p in template]
        return db.execute_sql(sql, params)  # type: ignore[no-untyped-call]

    def one(
        self, db: peewee.Database, values: Mapping[str, Any] | None = None, **named: Any
    ) -> tuple[Any, ...] | None:
        """Run the statement and return its first row (a driver tuple), or None."""
        row: tuple[Any, ...] | None = self.execute(db, values, **named).fetchone()
        return row

    def all(
        self, db: peewee.Database, values: Mapping[str, Any] | None = None, **named: Any
    ) -> list[tuple[Any, ...]]:
        """Run the statement and return every row (driver tuples)."""
        return list(self.execute(db, values, **named).fetchall())

    def rowcount(self, db: peewee.Database, values: Mapping[str, Any] | None = None, **named: Any) -> int:
        """Run a write statement and return how many rows it changed."""
        return int(self.execute(db, values, **named).rowcount)
