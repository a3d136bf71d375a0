"""An assistant answer rendered as Markdown, streamed in without re-rendering the whole text."""

from __future__ import annotations

from textual.widgets import Markdown
from textual.widgets.markdown import MarkdownStream

from smarter_tui.domain.terminal import terminal_safe


class AssistantMessage(Markdown):
    """Markdown that grows through a `MarkdownStream` (which batches fragments when we fall behind)."""

    def __init__(self, text: str = "", interrupted: bool = False) -> None:
        text = terminal_safe(text)
        super().__init__(text, classes="assistant-message")
        self.text = text
        self._stream: MarkdownStream | None = None
        self.set_class(interrupted, "interrupted")

    async def write(self, fragment: str) -> None:
        """Append streamed text (control characters made inert first)."""
        fragment = terminal_safe(fragment)
        if self._stream is None:
            self._stream = Markdown.get_stream(self)
        self.text += fragment
        await self._stream.write(fragment)

    async def finish(self, interrupted: bool = False) -> None:
        """Flush the stream; mark the answer interrupted when the turn was cancelled or failed."""
        if self._stream is not None:
            await self._stream.stop()
            self._stream = None
        if interrupted:
            self.add_class("interrupted")
            self.border_subtitle = "interrupted"
