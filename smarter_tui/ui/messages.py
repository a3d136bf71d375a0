"""Messages that cross from turn worker threads to the UI thread."""

from __future__ import annotations

from typing import Any

from textual.message import Message


class TurnEventsArrived(Message):
    """Turn events wait in the chat pane's queue (posted once per batch, not once per token)."""


class TurnEnded(Message):
    """The turn worker finished: `outcome` is None when it was cancelled, `error` when it raised."""

    def __init__(self, outcome: Any | None, error: str | None = None, generation: int = 0) -> None:
        super().__init__()
        self.outcome = outcome
        self.error = error
        self.generation = generation


class CatalogueChanged(Message):
    """Manifests were saved, attached or deleted: `changed` lists (kind, name) of each."""

    def __init__(self, changed: list[tuple[str, str]]) -> None:
        super().__init__()
        self.changed = changed
