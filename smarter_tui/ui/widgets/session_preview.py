"""A read-only preview of a session's last few messages, scrolled to the end."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from smarter_tui.domain.messages import Message, Role
from smarter_tui.domain.terminal import terminal_safe

#: Longest text shown per message; the preview is a glance, the chat pane shows everything.
PREVIEW_CHARS = 600
_LABELS = {
    Role.USER: ("You", "bold"),
    Role.ASSISTANT: ("Assistant", "bold"),
    Role.TOOL: ("Tool", "dim"),
    Role.ERROR: ("Error", "bold red"),
}


def render_messages(messages: Sequence[Message]) -> Group | Text:
    """Return the preview of messages: a role label and the (shortened) text of each.

    System prompts are left out; tool calls show as a one-line note.
    """
    parts: list[Text] = []
    for message in messages:
        if message.role is Role.SYSTEM:
            continue
        label, style = _LABELS.get(message.role, (str(message.role), "bold"))
        if message.role is Role.TOOL and message.name:
            label = f"Tool {message.name}"
        if message.interrupted:
            label += " (interrupted)"
        body = " ".join((message.content or "").split())
        if len(body) > PREVIEW_CHARS:
            body = body[: PREVIEW_CHARS - 1] + "…"
        if message.tool_calls:
            names = ", ".join(call.name for call in message.tool_calls)
            body = (body + "\n" if body else "") + f"→ calls {names}"
        parts.append(Text(label, style=style))
        parts.append(Text(terminal_safe(body) + "\n", style="dim" if message.role is Role.TOOL else ""))
    if not parts:
        return Text("No messages yet.", style="dim italic")
    return Group(*parts)


class SessionPreview(VerticalScroll, can_focus=False):
    """Shows the end of the highlighted session; `show` and `show_text` replace the content."""

    DEFAULT_CSS = """
    SessionPreview {
        width: 36;
        height: 1fr;
        border-left: solid $panel-lighten-2;
        padding: 0 1;
        scrollbar-size-vertical: 1;
    }
    SessionPreview > #preview-title {
        text-style: bold;
        color: $text-accent;
        margin-bottom: 1;
    }
    """

    def compose(self) -> ComposeResult:
        """A title line and the message body."""
        yield Static("", id="preview-title")
        yield Static("", id="preview-body")

    def show(self, title: str | None, messages: Sequence[Message]) -> None:
        """Show a session's title and its messages, scrolled to the last one."""
        self.query_one("#preview-title", Static).update(Text(terminal_safe(title or "Untitled session")))
        self.query_one("#preview-body", Static).update(render_messages(messages))
        self.call_after_refresh(self.scroll_end, animate=False)

    def show_text(self, text: str) -> None:
        """Show a plain note instead of a session (nothing highlighted, loading, an error)."""
        self.query_one("#preview-title", Static).update("")
        self.query_one("#preview-body", Static).update(Text(text, style="dim italic"))
