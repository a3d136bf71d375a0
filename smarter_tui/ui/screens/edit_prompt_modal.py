"""Edit an earlier prompt before it is sent again (Enter sends, Ctrl+J adds a line, Esc cancels)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from smarter_tui.ui.widgets.prompt_input import PromptInput


class EditPromptModal(ModalScreen[str | None]):
    """Dismisses with the edited prompt, or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, text: str) -> None:
        """Start from the prompt's current `text`."""
        super().__init__(classes="modal")
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content.from_markup("[b]Edit and resend[/]"))
            yield Static(
                "The answer after this prompt (and everything later) is kept in the history but "
                "leaves the context; the edited prompt is answered anew.",
                classes="hint",
            )
            yield PromptInput(id="edit-prompt")
            with Horizontal(classes="buttons"):
                yield Button("Send", variant="primary", id="send")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        prompt = self.query_one(PromptInput)
        prompt.text = self.text
        prompt.move_cursor(prompt.document.end)
        prompt.focus()

    @on(PromptInput.Submitted)
    def _submitted(self, event: PromptInput.Submitted) -> None:
        event.stop()
        self.dismiss(event.text)

    @on(Button.Pressed, "#send")
    def _send(self) -> None:
        text = self.query_one(PromptInput).text.strip()
        if text:
            self.dismiss(text)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Close without sending."""
        self.dismiss(None)
