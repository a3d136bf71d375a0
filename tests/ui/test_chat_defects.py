"""Everyday chat defects of issue #10, each reproduced through Pilot: widths, cancel, following, focus."""

from __future__ import annotations

from pathlib import Path

import pytest

from smarter_tui.domain.messages import Role
from smarter_tui.services import Services
from smarter_tui.ui.screens.debug_screen import DebugScreen
from smarter_tui.ui.widgets.assistant_message import AssistantMessage
from smarter_tui.ui.widgets.chat_pane import ChatPane
from smarter_tui.ui.widgets.client_list import ClientList
from smarter_tui.ui.widgets.plugin_pane import PluginPane
from smarter_tui.ui.widgets.prompt_input import PromptInput
from smarter_tui.ui.widgets.tool_card import ToolCard
from smarter_tui.ui.widgets.transcript_notice import TranscriptNotice
from smarter_tui.ui.widgets.welcome_card import WelcomeCard
from tests.support.memory_keyring import MemoryKeyring
from tests.ui.helpers import click, ready, wait_for
from tests.ui.test_app import make_app, slow_services

UNREACHABLE = """
apiVersion: smarter.sh/v1
kind: Provider
metadata: {name: nowhere, description: a server that is not there}
spec:
  provider: {baseUrl: "http://127.0.0.1:9/v1", defaultModel: m, apiKey: null}
---
apiVersion: smarter.sh/v1
kind: LLMClient
metadata: {name: broken, description: x}
spec:
  config: {provider: nowhere, appName: Broken}
  functions: []
  plugins: []
"""


def at_bottom(chat: ChatPane) -> bool:
    """True when the transcript is scrolled to its end and its last widget is fully in view."""
    transcript = chat.transcript
    if transcript.scroll_y < transcript.max_scroll_y:
        return False
    last = transcript.children[-1]
    return last.region.bottom <= transcript.content_region.bottom


async def settled(pilot) -> None:  # type: ignore[no-untyped-def]
    """Let pending layout and refreshes run (a state to check, not a duration to wait)."""
    await pilot.app.workers.wait_for_complete()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


async def turn(pilot, chat: ChatPane, prompt: str) -> None:  # type: ignore[no-untyped-def]
    """Type `prompt`, press Enter and wait until the turn has ended."""
    box = chat.query_one(PromptInput)
    box.focus()
    box.text = prompt
    done = chat.completed_turns
    await pilot.press("enter")
    await wait_for(pilot, lambda: chat.completed_turns > done)
    await settled(pilot)


# -- 1. narrow terminals ---------------------------------------------------------------------------
async def test_every_width_from_narrow_to_wide_keeps_a_usable_prompt(services: Services) -> None:
    """At 80x24 (and anything up to 82 columns) F4 then F2 left the prompt zero wide and crashed."""
    app = make_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        chat = await ready(pilot)
        pane = app.main.query_one(PluginPane)
        for width in (80, 82, 100, 120, 200, 40):
            await pilot.resize_terminal(width, 24)
            await pilot.press("f4")  # open the plugin pane
            await settled(pilot)
            assert pane.display and app.focused is pane.query_one("#plugin-list")
            prompt = chat.query_one(PromptInput)
            if width >= 80:
                assert prompt.region.width >= 30, (width, prompt.region)
                assert pane.region.width >= 30, (width, pane.region)
            await pilot.press("f2")  # the client list must become reachable
            await settled(pilot)
            clients = app.main.query_one(ClientList)
            assert app.focused is clients and clients.region.width > 0, width
            if width >= 80:
                assert chat.query_one(PromptInput).region.width >= 30, width
            await pilot.press("f4")  # close the pane (it is reopened on the next width)
            if pane.display:
                await pilot.press("f4")
            await settled(pilot)
            assert not pane.display
        assert app.is_running
        await turn(pilot, chat, "What is 2**16 + 17?")
        assert "65553" in chat.last_answer()


