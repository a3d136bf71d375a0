"""Full-text search over messages and memories, including hostile queries."""

from __future__ import annotations

import pytest

from smarter_tui.domain.errors import NotFoundError
from smarter_tui.domain.messages import Message, Role
from smarter_tui.storage import Database

NASTY = [
    '"',
    '""',
    "AND(",
    "*",
    "'",
    "NEAR(a b",
    "a AND OR NOT",
    "col:value",
    "^start",
    "(((",
    "-minus +plus",
    "ünïcödé's \"quote",
    "\x00",
    "   ",
    "",
]


@pytest.fixture
def filled(db: Database) -> Database:
    """Return a database with two titled sessions of searchable messages."""
    a = db.sessions.create("alpha", title="Weather chat").session_key
    b = db.sessions.create("beta", title="Stocks").session_key
    db.sessions.append_message(a, Message(Role.USER, "Will it rain in Paris tomorrow?"))
    db.sessions.append_message(a, Message(Role.ASSISTANT, "Rain is likely in Paris, rain rain."))
    db.sessions.append_message(b, Message(Role.USER, "What's the price of ACME stock?"))
    db.sessions.append_message(b, Message(Role.ASSISTANT, None))
    return db


def test_search_hits_with_snippet_title_client(filled: Database) -> None:
    hits = filled.sessions.search("rain paris")
    assert len(hits) == 2
    assert hits[0].position == 1  # "rain" three times ranks first
    assert {h.title for h in hits} == {"Weather chat"}
    assert {h.client for h in hits} == {"alpha"}
    assert "«Rain»" in hits[0].snippet and "«Paris»" in hits[0].snippet
    assert hits[0].role == "assistant"
    assert hits[0].extra["score"] >= hits[1].extra["score"]


def test_search_all_words_and_prefix(filled: Database) -> None:
    assert filled.sessions.search("rain stock") == []
    assert [h.client for h in filled.sessions.search("ACM")] == ["beta"]  # prefix
    assert [h.client for h in filled.sessions.search("what's")] == ["beta"]
    assert len(filled.sessions.search("raining")) == 2  # porter stemming
    assert len(filled.sessions.search("rain", limit=1)) == 1


@pytest.mark.parametrize("query", NASTY)
def test_search_never_raises(filled: Database, query: str) -> None:
    assert isinstance(filled.sessions.search(query), list)


def test_search_empty_query(filled: Database) -> None:
    assert filled.sessions.search("") == []
    assert filled.sessions.search("  *  ") == []


def test_search_follows_updates(filled: Database) -> None:
    key = filled.sessions.list(client="beta")[0].session_key
    filled.sessions.update_message(key, 1, content="ACME trades at 42 quatloos")
    assert [h.position for h in filled.sessions.search("quatloos")] == [1]
    filled.sessions.update_message(key, 1, content="changed")
    assert filled.sessions.search("quatloos") == []


def test_memory_add_search_any_token(db: Database) -> None:
    db.memories.add("The User's favourite colour is green")
    db.memories.add("The user lives in Lisbon")
    db.memories.add("The user has a dog named Rex")
    assert db.memories.search("What is my favourite colour?") == ["The User's favourite colour is green"]
    assert db.memories.search("where do I live?") == ["The user lives in Lisbon"]
    assert sorted(db.memories.search("colours and dogs")) == [
        "The User's favourite colour is green",
        "The user has a dog named Rex",
    ]
    assert db.memories.search("favourite", limit=0) == []
    assert db.memories.search("nothing matches") == []


def test_memory_ranking_prefers_more_matches(db: Database) -> None:
    db.memories.add("colour of the sky")
    db.memories.add("favourite colour is green, favourite food is pizza")
    assert db.memories.search("favourite colour")[0].startswith("favourite colour")


@pytest.mark.parametrize("query", NASTY)
def test_memory_search_never_raises(db: Database, query: str) -> None:
    db.memories.add("something to find")
    assert isinstance(db.memories.search(query), list)


def test_memory_only_stop_words_still_searches(db: Database) -> None:
    db.memories.add("what is what")
    assert db.memories.search("what") == ["what is what"]


def test_memory_list_delete_count(db: Database) -> None:
    first = db.memories.add("first fact", session_key="AB" * 32)
    second = db.memories.add("  second fact  ")
    assert db.memories.count() == 2
    listed = db.memories.list()
    assert [(i, t) for i, t, _ in listed] == [(second, "second fact"), (first, "first fact")]
    assert all(when.tzinfo is not None for _, _, when in listed)
    db.memories.delete(first)
    assert db.memories.search("first") == []
    assert db.memories.count() == 1
    with pytest.raises(NotFoundError):
        db.memories.delete(first)
    with pytest.raises(ValueError):
        db.memories.add("   ")


def test_a_common_word_ranks_only_the_newest_matches(db: Database) -> None:
    """A word in every message costs a bounded walk: only the newest CANDIDATES matches are ranked.

    The oldest message says "gravel" five times (the best match by far) but lies beyond the
    newest CANDIDATES matches, so it is not found; every hit returned has its snippet.
    """
    from datetime import UTC, datetime

    from smarter_tui.domain.records import SessionInfo
    from smarter_tui.storage.fulltext import CANDIDATES

    now = datetime(2024, 5, 1, tzinfo=UTC)
    old = [Message(Role.USER, "gravel gravel gravel gravel gravel", created_at=now)]
    newer = [Message(Role.USER, f"gravel path {i}", created_at=now) for i in range(CANDIDATES)]
    db.sessions.bulk_import([(SessionInfo("a" * 64, "alpha", None, now), old + newer)])
    hits = db.sessions.search("gravel", limit=10)
    assert len(hits) == 10 and all(h.position > 0 for h in hits)
    assert all("«gravel»" in h.snippet for h in hits)
    assert db.sessions.search("gravel gravel path 0", limit=5)[0].position == 1
