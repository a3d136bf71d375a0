"""Keeping what was shown: streamed text stored as it grows, sessions born with their prompt,
one turn at a time per session (issue 11 items 1-3, issue 10 defect 8)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from smarter_tui.domain.errors import MissingKeyError, SessionBusyError
from smarter_tui.domain.events import TextDelta, TurnEvent
from smarter_tui.domain.messages import Role
from smarter_tui.domain.models import TextChunk
from smarter_tui.services import Services, turn_recorder
from smarter_tui.services.runtime import ClientRuntime
from smarter_tui.storage.leases import LeaseStore, new_owner
from tests.support.scripted import ScriptedProvider, Step


def _scripted(services: Services, monkeypatch: pytest.MonkeyPatch, *steps: Step) -> ScriptedProvider:
    """Make every runtime of `services` use one scripted provider."""
    provider = ScriptedProvider(*steps)
    build = services.sessions.runtime

    def runtime(client: str, key: str | None) -> ClientRuntime:
        built = build(client, key)
        built.provider = provider
        return built

    monkeypatch.setattr(services.sessions, "runtime", runtime)
    return provider


def _assistant_rows(services: Services, key: str) -> list[tuple[str | None, bool]]:
    return [
        (m.content, m.interrupted) for m in services.db.sessions.messages(key) if m.role is Role.ASSISTANT
    ]


async def test_streamed_text_is_stored_from_the_first_delta_and_as_it_grows(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [0.0]
    monkeypatch.setattr(turn_recorder, "_now", lambda: clock[0])
    _scripted(services, monkeypatch, Step(text="abcdefghij", chunks=10))
    key = services.sessions.new_session_key()
    seen: list[list[tuple[str | None, bool]]] = []

    def on_event(event: TurnEvent) -> None:
        if isinstance(event, TextDelta):
            seen.append(_assistant_rows(services, key))
            clock[0] += 0.2  # five deltas per second: a save every third delta

    outcome = await services.sessions.send(
        "hi", client="general_assistant", session_key=key, on_event=on_event
    )
    # Inserted at the first delta (interrupted until the model call ends), rewritten every 0.5 s.
    assert seen[0] == [("a", True)]
    assert [rows[0][0] for rows in seen] == [
        "a",
        "a",
        "a",
        "abcd",
        "abcd",
        "abcd",
        "abcdefg",
        "abcdefg",
        "abcdefg",
        "abcdefghij",
    ]
    assert _assistant_rows(services, key) == [("abcdefghij", False)]
    assert [m.role for m in outcome.new_messages] == [Role.USER, Role.ASSISTANT]
    assert services.db.sessions.message_count(key) == 3  # system, user, one assistant row (updated)


async def test_text_shown_before_a_stall_is_saved_within_the_interval(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(turn_recorder, "SAVE_INTERVAL", 0.05)
    provider = _scripted(services, monkeypatch, Step(text="ab", chunks=2))
    stalled = asyncio.Event()
    release = asyncio.Event()
    original = provider.complete

    async def complete(request: Any) -> Any:
        count = 0
        async for item in original(request):
            yield item
            count += 1
            if count == 2:  # both deltas shown; the model then stalls
                stalled.set()
                await release.wait()

    monkeypatch.setattr(provider, "complete", complete)
    key = services.sessions.new_session_key()
    turn = asyncio.ensure_future(services.sessions.send("hi", client="general_assistant", session_key=key))
    await stalled.wait()
    await asyncio.sleep(0.2)  # longer than the save interval, with no new delta
    assert _assistant_rows(services, key) == [("ab", True)]
    release.set()
    await turn
    assert _assistant_rows(services, key) == [("ab", False)]


async def test_cancelled_turn_keeps_the_partial_answer_marked_interrupted(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    _scripted(services, monkeypatch, Step(text="one two three four", chunks=4, delay=0.05))
    key = services.sessions.new_session_key()
    shown: list[str] = []

    def on_event(event: TurnEvent) -> None:
        if isinstance(event, TextDelta):
            shown.append(event.text)
            if len(shown) == 2:
                asyncio.current_task().cancel()  # type: ignore[union-attr]

    with pytest.raises(asyncio.CancelledError):
        await services.sessions.send("hi", client="general_assistant", session_key=key, on_event=on_event)
    assert _assistant_rows(services, key) == [("".join(shown), True)]


async def test_a_failing_display_still_leaves_the_shown_text_stored(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    _scripted(services, monkeypatch, Step(text="one two three four", chunks=4))
    key = services.sessions.new_session_key()

    deltas: list[str] = []

    def on_event(event: TurnEvent) -> None:
        if isinstance(event, TextDelta):
            deltas.append(event.text)
            if len(deltas) == 2:
                raise OSError("the terminal is gone")

    with pytest.raises(OSError):
        await services.sessions.send("hi", client="general_assistant", session_key=key, on_event=on_event)
    content, interrupted = _assistant_rows(services, key)[0]
    assert interrupted and content == "".join(deltas)


async def test_config_and_failed_first_prompts_create_no_session(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = services.db.sessions.count()
    config = services.config.config("general_assistant")
    assert len(config["session_key"]) == 64
    assert [m["role"] for m in config["history"]["chat_history"]] == ["system"]
    assert services.db.sessions.count() == before

    def no_key(client: str, key: str | None) -> ClientRuntime:
        raise MissingKeyError("no key for provider 'openai'")

    monkeypatch.setattr(services.sessions, "runtime", no_key)
    with pytest.raises(MissingKeyError):
        await services.sessions.send("hi", client="general_assistant", session_key=config["session_key"])
    assert services.db.sessions.count() == before
    monkeypatch.undo()

    # The key the config object handed out is the one the first prompt uses.
    outcome = await services.sessions.send(
        "What is 2 + 2?", client="general_assistant", session_key=config["session_key"]
    )
    assert outcome.session_key == config["session_key"]
    assert [m.role for m in services.db.sessions.messages(outcome.session_key)][:2] == [
        Role.SYSTEM,
        Role.USER,
    ]


async def test_a_new_session_is_stored_with_its_prompt_or_not_at_all(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = services.db.sessions
    append = store.append_message

    def fail_on_user(key: str, message: Any) -> Any:
        if message.role is Role.USER:
            raise RuntimeError("power cut")
        return append(key, message)

    monkeypatch.setattr(store, "append_message", fail_on_user)
    key = services.sessions.new_session_key()
    before = store.count()
    with pytest.raises(RuntimeError):
        await services.sessions.send("hi", client="general_assistant", session_key=key)
    assert store.count() == before and store.get(key) is None


async def test_a_second_turn_on_a_busy_session_is_refused(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    _scripted(services, monkeypatch, Step(text="slow answer", chunks=4, delay=0.05), Step(text="next"))
    key = services.sessions.new_session_key()
    started = asyncio.Event()

    def on_event(event: TurnEvent) -> None:
        if isinstance(event, TextDelta):
            started.set()

    first = asyncio.ensure_future(
        services.sessions.send("one", client="general_assistant", session_key=key, on_event=on_event)
    )
    await started.wait()
    with pytest.raises(SessionBusyError, match="answering another prompt"):
        await services.sessions.send("two", session_key=key)
    await first
    # The lease is given back at the end: the next turn runs.
    second = await services.sessions.send("two", session_key=key)
    assert second.answer == "next"
    roles = [m.role for m in services.db.sessions.messages(key)]
    assert roles == [Role.SYSTEM, Role.USER, Role.ASSISTANT, Role.USER, Role.ASSISTANT]


def test_lease_of_a_dead_or_expired_holder_is_taken_over(services: Services) -> None:
    db = services.db._db  # noqa: SLF001 (a second store with its own idea of who is alive)
    key = "ab" * 32
    alive = LeaseStore(db, is_dead=lambda owner: False)
    assert alive.acquire(key, "host:1:a") is None
    assert alive.acquire(key, "host:2:b") == "host:1:a"  # held and alive: refused
    assert alive.acquire(key, "host:1:a") is None  # the holder may renew by acquiring
    dead = LeaseStore(db, is_dead=lambda owner: owner == "host:1:a")
    assert dead.acquire(key, "host:2:b") is None  # the holder died: taken over at once
    alive.release(key, "host:1:a")  # a stale owner cannot release the new holder's lease
    assert alive.holder(key) == "host:2:b"
    assert alive.acquire(key, "host:3:c", ttl_ms=0) == "host:2:b"
    alive.release(key, "host:2:b")
    assert alive.acquire(key, "host:3:c", ttl_ms=-1) is None  # already expired when written
    assert alive.acquire(key, "host:4:d") is None  # an expired lease is free
    assert not alive.renew(key, "host:3:c") and alive.renew(key, "host:4:d")


def test_owner_ids_name_this_process() -> None:
    import os

    from smarter_tui.storage.leases import owner_is_dead

    owner = new_owner()
    assert f":{os.getpid()}:" in owner and not owner_is_dead(owner)
    host = owner.split(":")[0]
    assert owner_is_dead(f"{host}:999999999:x")
    assert not owner_is_dead("another-host:999999999:x")


async def test_an_unwatched_answer_that_ends_before_the_interval_is_written_once(
    services: Services, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Nobody sees a JSON request's text stream: its first save waits for the interval like the
    later ones, so an answer complete before then is one INSERT, not an INSERT and a rewrite."""
    _scripted(services, monkeypatch, Step(text="one two three", chunks=3))
    key = services.sessions.new_session_key()
    with caplog.at_level(logging.DEBUG, logger="peewee"):
        await services.sessions.send("hi", client="general_assistant", session_key=key)
    statements = [str(r.msg[0]) if isinstance(r.msg, tuple) else r.getMessage() for r in caplog.records]
    assert not [s for s in statements if s.startswith('UPDATE "messages"')]
    assert sum(s.startswith('INSERT INTO "messages"') for s in statements) == 3  # system, user, answer
    assert _assistant_rows(services, key) == [("one two three", False)]


async def test_an_unwatched_answer_cancelled_before_its_first_save_is_kept_interrupted(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(turn_recorder, "SAVE_INTERVAL", 60.0)
    provider = _scripted(services, monkeypatch, Step(text="ab", chunks=2))
    stalled = asyncio.Event()
    original = provider.complete

    async def complete(request: Any) -> Any:
        async for item in original(request):
            yield item
            if isinstance(item, TextChunk) and item.text == "b":
                stalled.set()
                await asyncio.Event().wait()  # the model stalls until the request goes away

    monkeypatch.setattr(provider, "complete", complete)
    key = services.sessions.new_session_key()
    turn = asyncio.ensure_future(services.sessions.send("hi", client="general_assistant", session_key=key))
    await stalled.wait()
    assert _assistant_rows(services, key) == []  # not saved yet: nobody was shown it
    turn.cancel()
    with pytest.raises(asyncio.CancelledError):
        await turn
    assert _assistant_rows(services, key) == [("ab", True)]
