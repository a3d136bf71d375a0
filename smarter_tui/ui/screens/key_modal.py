"""Ask for a provider's API key and store it in the keyring (never shown again in full)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from smarter_tui.domain.errors import SmarterError

if TYPE_CHECKING:
    from smarter_tui.services.keys import KeyService


class KeyModal(ModalScreen[str | None]):
    """Dismisses with the masked key once stored, or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, keys: KeyService, provider: str, secret: str) -> None:
        super().__init__(classes="modal")
        self.keys = keys
        self.provider = provider
        self.secret = secret

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"[b]API key for provider '{self.provider}'[/]")
            yield Static(
                f"It is stored in the OS keyring as '{self.secret}' and never shown again.", classes="hint"
            )
            yield Input(password=True, placeholder="paste the key here", id="key")
            yield Static("", id="key-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Store key", variant="primary", id="store")
                yield Button("Cancel", id="cancel")

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Close without storing."""
        self.dismiss(None)

    @on(Button.Pressed, "#store")
    @on(Input.Submitted, "#key")
    def _store(self) -> None:
        value = self.query_one("#key", Input).value.strip()
        if not value:
            self.query_one("#key-error", Static).update("The key is empty.")
            return
        self._save(value)

    @work(thread=True, exclusive=True)
    def _save(self, value: str) -> None:
        try:
            self.keys.set(self.provider, value)
        except SmarterError as exc:
            self.app.call_from_thread(self.query_one("#key-error", Static).update, exc.message)
            return
        masked = "****" + value[-4:] if len(value) >= 12 else "****"
        self.app.call_from_thread(self.dismiss, masked)
