"""The LLM clients to choose from, with provider/model and an offline badge."""

from __future__ import annotations

from typing import Any

from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option


class ClientList(OptionList):
    """One option per client; selecting one starts a new chat with it."""

    BORDER_TITLE = "Clients"

    class Selected(Message):
        """A client was chosen."""

        def __init__(self, client: Any) -> None:
            super().__init__()
            self.client = client

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clients: list[Any] = []

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

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.Selected(self.clients[event.option_index]))
