"""Regenerate, edit and resend, copy any message, delete one: through the app (services do the work)."""

from __future__ import annotations

from smarter_tui.domain.messages import Role
from smarter_tui.services import Services
from smarter_tui.ui.app import SmarterApp
from smarter_tui.ui.screens.edit_prompt_modal import EditPromptModal
from smarter_tui.ui.screens.messages_screen import MessagesScreen
from smarter_tui.ui.widgets.assistant_message import AssistantMessage
from smarter_tui.ui.widgets.prompt_input import PromptInput
from smarter_tui.ui.widgets.user_message import UserMessage
from tests.ui.helpers import wait_for

SIZE = (120, 40)


async def chatted(pilot, *prompts: str):  # type: ignore[no-untyped-def]
    """Wait for the chat, send each prompt, return the chat pane."""
    app = pilot.app
    await wait_for(
        pilot, lambda: app.chat.client is not None and app.focused is app.chat.query_one("#prompt")
    )
    for prompt in prompts:
        await app.chat.send(prompt)
        await wait_for(pilot, lambda: not app.chat.running)
    return app.chat


def user_texts(chat) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(w.render()).strip() for w in chat.query(UserMessage)]


async def open_messages(pilot) -> MessagesScreen:  # type: ignore[no-untyped-def]
    await pilot.press("f9")
    await wait_for(
        pilot, lambda: isinstance(pilot.app.screen, MessagesScreen) and bool(pilot.app.screen.messages)
    )
    return pilot.app.screen


def highlight(screen: MessagesScreen, predicate) -> None:  # type: ignore[no-untyped-def]
    index = next(i for i, m in enumerate(screen.messages) if predicate(m))
    screen.query_one("#messages-list").highlighted = index


async def test_ctrl_r_regenerates_and_keeps_the_old_answer(services: Services) -> None:
    app = SmarterApp(open_services=lambda: services)
    async with app.run_test(size=SIZE) as pilot:
        chat = await chatted(pilot, "What is 6*7?")
        key = chat.session_key
        before = services.history.messages(key)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: any(m.excluded for m in services.history.messages(key)))
        await wait_for(pilot, lambda: not chat.running and "42" in chat.last_answer())
        assert len(chat.query(UserMessage)) == 1 and len(chat.query(AssistantMessage)) == 1
        stored = services.history.messages(key)
        assert [m.content for m in stored if m.role is Role.USER] == ["What is 6*7?", "What is 6*7?"]
        assert [m.excluded for m in stored[: len(before)]] == [None] + ["superseded"] * (len(before) - 1)


async def test_edit_an_earlier_prompt_and_resend_it(services: Services) -> None:
    app = SmarterApp(open_services=lambda: services)
    async with app.run_test(size=SIZE) as pilot:
        chat = await chatted(pilot, "What is 6*7?", "What is 2**10?")
        key = chat.session_key
        screen = await open_messages(pilot)
        highlight(screen, lambda m: m.role is Role.ASSISTANT)
        await pilot.press("e")  # an answer cannot be edited
        assert "Only a prompt" in str(screen.query_one("#messages-error").render())
        highlight(screen, lambda m: m.content == "What is 6*7?")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, EditPromptModal))
        editor = app.screen.query_one(PromptInput)
        assert editor.text == "What is 6*7?"
        editor.text = "What is 5*5?"
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is app.main)
        await wait_for(pilot, lambda: not chat.running and "25" in chat.last_answer())
        assert user_texts(chat) == ["What is 5*5?"]
        stored = services.history.messages(key)
        assert [m.content for m in stored if m.role is Role.USER] == [
            "What is 6*7?",
            "What is 2**10?",
            "What is 5*5?",
        ]
        assert app.focused is chat.query_one(PromptInput)


async def test_copy_any_message_and_delete_one_from_the_context(services: Services) -> None:
    app = SmarterApp(open_services=lambda: services)
    async with app.run_test(size=SIZE) as pilot:
        chat = await chatted(pilot, "What is 6*7?", "What is 2**10?")
        key = chat.session_key
        screen = await open_messages(pilot)
        highlight(screen, lambda m: m.content == "What is 6*7?")
        await pilot.press("c")
        assert app.clipboard == "What is 6*7?"
        first_answer = next(m for m in screen.messages if m.role is Role.ASSISTANT and m.content)
        highlight(screen, lambda m: m is first_answer)
        await pilot.press("enter")  # Enter copies too
        assert app.clipboard == first_answer.content
        await pilot.press("d")
        await wait_for(pilot, lambda: any(m.excluded == "deleted" for m in screen.messages))
        assert "[deleted]" in str(
            screen.query_one("#messages-list")
            .get_option_at_index(
                next(i for i, m in enumerate(screen.messages) if m.position == first_answer.position)
            )
            .prompt
        )
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main)
        await wait_for(pilot, lambda: len(chat.query(AssistantMessage)) == 1)
        assert "1024" in chat.last_answer()
        context = services.db.sessions.messages(key, context_only=True)
        assert first_answer.position not in [m.position for m in context]


async def test_nothing_to_edit_before_the_first_prompt(services: Services) -> None:
    app = SmarterApp(open_services=lambda: services)
    async with app.run_test(size=SIZE) as pilot:
        await chatted(pilot)
        await pilot.press("ctrl+r")
        await pilot.press("f9")
        await pilot.pause()
        assert app.screen is app.main
        assert [n.message for n in app._notifications] == ["Nothing to change yet: send a prompt first."] * 2
