"""The app through Pilot: chat with the offline client, tool cards, cancel, switch clients, keys."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from smarter_tui.config.secrets import SecretStore
from smarter_tui.domain.messages import Role
from smarter_tui.providers import OfflineProvider, make_provider
from smarter_tui.services import Services
from smarter_tui.ui.app import SmarterApp
from smarter_tui.ui.screens.debug_screen import DebugScreen
from smarter_tui.ui.screens.key_modal import KeyModal
from smarter_tui.ui.widgets.assistant_message import AssistantMessage
from smarter_tui.ui.widgets.client_list import ClientList
from smarter_tui.ui.widgets.prompt_input import PromptInput
from smarter_tui.ui.widgets.tool_card import ToolCard
from smarter_tui.ui.widgets.welcome_card import WelcomeCard
from tests.support.memory_keyring import MemoryKeyring
from tests.ui.helpers import click, ready, text_of, wait_for

SIZE = (120, 40)


def make_app(services: Services) -> SmarterApp:
    return SmarterApp(open_services=lambda: services)


def slow_services(tmp_path: Path, keyring_backend: MemoryKeyring) -> Services:
    """Services whose offline model streams slowly (0.1 s a chunk), so a turn can be interrupted."""

    def slow(name: str, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if name == "offline":
            return OfflineProvider(chunk_delay=0.1)
        return make_provider(name, *args, **kwargs)  # type: ignore[arg-type]

    return Services.open(
        tmp_path / "slow.sqlite3", secrets=SecretStore(keyring_backend), provider_factory=slow
    )


async def test_offline_answer_with_tool_card(services: Services) -> None:
    app = make_app(services)
    async with app.run_test(size=SIZE) as pilot:
        chat = await ready(pilot)
        assert chat.client.name == "general_assistant"
        assert chat.query(WelcomeCard)
        prompt = chat.query_one(PromptInput)
        prompt.text = "What is 2**16 + 17?"
        prompt.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: not chat.running and bool(chat.query(AssistantMessage)))
        (card,) = chat.query(ToolCard)
        assert card.tool_name == "calculator" and card.result == '{"result": 65553}'
        assert "65553" in chat.last_answer()
        assert chat.session_key and chat.status.session_key == chat.session_key
        stored = services.history.messages(chat.session_key)
        assert [m.role for m in stored] == [Role.SYSTEM, Role.USER, Role.ASSISTANT, Role.TOOL, Role.ASSISTANT]
        card.collapsed = False  # expands and collapses
        await pilot.pause()
        assert "65553" in str(card.query_one(".tool-body").render())


async def test_example_prompt_is_sent(services: Services) -> None:
    app = make_app(services)
    async with app.run_test(size=SIZE) as pilot:
        chat = await ready(pilot)
        examples = chat.query_one(WelcomeCard).query_one("OptionList")
        examples.focus()
        examples.highlighted = 0
        await pilot.press("enter")
        await wait_for(pilot, lambda: not chat.running and bool(chat.query(AssistantMessage)))
        assert chat.query_one(PromptInput).prompts == [chat.client.examples[0]]


async def test_escape_cancels_and_keeps_partial_answer(tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    services = slow_services(tmp_path, memory_keyring)
    app = make_app(services)
    async with app.run_test(size=SIZE) as pilot:
        chat = await ready(pilot)
        prompt = chat.query_one(PromptInput)
        prompt.text = "Tell me a story about nothing in particular"
        prompt.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(chat.query(AssistantMessage)) and len(chat.last_answer()) > 10)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not chat.running)
        answer = chat.query(AssistantMessage).last()
        assert answer.has_class("interrupted") and chat.status.state == "interrupted"
        stored = services.history.messages(chat.session_key)
        assert stored[-1].role is Role.ASSISTANT and stored[-1].interrupted
        assert stored[-1].content and answer.text.startswith(stored[-1].content)


async def test_switch_client_starts_new_chat(services: Services) -> None:
    app = make_app(services)
    async with app.run_test(size=SIZE) as pilot:
        chat = await ready(pilot)
        clients = app.main.query_one(ClientList)
        clients.focus()
        clients.highlight_client("shop_assistant")
        await pilot.press("enter")
        # new_chat names the client first, then swaps the welcome card, then sets the placeholder
        await wait_for(
            pilot,
            lambda: (
                chat.client.name == "shop_assistant"
                and chat.query_one(PromptInput).placeholder == chat.client.placeholder
            ),
        )
        welcome = chat.query_one(WelcomeCard)
        assert welcome.title_text == chat.client.app_name and chat.session_key is None


async def test_client_needing_a_key_asks_for_it(
    services: Services, memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    manifest = tmp_path / "real.yaml"
    manifest.write_text(
        "apiVersion: smarter.sh/v1\nkind: LLMClient\nmetadata: {name: real_one, description: x}\n"
        "spec:\n  config: {provider: openai, appName: A Real One}\n  functions: []\n  plugins: []\n"
    )
    services.catalogue.apply_paths([manifest])
    app = make_app(services)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        clients = app.main.query_one(ClientList)
        clients.focus()
        clients.highlight_client("real_one")
        await pilot.press("enter")
        # The modal must be laid out (its button on screen) before it can be clicked.
        await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, KeyModal)
                and any(b.region.width > 0 for b in app.screen.query("#store"))
            ),
        )
        modal = app.screen
        modal.query_one("#key").value = "sk-test-abcdefghijklmnop"
        await click(pilot, "#store")
        await wait_for(pilot, lambda: not isinstance(app.screen, KeyModal))
        assert memory_keyring.get_password("smarter-tui", "openai_api_key") == "sk-test-abcdefghijklmnop"
        await wait_for(pilot, lambda: app.chat.client is not None and app.chat.client.name == "real_one")
        assert not app.chat.client.needs_key


async def test_debug_view_shows_requests_without_secrets(services: Services) -> None:
    app = make_app(services)
    async with app.run_test(size=SIZE) as pilot:
        chat = await ready(pilot)
        await chat.send("What is 6*7?")
        await wait_for(pilot, lambda: not chat.running)
        await pilot.press("f5")
        await wait_for(pilot, lambda: isinstance(app.screen, DebugScreen))
        text = app.screen.text
        assert '"request"' in text and '"calculator"' in text and '"response"' in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, DebugScreen))


@pytest.mark.parametrize("binding", ["f7"])
async def test_copy_last_answer(services: Services, binding: str) -> None:
    app = make_app(services)
    async with app.run_test(size=SIZE) as pilot:
        chat = await ready(pilot)
        await chat.send("What is 6*7?")
        await wait_for(pilot, lambda: not chat.running)
        await pilot.press(binding)
        assert app.clipboard == chat.last_answer() and "42" in app.clipboard


async def test_search_history_reopen_and_continue(services: Services) -> None:
    from smarter_tui.ui.screens.history_screen import HistoryScreen

    first = await services.sessions.send(
        "Remember that my cat is called Whiskers", client="general_assistant"
    )
    await services.sessions.send("What is 2**10?", client="general_assistant")
    app = make_app(services)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen))
        search = app.screen.query_one("#history-search")
        search.focus()
        search.value = "Whiskers"
        await pilot.press("enter")
        screen = app.screen
        table = screen.query_one("#history-table")
        # The search's own rows, not a page of the list that was still loading when Enter came.
        await wait_for(pilot, lambda: screen.shown_query == "Whiskers" and table.row_count == 1)
        table.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.chat.session_key == first.session_key)
        await wait_for(pilot, lambda: bool(app.chat.query(ToolCard)))
        assert "Whiskers" in app.chat.query(AssistantMessage).last().text
        await app.chat.send("What do you know about me?")
        await wait_for(pilot, lambda: not app.chat.running)
        assert "Whiskers" in app.chat.last_answer()
        stored = services.history.messages(first.session_key)
        prompts = [m.content for m in stored if m.role is Role.USER]
        assert prompts == ["Remember that my cat is called Whiskers", "What do you know about me?"]
        assert services.history.count() == 2  # continued, not a new session


async def test_switching_client_mid_answer_saves_it_interrupted(
    tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    services = slow_services(tmp_path, memory_keyring)
    app = make_app(services)
    async with app.run_test(size=SIZE) as pilot:
        chat = await ready(pilot)
        await chat.send("Tell me a long story about nothing at all, please")
        await wait_for(pilot, lambda: bool(chat.query(AssistantMessage)))
        old_key = chat.session_key
        await app.start_chat(next(c for c in app.clients if c.name == "shop_assistant"))
        await pilot.pause(0.5)  # the old turn's remaining events must not reach the new chat
        assert chat.client.name == "shop_assistant" and chat.session_key is None
        assert not chat.query(AssistantMessage) and not chat.running
        await wait_for(pilot, lambda: services.history.messages(old_key)[-1].interrupted)


async def test_crash_report_never_shows_local_variables(
    services: Services, capsys: pytest.CaptureFixture[str]
) -> None:
    """A key typed into the key dialog sits in a local variable; a crash must not print it."""
    app = make_app(services)

    def explode() -> None:
        # Built at run time: the source line shown in a traceback must not contain the value.
        api_key = "sk-live-" + "TERCES"[::-1]  # noqa: F841
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot)
            app.call_later(explode)
            await pilot.pause(0.2)
    report = capsys.readouterr().err  # Textual prints the crash report on exit
    assert "RuntimeError: boom" in report and "explode" in report
    assert "SECRET" not in report


async def test_escape_cancels_with_focus_on_the_client_list(
    tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    services = slow_services(tmp_path, memory_keyring)
    app = make_app(services)
    async with app.run_test(size=SIZE) as pilot:
        chat = await ready(pilot)
        await chat.send("Tell me a story about nothing in particular")
        await wait_for(pilot, lambda: len(chat.last_answer()) > 5)
        app.main.query_one(ClientList).focus()
        await pilot.press("escape")
        await wait_for(pilot, lambda: not chat.running)
        assert chat.status.state == "interrupted"


async def test_f4_opens_the_plugin_pane_and_t_tries_the_highlighted_tool(services: Services) -> None:
    from smarter_tui.ui.widgets.plugin_pane import PluginPane

    app = make_app(services)
    async with app.run_test(size=SIZE) as pilot:
        chat = await ready(pilot)
        pane = app.main.query_one(PluginPane)
        await pilot.pause(0.3)
        assert pane.tools == [] and not pane.built  # hidden: nothing composed or loaded at start-up
        await pilot.press("f4")
        assert pane.display and app.focused is pane.query_one("#plugin-list")
        await wait_for(pilot, lambda: "2**10" in pane.query_one("#plugin-arguments").value)
        await pilot.press("t")  # the first tool is the calculator; its sample is 2**10
        await wait_for(pilot, lambda: '"result": 1024' in text_of(pane, "#plugin-try-result"))
        assert chat.query_one(PromptInput).text == ""  # the key went to the pane, not the prompt


def test_the_welcome_text_follows_the_first_paint_in_a_new_process(tmp_path: Path) -> None:
    # In a fresh process the Markdown module is not loaded when the first chat is composed (the
    # card leaves its text until after that paint); the text must still show, before the
    # examples, and the first answer's widget must be ready without the main thread importing it
    # (an import there holds every key, an Enter pressed right after start-up too).
    code = f"""
