"""A one-line notice in the transcript: a failed turn's error or an interrupted answer."""

from __future__ import annotations

from typing import Literal

from textual.widgets import Static

NoticeKind = Literal["error", "interrupted"]

_ICONS = {"error": "✗", "interrupted": "⏹"}


class TranscriptNotice(Static):
    """Plain text (never markup: error texts come from servers) styled by kind."""

    def __init__(self, kind: NoticeKind, text: str) -> None:
        super().__init__(f"{_ICONS[kind]} {text}", markup=False, classes=f"notice {kind}")
        self.kind = kind
        self.text = text
