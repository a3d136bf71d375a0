"""A user's prompt in the transcript."""

from __future__ import annotations

from textual.widgets import Static


class UserMessage(Static):
    """The prompt as typed (plain text, never interpreted as markup)."""

    def __init__(self, text: str) -> None:
        super().__init__(text, markup=False, classes="user-message")
        self.text = text
