"""A dialog that asks for a new title, prefilled with the current one; dismisses with it or None."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static


class RenameModal(ModalScreen[str | None]):
    """Edit a title: Enter (or Rename) dismisses with the stripped new title, Escape with None."""

    DEFAULT_CSS = """
    RenameModal {
        align: center middle;
        background: $background 60%;
    }
    RenameModal > #rename-dialog {
        width: 70;
        max-width: 90%;
        height: auto;
        padding: 1 2;
        border: thick $primary 80%;
        background: $surface;
    }
    RenameModal #rename-title {
        text-style: bold;
        margin-bottom: 1;
    }
    RenameModal #rename-error {
        color: $error;
        height: auto;
    }
    RenameModal #rename-buttons {
        height: auto;
        width: 1fr;
        align-horizontal: right;
        margin-top: 1;
    }
    RenameModal #rename-buttons Button {
        margin-left: 2;
    }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, current_title: str | None, heading: str = "Rename session") -> None:
        """Build the dialog with `current_title` in the input."""
        super().__init__()
        self.current_title = current_title or ""
        self.heading = heading

    def compose(self) -> ComposeResult:
        """Heading, the title input, an error line and the buttons."""
        with Vertical(id="rename-dialog"):
            yield Label(Content(self.heading), id="rename-title")
            yield Input(self.current_title, placeholder="a title", id="rename-input", max_length=200)
            yield Static("", id="rename-error")
            with Horizontal(id="rename-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Rename", variant="primary", id="rename")

    def on_mount(self) -> None:
        """Focus the input with its text selected, ready to be replaced or edited."""
        field = self.query_one("#rename-input", Input)
        field.focus()
        field.select_all()

    @on(Input.Submitted, "#rename-input")
    @on(Button.Pressed, "#rename")
    def action_submit(self) -> None:
        """Dismiss with the new title, or explain why an empty one is refused."""
        title = self.query_one("#rename-input", Input).value.strip()
        if not title:
            self.query_one("#rename-error", Static).update("The title cannot be empty.")
            return
        self.dismiss(title)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Dismiss with None: nothing changes."""
        self.dismiss(None)
