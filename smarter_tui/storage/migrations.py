"""Schema migrations: an ordered list of functions, each applied once, recorded in schema_version.

The DDL is written out as SQL (not derived from the *Row classes) so that an old migration keeps
creating exactly the schema it always created, whatever the models look like today. Each
migration takes an `Executor` (storage.dialect) over a plain DB-API connection, sqlite3 or
psycopg, so tests can stop a database at any earlier version on either engine. One list serves
both engines: a migration spells column types with the executor's vocabulary (`x.id`, `x.ref`,
`x.boolean`, `x.real`, `x.json`) and branches on `x.sqlite` / `x.postgres` where the engines
differ (full-text search); parameters are `?` on both.
"""

from __future__ import annotations

from collections.abc import Callable

from smarter_tui.storage.dialect import Connection, Executor

Migration = Callable[[Executor], None]

#: Names of the catalogue tables by group (see domain.records.KIND_GROUPS).
CATALOGUE_TABLES: dict[str, str] = {
    "provider": "providers",
    "secret": "secrets",
    "connection": "connections",
    "plugin": "plugins",
    "llmclient": "llm_clients",
}


def m001_core_tables(x: Executor) -> None:
    """Create the catalogue, reference, session, message, tool-call, selection and memory tables."""
    for table in CATALOGUE_TABLES.values():
        x.run(
            f"""CREATE TABLE IF NOT EXISTS {table} (
                id {x.id},
                kind TEXT NOT NULL,
                name TEXT NOT NULL UNIQUE,
                description TEXT,
                manifest_json {x.json} NOT NULL DEFAULT '{{}}',
                source_text TEXT NOT NULL DEFAULT '',
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL)""",
        )
    x.run(
        f"""CREATE TABLE IF NOT EXISTS catalogue_references (
            id {x.id},
            from_group TEXT NOT NULL,
            from_name TEXT NOT NULL,
            to_group TEXT NOT NULL,
            to_name TEXT NOT NULL,
            UNIQUE (from_group, from_name, to_group, to_name))""",
        "CREATE INDEX IF NOT EXISTS catalogue_references_to ON catalogue_references (to_group, to_name)",
        f"""CREATE TABLE IF NOT EXISTS sessions (
            id {x.id},
            session_key TEXT NOT NULL UNIQUE,
            client TEXT NOT NULL,
            title TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            sandbox {x.boolean} NOT NULL DEFAULT {x.false})""",
        "CREATE INDEX IF NOT EXISTS sessions_updated_at ON sessions (updated_at)",
        "CREATE INDEX IF NOT EXISTS sessions_client_updated_at ON sessions (client, updated_at)",
        f"""CREATE TABLE IF NOT EXISTS messages (
            id {x.id},
            session_id {x.ref} NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            role TEXT NOT NULL,
            content TEXT,
            tool_calls {x.json},
            tool_call_id TEXT,
            name TEXT,
            model TEXT,
            prompt_tokens INTEGER,
            completion_tokens INTEGER,
            total_tokens INTEGER,
            created_at TEXT NOT NULL,
            interrupted {x.boolean} NOT NULL DEFAULT {x.false},
            UNIQUE (session_id, position))""",
        f"""CREATE TABLE IF NOT EXISTS tool_calls (
            id {x.id},
            session_id {x.ref} NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            message_position INTEGER,
            tool_call_id TEXT,
            name TEXT NOT NULL,
            source TEXT NOT NULL,
            kind TEXT NOT NULL,
            arguments TEXT NOT NULL DEFAULT '',
            result TEXT,
            error TEXT,
            duration_ms {x.real} NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS tool_calls_session ON tool_calls (session_id)",
        "CREATE INDEX IF NOT EXISTS tool_calls_source ON tool_calls (source, created_at)",
        f"""CREATE TABLE IF NOT EXISTS plugin_selections (
            id {x.id},
            session_id {x.ref} NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            plugin TEXT NOT NULL,
            term TEXT NOT NULL DEFAULT '',
            prompt TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS plugin_selections_session ON plugin_selections (session_id)",
        "CREATE INDEX IF NOT EXISTS plugin_selections_plugin ON plugin_selections (plugin)",
        f"""CREATE TABLE IF NOT EXISTS memories (
            id {x.id},
            text TEXT NOT NULL,
            session_key TEXT,
            created_at TEXT NOT NULL)""",
    )


#: The PostgreSQL text search configuration: English stemming (like FTS5's porter tokenizer) and,
#: like FTS5, no stop words, so that "the" or "and" still find messages.
PG_SEARCH_CONFIG = "smarter_search"


def m002_full_text_search(x: Executor) -> None:
    """Index messages.content and memories.text for full-text search.

    SQLite: external-content FTS5 tables kept by triggers. PostgreSQL: a stored generated
    tsvector column with a GIN index, built with a stemming, stop-word-free configuration.
    """
    if x.postgres:
        x.run(
            "CREATE TEXT SEARCH DICTIONARY smarter_stem (TEMPLATE = snowball, LANGUAGE = english)",
            f"CREATE TEXT SEARCH CONFIGURATION {PG_SEARCH_CONFIG} (COPY = english)",
            f"ALTER TEXT SEARCH CONFIGURATION {PG_SEARCH_CONFIG} ALTER MAPPING FOR "
            "asciiword, asciihword, hword_asciipart, word, hword, hword_part WITH smarter_stem",
        )
        for table, column in (("messages", "content"), ("memories", "text")):
            x.run(
                # Punctuation splits words first, as in FTS5 ('INC-4821' -> 'inc', '4821').
                f"ALTER TABLE {table} ADD COLUMN {column}_tsv tsvector GENERATED ALWAYS AS "
                f"(to_tsvector('{PG_SEARCH_CONFIG}', "
                f"regexp_replace(coalesce({column}, ''), '[^[:alnum:]]+', ' ', 'g'))) STORED",
                f"CREATE INDEX {table}_{column}_tsv ON {table} USING GIN ({column}_tsv)",
            )
        return
    for table, column, fts in (("messages", "content", "message_fts"), ("memories", "text", "memory_fts")):
        x.run(
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


def m003_session_message_count(x: Executor) -> None:
    """Denormalise the message count onto sessions so listing 10,000 sessions needs no COUNT join."""
    if "message_count" not in x.columns("sessions"):
        x.run("ALTER TABLE sessions ADD COLUMN message_count INTEGER NOT NULL DEFAULT 0")
    x.run(
        "UPDATE sessions SET message_count = "
        "(SELECT COUNT(*) FROM messages WHERE messages.session_id = sessions.id)"
    )


def m004_session_leases(x: Executor) -> None:
    """Add the lease table that lets one turn at a time run on a session, across processes."""
    # Portable DDL (SQLite and PostgreSQL): the key is text, the expiry epoch milliseconds.
    x.run(
        """CREATE TABLE IF NOT EXISTS session_leases (
            session_key TEXT PRIMARY KEY,
            owner TEXT NOT NULL,
            expires_at BIGINT NOT NULL)""",
    )


def m005_branches_and_chat_settings(x: Executor) -> None:
    """Flag messages left out of the context (a superseded branch, a deleted message) and keep
    per-chat settings (model, provider, system prompt, temperature) as JSON on the session."""
    x.run("ALTER TABLE messages ADD COLUMN excluded TEXT")
    x.run("ALTER TABLE sessions ADD COLUMN chat_settings TEXT")


def m006_api_keys(x: Executor) -> None:
    """Add the API keys of `serve`: a name and a salted hash per key (the key is never stored)."""
    x.run(
        f"""CREATE TABLE IF NOT EXISTS api_keys (
            id {x.id},
            name TEXT NOT NULL UNIQUE,
            key_hash TEXT NOT NULL,
            created_at TEXT NOT NULL,
            last_used_at TEXT)""",
    )


def m007_catalogue_base_dir(x: Executor) -> None:
    """Add base_dir to the catalogue tables: the folder a manifest was applied from.

    A relative SQLite path stays relative in the stored manifest and is resolved against it at
    run time (NULL: the data directory, e.g. for manifests applied through the HTTP API).
    """
    for table in CATALOGUE_TABLES.values():
        if "base_dir" not in x.columns(table):
            x.run(f"ALTER TABLE {table} ADD COLUMN base_dir TEXT")


def m008_catalogue_version(x: Executor) -> None:
    """Add the catalogue version: one counter row, bumped in the transaction of every catalogue write.

    A running app compares it to the one it last saw to pick up manifests applied by another
    process (the CLI, `serve`, another machine on the team database) without reading the tables.
    """
    # The same on both engines: a fixed id (no identity column), no SQLite-only data_version.
    x.run(
        """CREATE TABLE IF NOT EXISTS catalogue_version (
            id INTEGER PRIMARY KEY,
            version BIGINT NOT NULL)""",
        "INSERT INTO catalogue_version (id, version) SELECT 1, 0 "
        "WHERE NOT EXISTS (SELECT 1 FROM catalogue_version WHERE id = 1)",
    )


#: FTS5 prefix indexes of message_fts: a search's last word is a prefix ("the" finds "the", "them",
#: "there", ...). Without them FTS5 merges the doclist of every word starting with it, a word of
#: one to three letters being the costly case (~75 ms for "the*", ~300 ms for "t*" on 500,000
#: messages); longer prefixes start few words and stay fast without one.
MESSAGE_FTS_PREFIXES = "1 2 3"


def m009_message_search_prefix_index(x: Executor) -> None:
    """Give message full-text search prefix indexes, so a short last word needs no doclist merge.

    SQLite: FTS5 cannot alter a table's options, so message_fts is created again with
    `prefix=` and rebuilt from messages (the triggers of m002 name the table, not its options,
    and keep it in sync as before). PostgreSQL: nothing to do; the GIN index of m002 already
    finds a prefix (`'the':*`) by one ordered walk over its entries.
    """
    if x.postgres:
        return
    x.run(
        "DROP TABLE IF EXISTS message_fts",
        "CREATE VIRTUAL TABLE message_fts USING fts5(content, content='messages', content_rowid='id', "
        f"tokenize='porter unicode61', prefix='{MESSAGE_FTS_PREFIXES}')",
        "INSERT INTO message_fts (message_fts) VALUES ('rebuild')",
    )


def m010_session_counts(x: Executor) -> None:
    """Keep the number of sessions per client in session_counts, maintained by triggers.

    The history browser shows the total beside every page; counting 10,000 session rows is a
    b-tree count on SQLite (~0.4 ms) but a scan of every row on PostgreSQL (~2-4 ms, more than
    the page itself). Triggers keep the counts whoever writes sessions (stores, `db copy`, a
    cascade); a client's row is locked by the transaction creating or deleting one of its
    sessions until it commits, which session writes' short transactions afford.
    """
    x.run(
        """CREATE TABLE IF NOT EXISTS session_counts (
            client TEXT PRIMARY KEY,
            sessions BIGINT NOT NULL)""",
        "DELETE FROM session_counts",
        "INSERT INTO session_counts (client, sessions) SELECT client, COUNT(*) FROM sessions GROUP BY client",
    )
    add = (
        "INSERT INTO session_counts (client, sessions) VALUES ({row}.client, 1) "
        "ON CONFLICT (client) DO UPDATE SET sessions = session_counts.sessions + 1"
    )
    remove = "UPDATE session_counts SET sessions = sessions - 1 WHERE client = {row}.client"
    if x.postgres:
        x.run(
            f"""CREATE OR REPLACE FUNCTION session_counts_follow() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP IN ('DELETE', 'UPDATE') THEN {remove.format(row="OLD")}; END IF;
                IF TG_OP IN ('INSERT', 'UPDATE') THEN {add.format(row="NEW")}; END IF;
                RETURN NULL;
            END $$""",
            "CREATE TRIGGER sessions_count AFTER INSERT OR DELETE OR UPDATE OF client ON sessions "
            "FOR EACH ROW EXECUTE FUNCTION session_counts_follow()",
        )
        return
    x.run(
        f"""CREATE TRIGGER IF NOT EXISTS sessions_count_insert AFTER INSERT ON sessions BEGIN
            {add.format(row="new")};
        END""",
        f"""CREATE TRIGGER IF NOT EXISTS sessions_count_delete AFTER DELETE ON sessions BEGIN
            {remove.format(row="old")};
        END""",
        f"""CREATE TRIGGER IF NOT EXISTS sessions_count_update AFTER UPDATE OF client ON sessions
        BEGIN
            {remove.format(row="old")};
            {add.format(row="new")};
        END""",
    )


#: Every migration, in order; the schema version is the number applied (index + 1).
MIGRATIONS: list[Migration] = [
    m001_core_tables,
    m002_full_text_search,
    m003_session_message_count,
    m004_session_leases,
    m005_branches_and_chat_settings,
    m006_api_keys,
    m007_catalogue_base_dir,
    m008_catalogue_version,
    m009_message_search_prefix_index,
    m010_session_counts,
]

#: The schema version a database has once every migration is applied.
LATEST_VERSION = len(MIGRATIONS)


def _executor(conn: Connection | Executor) -> Executor:
    return conn if isinstance(conn, Executor) else Executor(conn)


def schema_version(conn: Connection | Executor) -> int:
    """Return the schema version recorded in the database (0 for a new or unversioned one)."""
    x = _executor(conn)
    if not x.table_exists("schema_version"):
        return 0
    row = x.execute("SELECT MAX(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def migrate(conn: Connection | Executor, target: int | None = None) -> int:
    """Apply every pending migration up to `target` (default: all); return the resulting version.

    `conn` is a sqlite3 connection or a psycopg one (put in autocommit mode: each migration runs
    in its own explicit transaction). Each migration commits together with its version bump under
    an exclusive lock (SQLite's IMMEDIATE transaction, a PostgreSQL advisory lock), so two
    processes opening one database at once cannot apply one twice. Raises ValueError for a target
    outside 0..LATEST_VERSION.
    """
    target = LATEST_VERSION if target is None else target
    if not 0 <= target <= LATEST_VERSION:
        raise ValueError(f"schema version must be between 0 and {LATEST_VERSION}, not {target}")
    x = _executor(conn)
    x.begin_exclusive()
    try:
        x.run("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY)")
        x.commit()
    except BaseException:
        x.rollback()
        raise
    while True:
        x.begin_exclusive()
        try:
            current = schema_version(x)
            if current >= target:
                x.commit()
                return current
            MIGRATIONS[current](x)
            x.execute("INSERT INTO schema_version (version) VALUES (?)", (current + 1,))
            x.commit()
        except BaseException:
            x.rollback()
            raise
