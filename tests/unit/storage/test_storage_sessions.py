"""SessionStore: lifecycle, messages, tool calls, selections, cascade, durability."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from smarter_tui.domain.errors import NotFoundError, RequestError
from smarter_tui.domain.messages import Message, Role, ToolCall, Usage
from smarter_tui.domain.records import PluginSelectionRecord, SessionInfo, ToolCallRecord
from smarter_tui.storage import Database
from tests.support import engines

KEY = "AB" * 32


def test_create_generates_random_lowercase_key(db: Database) -> None:
    one = db.sessions.create("client")
    two = db.sessions.create("client")
    assert len(one.session_key) == 64 and one.session_key == one.session_key.lower()
    assert one.session_key != two.session_key
    assert one.message_count == 0 and one.title is None and not one.sandbox
    assert one.created_at is not None and one.created_at.tzinfo is not None


def test_create_with_key_normalises_and_validates(db: Database) -> None:
    info = db.sessions.create("c", session_key=KEY, title="T", sandbox=True)
    assert info.session_key == KEY.lower()
    assert db.sessions.get(KEY) == db.sessions.get(KEY.lower()) == info
    assert info.sandbox and info.title == "T"
    with pytest.raises(RequestError):
        db.sessions.create("c", session_key=KEY.lower())
    for bad in ["abc", "g" * 64, "a" * 65, " " + "a" * 63]:
        with pytest.raises(RequestError):
            db.sessions.create("c", session_key=bad)


def test_get_unknown_or_malformed_is_none(db: Database) -> None:
    assert db.sessions.get("0" * 64) is None
    assert db.sessions.get("nope") is None
    with pytest.raises(NotFoundError):
        db.sessions.messages("0" * 64)


def test_list_newest_activity_first_with_counts(db: Database) -> None:
    a = db.sessions.create("alpha")
    b = db.sessions.create("beta")
    c = db.sessions.create("alpha")
    db.sessions.append_message(a.session_key, Message(Role.USER, "hi"))
    db.sessions.append_message(a.session_key, Message(Role.ASSISTANT, "hello"))
    listed = db.sessions.list()
    assert [s.session_key for s in listed] == [a.session_key, c.session_key, b.session_key]
    assert [s.message_count for s in listed] == [2, 0, 0]
    assert [s.session_key for s in db.sessions.list(client="alpha")] == [
        a.session_key,
        c.session_key,
    ]
    assert [s.session_key for s in db.sessions.list(limit=1, offset=1)] == [c.session_key]
    assert db.sessions.count() == 3
    assert db.sessions.count(client="beta") == 1


def test_page_is_the_list_and_the_count_in_one_statement(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    keys = [db.sessions.create(client).session_key for client in ("alpha", "beta", "alpha")]
    with caplog.at_level("DEBUG", logger="peewee"):
        page = db.sessions.page(limit=2)
        assert _statements(caplog) == ["SELECT"]
    assert page == (db.sessions.list(limit=2), db.sessions.count())
    assert [s.session_key for s in db.sessions.page(limit=2)[0]] == [keys[2], keys[1]]
    assert db.sessions.page(limit=5, client="alpha") == (db.sessions.list(client="alpha"), 2)
    assert db.sessions.page(limit=1, offset=2) == (db.sessions.list(limit=1, offset=2), 3)
    assert db.sessions.page(limit=5, offset=3) == ([], 3)  # past the end: still the total
    assert db.sessions.page(client="nobody") == ([], 0)


def _write(target: Path | str, sql: str, params: tuple[object, ...] = ()) -> None:
    """Run one write (`?` placeholders) on its own autocommit connection, beside the stores."""
    conn = engines.connect(target)
    try:
        conn.execute(sql if isinstance(target, Path) else sql.replace("?", "%s"), params)
    finally:
        conn.close()


def test_counts_follow_every_writer(db: Database, db_path: Path | str) -> None:
    """The per-client counts (kept by triggers) follow creates, deletes and raw SQL writes."""
    keys = [db.sessions.create(client).session_key for client in ("alpha", "beta", "alpha")]
    db.sessions.append_message(keys[0], Message(Role.USER, "hi"))
    assert (db.sessions.count(), db.sessions.count("alpha"), db.sessions.count("beta")) == (3, 2, 1)
    assert db.sessions.count(client="nobody") == 0
    db.sessions.delete(keys[0])
    assert (db.sessions.count(), db.sessions.count("alpha")) == (2, 1)
    # Rows written around the stores (as `db copy` does) and a client changed in SQL count too.
    _write(
        db_path,
        "INSERT INTO sessions (session_key, client, created_at, updated_at) VALUES (?, 'gamma', ?, ?)",
        ("cd" * 32, "2024-01-01T00:00:00.000000+00:00", "2024-01-01T00:00:00.000000+00:00"),
    )
    assert (db.sessions.count(), db.sessions.count("gamma")) == (3, 1)
    _write(db_path, "UPDATE sessions SET client = 'alpha' WHERE client = 'beta'")
    assert (db.sessions.count("alpha"), db.sessions.count("beta"), db.sessions.count()) == (2, 0, 3)
    _write(db_path, "DELETE FROM sessions")
    assert db.sessions.count() == 0 and db.sessions.count("alpha") == 0


def test_rename(db: Database) -> None:
    info = db.sessions.create("c")
    assert db.sessions.rename(info.session_key, "New name").title == "New name"
    got = db.sessions.get(info.session_key)
    assert got is not None and got.title == "New name"
    with pytest.raises(NotFoundError):
        db.sessions.rename("0" * 64, "x")


def test_message_round_trip(db: Database) -> None:
    key = db.sessions.create("c").session_key
    calls = [ToolCall("call_1", "calculator", '{"expression": "1+1"}'), ToolCall("c2", "x", "")]
    sent = [
        Message(Role.SYSTEM, "You are helpful."),
        Message(Role.USER, "What is 1+1?"),
        Message(Role.ASSISTANT, None, tool_calls=calls, model="m1", usage=Usage(10, 5, 15)),
        Message(Role.TOOL, "2", tool_call_id="call_1", name="calculator"),
        Message(Role.ASSISTANT, "It is 2", model="m1", usage=Usage(prompt_tokens=3)),
        Message(Role.ASSISTANT, "partial", interrupted=True),
    ]
    stored = [db.sessions.append_message(key, m) for m in sent]
    assert [m.position for m in stored] == list(range(len(sent)))
    loaded = db.sessions.messages(key)
    assert loaded == stored
    for original, back in zip(sent, loaded, strict=True):
        assert back.role is original.role
        assert back.content == original.content
        assert back.tool_calls == original.tool_calls
        assert back.tool_call_id == original.tool_call_id
        assert back.name == original.name
        assert back.model == original.model
        assert back.usage == original.usage
        assert back.interrupted == original.interrupted
        assert back.created_at is not None
    assert loaded[2].to_openai()["tool_calls"][0]["function"]["name"] == "calculator"
    assert loaded[4].usage == Usage(3, None, None)
    assert db.sessions.message_count(key) == len(sent)


def test_last_messages_in_order(db: Database) -> None:
    key = db.sessions.create("c").session_key
    for i in range(10):
        db.sessions.append_message(key, Message(Role.USER, f"m{i}"))
    assert [m.content for m in db.sessions.messages(key, last=3)] == ["m7", "m8", "m9"]
    assert [m.position for m in db.sessions.messages(key, last=3)] == [7, 8, 9]
    assert len(db.sessions.messages(key, last=100)) == 10
    assert db.sessions.messages(key, last=0) == []


def test_title_from_first_user_message(db: Database) -> None:
    key = db.sessions.create("c").session_key
    db.sessions.append_message(key, Message(Role.SYSTEM, "system prompt"))
    info = db.sessions.get(key)
    assert info is not None and info.title is None
    db.sessions.append_message(key, Message(Role.USER, "\n  First   line here\nsecond line"))
    db.sessions.append_message(key, Message(Role.USER, "another prompt"))
    info = db.sessions.get(key)
    assert info is not None and info.title == "First line here"
    long_key = db.sessions.create("c").session_key
    db.sessions.append_message(long_key, Message(Role.USER, "word " * 50))
    info = db.sessions.get(long_key)
    assert info is not None and info.title is not None and len(info.title) <= 80
    titled = db.sessions.create("c", title="kept").session_key
    db.sessions.append_message(titled, Message(Role.USER, "prompt"))
    info = db.sessions.get(titled)
    assert info is not None and info.title == "kept"


def test_append_bumps_updated_at(db: Database) -> None:
    info = db.sessions.create("c")
    time.sleep(0.002)
    stored = db.sessions.append_message(info.session_key, Message(Role.USER, "hi"))
    after = db.sessions.get(info.session_key)
    assert after is not None and after.updated_at is not None and info.updated_at is not None
    assert after.updated_at > info.updated_at
    assert after.updated_at == stored.created_at


def test_update_message(db: Database) -> None:
    key = db.sessions.create("c").session_key
    db.sessions.append_message(key, Message(Role.ASSISTANT, "part"))
    updated = db.sessions.update_message(key, 0, content="partial answer", interrupted=True)
    assert updated.content == "partial answer" and updated.interrupted
    assert db.sessions.messages(key) == [updated]
    assert db.sessions.update_message(key, 0, interrupted=False).content == "partial answer"
    with pytest.raises(NotFoundError):
        db.sessions.update_message(key, 5, content="x")


def test_append_to_unknown_session(db: Database) -> None:
    with pytest.raises(NotFoundError):
        db.sessions.append_message("0" * 64, Message(Role.USER, "x"))


def test_appended_message_is_durable(db: Database, db_path: Path | str) -> None:
    key = db.sessions.create("c").session_key
    db.sessions.append_message(key, Message(Role.USER, "durable words"))
    # another connection sees it: committed at once
    rows = engines.rows(db_path, "SELECT content FROM messages")
    count = engines.scalar(db_path, "SELECT message_count FROM sessions")
    assert rows == [("durable words",)] and count == 1


def test_append_inside_failed_transaction_rolls_back(db: Database) -> None:
    key = db.sessions.create("c").session_key
    with pytest.raises(RuntimeError), db.transaction():
        db.sessions.append_message(key, Message(Role.USER, "one"))
        with db.transaction():
            db.sessions.append_message(key, Message(Role.USER, "two"))
        raise RuntimeError
    assert db.sessions.messages(key) == []
    assert db.sessions.message_count(key) == 0


def _statements(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Return the first word of each SQL statement peewee logged (BEGIN/COMMIT are not logged)."""
    return [str(r.msg[0] if isinstance(r.msg, tuple) else r.msg).split()[0] for r in caplog.records]


