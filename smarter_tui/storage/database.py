"""Opening the database: a SQLite file or a PostgreSQL URL, runtime binding, migrations, the stores."""

from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import peewee

from smarter_tui.domain.errors import DatabaseUnavailableError
from smarter_tui.storage._driver import Psycopg3Adapter
from smarter_tui.storage.api_keys import ApiKeyStore
from smarter_tui.storage.catalogue import CatalogueStore
from smarter_tui.storage.dialect import Engine
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
        """Return a short description naming the file or the URL (never the password)."""
        return f"Database({self.location!r})"


class _SqliteDatabase(peewee.SqliteDatabase):
    """peewee's SQLite database, whose new connections wait for a file another process is creating."""

    def _set_pragmas(self, conn: sqlite3.Connection) -> None:
        # Switching a new file to WAL answers "database is locked" at once, without the busy
        # timeout, while another process does the same (two terminals opening a new database).
        deadline = time.monotonic() + PRAGMAS["busy_timeout"] / 1000
        while True:
            try:
                super()._set_pragmas(conn)  # type: ignore[misc]  # peewee's hook, not in its stubs
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)


def _sqlite(path: Path) -> peewee.Database:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = _SqliteDatabase(None, lock_type="IMMEDIATE")
    db.init(str(path), pragmas=PRAGMAS, timeout=10)
    return db


def _where(url: str) -> str:
    """Return host:port/database of a URL, for messages (never the password)."""
    parts = urlsplit(url)
    return f"{parts.hostname or 'localhost'}:{parts.port or 5432}/{parts.path.lstrip('/')}"


def connect_error(url: str, exc: BaseException) -> DatabaseUnavailableError:
    """Return the one-line error for a PostgreSQL server that refused or did not answer."""
    parts = urlsplit(url)
    text = str(exc)
    if parts.password:
        text = text.replace(parts.password, "****")
    lowered = text.lower()
    if "password" in lowered or "authentication" in lowered:
        user = parts.username or "(default user)"
        return DatabaseUnavailableError(
            f"PostgreSQL at {_where(url)} refused the credentials of user {user}: check the password "
            "in DATABASE_URL or in the keyring (smarter-tui keys set database)"
        )
    if "does not exist" in lowered:
        reason = text.strip().splitlines()[-1].split("FATAL:")[-1].strip()
        return DatabaseUnavailableError(f"PostgreSQL at {_where(url)}: {reason}")
    return DatabaseUnavailableError(
        f"cannot reach the PostgreSQL server at {_where(url)} (is it running, and is the URL right?)"
    )


class PostgresDatabase(peewee.PostgresqlDatabase):
    """peewee's PostgreSQL database, with the server's absence turned into one clear error.

    A connection the server dropped (restart, failover, network) is forgotten, so the next call
    on that thread connects afresh; the call that found it dead raises DatabaseUnavailableError.
    """

    # psycopg is imported by the adapter, not by peewee (see storage/_driver.py); peewee picks
    # its psycopg2 adapter when it saw no psycopg, so both names point at the psycopg 3 one.
    psycopg2_adapter = psycopg3_adapter = Psycopg3Adapter

    def __init__(self, url: str, **params: Any) -> None:
        """Open lazily: `url` is a postgresql:// URL, `params` go to psycopg.connect."""
        self.display_url = redact_url(url)
        self._url = url
        super().__init__(url, **params)

    def connect(self, reuse_if_open: bool = False) -> bool:
        """Connect, or raise DatabaseUnavailableError naming the server and the reason."""
        try:
            return bool(super().connect(reuse_if_open))
        except peewee.OperationalError as exc:
            raise connect_error(self._url, exc) from None

    @property
    def _local(self) -> Any:
        """The calling thread's connection state (peewee's, untyped)."""
        return self.__dict__["_state"]

    def _forget_connection(self) -> None:
        conn = self._local.conn
        try:
            if conn is not None:
                conn.close()
        except Exception:  # noqa: BLE001  (it is already dead)
            pass
        self._local.conn = None
        self._local.closed = True

    def _guarded(self, call: Any, *args: Any) -> Any:
        try:
            return call(*args)
        except (peewee.OperationalError, peewee.InterfaceError) as exc:
            conn = self._local.conn
            if conn is not None and not (conn.closed or conn.broken):
                raise
            self._forget_connection()
            raise DatabaseUnavailableError(
                f"lost the connection to PostgreSQL at {_where(self._url)}: {str(exc).strip()[:200]}"
            ) from None

    def execute_sql(self, sql: str, params: Any = None) -> Any:
        """Run SQL; a dead connection raises DatabaseUnavailableError (and is replaced next time)."""
        return self._guarded(super().execute_sql, sql, params)

    def begin(self, isolation_level: str | None = None) -> None:
        """Begin a transaction (guarded like execute_sql)."""
        self._guarded(super().begin, isolation_level)

    def commit(self) -> None:
        """Commit (guarded like execute_sql)."""
        self._guarded(super().commit)

    def rollback(self) -> None:
        """Roll back; nothing to do on a dead connection (the server dropped its transaction)."""
        if self.is_closed():
            return
        self._guarded(super().rollback)


def _postgres(url: str, password: str | None) -> peewee.Database:
    try:
        import psycopg  # noqa: F401  (imported here to say so when it is missing)
    except ImportError:
        raise DatabaseUnavailableError(
            f"PostgreSQL needs its driver, which is not installed: {POSTGRES_EXTRA}"
        ) from None
    url = "postgresql:" + url.split(":", 1)[1]  # peewee hands only postgresql:// URLs to the driver
    params: dict[str, Any] = {"connect_timeout": CONNECT_TIMEOUT, "application_name": "smarter-tui"}
    if password is not None and urlsplit(url).password is None:
        params["password"] = password
    return PostgresDatabase(url, **params)


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
        conn = db.connection()  # type: ignore[no-untyped-call]
        database_proxy.initialize(db)
        try:
            migrate(conn)
        except BaseException:
            db.close()
            raise
        _current = Database(location, db)
        return _current
