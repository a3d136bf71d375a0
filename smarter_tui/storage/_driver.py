"""peewee without its PostgreSQL driver at import: the driver comes with the first PostgreSQL database.

peewee imports psycopg (or psycopg2) when peewee itself is imported: about 200 ms of C extension
and error tables on every start-up, although most runs only ever open a SQLite file. This module
is the storage package's first import: it imports peewee with the drivers hidden, and
`Psycopg3Adapter` imports psycopg when a PostgreSQL database is built.
"""

from __future__ import annotations

import sys
from typing import Any

_DRIVERS = ("psycopg", "psycopg2", "psycopg2cffi")


def _import_peewee_without_drivers() -> None:
    if "peewee" in sys.modules or any(name in sys.modules for name in _DRIVERS):
        return  # peewee already chose, or the driver is loaded anyway: nothing to save
    for name in _DRIVERS:
        sys.modules[name] = None  # type: ignore[assignment]  # None makes `import name` fail fast
    try:
        import peewee  # noqa: F401
    finally:
        for name in _DRIVERS:
            if sys.modules.get(name, ...) is None:
                del sys.modules[name]


_import_peewee_without_drivers()

import peewee  # noqa: E402


class Psycopg3Adapter(peewee.Psycopg3Adapter):
    """peewee's psycopg 3 adapter, reading the driver from itself instead of peewee's globals."""

    def __init__(self) -> None:
        """Import psycopg (once per process; later calls are a dictionary look-up)."""
        import psycopg
        from psycopg.pq import TransactionStatus
        from psycopg.types.json import Json, Jsonb

        self._psycopg = psycopg
        self._in_transaction = TransactionStatus.INTRANS
        self.txn_idle = TransactionStatus.IDLE
        self.txn_inerror = TransactionStatus.INERROR
        self.txn_unknown = TransactionStatus.UNKNOWN
        super().__init__()
        self.json_type = Json
        self.jsonb_type = Jsonb

    def check_driver(self) -> None:
        """The driver was imported by __init__."""

    def get_binary_type(self) -> Any:
        """Return psycopg's Binary wrapper."""
        return self._psycopg.Binary

    def connect(self, db: Any, **params: Any) -> Any:
        """Connect like peewee's adapter does, with the driver this adapter imported."""
        if db._encoding:
            params.setdefault("client_encoding", db._encoding)
        if db.database.startswith("postgresql://"):
            params.setdefault("conninfo", db.database)
        else:
            params.setdefault("dbname", db.database)
        return self._psycopg.connect(**params)

    def server_side_cursor(self, conn: Any) -> Any:
        """A named cursor: scoped to the transaction inside one, held over it otherwise."""
        import uuid

        in_transaction = self.txn_status(conn) == self._in_transaction
        return conn.cursor(name=str(uuid.uuid1()), withhold=not in_transaction)
