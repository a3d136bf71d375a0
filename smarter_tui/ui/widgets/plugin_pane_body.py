"""The plugin pane's widgets: mounted by `PluginPane` when it is first shown, and imported then."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, DataTable, Input, OptionList, Static, TabbedContent, TabPane


class PluginPaneBody(Vertical):
    """The plugin pane's widgets, mounted when the pane is first shown.

    Hidden by default, the pane's ~28 widgets would otherwise be styled and laid out at every
    start-up (the biggest share of the first frame) for a pane nobody may open.
    """

    DEFAULT_CSS = """
    PluginPaneBody {
        height: 1fr;
    }
    """

    def compose(self) -> ComposeResult:
        """Lay out the list, the selection line and the detail tabs."""
        yield OptionList(id="plugin-list")
        yield Static("Last prompt selected: —", id="plugin-selections")
        with TabbedContent(id="plugin-tabs", initial="tab-manifest"):
            with TabPane("Manifest", id="tab-manifest"), VerticalScroll(classes="plugin-scroll"):
                yield Static("", id="plugin-manifest")
            with TabPane("Schema", id="tab-schema"), VerticalScroll(classes="plugin-scroll"):
                yield Static("", id="plugin-schema")
            with TabPane("Usage", id="tab-usage"):
                yield DataTable(id="plugin-usage", cursor_type="row", zebra_stripes=True)
            with TabPane("Try it", id="tab-try"):
                with Horizontal(id="plugin-try-bar"):
                    yield Input(
                        placeholder='Arguments as JSON, e.g. {"expression": "2**10"}', id="plugin-arguments"
                    )
                    yield Button("Run", id="plugin-run", variant="primary")
                with VerticalScroll(classes="plugin-scroll"):
                    yield Static("", id="plugin-try-result")
