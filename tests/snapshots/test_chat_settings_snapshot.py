"""Snapshot of the chat settings dialog (Ctrl+G) at 120x40 for a chat with its own temperature."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from smarter_tui.domain.records import ChatSettings
from smarter_tui.services import Services
from smarter_tui.ui.app import SmarterApp
from tests.ui.helpers import ready, wait_for


def test_chat_settings_dialog(snap_compare: Any, services: Services) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        await ready(pilot)  # new_chat done: it would put the key set below in the status line
        app.chat.query_one("#prompt").cursor_blink = False  # the prompt behind the dialog: steady
        key = services.chat_settings.save("general_assistant", None, ChatSettings(temperature=0.3))
        app.chat.session_key = key
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: bool(getattr(app.screen, "models", None)))
        app.screen.query_one("#provider").focus()  # no text cursor: nothing blinks in the picture
        await pilot.pause()

    assert snap_compare(
        SmarterApp(open_services=lambda: services), terminal_size=(120, 40), run_before=run_before
    )
