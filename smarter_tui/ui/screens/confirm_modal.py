"""A reusable yes/no dialog: a title, a message, an optional diff, a confirm button; dismisses with a bool."""

from __future__ import annotations

from rich.syntax import Syntax
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static


class ConfirmModal(ModalScreen[bool]):
    """Ask the user to confirm an action; dismisses True (confirmed) or False (cancelled).

    Keys: y confirms, n or escape cancels; with `danger` the Cancel button has the focus so a
    stray Enter never destroys anything.
    """

    DEFAULT_CSS = """
    ConfirmModal {
        align: center middle;
        background: $background 60%;
    }
    ConfirmModal > #confirm-dialog {
        width: 60;
        max-width: 90%;
        height: auto;
        padding: 1 2;
        border: thick $primary 80%;
        background: $surface;
    }
    ConfirmModal.-danger > #confirm-dialog {
        border: thick $error 80%;
    }
    ConfirmModal #confirm-title {
        text-style: bold;
        width: 1fr;
        margin-bottom: 1;
    }
    ConfirmModal #confirm-message {
        width: 1fr;
        margin-bottom: 1;
    }
    ConfirmModal.-wide > #confirm-dialog {
        width: 100;
    }
    ConfirmModal #confirm-detail {
        height: auto;
        max-height: 24;
        margin-bottom: 1;
        background: $background;
    }
    ConfirmModal #confirm-buttons {
        height: auto;
        width: 1fr;
        align-horizontal: right;
    }
    ConfirmModal #confirm-buttons Button {
        margin-left: 2;
    }
    """

    BINDINGS = [
        Binding("y", "confirm", "Yes"),
        Binding("n", "cancel", "No"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(
        self,
        title: str,
        message: str,
        confirm_label: str = "OK",
        *,
        cancel_label: str = "Cancel",
        danger: bool = False,
        diff: str | None = None,
    ) -> None:
        """Build the dialog; `danger` styles it as destructive and focuses Cancel.

        A `diff` (unified diff text) is shown highlighted and scrollable under the message.
        """
        classes = ("-danger " if danger else "") + ("-wide" if diff else "")
        super().__init__(classes=classes.strip())
        self.diff = diff
        self.title_text = title
        self.message_text = message
        self.confirm_label = confirm_label
        self.cancel_label = cancel_label
        self.danger = danger

    def compose(self) -> ComposeResult:
        """Title, message, then the Cancel and confirm buttons."""
        with Vertical(id="confirm-dialog"):
            yield Label(Content(self.title_text), id="confirm-title")
            yield Static(Content(self.message_text), id="confirm-message")
            if self.diff:
                with VerticalScroll(id="confirm-detail"):
                    yield Static(Syntax(self.diff, "diff", theme="monokai", background_color="default"))
            with Horizontal(id="confirm-buttons"):
                yield Button(self.cancel_label, id="cancel")
                yield Button(self.confirm_label, variant="error" if self.danger else "primary", id="confirm")

    def on_mount(self) -> None:
        """Focus the safe choice for destructive actions, the confirm button otherwise."""
        self.query_one("#cancel" if self.danger else "#confirm", Button).focus()

    @on(Button.Pressed, "#confirm")
    def action_confirm(self) -> None:
        """Close the dialog answering True."""
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Close the dialog answering False."""
        self.dismiss(False)
