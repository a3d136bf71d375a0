"""The debug view: the model requests and responses of the chat's last turn as JSON, secrets masked."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, TextArea


class DebugScreen(ModalScreen[None]):
    """Read-only JSON of the turn's model traffic (Smarter's sandbox/debug mode)."""

    BINDINGS = [Binding("escape,f5", "dismiss_screen", "Close")]

    def __init__(self, text: str, session: str = "") -> None:
        super().__init__(classes="modal")
        self.text = text
        self.session = session

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog debug-dialog"):
            where = f" · {self.session}" if self.session else ""
            yield Label(
                f"[b]Debug{where}: model requests and responses of its last turn[/] (Esc closes)",
                id="debug-title",
            )
            yield TextArea(
                self.text or "[] (no turn yet)", read_only=True, show_line_numbers=True, id="debug-json"
            )

    def action_dismiss_screen(self) -> None:
        """Close the view."""
        self.dismiss(None)
