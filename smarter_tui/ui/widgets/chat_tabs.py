"""Several chats at once: one `ChatPane` per tab, each with its own turn and stream."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.css.query import NoMatches
from textual.widgets import TabbedContent, TabPane

from smarter_tui.domain.terminal import terminal_safe
from smarter_tui.ui.widgets.chat_pane import ChatPane

if TYPE_CHECKING:
    from smarter_tui.services.turns import TurnService

#: A tab's label shows this much of the client's app name.
LABEL_WIDTH = 18


class ChatTabs(TabbedContent):
    """The chat tabs. The tab bar shows only from two tabs on: one chat looks as it always did.

    Switching tabs only changes what is shown: a hidden chat keeps following its turn, so an
    answer streaming in another tab goes on (its events are rendered there as they arrive).
    """

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id, classes="single")
        self.turns: TurnService | None = None  # handed in by the screen, for the chats it opens
        self._made = 1
        self._first = ChatPane(id="chat")  # the chat its id (and the styles) always named
        self._shown = self._first  # the chat on screen when last asked

    def compose_first(self) -> TabPane:
        """Return the first tab, to be composed with the screen."""
        return TabPane(self._label(1, None), self._first, id="chat-tab-1")

    # -- the chats -------------------------------------------------------------------------
    @property
    def active_chat(self) -> ChatPane:
        """The chat of the tab on screen."""
        # Still composing (the first tab will show) or being taken down (the app closes): the
        # chat last on screen, so late messages find a pane, not a missing one.
        try:
            pane = self.active_pane if self.is_mounted else None
            if pane is not None:
                self._shown = pane.query_one(ChatPane)
        except NoMatches:
            pass
        return self._shown

    @property
    def chats(self) -> list[ChatPane]:
        """Every open chat, in tab order."""
        return list(self.query(ChatPane))

    def chat_showing(self, session_key: str) -> ChatPane | None:
        """Return the chat whose tab shows the session `session_key`, if one does."""
        return next((c for c in self.chats if c.session_key == session_key), None)

    def tab_of(self, chat: ChatPane) -> TabPane:
        """Return the tab holding `chat`."""
        for ancestor in chat.ancestors:
            if isinstance(ancestor, TabPane):
                return ancestor
        raise LookupError("the chat is not in a tab")

    def show(self, chat: ChatPane) -> None:
        """Bring `chat`'s tab to the front."""
        tab = self.tab_of(chat)
        if tab.id and self.active != tab.id:
            self.active = tab.id

    async def open_tab(self) -> ChatPane:
        """Add a tab with an empty chat, bring it to the front and return its chat."""
        self._made += 1
        chat = ChatPane(id=f"chat-{self._made}")
        chat.turns = self.turns
        pane = TabPane(self._label(self.tab_count + 1, None), chat, id=f"chat-tab-{self._made}")
        await self.add_pane(pane)
        await chat.mounted()
        self.active = pane.id or ""
        self._fit()
        return chat

    async def close_tab(self, chat: ChatPane) -> None:
        """Remove `chat`'s tab (the caller ended its turn first); the next tab comes to the front."""
        tab = self.tab_of(chat)
        assert tab.id is not None
        ids = self._tab_ids()
        index = ids.index(tab.id) if tab.id in ids else 0
        await self.remove_pane(tab.id)
        remaining = self._tab_ids()
        if remaining:
            self.active = remaining[min(index, len(remaining) - 1)]
        self._fit()
        self.relabel()

    def _on_tab_pane_focused(self, event: TabPane.Focused) -> None:
        """Do not bring a tab to the front because one of its widgets got the focus.

        Textual does, for programmatic focus; here a focus event of the tab just left (its
        prompt, focused a moment before) arrives after the switch and would flip it back.
        Tabs change by choice only: keys, a click on the tab bar, `show`.
        """
        event.prevent_default()
        event.stop()

    def step(self, delta: int) -> None:
        """Bring the next (`delta` 1) or previous (-1) tab to the front, wrapping around."""
        ids = self._tab_ids()
        if len(ids) < 2:
            return
        index = ids.index(self.active) if self.active in ids else 0
        self.active = ids[(index + delta) % len(ids)]

    # -- labels ------------------------------------------------------------------------------
    def on_chat_pane_state_changed(self, event: ChatPane.StateChanged) -> None:
        """A chat started or finished an answer, or shows another client: its label follows."""
        event.stop()
        self.relabel()

    def relabel(self) -> None:
        """Label every tab with its number and its chat's client."""
        for number, chat in enumerate(self.chats, 1):
            tab = self.tab_of(chat)
            if tab.id:
                self.get_tab(tab.id).label = self._label(number, chat)

    @staticmethod
    def _label(number: int, chat: ChatPane | None) -> str:
        name = chat.client.app_name if chat is not None and chat.client is not None else "New chat"
        if len(name) > LABEL_WIDTH:
            name = name[: LABEL_WIDTH - 1] + "…"
        running = " ●" if chat is not None and chat.running else ""
        return terminal_safe(f"{number} {name}{running}")

    def _tab_ids(self) -> list[str]:
        return [tab.id for tab in self.query(TabPane) if tab.id]

    def _fit(self) -> None:
        """Hide the tab bar while there is only one tab (it would cost two rows for nothing)."""
        self.set_class(self.tab_count < 2, "single")
