"""Session keys travel: one resolver takes a full key or a unique prefix of at least 6 hex characters."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from smarter_tui.domain.errors import AmbiguousKeyError, NotFoundError, RequestError
from smarter_tui.domain.records import SessionInfo
from smarter_tui.services import Services

SESSIONS = 10_000
CLIENT = "general_assistant"
# Keys placed on purpose: two share a 7-character prefix, one sits at the top of the key space.
TWIN_A = "abcdef1" + "0" * 57
TWIN_B = "abcdef1" + "1" * 57
LONER = "abcdef2" + "2" * 57
TOP = "f" * 64


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """Services over a database with 10,000 sessions (random keys plus the placed ones)."""
    from smarter_tui.config.secrets import SecretStore
    from tests.support.memory_keyring import MemoryKeyring

    path: Path = tmp_path_factory.mktemp("keys") / "keys.sqlite3"
    svc = Services.open(path, secrets=SecretStore(MemoryKeyring()))
    placed = [TWIN_A, TWIN_B, LONER, TOP]
    keys = placed + [secrets.token_hex(32) for _ in range(SESSIONS - len(placed))]
    stamp = datetime(2024, 1, 1, tzinfo=UTC)
    svc.db.sessions.bulk_import((SessionInfo(k, CLIENT, None, stamp), []) for k in keys)
    yield svc
    svc.close()


def test_unique_prefix_resolves_to_the_full_key(big: Services) -> None:
    assert big.sessions.resolve_key("abcdef2") == LONER
    assert big.sessions.resolve_key("ABCDEF2") == LONER  # any case
    assert big.sessions.resolve_key(" abcdef1000 ") == TWIN_A
    assert big.sessions.resolve_key("abcdef22…") == LONER  # as the app shortens keys
    assert big.sessions.session("abcdef2").session_key == LONER


def test_full_key_and_the_top_of_the_key_space(big: Services) -> None:
    assert big.sessions.resolve_key(TWIN_B) == TWIN_B
    assert big.sessions.resolve_key("ffffff") == TOP  # no upper bound for an all-f prefix
    assert big.sessions.resolve_key(TOP.upper()) == TOP


def test_ambiguous_prefix_lists_the_matches(big: Services) -> None:
    with pytest.raises(AmbiguousKeyError) as caught:
        big.sessions.resolve_key("abcdef1")
    assert caught.value.matches == [TWIN_A, TWIN_B]
    assert TWIN_A in caught.value.message and TWIN_B in caught.value.message
    assert "matches several sessions" in caught.value.message


def test_too_short_or_not_hex_is_a_clear_error(big: Services) -> None:
    for bad in ("abcde", "abcdeg", "a" * 65, ""):
        with pytest.raises(RequestError, match="A session key is 6 to 64 hexadecimal characters"):
            big.sessions.resolve_key(bad)


def test_unknown_prefix_is_not_found(big: Services) -> None:
    unused = next(p for p in (f"{i:06x}" for i in range(1 << 24)) if not big.db.sessions.keys_with_prefix(p))
    with pytest.raises(NotFoundError, match=f"No session key starts with {unused}"):
        big.sessions.resolve_key(unused)


def test_history_and_export_take_a_prefix(big: Services) -> None:
    assert big.history.conversation("abcdef2")["session_key"] == LONER
    assert f"`{LONER}`" in big.history.export_markdown("ABCDEF2")


def test_prefix_lookup_reads_the_index_not_the_table(big: Services) -> None:
    """A range over the unique index: a few hundred VM steps, where a scan of 10,000 rows takes ~100,000."""
    conn = big.db._db.connection()  # the SQLite connection: count its VM steps
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0

    conn.set_progress_handler(count, 1)
    try:
        assert big.sessions.resolve_key("abcdef2") == LONER
        indexed = steps
        steps = 0
        # The reference: the same question asked with a scan of the table.
        conn.execute(
            "SELECT session_key FROM sessions WHERE substr(session_key, 1, 7) = 'abcdef2'"
        ).fetchall()
        scanned = steps
    finally:
        conn.set_progress_handler(None, 1)
    assert indexed < 1_000
    assert scanned > 50 * indexed
