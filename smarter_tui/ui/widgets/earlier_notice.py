"""The first line of a transcript that no longer shows a session's earliest messages."""

from __future__ import annotations

from textual import events
from textual.message import Message

from smarter_tui.ui.widgets.user_message import UserMessage


class EarlierNotice(UserMessage):
    """Says how many stored messages come before what is shown; a click asks for them back."""

    class Chosen(Message):
        """The user asked to see the earlier messages again."""

    def __init__(self, earlier: int) -> None:
        super().__init__(f"… {earlier} earlier messages are in the saved session (click here to show them)")
        self.earlier = earlier
        self.add_class("earlier-notice")

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.post_message(self.Chosen())
