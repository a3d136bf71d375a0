"""Schema migrations: an ordered list of functions, each applied once, recorded in schema_version.

The DDL is written out as SQL (not derived from the *Row classes) so that an old migration keeps
creating exactly the schema it always created, whatever the models look like today. Migrations
work on a plain `sqlite3.Connection`, so tests can stop a file at any earlier version.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

Migration = Callable[[sqlite3.Connection], None]

#: Names of the catalogue tables by group (see domain.records.KIND_GROUPS).
CATALOGUE_TABLES: dict[str, str] = {
    "provider": "providers",
    "secret": "secrets",
    "connection": "connections",
    "plugin": "plugins",
    "llmclient": "llm_clients",
}


def _run(conn: sqlite3.Connection, *statements: str) -> None:
    for statement in statements:
        conn.execute(statement)


def m001_core_tables(conn: sqlite3.Connection) -> None:
    """Create the catalogue, reference, session, message, tool-call, selection and memory tables."""
    for table in CATALOGUE_TABLES.values():
        _run(
            conn,
            f"""CREATE TABLE IF NOT EXISTS {table} (
                id INTEGER PRIMARY KEY,
                kind TEXT NOT NULL,
                name TEXT NOT NULL UNIQUE,
                description TEXT,
                manifest_json TEXT NOT NULL DEFAULT '{{}}',
                source_text TEXT NOT NULL DEFAULT '',
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL)""",
        )
    _run(
        conn,
        """CREATE TABLE IF NOT EXISTS catalogue_references (
            id INTEGER PRIMARY KEY,
            from_group TEXT NOT NULL,
            from_name TEXT NOT NULL,
            to_group TEXT NOT NULL,
            to_name TEXT NOT NULL,
            UNIQUE (from_group, from_name, to_group, to_name))""",
        "CREATE INDEX IF NOT EXISTS catalogue_references_to ON catalogue_references (to_group, to_name)",
        """CREATE TABLE IF NOT EXISTS sessions (
            id INTEGER PRIMARY KEY,
            session_key TEXT NOT NULL UNIQUE,
            client TEXT NOT NULL,
            title TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            sandbox INTEGER NOT NULL DEFAULT 0)""",
        "CREATE INDEX IF NOT EXISTS sessions_updated_at ON sessions (updated_at)",
        "CREATE INDEX IF NOT EXISTS sessions_client_updated_at ON sessions (client, updated_at)",
        """CREATE TABLE IF NOT EXISTS messages (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            role TEXT NOT NULL,
            content TEXT,
            tool_calls TEXT,
            tool_call_id TEXT,
            name TEXT,
            model TEXT,
            prompt_tokens INTEGER,
            completion_tokens INTEGER,
            total_tokens INTEGER,
            created_at TEXT NOT NULL,
            interrupted INTEGER NOT NULL DEFAULT 0,
            UNIQUE (session_id, position))""",
        """CREATE TABLE IF NOT EXISTS tool_calls (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            message_position INTEGER,
            tool_call_id TEXT,
            name TEXT NOT NULL,
            source TEXT NOT NULL,
            kind TEXT NOT NULL,
            arguments TEXT NOT NULL DEFAULT '',
            result TEXT,
            error TEXT,
            duration_ms REAL NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS tool_calls_session ON tool_calls (session_id)",
        "CREATE INDEX IF NOT EXISTS tool_calls_source ON tool_calls (source, created_at)",
        """CREATE TABLE IF NOT EXISTS plugin_selections (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            plugin TEXT NOT NULL,
            term TEXT NOT NULL DEFAULT '',
            prompt TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS plugin_selections_session ON plugin_selections (session_id)",
        "CREATE INDEX IF NOT EXISTS plugin_selections_plugin ON plugin_selections (plugin)",
        """CREATE TABLE IF NOT EXISTS memories (
            id INTEGER PRIMARY KEY,
            text TEXT NOT NULL,
            session_key TEXT,
            created_at TEXT NOT NULL)""",
    )


def m002_full_text_search(conn: sqlite3.Connection) -> None:
    """Add external-content FTS5 indexes over messages.content and memories.text, kept by triggers."""
    for table, column, fts in (("messages", "content", "message_fts"), ("memories", "text", "memory_fts")):
        _run(
            conn,
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5("
            f"{column}, content='{table}', content_rowid='id', tokenize='porter unicode61')",
            f"""CREATE TRIGGER IF NOT EXISTS {table}_fts_insert AFTER INSERT ON {table} BEGIN
                INSERT INTO {fts} (rowid, {column}) VALUES (new.id, new.{column});
            END""",
            f"""CREATE TRIGGER IF NOT EXISTS {table}_fts_delete AFTER DELETE ON {table} BEGIN
                INSERT INTO {fts} ({fts}, rowid, {column}) VALUES ('delete', old.id, old.{column});
            END""",
            f"""CREATE TRIGGER IF NOT EXISTS {table}_fts_update AFTER UPDATE OF {column} ON {table}
            BEGIN
                INSERT INTO {fts} ({fts}, rowid, {column}) VALUES ('delete', old.id, old.{column});
                INSERT INTO {fts} (rowid, {column}) VALUES (new.id, new.{column});
            END""",
            # Index whatever rows a version-1 database already holds.
            f"INSERT INTO {fts} ({fts}) VALUES ('rebuild')",
        )


def m003_session_message_count(conn: sqlite3.Connection) -> None:
    """Denormalise the message count onto sessions so listing 10,000 sessions needs no COUNT join."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(sessions)")}
    if "message_count" not in columns:
        conn.execute("ALTER TABLE sessions ADD COLUMN message_count INTEGER NOT NULL DEFAULT 0")
    conn.execute(
        "UPDATE sessions SET message_count = "
        "(SELECT COUNT(*) FROM messages WHERE messages.session_id = sessions.id)"
    )


