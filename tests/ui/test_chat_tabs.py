"""Several chats at once (issue #10): tabs with their own streams; switching never cancels one."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import TabbedContent

from smarter_tui.domain.messages import Role
from smarter_tui.services import Services
from smarter_tui.ui.app import SmarterApp
from smarter_tui.ui.widgets.chat_pane import ChatPane
from smarter_tui.ui.widgets.chat_tabs import ChatTabs
from smarter_tui.ui.widgets.client_list import ClientList
from smarter_tui.ui.widgets.prompt_input import PromptInput
from smarter_tui.ui.widgets.welcome_card import WelcomeCard
from tests.support.gated import WAIT, gated_services
from tests.support.memory_keyring import MemoryKeyring
from tests.ui.helpers import ready, wait_for
from tests.ui.test_app import make_app

SIZE = (120, 40)
STORY = f"Tell me a story about nothing in particular {WAIT}"


@pytest.fixture
def gate() -> threading.Event:
    return threading.Event()


@pytest.fixture
def gated(tmp_path: Path, memory_keyring: MemoryKeyring, gate: threading.Event) -> Iterator[Services]:
    """Services whose answers to `WAIT` prompts hold after their first words until `gate` opens."""
    services = gated_services(tmp_path / "tabs.sqlite3", memory_keyring, gate)
    yield services
    services.close()


def tabs_of(app: SmarterApp) -> ChatTabs:
    return app.main.query_one(ChatTabs)


async def type_and_send(pilot, chat: ChatPane, text: str) -> None:  # type: ignore[no-untyped-def]
    """Type `text` into the chat's prompt and press Enter, like a user."""
    prompt = chat.query_one(PromptInput)
    prompt.focus()
    prompt.text = text
    await pilot.press("enter")


async def new_tab(pilot, app: SmarterApp) -> ChatPane:  # type: ignore[no-untyped-def]
    """Press Ctrl+T in the prompt (the editor must not take it) and return the new tab's ready chat."""
    before = app.chat
    count = tabs_of(app).tab_count
    await pilot.press("ctrl+t")
    await wait_for(pilot, lambda: tabs_of(app).tab_count == count + 1 and app.chat is not before)
    return await ready(pilot)  # type: ignore[no-any-return]


async def test_an_answer_streams_on_in_its_tab_while_another_tab_chats(
    gated: Services, gate: threading.Event
) -> None:
    app = make_app(gated)
    async with app.run_test(size=SIZE) as pilot:
        first = await ready(pilot)
        await type_and_send(pilot, first, STORY)
        await wait_for(pilot, lambda: first.running and first.last_answer() != "")
        partial = first.last_answer()

        second = await new_tab(pilot, app)
        assert second is not first and second.client.name == first.client.name
        assert tabs_of(app).display and not tabs_of(app).has_class("single")  # the tab bar shows
        assert first.running, "opening a tab must not cancel the answer in the first one"
        await type_and_send(pilot, second, "What is 6*7?")
        await wait_for(pilot, lambda: second.completed_turns == 1)
        assert "42" in second.last_answer() and second.status.state == "ready"
        await pilot.press("escape")  # Esc in this tab has nothing to cancel: tab 1 goes on
        assert first.running and first.last_answer() == partial

        gate.set()  # tab 1's answer ends while its tab is hidden
        await wait_for(pilot, lambda: first.completed_turns == 1)
        await pilot.press("ctrl+pageup")
        await wait_for(pilot, lambda: app.chat is first)
        assert app.focused is first.query_one(PromptInput)
        assert first.status.state == "ready" and len(first.last_answer()) > len(partial)
        stored = gated.history.messages(first.session_key)
        assert stored[-1].role is Role.ASSISTANT and not stored[-1].interrupted
        assert stored[-1].content == first.last_answer()
        assert first.session_key != second.session_key
        assert [m.content for m in gated.history.messages(second.session_key) if m.role is Role.USER] == [
            "What is 6*7?"
        ]
        await pilot.press("ctrl+pagedown")
        await wait_for(pilot, lambda: app.chat is second)
        await pilot.press("ctrl+pagedown")  # wraps around
        await wait_for(pilot, lambda: app.chat is first)


