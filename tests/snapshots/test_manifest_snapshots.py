"""Snapshots at 120x40 of the manifest browser and of the editor showing an error on its line."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from smarter_tui.services import Services
from smarter_tui.ui.app import SmarterApp
from smarter_tui.ui.screens.manifest_browser_screen import ManifestBrowserScreen
from smarter_tui.ui.screens.manifest_editor_screen import ManifestEditorScreen
from tests.ui.helpers import ready, wait_for

SIZE = (120, 40)


def test_manifest_browser(snap_compare: Any, services: Services) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        await ready(pilot)
        await pilot.press("f10")
        await wait_for(pilot, lambda: isinstance(app.screen, ManifestBrowserScreen))
        screen = app.screen
        assert isinstance(screen, ManifestBrowserScreen)
        await wait_for(pilot, lambda: screen.table.row_count > 0)
        # The table measures its columns when idle: under load a frame can come before that (the
        # CI once drew "cour" for course_assistant). Wait until its first row draws in full.
        first_row = screen.table.render_line
        await wait_for(
            pilot,
            lambda: "course_assistant" in first_row(1).text,
            seen=lambda: (first_row(1).text, screen.table.row_count, screen.table.size),
        )
        await pilot.pause()

    assert snap_compare(SmarterApp(open_services=lambda: services), terminal_size=SIZE, run_before=run_before)


def test_manifest_editor_with_an_error(snap_compare: Any, services: Services) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        await ready(pilot)
        app.edit_manifest("Plugin", "everlasting_gobstopper")  # type: ignore[attr-defined]
        await wait_for(pilot, lambda: isinstance(app.screen, ManifestEditorScreen))
        editor = app.screen
        assert isinstance(editor, ManifestEditorScreen)
        await wait_for(pilot, lambda: editor.stored is not None and editor.report is not None)
        lines = editor.area.text.splitlines()
        row = next(i for i, line in enumerate(lines) if "maxTokens: 1024" in line)
        editor.area.cursor_blink = False  # the frame must not depend on when the blink turned it off
        editor.area.move_cursor((row, len(lines[row])))
        await pilot.press("x")
        await wait_for(
            pilot, lambda: editor.validated == editor.generation and bool(editor.area.problem_lines)
        )
        await pilot.pause()

    assert snap_compare(SmarterApp(open_services=lambda: services), terminal_size=SIZE, run_before=run_before)