def test_a_message_is_two_statements(db: Database, caplog: pytest.LogCaptureFixture) -> None:
    """Appending, replacing and recording a tool call cost the fewest statements (round trips)."""
    key = db.sessions.create("c").session_key
    db.sessions.append_message(key, Message(Role.USER, "first"))
    with caplog.at_level("DEBUG", logger="peewee"):
        stored = db.sessions.append_message(key, Message(Role.ASSISTANT, "partial", interrupted=True))
        assert _statements(caplog) == ["UPDATE", "INSERT"]  # the session (lock, id), the row
        caplog.clear()
        with db.transaction():  # inside a caller's transaction: no savepoint of its own
            db.sessions.append_message(key, Message(Role.USER, "in a transaction"))
        assert _statements(caplog) == ["UPDATE", "INSERT"]
        caplog.clear()
        replaced = db.sessions.replace_message(key, 1, Message(Role.ASSISTANT, "whole answer"))
        assert _statements(caplog) == ["UPDATE", "UPDATE"]  # the message comes back by RETURNING
        caplog.clear()
        db.sessions.record_tool_call(_tool_call(key, "p", 0))
        assert _statements(caplog) == ["INSERT"]  # INSERT ... SELECT from the session row
    assert (stored.position, stored.content, stored.interrupted) == (1, "partial", True)
    assert stored.created_at is not None and stored.created_at.tzinfo is not None
    assert replaced.position == 1 and replaced.content == "whole answer" and not replaced.interrupted
    assert db.sessions.messages(key)[1] == replaced
    assert [m.position for m in db.sessions.messages(key)] == [0, 1, 2]
    with pytest.raises(NotFoundError):
        db.sessions.replace_message(key, 9, Message(Role.ASSISTANT, "nowhere"))


