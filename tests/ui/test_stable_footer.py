"""The footer is rebuilt only when the keys it shows change (Textual's on every focus and screen change)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Button, Footer
from textual.widgets._footer import FooterKey

from smarter_tui.services import Services
from smarter_tui.ui.app import SmarterApp
from smarter_tui.ui.screens.confirm_modal import ConfirmModal
from smarter_tui.ui.screens.manifest_editor_screen import ManifestEditorScreen
from smarter_tui.ui.widgets.stable_footer import StableFooter
from tests.ui.helpers import ready, wait_for
from tests.ui.history_host import HostApp, insert_sessions
from tests.ui.test_history_screen import PROMPTS, settle
from tests.ui.test_manifest_editor import open_browser

SIZE = (120, 40)


@pytest.fixture
def composed(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Count the footers' compositions (every rebuild composes), by the name of their screen."""
    counts: Counter[str] = Counter()
    compose = Footer.compose

    def counting(self: Footer) -> Iterator[Any]:
        counts[type(self.screen).__name__] += 1
        return compose(self)

    monkeypatch.setattr(Footer, "compose", counting)
    return counts


def keys(app: App[Any]) -> list[str]:
    """The descriptions of the footer's keys (but the command palette's)."""
    return [key.description for key in app.screen.query(FooterKey) if key.description != "palette"]


async def test_opening_the_editor_composes_its_footer_once_with_keys_and_leaves_the_main_one(
    services: Services, composed: Counter[str]
) -> None:
    app = SmarterApp(open_services=lambda: services)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.pause()
        composed.clear()
        app.edit_manifest("Plugin", "everlasting_gobstopper")
        await wait_for(pilot, lambda: isinstance(app.screen, ManifestEditorScreen))
        editor = app.screen
        assert isinstance(editor, ManifestEditorScreen)
        await wait_for(pilot, lambda: editor.stored is not None and editor.report is not None)
        await pilot.pause()
        # Composed once, with its keys, in the editor's first frame; the same keys as the focus
        # moves (they were ordered by the focus chain: the app's Copy answer came first).
        assert composed["ManifestEditorScreen"] == 1
        assert composed["MainScreen"] == 0  # covered, its keys did not change
        assert keys(app)[:6] == ["Save", "Next error", "Revert", "Try it", "$EDITOR", "Back"]
        editor.set_focus(None)  # Textual put the app's keys first then
        await pilot.pause()
        await pilot.pause()
        assert composed["ManifestEditorScreen"] == 1
        editor.area.focus()

        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ManifestEditorScreen))
        await pilot.pause()
        assert composed["MainScreen"] == 0  # uncovered: the same keys again


async def test_the_browser_footer_is_not_rebuilt_when_the_editor_covers_it(
    services: Services, composed: Counter[str]
) -> None:
    app = SmarterApp(open_services=lambda: services)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        browser = await open_browser(pilot)
        await wait_for(pilot, lambda: "Back" in keys(app))
        await pilot.pause()
        before = composed["ManifestBrowserScreen"]
        browser.table.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ManifestEditorScreen))
        editor = app.screen
        assert isinstance(editor, ManifestEditorScreen)
        await wait_for(pilot, lambda: editor.stored is not None and editor.report is not None)
        editor.action_close()
        await wait_for(pilot, lambda: app.screen is browser)
        await pilot.pause()
        assert composed["ManifestBrowserScreen"] == before
        assert "Back" in keys(app)


@pytest.mark.parametrize("compact", [False, True])
async def test_keys_start_in_the_footer_style_without_restyles(
    compact: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    restyled: list[str] = []
    update_styles = App.update_styles

    def counting(self: App[Any], node: Any, animate: bool = True) -> None:
        if isinstance(node, FooterKey):
            restyled.append(node.description)
        update_styles(self, node, animate=animate)

    monkeypatch.setattr(App, "update_styles", counting)
    app = FooterApp(compact=compact)
    async with app.run_test(size=(80, 10)) as pilot:
        app.set_focus(app.query_one("#keyed"))
        await wait_for(pilot, lambda: sorted(keys(app)) == ["App key", "Own key"])
        await pilot.pause()
        shown = [key for key in app.screen.query(FooterKey) if not key.has_class("-command-palette")]
        assert all(key.compact is compact and key.has_class("-compact") is compact for key in shown)
        palette = app.screen.query_one("FooterKey.-command-palette", FooterKey)
        assert palette.compact and palette.has_class("-compact")  # as Textual draws it
        # A FooterKey starts compact, then takes the footer's style: two restyles of each key.
        assert [key for key in restyled if key != "palette"] == []


class Keyed(Button):
    """A focusable widget with a key of its own, shown in the footer."""

    BINDINGS = [Binding("f5", "own", "Own key")]

    def action_own(self) -> None:
        pass


class FooterApp(App[None]):
    BINDINGS = [Binding("f6", "noop", "App key")]

    def __init__(self, compact: bool = False) -> None:
        super().__init__()
        self.compact = compact

    def compose(self) -> ComposeResult:
        yield Button("plain one", id="one")
        yield Button("plain two", id="two")
        yield Keyed("keyed", id="keyed")
        yield StableFooter(compact=self.compact)

    def action_noop(self) -> None:
        pass


async def test_rebuilt_when_the_keys_change_not_when_the_focus_moves_between_equals(
    composed: Counter[str],
) -> None:
    app = FooterApp()
    async with app.run_test(size=(80, 10)) as pilot:
        app.set_focus(app.query_one("#one"))
        await wait_for(pilot, lambda: "App key" in keys(app))
        await pilot.pause()
        assert "Own key" not in keys(app)
        before = sum(composed.values())

        app.set_focus(app.query_one("#two"))  # the same keys
        await pilot.pause()
        await pilot.pause()
        assert sum(composed.values()) == before

        app.set_focus(app.query_one("#keyed"))
        await wait_for(pilot, lambda: sorted(keys(app)) == ["App key", "Own key"])
        assert sum(composed.values()) == before + 1

        app.set_focus(app.query_one("#one"))
        await wait_for(pilot, lambda: keys(app) == ["App key"])
        assert sum(composed.values()) == before + 2


class FooterScreen(Screen[None]):
    def compose(self) -> ComposeResult:
        yield Keyed("keyed", id="keyed")
        yield StableFooter()


async def test_a_check_after_its_screen_closed_does_nothing() -> None:
    """The check runs after the next frame: the screen may be gone by then (it crashed the app)."""
    app = FooterApp()
    async with app.run_test(size=(80, 10)) as pilot:
        screen = FooterScreen()
        await app.push_screen(screen)
        await wait_for(pilot, lambda: "Own key" in keys(app))
        screen.query_one(StableFooter).bindings_changed(screen)  # a publication, then the screen goes
        app.pop_screen()
        await pilot.pause()
        await pilot.pause(0.1)
        assert app.is_running and app.return_code is None


async def test_the_history_footer_is_not_rebuilt_when_a_dialog_covers_it(
    services: Services, composed: Counter[str]
) -> None:
    insert_sessions(services, PROMPTS)
    app = HostApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await wait_for(pilot, lambda: "Delete" in keys(app))
        history = app.screen
        before = composed["HistoryScreen"]
        await pilot.press("d")  # the delete confirmation covers the browser
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is history)
        await settle(pilot)
        assert composed["HistoryScreen"] == before  # covered and uncovered: the same keys
        assert "Delete" in keys(app)
