"""The main screen: clients on the left, the chat tabs in the middle, the plugin pane on the right."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import ActiveBinding, Screen

from smarter_tui.config.settings import PaneSettings
from smarter_tui.ui.widgets.chat_pane import ChatPane
from smarter_tui.ui.widgets.chat_tabs import ChatTabs
from smarter_tui.ui.widgets.client_list import ClientList
from smarter_tui.ui.widgets.plugin_pane import PluginPane
from smarter_tui.ui.widgets.stable_footer import StableFooter
from smarter_tui.ui.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from smarter_tui.services import Services

#: From this width on both side panes fit next to the chat at the widths the settings give them.
WIDE = 120
#: Below this width an open plugin pane covers the chat instead of sharing the row with it.
NARROW = 80
#: Footer labels used where the full ones do not fit the width (by action).
SHORT_LABELS = {
    "new_session": "New",
    "copy_answer": "Copy",
    "copy_code": "Code",
    "cancel_answer": "Cancel",
    "open_manifests": "YAML",
}
#: Footer keys that give way, in this order, where even the short labels do not fit; the command
#: palette (Ctrl+P, always in the footer) still has them, and the keys still work. The last three
#: only give way to a focused pane's own keys (the plugin pane's: Try it, Attach, Detach, Edit).
OPTIONAL_KEYS = ("export", "debug_view", "open_manifests", "open_history", "switch_client", "new_session")
#: Columns the footer's command-palette key takes on the right, with the gap before it.
PALETTE_WIDTH = 12


class MainScreen(Screen[None]):
    """Composes the three panes; the app wires their messages.

    The layout follows the width (`fit_panes`): from 120 columns the side panes have the widths
    of the settings; below, they are narrower and take turns (opening the plugin pane collapses
    the client list, F2 brings it back by closing the plugin pane), so the chat keeps >= 34
    columns at 80; below 80 an open plugin pane covers the chat. Nothing is ever zero wide.
    """

    # On the screen, not the chat pane: Esc cancels wherever the focus is (client list, plugins).
    # The tab keys too: on this screen only (the manifest editor has its own Ctrl+T), with
    # priority, since the prompt editor binds Ctrl+W (delete a word; Ctrl+Backspace does too).
    BINDINGS = [
        Binding("escape", "cancel_answer", "Cancel answer", id="cancel_answer"),
        Binding("ctrl+t", "app.new_tab", "New tab", show=False, priority=True, id="new_tab"),
        Binding("ctrl+w", "app.close_tab", "Close tab", show=False, priority=True, id="close_tab"),
        Binding("ctrl+pagedown", "app.next_tab", "Next tab", show=False, priority=True, id="next_tab"),
        Binding(
            "ctrl+pageup", "app.previous_tab", "Previous tab", show=False, priority=True, id="previous_tab"
        ),
    ]

    def __init__(self, panes: PaneSettings | None = None) -> None:
        """Build the screen; `panes` (from settings.toml) says which side panes show, how wide."""
        super().__init__()
        self.panes = panes or PaneSettings()
        self._tabs = ChatTabs(id="chats")
        self._resumed = False

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Horizontal(id="panes"):
            yield ClientList(id="clients")
            with self._tabs:
                yield self._tabs.compose_first()
            yield PluginPane(id="plugins")
        yield StableFooter(compact=True)

    def on_mount(self) -> None:
        self.fit_panes()

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # Textual calls this before Screen's own handler (each class's, the subclass's first).
        # The first resume comes right after the mount that styled every node: restyling the
        # whole screen again cost ~8 ms of every start (benchmarks/tui_startup.py).
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False

    def on_resize(self, event: events.Resize) -> None:
        self.fit_panes()
        self.refresh_bindings()  # the footer's labels follow the width (see _fit_footer)

    def use_services(self, services: Services) -> None:
        """Hand the panes the services they call (once they are open)."""
        self.tabs.turns = services.turns
        for chat in self.tabs.chats:
            chat.turns = services.turns
        self.query_one(PluginPane).inspector = services.inspector

    @property
    def tabs(self) -> ChatTabs:
        """The chat tabs."""
        return self._tabs

    @property
    def chat(self) -> ChatPane:
        """The chat of the tab on screen (every action on "the chat" means this one)."""
        return self.tabs.active_chat

    # -- the footer ----------------------------------------------------------------------------
    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """The bindings the footer shows: the app's last, always in their declared order.

        Textual orders them by the focus chain, so a key the focused widget also binds (the
        prompt editor's F7) jumped to the front whenever the prompt had the focus.
        """
        active = super().active_bindings
        actions = [b.action for b in self.app.BINDINGS if isinstance(b, Binding)]
        ordered = {key: value for key, value in active.items() if value.node is not self.app}
        of_app = [(key, value) for key, value in active.items() if value.node is self.app]
        of_app.sort(
            key=lambda item: (
                actions.index(item[1].binding.action) if item[1].binding.action in actions else len(actions)
            )
        )
        ordered.update(of_app)
        return self._fit_footer(ordered)

    def _fit_footer(self, bindings: dict[str, ActiveBinding]) -> dict[str, ActiveBinding]:
        """Return `bindings` with labels that fit the width: full ones, else the short ones,
        else without the optional keys (one at a time), so F7/F8 are never cut off."""
        width = self.size.width - PALETTE_WIDTH
        shown = [key for key, value in bindings.items() if value.binding.show]

        def label(value: ActiveBinding, short: bool) -> str:
            description = value.binding.description
            return SHORT_LABELS.get(value.binding.action, description) if short else description

        def needed(keys: list[str], short: bool) -> int:
            widths = [
                len(self.app.get_key_display(bindings[k].binding)) + 1 + len(label(bindings[k], short))
                for k in keys
            ]
            return sum(widths) + len(widths) - 1

        if not shown or needed(shown, short=False) <= width:
            return bindings
        dropped: set[str] = set()
        for action in (None, *OPTIONAL_KEYS):
            if action is not None:
                dropped |= {k for k in shown if bindings[k].binding.action == action}
            if needed([k for k in shown if k not in dropped], short=True) <= width:
                break
        fitted = {}
        for key, value in bindings.items():
            binding = dataclasses.replace(
                value.binding,
                description=label(value, short=True),
                show=value.binding.show and key not in dropped,
            )
            fitted[key] = value._replace(binding=binding)
        return fitted

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Show "Cancel answer" in the footer only while an answer runs (it needs the room)."""
        if action == "cancel_answer":
            return self.chat.running
        return True

    def action_cancel_answer(self) -> None:
        """Cancel the answer that is streaming (the partial text is kept, marked interrupted)."""
        self.chat.action_cancel()

    # -- side panes ----------------------------------------------------------------------------
    def fit_panes(self) -> None:
        """Size and show the side panes for the screen's width and what the user asked to see."""
        width = self.size.width
        clients, chat, plugins = (
            self.query_one(ClientList),
            self._tabs,
            self.query_one(PluginPane),
        )
        wide, narrow = width >= WIDE, width >= NARROW
        clients.styles.width = self.panes.clients_width if wide else (24 if narrow else 18)
        plugins.styles.width = self.panes.plugins_width if wide else (44 if narrow else "1fr")
        plugins.display = self.panes.plugins
        clients.display = self.panes.clients and (wide or not self.panes.plugins)
        chat.display = narrow or not self.panes.plugins

    def show_plugins(self, show: bool) -> bool:
        """Open (focusing its list) or close (focusing the prompt) the plugin pane; return `show`."""
        self.panes.plugins = show
        self.fit_panes()
        if show:
            self.query_one(PluginPane).focus_list()
        else:
            self.chat.focus_prompt()
        return show

    def show_clients(self, show: bool) -> bool:
        """Show or hide the client list (the focus goes back to the prompt when hidden)."""
        self.panes.clients = show
        if show and self.panes.plugins and self.size.width < WIDE:
            self.panes.plugins = False  # they do not both fit: the client list asked last
        self.fit_panes()
        if not show:
            self.chat.focus_prompt()
        return show

    def focus_clients(self) -> None:
        """Show the client list (closing the plugin pane where both do not fit) and focus it."""
        self.show_clients(True)
        self.query_one(ClientList).focus()
