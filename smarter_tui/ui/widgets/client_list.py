"""The LLM clients to choose from, with provider/model and an offline badge."""

from __future__ import annotations

import time
from typing import Any

from textual import events
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

#: Letters typed within this many seconds of each other make one prefix to jump to.
TYPE_AHEAD_PAUSE = 1.0


class ClientList(OptionList):
    """One option per client; selecting one starts a new chat with it. Typing a name's first
    letters moves the highlight there (the same letter again: the next such client)."""

    BORDER_TITLE = "Clients"

    class Selected(Message):
        """A client was chosen."""

        def __init__(self, client: Any) -> None:
            super().__init__()
            self.client = client

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clients: list[Any] = []
        self._typed = ""
        self._typed_at = 0.0

    def set_clients(self, clients: list[Any]) -> None:
        """Show `clients` (ClientView objects)."""
        self.clients = clients
        self.clear_options()
        for view in clients:
            badge = " [b $success]offline[/]" if view.offline else ""
            key = " [b $warning]key?[/]" if view.needs_key else ""
            # The offline badge already says where answers come from; real providers show provider/model.
            where = view.assistant if view.offline else f"{view.assistant} · {view.provider}/{view.model}"
            label = f"[b]{view.app_name}[/]{badge}{key}\n  [dim]{where}[/]"
            self.add_option(Option(label, id=view.name))

    def highlight_client(self, name: str) -> None:
        """Move the highlight to the named client."""
        for index, view in enumerate(self.clients):
            if view.name == name:
                self.highlighted = index

    def on_key(self, event: events.Key) -> None:
        character = event.character
        if not character or len(character) != 1 or not character.isprintable() or character == " ":
            return
        event.stop()
        event.prevent_default()
        now = time.monotonic()
        typed = self._typed if now - self._typed_at < TYPE_AHEAD_PAUSE else ""
        self._typed_at = now
        if typed == character:  # the same letter again: the next client it starts
            self._jump(character, after=self.highlighted)
            return
        self._typed = typed + character
        self._jump(self._typed)

    def _jump(self, prefix: str, after: int | None = None) -> None:
        """Highlight the first client (after index `after`, wrapping) whose name starts with `prefix`."""
        count = len(self.clients)
        start = 0 if after is None else after + 1
        for step in range(count):
            index = (start + step) % count
            view = self.clients[index]
            if any(name.lower().startswith(prefix.lower()) for name in (view.app_name, view.name)):
                self.highlighted = index
                return

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.Selected(self.clients[event.option_index]))
