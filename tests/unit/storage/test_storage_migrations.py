"""Migrations on both engines: from empty and from every earlier version, idempotent, pragmas on."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from smarter_tui.domain.messages import Message, Role
from smarter_tui.domain.records import CatalogueEntry
from smarter_tui.storage import LATEST_VERSION, Database, migrate, open_database
from smarter_tui.storage.dialect import Executor
from smarter_tui.storage.migrations import MESSAGE_FTS_PREFIXES, MIGRATIONS, schema_version
from tests.support import engines

KEY = "ab" * 32


def _tables(target: Path | str) -> set[str]:
    if isinstance(target, str):
        sql = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type='table'"
    return {r[0] for r in engines.rows(target, sql)}


def _file_at(target: Path | str, version: int) -> None:
    """Create a database stopped at `version`, holding one session with two messages if it can."""
    if isinstance(target, Path):
        target.parent.mkdir(parents=True, exist_ok=True)
    conn = Executor(engines.connect(target))
    try:
        assert migrate(conn, target=version) == version
        if version >= 1:
            conn.execute(
                "INSERT INTO sessions (session_key, client, title, created_at, updated_at) "
                "VALUES (?, 'c', 'old', '2024-01-01T00:00:00.000000+00:00', "
                "'2024-01-01T00:00:00.000000+00:00')",
                (KEY,),
            )
            for pos, text in enumerate(["hello zebra", "hi there"]):
                conn.execute(
                    "INSERT INTO messages (session_id, position, role, content, created_at) "
                    "VALUES (1, ?, 'user', ?, '2024-01-01T00:00:00.000000+00:00')",
                    (pos, text),
                )
            if version >= 3:  # the count is kept by the stores from then on, not recomputed
                conn.execute("UPDATE sessions SET message_count = 2")
            conn.execute(
                "INSERT INTO memories (text, created_at) "
                "VALUES ('The user likes zebras', '2024-01-01T00:00:00.000000+00:00')"
            )
    finally:
        conn.conn.close()


def test_latest_version_matches_migration_list() -> None:
    assert LATEST_VERSION == len(MIGRATIONS) >= 2


def test_open_empty_database_migrates_to_latest(db: Database, db_path: Path | str) -> None:
    assert db.schema_version() == LATEST_VERSION
    assert {"sessions", "messages", "memories", "tool_calls", "schema_version"} <= _tables(db_path)
    if isinstance(db_path, Path):
        assert db_path.exists()
        assert {"message_fts", "memory_fts"} <= _tables(db_path)
    else:
        indexes = {r[0] for r in engines.rows(db_path, "SELECT indexname FROM pg_indexes")}
        assert {"messages_content_tsv", "memories_text_tsv"} <= indexes


def test_opening_twice_is_idempotent(empty_db_path: Path | str) -> None:
    db_path = empty_db_path
    first = open_database(db_path)
    first.sessions.create("c")
    first.close()
    second = open_database(db_path)
    assert second.schema_version() == LATEST_VERSION
    assert second.sessions.count() == 1
    versions = [r[0] for r in engines.rows(db_path, "SELECT version FROM schema_version ORDER BY version")]
    assert versions == list(range(1, LATEST_VERSION + 1))
    second.close()


def test_migrate_rejects_bad_target(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "x.db")
    with pytest.raises(ValueError):
        migrate(conn, target=LATEST_VERSION + 1)
    conn.close()


@pytest.mark.parametrize("version", range(LATEST_VERSION))
def test_upgrade_from_every_earlier_version(empty_db_path: Path | str, version: int) -> None:
    db_path = empty_db_path
    _file_at(db_path, version)
    conn = engines.connect(db_path)
    try:
        assert schema_version(conn) == version
    finally:
        conn.close()
    db = open_database(db_path)
    try:
        assert db.schema_version() == LATEST_VERSION
        if version >= 1:
            info = db.sessions.get(KEY)
            assert info is not None and info.message_count == 2
            assert [m.content for m in db.sessions.messages(KEY)] == ["hello zebra", "hi there"]
            # rows written before the FTS migration are indexed too
            assert [h.position for h in db.sessions.search("zebra")] == [0]
            assert db.memories.search("zebras?") == ["The user likes zebras"]
        if version >= 1:  # every old message is in the context, with no chat settings
            assert [m.excluded for m in db.sessions.messages(KEY)] == [None, None]
            assert db.sessions.context_count(KEY) == 2 and db.sessions.chat_settings(KEY) == {}
        # the session counts (m010) start from the sessions already there
        assert (db.sessions.count(), db.sessions.count(client="c")) == ((1, 1) if version else (0, 0))
        counted = engines.rows(db_path, "SELECT client, sessions FROM session_counts")
        assert counted == ([("c", 1)] if version else [])
        assert db.catalogue.version() == 0  # the counter row exists on every upgraded file
        db.catalogue.put(CatalogueEntry(kind="Plugin", name="after", manifest={}))
        assert db.catalogue.version() == 1
        db.sessions.create("c2")
        stored = db.sessions.append_message(
            KEY if version else db.sessions.list()[0].session_key, Message(Role.USER, "after upgrade")
        )
        assert stored.position == (2 if version else 0)
        assert db.sessions.count(client="c2") == 1 and db.sessions.count() == (2 if version else 1)
        # the full-text index follows messages written after the upgrade, prefixes included
        assert [h.position for h in db.sessions.search("upgr")] == [stored.position]
        if version >= 1:
            assert [h.position for h in db.sessions.search("zeb")] == [0]
    finally:
        db.close()
    if isinstance(db_path, Path):  # message search has FTS5 prefix indexes (m009), old rows in them
        ddl = engines.scalar(db_path, "SELECT sql FROM sqlite_master WHERE name = 'message_fts'")
        assert f"prefix='{MESSAGE_FTS_PREFIXES}'" in ddl


def _pragmas(db: Database) -> tuple[str, int, int]:
    conn = db._db.connection()  # the calling thread's connection
    journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
    fk = conn.execute("PRAGMA foreign_keys").fetchone()[0]
    sync = conn.execute("PRAGMA synchronous").fetchone()[0]
    return journal, fk, sync


@pytest.mark.engines("sqlite")
def test_wal_and_foreign_keys_on_every_thread(db: Database) -> None:
    assert _pragmas(db) == ("wal", 1, 1)  # synchronous NORMAL == 1
    seen: list[tuple[str, int, int]] = []
    thread = threading.Thread(target=lambda: seen.append(_pragmas(db)))
    thread.start()
    thread.join()
    assert seen == [("wal", 1, 1)]


@pytest.mark.engines("sqlite")
def test_wal_is_persistent_in_file(db: Database, db_path: Path) -> None:
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
