"""The main screen: clients on the left, the chat in the middle, the plugin pane on the right."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Header

from smarter_tui.ui.widgets.chat_pane import ChatPane
from smarter_tui.ui.widgets.client_list import ClientList
from smarter_tui.ui.widgets.plugin_pane import PluginPane


class MainScreen(Screen[None]):
    """Composes the three panes; the app wires their messages."""

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="panes"):
            yield ClientList(id="clients")
            yield ChatPane(id="chat")
            yield PluginPane(id="plugins")
        yield Footer()