# -- 2. cancel, then go on -------------------------------------------------------------------------
async def test_after_escape_the_next_prompt_is_answered(
    tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    services = slow_services(tmp_path, memory_keyring)
    app = make_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        chat = await ready(pilot)
        box = chat.query_one(PromptInput)
        box.text = "Tell me a story about nothing in particular"
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(chat.last_answer()) > 5)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not chat.running)
        assert chat.status.state == "interrupted"
        key = chat.session_key
        await turn(pilot, chat, "What is 6*7?")
        assert chat.status.state == "ready" and "42" in chat.last_answer()
        assert chat.session_key == key
        prompts = [m.content for m in services.history.messages(key) if m.role is Role.USER]
        assert prompts == ["Tell me a story about nothing in particular", "What is 6*7?"]


# -- 3. the transcript follows the answer ----------------------------------------------------------
async def test_transcript_stays_at_the_bottom_through_turns_and_resizes(
    tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    services = slow_services(tmp_path, memory_keyring)  # streamed in pieces: layout changes meanwhile
    app = make_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        chat = await ready(pilot)
        for n in range(6):
            await turn(pilot, chat, f"What is {n + 2}**10?")
            assert chat.query(ToolCard), n
            assert at_bottom(chat), n
        await pilot.resize_terminal(200, 60)
        await settled(pilot)
        assert at_bottom(chat)
        await turn(pilot, chat, "Tell me a long story about nothing in particular")
        assert at_bottom(chat)
        await pilot.resize_terminal(80, 24)
        await settled(pilot)
        assert at_bottom(chat)
        await chat.send("Tell me another long story, about nothing at all")
        await wait_for(pilot, lambda: len(chat.last_answer()) > 5)
        chat.transcript.scroll_home(animate=False)  # the user scrolls up mid-answer: the view stays
        done = chat.completed_turns
        await wait_for(pilot, lambda: chat.completed_turns > done)
        await settled(pilot)
        assert chat.transcript.scroll_y == 0 and chat.transcript.max_scroll_y > 0


async def test_reopened_long_session_opens_at_its_end(services: Services) -> None:
    key = (await services.sessions.send("What is 1**5?", client="general_assistant")).session_key
    for n in range(2, 9):
        await services.sessions.send(f"What is {n}**5?", session_key=key)
    app = make_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        chat = await ready(pilot)
        app._open_session(key)
        await wait_for(pilot, lambda: chat.session_key == key and bool(chat.query(ToolCard)))
        await settled(pilot)
        assert at_bottom(chat)


# -- 6. focus --------------------------------------------------------------------------------------
async def test_focus_returns_to_the_prompt_after_an_example_and_after_closing_plugins(
    services: Services,
) -> None:
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = await ready(pilot)
        examples = chat.query_one(WelcomeCard).query_one("OptionList")
        await click(pilot, examples, offset=(4, 0))  # the first example
        await wait_for(pilot, lambda: bool(chat.query(AssistantMessage)))
        await wait_for(pilot, lambda: not chat.running)
        assert app.focused is chat.query_one(PromptInput)
        await pilot.press("f4")
        await wait_for(pilot, lambda: app.focused is app.main.query_one(PluginPane).query_one("#plugin-list"))
        assert app.focused.highlighted == 0  # F4's cursor starts on the first plugin
        await pilot.press("f4")
        assert app.focused is chat.query_one(PromptInput)
        await pilot.press("h", "i")
        assert chat.query_one(PromptInput).text == "hi"


# -- 7. the debug view follows the session on screen ------------------------------------------------
async def test_debug_view_shows_the_session_on_screen(services: Services) -> None:
    other = await services.sessions.send(
        "Remember that my cat is called Whiskers", client="general_assistant"
    )
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = await ready(pilot)
        await turn(pilot, chat, "What is 6*7?")
        app._open_session(other.session_key)
        await wait_for(pilot, lambda: chat.session_key == other.session_key)
        await pilot.press("f5")
        await wait_for(pilot, lambda: isinstance(app.screen, DebugScreen))
        text = app.screen.text
        assert "6*7" not in text and "Whiskers" in text
        assert other.session_key[:8] in str(app.screen.query_one("#debug-title").render())
        await pilot.press("escape")


# -- 9. failures and interruptions stay in the transcript ------------------------------------------
async def test_a_failed_turn_is_shown_in_the_transcript_saved_and_shown_on_reopen(
    services: Services, tmp_path: Path
) -> None:
    manifest = tmp_path / "broken.yaml"
    manifest.write_text(UNREACHABLE)
    services.catalogue.apply_paths([manifest])
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = await ready(pilot)
        await app.start_chat(next(c for c in app.clients if c.name == "broken"))
        await turn(pilot, chat, "Hello?")
        (notice,) = chat.query(TranscriptNotice)
        assert notice.kind == "error" and "Cannot reach" in notice.text
        assert chat.status.state == "error"
        key = chat.session_key
        stored = services.history.messages(key)
        assert [m.role for m in stored][-2:] == [Role.USER, Role.ERROR]
        assert "Cannot reach" in (stored[-1].content or "")
        await app.start_chat(next(c for c in app.clients if c.name == "general_assistant"))
        app._open_session(key)
        await wait_for(pilot, lambda: chat.session_key == key and bool(chat.query(TranscriptNotice)))
        await settled(pilot)
        assert "Cannot reach" in chat.query_one(TranscriptNotice).text


async def test_an_interrupted_answer_is_marked_in_the_transcript_and_on_reopen(
    tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    services = slow_services(tmp_path, memory_keyring)
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = await ready(pilot)
        await chat.send("Tell me a story about nothing in particular")
        await wait_for(pilot, lambda: len(chat.last_answer()) > 5)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not chat.running)
        (notice,) = chat.query(TranscriptNotice)
        assert notice.kind == "interrupted"
        key = chat.session_key
        await app.action_new_session()
        await wait_for(pilot, lambda: chat.session_key is None)
        app._open_session(key)
        await wait_for(pilot, lambda: chat.session_key == key and bool(chat.query(TranscriptNotice)))
        await settled(pilot)
        assert chat.query_one(TranscriptNotice).kind == "interrupted"


# -- 10. the status line keeps its state word ------------------------------------------------------
@pytest.mark.parametrize("width", [80, 120])
async def test_status_keeps_the_state_word_with_token_counts(services: Services, width: int) -> None:
    app = make_app(services)
    async with app.run_test(size=(width, 24)) as pilot:
        chat = await ready(pilot)
        await turn(pilot, chat, "What is 6*7?")
        status = chat.status
        status.tokens = "12345 in / 6789 out"
        status.model = "a-rather-long-model-name-2025-01-01"
        await settled(pilot)
        shown = status.render_line(0).text
        assert shown.rstrip().endswith("ready"), shown
        assert chat.session_key[:8] in shown and ("12345" in shown or width < 100)


async def test_footer_keeps_every_label_in_one_order_whatever_has_focus(services: Services) -> None:
    from textual.widgets._footer import FooterKey

    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = await ready(pilot)

        def shown() -> list[tuple[str, str]]:
            keys = app.screen.query(FooterKey)
            width = app.screen.size.width
            return [(k.key, k.description) for k in keys if k.region.width and k.region.right <= width]

        await settled(pilot)
        with_prompt = shown()
        assert ("f8", "Copy code") in with_prompt and ("f7", "Copy answer") in with_prompt
        app.main.query_one(ClientList).focus()
        await settled(pilot)
        app_keys = ["ctrl+n", "f2", "f3", "f4", "f5", "ctrl+o", "f7", "f8"]
        assert [k for k, _ in shown() if k in app_keys] == [k for k, _ in with_prompt if k in app_keys]
        assert [k for k, _ in with_prompt if k in app_keys] == app_keys
        assert chat is app.chat


# -- 12. the palette's screenshot without ~/Downloads ------------------------------------------------
async def test_screenshot_is_saved_when_there_is_no_downloads_folder(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_home: Path
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "bare-home"))  # a home without ~/Downloads
    monkeypatch.delenv("XDG_DOWNLOAD_DIR", raising=False)
    app = make_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        app.deliver_screenshot()
        folder = isolated_home / "screenshots"
        await wait_for(pilot, lambda: folder.is_dir() and any(folder.glob("*.svg")))
        await wait_for(pilot, lambda: any("Saved screenshot" in n.message for n in app._notifications))
