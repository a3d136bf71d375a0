"""Snapshots of the main screens at 120x40: a new chat, a reopened session with tool cards, dialogs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from textual.pilot import Pilot

from smarter_tui.domain.messages import Message, Role, ToolCall, Usage
from smarter_tui.domain.records import SessionInfo, ToolCallRecord
from smarter_tui.services import Services
from smarter_tui.ui.app import SmarterApp
from smarter_tui.ui.screens.key_modal import KeyModal
from tests.ui.helpers import ready, steady, wait_for

SIZE = (120, 40)
KEY = "5e55" * 16
STAMP = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)


def _app(services: Services) -> SmarterApp:
    return SmarterApp(open_services=lambda: services)


async def _ready(pilot: Pilot[Any]) -> None:
    await ready(pilot)
    await steady(pilot)


@pytest.fixture
def saved_session(services: Services) -> str:
    """A stored shop-assistant session with a tool call, fixed timestamps and durations."""
    call = ToolCall("call_1", "plugin_everlasting_gobstopper", '{"inquiry_type": "coupon_codes"}')
    messages = [
        Message(Role.SYSTEM, "You are Oompa.", created_at=STAMP),
        Message(Role.USER, "Any coupon codes for the Gobstopper?", created_at=STAMP),
        Message(Role.ASSISTANT, None, tool_calls=[call], created_at=STAMP),
        Message(
            Role.TOOL, '[{"code": "GOBSTOPPER10"}]', tool_call_id="call_1", name=call.name, created_at=STAMP
        ),
        Message(
            Role.ASSISTANT, "Yes! Use **GOBSTOPPER10** for 10% off.", usage=Usage(40, 9, 49), created_at=STAMP
        ),
    ]
    info = SessionInfo(KEY, "shop_assistant", "Coupon codes", STAMP, STAMP)
    services.db.sessions.bulk_import([(info, messages)])
    services.db.sessions.record_tool_call(
        ToolCallRecord(
            KEY,
            call.name,
            "everlasting_gobstopper",
            "plugin",
            call.arguments,
            messages[3].content,
            None,
            3.0,
            "call_1",
            STAMP,
        )
    )
    return KEY


def test_new_chat(snap_compare: Any, services: Services) -> None:
    assert snap_compare(_app(services), terminal_size=SIZE, run_before=_ready)


def test_reopened_session_with_tool_card(snap_compare: Any, services: Services, saved_session: str) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _ready(pilot)
        app = pilot.app
        app._open_session(saved_session)
        await wait_for(pilot, lambda: app.chat.session_key == saved_session)
        await wait_for(pilot, lambda: bool(app.chat.query("ToolCard")))
        app.chat.query_one("ToolCard").collapsed = False
        await steady(pilot)

    assert snap_compare(_app(services), terminal_size=SIZE, run_before=run_before)


def test_key_dialog(snap_compare: Any, services: Services, tmp_path: Any) -> None:
    manifest = tmp_path / "real.yaml"
    manifest.write_text(
        "apiVersion: smarter.sh/v1\nkind: LLMClient\nmetadata: {name: real_one, description: x}\n"
        "spec:\n  config: {provider: openai, appName: A Real One}\n  functions: []\n  plugins: []\n"
    )
    services.catalogue.apply_paths([manifest])

    async def run_before(pilot: Pilot[Any]) -> None:
        await _ready(pilot)
        app = pilot.app
        await app.start_chat(next(c for c in app.clients if c.name == "real_one"))
        # The dialog is up and its key field has the focus (auto-focus comes after the push).
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, KeyModal) and app.focused in app.screen.query("#key"),
        )
        await pilot.wait_for_scheduled_animations()
        await steady(pilot)

    assert snap_compare(_app(services), terminal_size=SIZE, run_before=run_before)


def test_two_chat_tabs(snap_compare: Any, services: Services, saved_session: str) -> None:
    """Two tabs: a new chat in the first, the saved shop-assistant session in the second (on screen)."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await _ready(pilot)
        app = pilot.app
        first = app.chat
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: app.chat is not first and app.chat.client is not None)
        app._open_session(saved_session)
        await wait_for(pilot, lambda: app.chat.session_key == saved_session)
        await wait_for(pilot, lambda: bool(app.chat.query("ToolCard")))
        await wait_for(pilot, lambda: "Shop" in str(app.main.tabs.get_tab("chat-tab-2").label))
        await steady(pilot)

    assert snap_compare(_app(services), terminal_size=SIZE, run_before=run_before)
