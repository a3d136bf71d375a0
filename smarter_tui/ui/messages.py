"""Messages that cross from turn worker threads to the UI thread."""

from __future__ import annotations

from typing import Any

from textual.message import Message


class TextArrived(Message):
    """New streamed text waits in the chat pane's buffer (posted once per batch, not per token)."""


class TurnEventArrived(Message):
    """A non-text event of the running turn (tool call, message saved, finished, failed)."""

    def __init__(self, event: Any) -> None:
        super().__init__()
        self.event = event


class TurnEnded(Message):
    """The turn worker finished: `outcome` is None when it was cancelled, `error` when it raised."""

    def __init__(self, outcome: Any | None, error: str | None = None) -> None:
        super().__init__()
        self.outcome = outcome
        self.error = error