async def test_closing_a_tab_mid_answer_keeps_the_partial_answer(gated: Services) -> None:
    app = make_app(gated)
    async with app.run_test(size=SIZE) as pilot:
        first = await ready(pilot)
        second = await new_tab(pilot, app)
        await type_and_send(pilot, second, STORY)
        await wait_for(pilot, lambda: second.running and second.last_answer() != "")
        partial, key = second.last_answer(), second.session_key
        assert key is not None
        await pilot.press("ctrl+w")  # the prompt editor's own Ctrl+W must not take it
        await wait_for(pilot, lambda: tabs_of(app).tab_count == 1)
        assert app.chat is first and not second.is_attached
        assert tabs_of(app).has_class("single")  # one tab left: no tab bar
        stored = gated.history.messages(key)
        assert [m.role for m in stored][-2:] == [Role.USER, Role.ASSISTANT]
        assert stored[-1].interrupted and stored[-1].content and partial.startswith(stored[-1].content)
        assert not gated.turns._running  # the turn ended with its tab
        await pilot.press("ctrl+w")  # the last tab stays
        await pilot.pause()
        assert tabs_of(app).tab_count == 1 and app.chat is first


async def test_a_session_from_history_focuses_its_tab_or_opens_in_the_active_one(
    gated: Services, gate: threading.Event
) -> None:
    gate.set()
    older = await gated.sessions.send("What is 2**10?", client="general_assistant")
    app = make_app(gated)
    async with app.run_test(size=SIZE) as pilot:
        first = await ready(pilot)
        await type_and_send(pilot, first, "What is 3*3?")
        await wait_for(pilot, lambda: first.completed_turns == 1)
        shown_in_first = first.session_key
        second = await new_tab(pilot, app)

        app._history_closed(shown_in_first)  # what choosing it in F3 does
        await wait_for(pilot, lambda: app.chat is first)
        assert second.session_key is None and first.session_key == shown_in_first

        await pilot.press("ctrl+pagedown")
        await wait_for(pilot, lambda: app.chat is second)
        app._history_closed(older.session_key)  # shown nowhere: opens in the tab on screen
        await wait_for(pilot, lambda: second.session_key == older.session_key)
        assert app.chat is second and first.session_key == shown_in_first
        await wait_for(pilot, lambda: "1024" in second.last_answer())


async def test_a_session_opened_while_the_tab_answers_gets_its_own_tab(gated: Services) -> None:
    older = await gated.sessions.send("What is 2**10?", client="general_assistant")
    app = make_app(gated)
    async with app.run_test(size=SIZE) as pilot:
        first = await ready(pilot)
        await type_and_send(pilot, first, STORY)
        await wait_for(pilot, lambda: first.running and first.last_answer() != "")
        app._history_closed(older.session_key)
        await wait_for(pilot, lambda: tabs_of(app).tab_count == 2)
        await wait_for(pilot, lambda: app.chat.session_key == older.session_key)
        assert first.running  # not cancelled to make room


async def test_switching_tabs_follows_with_client_list_and_title(gated: Services) -> None:
    app = make_app(gated)
    async with app.run_test(size=SIZE) as pilot:
        first = await ready(pilot)
        second = await new_tab(pilot, app)
        clients = app.main.query_one(ClientList)
        clients.focus()
        clients.highlight_client("shop_assistant")
        await pilot.press("enter")  # a client chosen starts a new chat in the tab on screen
        await wait_for(pilot, lambda: second.client.name == "shop_assistant")
        assert first.client.name == "general_assistant"
        labels = [tabs_of(app).get_tab(t.id).label.plain for t in tabs_of(app).query("TabPane") if t.id]
        assert labels[0] == "1 General Assistant" and labels[1].startswith(f"2 {second.client.app_name[:10]}")
        tabbed = app.main.query_one(TabbedContent)
        tabbed.active = "chat-tab-1"
        await wait_for(pilot, lambda: app.chat is first and "General Assistant" in app.sub_title)
        assert clients.clients[clients.highlighted].name == "general_assistant"
        assert first.query(WelcomeCard) and app.focused is first.query_one(PromptInput)


@pytest.mark.parametrize("size", [(80, 24), (200, 60)])
async def test_two_tabs_fit_from_80_columns(gated: Services, size: tuple[int, int]) -> None:
    app = make_app(gated)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        second = await new_tab(pilot, app)
        await type_and_send(pilot, second, "What is 6*7?")
        await wait_for(pilot, lambda: second.completed_turns == 1)
        await pilot.press("f4")  # the plugin pane too
        await pilot.pause()
        prompt = second.query_one(PromptInput)
        assert prompt.region.width >= 20 and second.transcript.region.height >= 5
        tab_bar = tabs_of(app).query_one("ContentTabs")
        assert tab_bar.region.height >= 1 and tab_bar.region.width == tabs_of(app).region.width
