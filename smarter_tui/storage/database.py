"""Opening the database: a SQLite file or a PostgreSQL URL, runtime binding, migrations, the stores."""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import peewee

from smarter_tui.storage.api_keys import ApiKeyStore
from smarter_tui.domain.errors import DatabaseUnavailableError
from smarter_tui.storage.catalogue import CatalogueStore
from smarter_tui.storage.leases import LeaseStore
from smarter_tui.storage.dialect import Engine
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

#: URL schemes that name a PostgreSQL server.
POSTGRES_SCHEMES = ("postgresql", "postgres")
#: What to install when the PostgreSQL driver is missing.
POSTGRES_EXTRA = 'pip install "smarter-tui[postgres]"'
#: Seconds to wait for a PostgreSQL server to answer before reporting it unreachable.
CONNECT_TIMEOUT = 10

_lock = threading.Lock()
_current: Database | None = None


def is_database_url(target: str | Path) -> bool:
    """Return True when `target` is a postgresql:// URL rather than a file path."""
    return isinstance(target, str) and target.split(":", 1)[0].lower() in POSTGRES_SCHEMES


def redact_url(url: str) -> str:
    """Return a database URL without its password (user, host, port and database kept)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{parts.username or ''}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


class Database:
    """An open database and its stores; the one `open_database` returned most recently is live.

    The *Row classes are bound through a process-wide proxy, so only one Database is active at a
    time: opening another closes this one.
    """

    def __init__(self, location: Path | str, db: peewee.Database) -> None:
        """Wrap an initialised peewee database (use `open_database`, not this)."""
        self.engine = Engine.POSTGRES if isinstance(db, peewee.PostgresqlDatabase) else Engine.SQLITE
        #: The SQLite file (None on PostgreSQL).
        self.path: Path | None = location if isinstance(location, Path) else None
        #: The PostgreSQL URL without its password (None on SQLite).
        self.url: str | None = None if isinstance(location, Path) else redact_url(location)
        self._db = db
        self.catalogue = CatalogueStore(db)
        self.sessions = SessionStore(db)
        self.memories = MemoryStore(db)
        self.leases = LeaseStore(db)
        self.api_keys = ApiKeyStore(db)

    @property
    def location(self) -> str:
        """Return where the data lives, fit to show: the file path or the URL without password."""
        return str(self.path) if self.path is not None else str(self.url)

    def schema_version(self) -> int:
        """Return the schema version recorded in the database."""
        return schema_version(self._db.connection())

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
        """Return a short description naming the file or the URL (never the password)."""
        return f"Database({self.location!r})"


def _sqlite(path: Path) -> peewee.Database:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = peewee.SqliteDatabase(None, lock_type="IMMEDIATE")
    db.init(str(path), pragmas=PRAGMAS, timeout=10)
    return db


def _postgres(url: str, password: str | None) -> peewee.Database:
    try:
        import psycopg  # noqa: F401  (peewee picks psycopg 3 when it is importable)
    except ImportError:
        raise DatabaseUnavailableError(
            f"PostgreSQL needs its driver, which is not installed: {POSTGRES_EXTRA}"
        ) from None
    scheme, rest = url.split(":", 1)
    url = "postgresql:" + rest  # peewee hands only postgresql:// URLs to the driver as conninfo
    params: dict[str, Any] = {"connect_timeout": CONNECT_TIMEOUT, "application_name": "smarter-tui"}
    if password is not None and urlsplit(url).password is None:
        params["password"] = password
    return peewee.PostgresqlDatabase(url, **params)


def connect_error(url: str, exc: BaseException) -> DatabaseUnavailableError:
    """Return the one-line error for a PostgreSQL server that refused or did not answer."""
    parts = urlsplit(url)
    where = f"{parts.hostname or 'localhost'}:{parts.port or 5432}/{parts.path.lstrip('/')}"
    text = str(exc)
    if parts.password:
        text = text.replace(parts.password, "****")
    if "password" in text.lower() or "authentication" in text.lower():
        user = parts.username or "(default user)"
        return DatabaseUnavailableError(
            f"PostgreSQL at {where} refused the credentials of user {user}: check the password "
            "in DATABASE_URL or in the keyring (smarter-tui keys set database)"
        )
    if "does not exist" in text:
        return DatabaseUnavailableError(f"PostgreSQL at {where}: {text.strip().splitlines()[-1]}")
    return DatabaseUnavailableError(
        f"cannot reach the PostgreSQL server at {where} (is it running, and is the URL right?)"
    )


def open_database(target: str | Path, password: str | None = None) -> Database:
    """Open (creating if needed) and migrate a database; return it as the live Database.

    `target` is a SQLite file path or a postgresql:// URL (`password` is used when the URL has
    none). Any previously opened Database is closed first. Raises DatabaseUnavailableError for a
    missing driver, an unreachable server or refused credentials; peewee/sqlite3 errors if a file
    cannot be opened or is not a database.
    """
    global _current
    postgres = is_database_url(target)
    location: Path | str = str(target) if postgres else Path(target).expanduser()
    with _lock:
        if _current is not None:
            _current.close()
            _current = None
        db = _postgres(str(target), password) if postgres else _sqlite(Path(location))
        try:
            conn = db.connection()
        except peewee.OperationalError as exc:
            if postgres:
                raise connect_error(str(target), exc) from None
            raise
        database_proxy.initialize(db)
        try:
            migrate(conn)
        except BaseException:
            db.close()
            raise
        _current = Database(location, db)
        return _current