def test_concurrent_appends_from_threads(db: Database) -> None:
    key = db.sessions.create("c").session_key
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(10):
                db.sessions.append_message(key, Message(Role.USER, f"{n}-{i}"))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert [m.position for m in db.sessions.messages(key)] == list(range(40))
    assert db.sessions.message_count(key) == 40


def _tool_call(key: str, source: str, n: int) -> ToolCallRecord:
    return ToolCallRecord(
        session_key=key,
        name=f"plugin_{source}",
        source=source,
        kind="plugin",
        arguments=f'{{"n": {n}}}',
        result=None if n % 2 else f"result {n}",
        error="boom" if n % 2 else None,
        duration_ms=1.5 * n,
        tool_call_id=f"call_{n}",
    )


def test_tool_calls_round_trip_and_by_source(db: Database) -> None:
    a = db.sessions.create("c").session_key
    b = db.sessions.create("c").session_key
    stored = [db.sessions.record_tool_call(_tool_call(a, "stock", n)) for n in range(3)]
    stored.append(db.sessions.record_tool_call(_tool_call(b, "stock", 3)))
    db.sessions.record_tool_call(_tool_call(b, "weather", 4))
    loaded = db.sessions.tool_calls(a)
    assert loaded == stored[:3]
    assert loaded[1].error == "boom" and loaded[1].result is None
    assert loaded[2].duration_ms == 3.0 and loaded[2].tool_call_id == "call_2"
    assert all(r.created_at is not None for r in loaded)
    by_source = db.sessions.tool_calls_by_source("stock")
    assert [r.tool_call_id for r in by_source] == ["call_3", "call_2", "call_1", "call_0"]
    assert by_source[0].session_key == b
    assert len(db.sessions.tool_calls_by_source("stock", limit=2)) == 2
    assert db.sessions.tool_calls_by_source("nothing") == []
    with pytest.raises(NotFoundError):
        db.sessions.record_tool_call(_tool_call("0" * 64, "x", 0))


