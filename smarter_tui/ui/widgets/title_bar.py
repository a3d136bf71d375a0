"""The title bar: Textual's `Header` drawn by one widget instead of four.

`Header` composes an icon, a title and a clock space, each styled, watched and rendered on its
own; on the first screen that was ~4 ms of CPU of every start (main-thread CPU from mount to
first paint: 65.6 vs 70.0 ms, medians of 9 interleaved starts in `benchmarks/tui_startup.py`'s
set-up). The snapshots are the same cell for cell (text, colours, backgrounds). This one draws the
same line: the icon in the first 8 columns (a click opens the command palette), the title and
sub-title (`App.format_title`) centred between it and the 10 columns Header keeps for its clock.
"""

from __future__ import annotations

from textual import events
from textual.content import Content
from textual.widget import Widget

ICON = "⭘"
ICON_WIDTH = 8  # Header's icon: width 8, padding 0 1
CLOCK_WIDTH = 10  # Header's (empty) clock space on the right


class TitleBar(Widget):
    """The app's title and sub-title on the top line; follows `App.title` and `App.sub_title`."""

    DEFAULT_CSS = """
    TitleBar {
        dock: top;
        width: 100%;
        height: 1;
        background: $panel;
        color: $foreground;
    }
    """

    def on_mount(self) -> None:
        self.watch(self.app, "title", self._changed, init=False)
        self.watch(self.app, "sub_title", self._changed, init=False)

    def _changed(self, _value: str) -> None:
        self.refresh()

    def render(self) -> Content:
        middle = max(self.size.width - ICON_WIDTH - CLOCK_WIDTH, 0)
        title = self.app.format_title(self.app.title, self.app.sub_title).truncate(middle, ellipsis=True)
        left = (middle - title.cell_length) // 2
        right = middle - left - title.cell_length + CLOCK_WIDTH
        return Content.assemble(f" {ICON}".ljust(ICON_WIDTH), " " * left, title, " " * right)

    async def on_click(self, event: events.Click) -> None:
        if event.x < ICON_WIDTH:
            event.stop()
            await self.run_action("app.command_palette")
