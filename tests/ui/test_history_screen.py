"""Pilot tests of the history browser: list, search and open, rename, delete, export, paging."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from smarter_tui.domain.errors import NotFoundError
from smarter_tui.services import Services
from smarter_tui.ui.screens.confirm_modal import ConfirmModal
from smarter_tui.ui.screens.history_screen import HistoryScreen
from smarter_tui.ui.screens.rename_modal import RenameModal
from smarter_tui.ui.widgets.session_table import SessionTable
from tests.ui.helpers import click
from tests.ui.history_host import UNSET, HostApp, insert_sessions

PROMPTS = [
    "How do I bake sourdough bread?",
    "Explain the platypus to a child",
    "Plan a weekend in Lisbon",
]


async def settle(pilot: Pilot[None]) -> None:
    """Let timers fire and every worker finish, and the UI process their results."""
    for _ in range(3):
        await pilot.pause(0.05)
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def table(app: HostApp) -> SessionTable:
    return app.screen.query_one("#history-table", SessionTable)


def history(app: HostApp) -> HistoryScreen:
    screen = app.screen
    assert isinstance(screen, HistoryScreen)
    return screen


async def test_list_shows_sessions_newest_first(services: Services) -> None:
    keys = insert_sessions(services, PROMPTS)
    outcome = await services.sessions.send("Hello there, what is 2+2?", client="general_assistant")
    app = HostApp(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert table(app).keys() == [outcome.session_key, *reversed(keys)]
        assert table(app).title_of(outcome.session_key) == "Hello there, what is 2+2?"
        row = table(app).get_row(keys[0])
        assert str(row[0]) == PROMPTS[0]
        assert row[1] == "general_assistant"
        assert str(row[3]) == "3"
        assert "4 sessions" in str(app.screen.query_one("#history-status").render())


async def test_search_finds_a_session_and_enter_opens_it(services: Services) -> None:
    keys = insert_sessions(services, PROMPTS)
    app = HostApp(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"platypus", "enter")
        await settle(pilot)
        assert history(app).shown_query == "platypus"
        assert table(app).keys() == [keys[1]]
        assert "platypus" in str(table(app).get_row(keys[1])[1]).lower()
        assert app.focused is table(app)
        await pilot.press("enter")
        await settle(pilot)
        assert app.result == keys[1]


async def test_escape_clears_search_then_closes(services: Services) -> None:
    keys = insert_sessions(services, PROMPTS)
    app = HostApp(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"lisbon", "enter")
        await settle(pilot)
        assert table(app).keys() == [keys[2]]
        await pilot.press("escape")
        await settle(pilot)
        assert history(app).shown_query == ""
        assert len(table(app).keys()) == 3
        assert app.result == UNSET
        await pilot.press("escape")
        await settle(pilot)
        assert app.result is None


async def test_no_hits_and_empty_query_returns_to_list(services: Services) -> None:
    insert_sessions(services, PROMPTS)
    app = HostApp(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"xylophone", "enter")
        await settle(pilot)
        assert table(app).row_count == 0
        assert "No session mentions" in str(app.screen.query_one("#history-status").render())
        app.screen.query_one("#history-search", Input).value = ""
        await settle(pilot)
        assert table(app).row_count == 3


async def test_rename_changes_the_title_and_persists(services: Services) -> None:
    keys = insert_sessions(services, PROMPTS)
    app = HostApp(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert table(app).current_key == keys[2]
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, RenameModal)
        field = app.screen.query_one("#rename-input", Input)
        assert field.value == PROMPTS[2]
        field.value = "  Lisbon trip  "
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        assert table(app).title_of(keys[2]) == "Lisbon trip"
        assert str(table(app).get_row(keys[2])[0]) == "Lisbon trip"
    assert services.history.get(keys[2]).title == "Lisbon trip"


async def test_rename_cancel_keeps_the_title(services: Services) -> None:
    keys = insert_sessions(services, PROMPTS)
    app = HostApp(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        app.screen.query_one("#rename-input", Input).value = "Something else"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
    assert services.history.get(keys[2]).title == PROMPTS[2]


async def test_delete_asks_first_cancel_keeps_confirm_removes(services: Services) -> None:
    keys = insert_sessions(services, PROMPTS)
    app = HostApp(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("down")  # highlight the middle session
        await settle(pilot)
        assert table(app).current_key == keys[1]
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("enter")  # Cancel has the focus: Enter must not delete
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        assert services.history.get(keys[1]).session_key == keys[1]
        assert len(table(app).keys()) == 3

        await pilot.press("d")
        await settle(pilot)
        await click(pilot, "#confirm")
        await settle(pilot)
        assert table(app).keys() == [keys[2], keys[0]]
        assert "2 sessions" in str(app.screen.query_one("#history-status").render())
    with pytest.raises(NotFoundError):
        services.history.get(keys[1])


async def test_export_markdown_and_json_write_files(services: Services, isolated_home: Path) -> None:
    keys = insert_sessions(services, PROMPTS)
    app = HostApp(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        messages = [n.message for n in app._notifications]  # noqa: SLF001
    exports = isolated_home / "exports"
    markdown = next(exports.glob("*.md"))
    assert markdown.read_text(encoding="utf-8").startswith(f"# {PROMPTS[2]}\n")
    assert "## User\n\nPlan a weekend in Lisbon" in markdown.read_text(encoding="utf-8")
    document = json.loads(next(exports.glob("*.json")).read_text(encoding="utf-8"))
    assert document["session_key"] == keys[2]
    assert [m["role"] for m in document["messages"]] == ["system", "user", "assistant"]
    assert str(markdown) in messages


async def test_paging_loads_more_as_the_cursor_nears_the_end(services: Services) -> None:
    keys = insert_sessions(services, [f"Question number {i}" for i in range(450)])
    app = HostApp(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert table(app).row_count == 200
        assert table(app).keys()[0] == keys[-1]
        assert "200 of 450 sessions" in str(app.screen.query_one("#history-status").render())
        await pilot.press("end")
        await settle(pilot)
        assert table(app).row_count == 400
        await pilot.press("end")
        await settle(pilot)
        assert table(app).row_count == 450
        assert table(app).keys() == list(reversed(keys))
        await pilot.press("end")
        await settle(pilot)
        assert table(app).row_count == 450
        assert "450 sessions" in str(app.screen.query_one("#history-status").render())


async def test_empty_history_and_actions_without_a_session(services: Services) -> None:
    app = HostApp(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert table(app).row_count == 0
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        assert "No saved sessions yet" in str(app.screen.query_one("#history-status").render())


async def test_scrolling_to_the_end_loads_more(services: Services) -> None:
    insert_sessions(services, [f"Question number {i}" for i in range(120)])
    app = HostApp(services, page_size=50)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert table(app).row_count == 50
        assert table(app).cursor_row == 0
        table(app).scroll_end(animate=False, immediate=True)  # a mouse wheel moves the view, not the cursor
        await settle(pilot)
        assert table(app).row_count == 100
        assert table(app).cursor_row == 0


async def test_confirm_modal_keys(services: Services) -> None:
    keys = insert_sessions(services, PROMPTS)
    app = HostApp(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert len(table(app).keys()) == 3
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert table(app).keys() == [keys[1], keys[0]]
