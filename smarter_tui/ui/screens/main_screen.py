"""The main screen: clients on the left, the chat in the middle, the plugin pane on the right."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Header

from smarter_tui.config.settings import PaneSettings
from smarter_tui.ui.widgets.chat_pane import ChatPane
from smarter_tui.ui.widgets.client_list import ClientList
from smarter_tui.ui.widgets.plugin_pane import PluginPane


class MainScreen(Screen[None]):
    """Composes the three panes; the app wires their messages."""

    # On the screen, not the chat pane: Esc cancels wherever the focus is (client list, plugins).
    BINDINGS = [Binding("escape", "cancel_answer", "Cancel answer", id="cancel_answer")]

    def action_cancel_answer(self) -> None:
        """Cancel the answer that is streaming (the partial text is kept, marked interrupted)."""
        self.query_one(ChatPane).action_cancel()

    def __init__(self, panes: PaneSettings | None = None) -> None:
        """Build the screen; `panes` (from settings.toml) says which side panes show, how wide."""
        super().__init__()
        self.panes = panes or PaneSettings()

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="panes"):
            clients = ClientList(id="clients")
            clients.styles.width = self.panes.clients_width
            clients.display = self.panes.clients
            yield clients
            yield ChatPane(id="chat")
            plugins = PluginPane(id="plugins")
            plugins.styles.width = self.panes.plugins_width
            plugins.display = self.panes.plugins
            yield plugins
        yield Footer()
