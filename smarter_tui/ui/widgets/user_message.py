"""A user's prompt in the transcript."""

from __future__ import annotations

from textual.widgets import Static

from smarter_tui.domain.terminal import terminal_safe


class UserMessage(Static):
    """The prompt as typed (plain text, never interpreted as markup)."""

    def __init__(self, text: str) -> None:
        super().__init__(terminal_safe(text), markup=False, classes="user-message")
        self.text = text
