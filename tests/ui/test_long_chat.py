"""A long live chat stays bounded: the oldest turns leave the transcript, a notice counts them,
and they come back when asked (read again from the saved session)."""

from __future__ import annotations

from typing import Any

import pytest

from smarter_tui.domain.errors import ProviderError
from smarter_tui.domain.messages import Role
from smarter_tui.services import Services
from smarter_tui.ui.app import SmarterApp
from smarter_tui.ui.widgets import chat_pane
from smarter_tui.ui.widgets.assistant_message import AssistantMessage
from smarter_tui.ui.widgets.earlier_notice import EarlierNotice
from smarter_tui.ui.widgets.transcript_notice import TranscriptNotice
from smarter_tui.ui.widgets.user_message import UserMessage
from tests.ui.helpers import click, wait_for

SIZE = (120, 40)
BUDGET = 30  # widgets in the transcript; an offline answer is a few


def prompts_shown(chat) -> list[str]:  # type: ignore[no-untyped-def]
    return [w.text for w in chat.transcript.query(UserMessage) if not isinstance(w, EarlierNotice)]


def stored_before(services: Services, key: str, prompt: str) -> int:
    """How many context messages of the session come before the (unique) user prompt `prompt`."""
    messages, _ = services.history.transcript(key, last=10_000)
    return next(i for i, m in enumerate(messages) if m.role is Role.USER and m.content == prompt)


async def ready_chat(pilot, app: SmarterApp):  # type: ignore[no-untyped-def]
    """Wait for the first chat to be usable; return it."""
    await wait_for(pilot, lambda: app.chat.client is not None and app.focused is app.chat.prompt)
    return app.chat


async def ask(pilot, chat, prompt: str) -> None:  # type: ignore[no-untyped-def]
    """Send `prompt` and wait for its answer."""
    await chat.send(prompt)
    await wait_for(pilot, lambda: not chat.running)


async def test_a_long_chat_keeps_a_bounded_transcript(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chat_pane, "LIVE_WIDGETS", BUDGET)
    app = SmarterApp(open_services=lambda: services)
    prompts = [f"What is {i}*7?" for i in range(2, 14)]
    async with app.run_test(size=SIZE) as pilot:
        chat = await ready_chat(pilot, app)
        for prompt in prompts:
            await ask(pilot, chat, prompt)
            await pilot.pause()
            assert len(chat.transcript.query("*")) <= BUDGET + 10  # the last turn is always kept whole
        shown = prompts_shown(chat)
        assert shown and shown[-1] == prompts[-1] and len(shown) < len(prompts)
        assert shown == prompts[-len(shown) :]
        assert "91" in chat.last_answer()
        notices = list(chat.transcript.query(EarlierNotice))
        assert len(notices) == 1 and chat.transcript.children[0] is notices[0]
        earlier = stored_before(services, chat.session_key, shown[0])
        assert notices[0].earlier == earlier
        assert f"… {earlier} earlier messages" in notices[0].text

        # Asked, the earlier messages come back from the saved session; the chat goes on.
        await click(pilot, notices[0])
        await wait_for(pilot, lambda: prompts[0] in prompts_shown(chat))
        assert prompts_shown(chat) == prompts
        assert not chat.transcript.query(EarlierNotice)
        await chat.send("What is 3*3?")
        await wait_for(pilot, lambda: not chat.running and "9" in chat.last_answer())
        assert len(chat.transcript.query(AssistantMessage)) < len(prompts)  # bounded again


async def test_a_reopened_session_is_bounded_like_a_live_chat(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chat_pane, "LIVE_WIDGETS", BUDGET)
    app = SmarterApp(open_services=lambda: services)
    prompts = [f"What is {i}*7?" for i in range(2, 12)]
    async with app.run_test(size=SIZE) as pilot:
        chat = await ready_chat(pilot, app)
        for prompt in prompts:
            await ask(pilot, chat, prompt)
        key = chat.session_key
        await app.start_chat(chat.client)
        app._open_session(key)
        await wait_for(pilot, lambda: chat.session_key == key and bool(prompts_shown(chat)))
        await pilot.pause()
        shown = prompts_shown(chat)
        assert shown == prompts[-len(shown) :] and len(shown) < len(prompts)
        assert chat.transcript.query_one(EarlierNotice).earlier == stored_before(services, key, shown[0])


