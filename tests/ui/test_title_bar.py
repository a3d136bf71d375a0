"""The title bar: Header's line (icon, centred title and sub-title) drawn by one widget."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.command import CommandPalette
from textual.pilot import Pilot

from smarter_tui.ui.widgets.title_bar import TitleBar


class TitledApp(App[None]):
    TITLE = "smarter-tui"

    def compose(self) -> ComposeResult:
        yield TitleBar()


def line(app: App[None]) -> str:
    return app.query_one(TitleBar).render_line(0).text


async def shown(pilot: Pilot[None], sub_title: str) -> str:
    """Set the app's sub-title; return the title bar's line once it is drawn again."""
    pilot.app.sub_title = sub_title
    await pilot.pause()
    return line(pilot.app)


async def test_the_title_is_centred_between_the_icon_and_the_clock_space() -> None:
    app = TitledApp()
    async with app.run_test(size=(60, 5)) as pilot:
        text = await shown(pilot, "General Assistant")
        assert len(text) == 60 and text.startswith(" ⭘      ")
        title = "smarter-tui — General Assistant"
        left = 8 + (60 - 18 - len(title)) // 2
        assert text[left : left + len(title)] == title and not text[:left].strip("⭘ ")


async def test_it_follows_the_sub_title_and_truncates_with_an_ellipsis() -> None:
    app = TitledApp()
    async with app.run_test(size=(40, 5)) as pilot:
        text = await shown(pilot, "A very long assistant name · session 0123456789")
        assert len(text) == 40 and "…" in text and text.endswith(" " * 10)
        assert "smarter-tui — Short" in await shown(pilot, "Short")


async def test_a_click_on_the_icon_opens_the_command_palette() -> None:
    app = TitledApp()
    async with app.run_test(size=(60, 5)) as pilot:
        await pilot.click(TitleBar, offset=(30, 0))
        await pilot.pause()
        assert not isinstance(app.screen, CommandPalette)
        await pilot.click(TitleBar, offset=(1, 0))
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
