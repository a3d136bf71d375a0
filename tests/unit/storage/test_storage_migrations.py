"""Migrations: from an empty file and from every earlier version, idempotent, pragmas on."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from smarter_tui.domain.messages import Message, Role
from smarter_tui.storage import LATEST_VERSION, Database, migrate, open_database
from smarter_tui.storage.migrations import MIGRATIONS, schema_version

KEY = "ab" * 32


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def _file_at(path: Path, version: int) -> None:
    """Create a file stopped at `version`, holding one session with two messages if it can."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
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
            conn.commit()
    finally:
        conn.close()


def test_latest_version_matches_migration_list() -> None:
    assert LATEST_VERSION == len(MIGRATIONS) >= 2


def test_open_empty_file_migrates_to_latest(db: Database, db_path: Path) -> None:
    assert db_path.exists()
    assert db.schema_version() == LATEST_VERSION
    assert {"sessions", "messages", "message_fts", "memory_fts", "schema_version"} <= _tables(db_path)


def test_opening_twice_is_idempotent(db_path: Path) -> None:
    first = open_database(db_path)
    first.sessions.create("c")
    first.close()
    second = open_database(db_path)
    assert second.schema_version() == LATEST_VERSION
    assert second.sessions.count() == 1
    with sqlite3.connect(db_path) as conn:
        versions = [r[0] for r in conn.execute("SELECT version FROM schema_version")]
    assert versions == list(range(1, LATEST_VERSION + 1))
    second.close()


def test_migrate_rejects_bad_target(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "x.db")
    with pytest.raises(ValueError):
        migrate(conn, target=LATEST_VERSION + 1)
    conn.close()


@pytest.mark.parametrize("version", range(LATEST_VERSION))
def test_upgrade_from_every_earlier_version(db_path: Path, version: int) -> None:
    _file_at(db_path, version)
    with sqlite3.connect(db_path) as conn:
        assert schema_version(conn) == version
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
        db.sessions.create("c2")
        stored = db.sessions.append_message(
            KEY if version else db.sessions.list()[0].session_key, Message(Role.USER, "after upgrade")
        )
        assert stored.position == (2 if version else 0)
    finally:
        db.close()


def _pragmas(db: Database) -> tuple[str, int, int]:
    conn = db._db.connection()  # the calling thread's connection
    journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
    fk = conn.execute("PRAGMA foreign_keys").fetchone()[0]
    sync = conn.execute("PRAGMA synchronous").fetchone()[0]
    return journal, fk, sync


def test_wal_and_foreign_keys_on_every_thread(db: Database) -> None:
    assert _pragmas(db) == ("wal", 1, 1)  # synchronous NORMAL == 1
    seen: list[tuple[str, int, int]] = []
    thread = threading.Thread(target=lambda: seen.append(_pragmas(db)))
    thread.start()
    thread.join()
    assert seen == [("wal", 1, 1)]


def test_wal_is_persistent_in_file(db: Database, db_path: Path) -> None:
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