async def test_the_notice_counts_a_plugin_system_role_of_the_first_turn(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shop's plugin adds its systemRole before the first prompt is stored: the client's own
    system prompt, stored with that prompt, was left out of the count (one too few)."""
    monkeypatch.setattr(chat_pane, "LIVE_WIDGETS", BUDGET)
    app = SmarterApp(open_services=lambda: services)
    prompts = [f"Who is Willy Wonka? And what is {i}*7?" for i in range(2, 8)]
    async with app.run_test(size=SIZE) as pilot:
        chat = await ready_chat(pilot, app)
        await app.start_chat(next(c for c in app.clients if c.name == "shop_assistant"))
        await pilot.pause()
        for prompt in prompts:
            await ask(pilot, chat, prompt)
            assert chat.shown_messages + chat._earlier == services.db.sessions.context_count(chat.session_key)
        shown = prompts_shown(chat)
        assert len(shown) < len(prompts)
        assert chat.transcript.query_one(EarlierNotice).earlier == stored_before(
            services, chat.session_key, shown[0]
        )


async def test_a_first_prompt_that_failed_before_it_was_stored_counts_nothing(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its session was never created, so neither its system prompt nor its error is stored."""
    app = SmarterApp(open_services=lambda: services)
    async with app.run_test(size=SIZE) as pilot:
        chat = await ready_chat(pilot, app)
        runtime = services.sessions.runtime

        def unreachable(client: str, key: str | None) -> Any:
            raise ProviderError("the provider is unreachable")

        monkeypatch.setattr(services.sessions, "runtime", unreachable)
        await ask(pilot, chat, "What is 6*7?")
        assert chat.transcript.query_one(TranscriptNotice).text.endswith("the provider is unreachable")
        assert chat.session_key is not None
        assert services.history.find(chat.session_key) is None
        assert chat.shown_messages == 0
        await pilot.pause(0.2)
        assert chat.status.state == "error"  # and it stays so until the next prompt
        monkeypatch.setattr(services.sessions, "runtime", runtime)
        await ask(pilot, chat, "What is 6*7?")  # the retry creates the session, with its prompt
        assert "42" in chat.last_answer()
        assert chat.status.state == "ready"
        assert chat.shown_messages == services.db.sessions.context_count(chat.session_key)


async def test_a_new_chat_lets_the_old_transcript_go(services: Services) -> None:
    """Each new chat's warm-up froze whatever was alive: the last chat's removed transcript too,
    kept for good (gc never looks at frozen objects): ~6 MB per long answer left behind."""
    import gc
    import weakref

    app = SmarterApp(open_services=lambda: services)
    async with app.run_test(size=SIZE) as pilot:
        await ready_chat(pilot, app)

        def warmed_up() -> bool:  # start-up froze what it built, the first warm-up has run
            return gc.get_freeze_count() > 0 and not [w for w in app.workers if w.group == "startup"]

        await wait_for(pilot, warmed_up)
        await pilot.pause(0.3)
        await wait_for(pilot, warmed_up)
        chat = app.chat
        gone = []
        for prompt in ("What is 6*7?", "What is 5*7?", "What is 4*7?"):
            await ask(pilot, chat, prompt)
            gone.append(weakref.ref(chat.transcript.query(AssistantMessage).last()))
            await app.start_chat(chat.client)
            await pilot.pause(0.3)
            await wait_for(
                pilot, lambda: not [w for w in app.workers if w.group == "startup" and w.is_running]
            )
        gc.collect()
        assert [ref() for ref in gone] == [None, None, None]
