"""Snapshot of the messages browser (F9) at 120x40: a regenerated answer and a deleted message."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from textual.pilot import Pilot

from smarter_tui.domain.messages import Message, Role
from smarter_tui.domain.records import SessionInfo
from smarter_tui.services import Services
from smarter_tui.ui.app import SmarterApp
from tests.ui.helpers import ready, steady, wait_for

KEY = "be" * 32
STAMP = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)


def test_messages_screen(snap_compare: Any, services: Services) -> None:
    messages = [
        Message(Role.SYSTEM, "You are Ada.", created_at=STAMP),
        Message(Role.USER, "Name a colour", created_at=STAMP, excluded="superseded"),
        Message(Role.ASSISTANT, "Green.", created_at=STAMP, excluded="superseded"),
        Message(Role.USER, "Name a colour", created_at=STAMP),
        Message(Role.ASSISTANT, "Blue, like the sea.", created_at=STAMP),
        Message(Role.USER, "And a fruit?", created_at=STAMP),
        Message(Role.ASSISTANT, "A mango.", created_at=STAMP, excluded="deleted"),
    ]
    services.db.sessions.bulk_import(
        [(SessionInfo(KEY, "general_assistant", "Colours", STAMP, STAMP), messages)]
    )

    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        await ready(pilot)
        app.chat.query_one("#prompt").cursor_blink = False  # the prompt behind the dialog: steady
        app._open_session(KEY)
        await wait_for(pilot, lambda: app.chat.session_key == KEY)
        await pilot.press("f9")
        await wait_for(pilot, lambda: bool(getattr(app.screen, "messages", None)))
        await steady(pilot)

    assert snap_compare(
        SmarterApp(open_services=lambda: services), terminal_size=(120, 40), run_before=run_before
    )
