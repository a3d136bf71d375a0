"""Opening the SQLite file: runtime binding, per-connection pragmas, migrations, the stores."""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import peewee

from smarter_tui.storage.api_keys import ApiKeyStore
from smarter_tui.storage.catalogue import CatalogueStore
from smarter_tui.storage.leases import LeaseStore
from smarter_tui.storage.memories import MemoryStore
from smarter_tui.storage.migrations import migrate, schema_version
from smarter_tui.storage.rows import database_proxy
from smarter_tui.storage.sessions import SessionStore

#: Applied by peewee to every new connection, i.e. once per thread that touches the database.
PRAGMAS: dict[str, Any] = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": "normal",
    "busy_timeout": 10_000,
    "cache_size": -16_000,  # KiB: 16 MB of page cache per connection
}

_lock = threading.Lock()
_current: Database | None = None


class Database:
    """An open database file and its stores; the one `open_database` returned most recently is live.

    The *Row classes are bound through a process-wide proxy, so only one Database is active at a
    time: opening another file closes this one.
    """

    def __init__(self, path: Path, db: peewee.SqliteDatabase) -> None:
        """Wrap an initialised peewee database (use `open_database`, not this)."""
        self.path = path
        self._db = db
        self.catalogue = CatalogueStore(db)
        self.sessions = SessionStore(db)
        self.memories = MemoryStore(db)
        self.leases = LeaseStore(db)
        self.api_keys = ApiKeyStore(db)

    def schema_version(self) -> int:
        """Return the schema version recorded in the file."""
        return schema_version(self._db.connection())  # type: ignore[no-untyped-call]

    def transaction(self) -> AbstractContextManager[Any]:
        """Return a context manager grouping store calls in one transaction (nests as savepoints)."""
        return self._db.atomic()

    def close(self) -> None:
        """Close the calling thread's connection; other threads' connections close with them."""
        if not self._db.is_closed():
            self._db.close()

    @property
    def closed(self) -> bool:
        """Return True when the calling thread holds no open connection."""
        return self._db.is_closed()

    def __repr__(self) -> str:
        """Return a short description naming the file."""
        return f"Database({str(self.path)!r})"


def open_database(path: str | Path) -> Database:
    """Open (creating if needed) the SQLite file at `path`, migrate it, and return the Database.

    Any previously opened Database is closed first. Raises peewee/sqlite3 errors if the file
    cannot be opened or is not a database.
    """
    global _current
    path = Path(path).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    with _lock:
        if _current is not None:
            _current.close()
            _current = None
        db = peewee.SqliteDatabase(None, lock_type="IMMEDIATE")
        db.init(str(path), pragmas=PRAGMAS, timeout=10)
        database_proxy.initialize(db)
        try:
            migrate(db.connection())  # type: ignore[no-untyped-call]
        except BaseException:
            db.close()
            raise
        _current = Database(path, db)
        return _current
