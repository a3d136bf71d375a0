"""The prompt editor: Enter sends, Ctrl+J adds a line, Up/Down at the edges recall earlier prompts."""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import TextArea

from smarter_tui.ui.widgets.compact import compact


class PromptInput(TextArea):
    """A multi-line input with prompt history."""

    BINDINGS = [
        Binding("ctrl+j", "newline", "New line", show=False),
    ]

    class Submitted(Message):
        """The user pressed Enter on a non-empty prompt."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, placeholder: str = "Ask me anything…", id: str | None = None) -> None:
        super().__init__(
            id=id,
            soft_wrap=True,
            show_line_numbers=False,
            tab_behavior="focus",
            placeholder=placeholder,
        )
        compact(self)
        self.prompts: list[str] = []
        self._recall: int | None = None

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            text = self.text.strip()
            if text:
                self.remember(text)
                self.clear()
                self.post_message(self.Submitted(text))
            return
        if event.key == "up" and self.cursor_location[0] == 0 and self.prompts:
            event.stop()
            event.prevent_default()
            self._step(-1)
            return
        if (
            event.key == "down"
            and self._recall is not None
            and (self.cursor_location[0] == self.document.line_count - 1)
        ):
            event.stop()
            event.prevent_default()
            self._step(1)
            return
        await super()._on_key(event)

    def action_newline(self) -> None:
        """Insert a line break."""
        self.insert("\n")

    def remember(self, text: str) -> None:
        """Add a prompt to the recall history (no consecutive duplicates)."""
        if not self.prompts or self.prompts[-1] != text:
            self.prompts.append(text)
        self._recall = None

    def _step(self, direction: int) -> None:
        index = len(self.prompts) if self._recall is None else self._recall
        index = max(0, min(len(self.prompts), index + direction))
        self._recall = None if index == len(self.prompts) else index
        self.text = "" if self._recall is None else self.prompts[index]
        self.move_cursor(self.document.end)
