"""Session key prefixes and where the app opens: flags first, then what the settings remember."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from smarter_tui.config.settings import Settings
from smarter_tui.domain.errors import NotFoundError, RequestError
from smarter_tui.domain.launch import LaunchRequest, LaunchTarget
from smarter_tui.domain.messages import Message, Role
from smarter_tui.domain.records import SessionInfo
from smarter_tui.services import Services

STAMP = datetime(2026, 11, 1, tzinfo=UTC)
SHOP = "abcdef01" + "1" * 56
SHOP_TWIN = "abcdef02" + "2" * 56
GENERAL = "123456" + "9" * 58


@pytest.fixture
def keyed(services: Services) -> Services:
    """Three stored sessions with chosen keys (two share the prefix abcdef0)."""
    sessions = [
        (SessionInfo(SHOP, "shop_assistant", "one", STAMP, STAMP), [Message(Role.USER, "hi")]),
        (SessionInfo(SHOP_TWIN, "shop_assistant", "two", STAMP, STAMP), [Message(Role.USER, "hey")]),
        (SessionInfo(GENERAL, "general_assistant", "three", STAMP, STAMP), [Message(Role.USER, "yo")]),
    ]
    services.db.sessions.bulk_import(sessions)
    return services


def test_a_unique_prefix_resolves_to_the_full_key(keyed: Services) -> None:
    assert keyed.sessions.resolve_key("abcdef01") == SHOP
    assert keyed.sessions.resolve_key("ABCDEF01") == SHOP  # any case
    assert keyed.sessions.resolve_key("123456") == GENERAL  # six characters are enough
    assert keyed.sessions.resolve_key(SHOP) == SHOP


def test_an_ambiguous_prefix_lists_the_matches(keyed: Services) -> None:
    with pytest.raises(RequestError) as caught:
        keyed.sessions.resolve_key("abcdef")
    assert SHOP in caught.value.message and SHOP_TWIN in caught.value.message
    assert GENERAL not in caught.value.message


@pytest.mark.parametrize("bad", ["abcde", "xyz123", "abc%ef", "12345_", ""])
def test_a_short_or_non_hex_prefix_is_refused(keyed: Services, bad: str) -> None:
    with pytest.raises(RequestError, match="6 to 64 hexadecimal characters"):
        keyed.sessions.resolve_key(bad)


def test_an_unknown_prefix_is_not_found(keyed: Services) -> None:
    with pytest.raises(NotFoundError, match="No session key starts with fedcba"):
        keyed.sessions.resolve_key("fedcba")


def test_flags_come_first(keyed: Services) -> None:
    remembered = {"last_client": "course_assistant", "last_session": GENERAL}
    assert keyed.launch_target(LaunchRequest(session="abcdef01", **remembered)) == LaunchTarget(
        "shop_assistant", SHOP
    )
    assert keyed.launch_target(LaunchRequest(client="shop_assistant", **remembered)) == LaunchTarget(
        "shop_assistant"
    )
    both = LaunchRequest(client="shop_assistant", session="abcdef01")
    assert keyed.launch_target(both) == LaunchTarget("shop_assistant", SHOP)


def test_bad_flags_raise_the_message_to_print(keyed: Services) -> None:
    with pytest.raises(NotFoundError, match="No LLM client named 'nope' \\(known: course_assistant"):
        keyed.launch_target(LaunchRequest(client="nope"))
    with pytest.raises(RequestError, match="belongs to client 'shop_assistant', not 'general_assistant'"):
        keyed.launch_target(LaunchRequest(client="general_assistant", session="abcdef01"))
    with pytest.raises(RequestError, match="matches several sessions"):
        keyed.launch_target(LaunchRequest(session="abcdef"))


def test_by_default_the_last_session_then_the_last_client(keyed: Services) -> None:
    last = LaunchRequest(last_client="course_assistant", last_session=GENERAL)
    assert keyed.launch_target(last) == LaunchTarget("general_assistant", GENERAL)
    no_reopen = LaunchRequest(last_client="course_assistant", last_session=GENERAL, reopen_last_session=False)
    assert keyed.launch_target(no_reopen) == LaunchTarget("course_assistant")
    assert keyed.launch_target(LaunchRequest()) == LaunchTarget()


def test_what_was_deleted_since_falls_back_quietly(keyed: Services) -> None:
    keyed.db.sessions.delete(GENERAL)
    gone = LaunchRequest(last_client="shop_assistant", last_session=GENERAL)
    assert keyed.launch_target(gone) == LaunchTarget("shop_assistant")
    assert keyed.launch_target(LaunchRequest(last_client="deleted_client")) == LaunchTarget()


def test_the_opening_reads_the_clients_and_the_chat_to_open(keyed: Services) -> None:
    opening = keyed.opening(LaunchRequest(last_client="course_assistant", last_session=GENERAL))
    assert opening.target == LaunchTarget("general_assistant", GENERAL)
    assert opening.problem is None
    assert [c.name for c in opening.clients] == [c.name for c in keyed.clients()]
    assert opening.version == keyed.catalogue.version()


def test_the_opening_of_a_bad_flag_says_why_and_opens_the_default(keyed: Services) -> None:
    opening = keyed.opening(LaunchRequest(client="nope"))
    assert opening.target == LaunchTarget()
    assert opening.problem is not None and "No LLM client named 'nope'" in opening.problem
    assert opening.clients  # the list is shown all the same


def test_settings_fill_in_what_they_remember_and_keep_the_flags() -> None:
    settings = Settings(last_client="shop_assistant", last_session=SHOP, reopen_last_session=False)
    request = settings.launch_request(LaunchRequest(client="course_assistant"))
    assert request == LaunchRequest("course_assistant", None, "shop_assistant", SHOP, False)