def test_selections_round_trip(db: Database) -> None:
    key = db.sessions.create("c").session_key
    recs = [
        PluginSelectionRecord(key, "stock", "price", "what is the price of ACME?"),
        PluginSelectionRecord(key, "weather", "rain", "will it rain?"),
    ]
    stored = [db.sessions.record_selection(r) for r in recs]
    assert db.sessions.selections(key) == stored
    assert [(s.plugin, s.term, s.prompt) for s in stored] == [(r.plugin, r.term, r.prompt) for r in recs]
    assert all(s.session_key == key and s.id and s.created_at and s.created_at.tzinfo for s in stored)
    with pytest.raises(NotFoundError):
        db.sessions.record_selection(PluginSelectionRecord("0" * 64, "p", "t", "q"))
    assert db.sessions.selections(key) == stored  # nothing was written for the unknown session


def test_messages_is_one_statement(db: Database, caplog: pytest.LogCaptureFixture) -> None:
    """Reading a session's messages finds the session in the same statement; [] stays distinct
    from an unknown session."""
    key = db.sessions.create("c").session_key
    empty = db.sessions.create("c").session_key
    for n in range(3):
        db.sessions.append_message(key, Message(Role.USER, f"m{n}"))
    db.sessions.exclude_messages(key, [1], "deleted")
    with caplog.at_level("DEBUG", logger="peewee"):
        assert [m.content for m in db.sessions.messages(key.upper(), last=2)] == ["m1", "m2"]
        assert _statements(caplog) == ["SELECT"]
    assert [m.content for m in db.sessions.messages(key, context_only=True)] == ["m0", "m2"]
    assert [m.content for m in db.sessions.messages(key, last=5, context_only=True)] == ["m0", "m2"]
    assert db.sessions.messages(empty) == [] and db.sessions.messages(empty, last=0) == []
    for last in (None, 0, 3):
        with pytest.raises(NotFoundError):
            db.sessions.messages("0" * 64, last=last)


def test_delete_cascades(db: Database, db_path: Path | str) -> None:
    keep = db.sessions.create("c").session_key
    gone = db.sessions.create("c").session_key
    for key, word in ((keep, "keepword"), (gone, "goneword")):
        db.sessions.append_message(key, Message(Role.USER, f"{word} words"))
        db.sessions.record_tool_call(_tool_call(key, "s", 0))
        db.sessions.record_selection(PluginSelectionRecord(key, "p", "t", "q"))
    db.sessions.delete(gone)
    assert db.sessions.get(gone) is None
    with pytest.raises(NotFoundError):
        db.sessions.delete(gone)
    for table in ("messages", "tool_calls", "plugin_selections"):
        assert engines.scalar(db_path, f"SELECT COUNT(*) FROM {table}") == 1
    assert db.sessions.search("goneword") == []
    assert [h.session_key for h in db.sessions.search("keepword")] == [keep]
    assert len(db.sessions.messages(keep)) == 1


def test_bulk_import(db: Database) -> None:
    def generate(n: int):  # type: ignore[no-untyped-def]
        for i in range(n):
            info = SessionInfo(session_key=f"{i:064x}", client=f"client{i % 3}")
            msgs = [
                Message(Role.USER, f"question {i} about bulkword"),
                Message(Role.ASSISTANT, f"answer {i}", usage=Usage(1, 2, 3)),
            ]
            yield info, msgs

    assert db.sessions.bulk_import(generate(1200), batch=500) == 1200
    assert db.sessions.count() == 1200
    info = db.sessions.get(f"{7:064x}")
    assert info is not None and info.message_count == 2 and info.title == "question 7 about bulkword"
    msgs = db.sessions.messages(info.session_key)
    assert [m.position for m in msgs] == [0, 1] and msgs[1].usage == Usage(1, 2, 3)
    assert len(db.sessions.search("bulkword", limit=5000)) == 1200
    # appending after an import continues the positions
    assert db.sessions.append_message(info.session_key, Message(Role.USER, "x")).position == 2
    with pytest.raises(RequestError):
        db.sessions.bulk_import(generate(1))
    assert db.sessions.count() == 1200