def m004_session_leases(conn: sqlite3.Connection) -> None:
    """Add the lease table that lets one turn at a time run on a session, across processes."""
    # Portable DDL (SQLite and PostgreSQL): the key is text, the expiry epoch milliseconds.
    _run(
        conn,
        """CREATE TABLE IF NOT EXISTS session_leases (
            session_key TEXT PRIMARY KEY,
            owner TEXT NOT NULL,
            expires_at BIGINT NOT NULL)""",
    )


def m005_branches_and_chat_settings(conn: sqlite3.Connection) -> None:
    """Flag messages left out of the context (a superseded branch, a deleted message) and keep
    per-chat settings (model, provider, system prompt, temperature) as JSON on the session."""
    conn.execute("ALTER TABLE messages ADD COLUMN excluded TEXT")
    conn.execute("ALTER TABLE sessions ADD COLUMN chat_settings TEXT")


def m006_api_keys(conn: sqlite3.Connection) -> None:
    """Add the API keys of `serve`: a name and a salted hash per key (the key is never stored)."""
    _run(
        conn,
        """CREATE TABLE IF NOT EXISTS api_keys (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            key_hash TEXT NOT NULL,
            created_at TEXT NOT NULL,
            last_used_at TEXT)""",
    )


def m007_catalogue_base_dir(conn: sqlite3.Connection) -> None:
    """Add base_dir to the catalogue tables: the folder a manifest was applied from.

    A relative SQLite path stays relative in the stored manifest and is resolved against it at
    run time (NULL: the data directory, e.g. for manifests applied through the HTTP API).
    """
    for table in CATALOGUE_TABLES.values():
        columns = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        if "base_dir" not in columns:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN base_dir TEXT")


#: Every migration, in order; the schema version is the number applied (index + 1).
MIGRATIONS: list[Migration] = [
    m001_core_tables,
    m002_full_text_search,
    m003_session_message_count,
    m004_session_leases,
    m005_branches_and_chat_settings,
    m006_api_keys,
    m007_catalogue_base_dir,
]

#: The schema version a database has once every migration is applied.
LATEST_VERSION = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    """Return the schema version recorded in the file (0 for a new or unversioned file)."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
    ).fetchone()
    if not exists:
        return 0
    row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def migrate(conn: sqlite3.Connection, target: int | None = None) -> int:
    """Apply every pending migration up to `target` (default: all); return the resulting version.

    Each migration runs in its own IMMEDIATE transaction together with its version bump, so two
    processes opening the same file at once cannot apply one twice. Raises ValueError for a target
    outside 0..LATEST_VERSION.
    """
    target = LATEST_VERSION if target is None else target
    if not 0 <= target <= LATEST_VERSION:
        raise ValueError(f"schema version must be between 0 and {LATEST_VERSION}, not {target}")
    conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY)")
    while True:
        conn.execute("BEGIN IMMEDIATE")
        try:
            current = schema_version(conn)
            if current >= target:
                conn.execute("COMMIT")
                return current
            MIGRATIONS[current](conn)
            conn.execute("INSERT INTO schema_version (version) VALUES (?)", (current + 1,))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