import asyncio, sys, threading
importers = []
def audit(event, args):
    if event == "import" and args[0] == "markdown_it":  # what the Markdown module imports first
        importers.append(threading.current_thread() is threading.main_thread())
sys.addaudithook(audit)
from smarter_tui.config.secrets import SecretStore
from smarter_tui.services import Services
from smarter_tui.ui.app import SmarterApp
from smarter_tui.ui.widgets.welcome_card import WelcomeCard
from tests.support.memory_keyring import MemoryKeyring

services = Services.open({str(tmp_path / "db.sqlite3")!r}, secrets=SecretStore(MemoryKeyring()))
app = SmarterApp(open_services=lambda: services)

async def main():
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(500):
            if app.chat.client is not None and app.chat.query(WelcomeCard):
                break
            await pilot.pause(0.02)
        composed_without_markdown = "textual.widgets._markdown" not in sys.modules
        for _ in range(500):
            card = app.chat.query_one(WelcomeCard)
            shown = card.query(".welcome-text")
            if shown and "Ada" in shown.first().source:  # mounted, and its own mount has run
                break
            await pilot.pause(0.02)
        text = card.query_one(".welcome-text")
        assert card.children[0] is text, card.children
        assert "Ada" in text.source, text.source
        assert importers and not importers[0], "the Markdown module was imported on the event loop"
        print("deferred" if composed_without_markdown else "at once")

asyncio.run(main())
"""
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=root
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("deferred"), result.stdout


async def test_the_collector_paused_for_start_up_runs_again_once_the_chat_is_shown(
    services: Services,
) -> None:
    import gc

    gc.disable()  # as `smarter-tui` does before it imports the app
    try:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot)
            await wait_for(pilot, gc.isenabled)
            assert gc.get_freeze_count() > 0  # start-up's objects are kept out of later passes
    finally:
        gc.enable()
        gc.unfreeze()


async def test_the_collector_runs_again_when_start_up_fails(tmp_path: Path) -> None:
    import gc

    from smarter_tui.domain.errors import SmarterError

    def cannot_open() -> Services:
        raise SmarterError("the database is not there")

    gc.disable()
    try:
        app = SmarterApp(open_services=cannot_open)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, gc.isenabled)
            assert app.services is None
    finally:
        gc.enable()
