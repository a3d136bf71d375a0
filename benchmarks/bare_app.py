"""The reference of the TUI benchmarks: a bare Textual app that shows one focused Input, nothing else.

Run it as a program (`python benchmarks/bare_app.py`) for the start-up comparison in tmux, or
import `BareApp` for headless measurements (memory).
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Input

PLACEHOLDER = "Ask me anything..."


class BareApp(App[None]):
    """One Input with the same placeholder the chat shows once it is usable."""

    def compose(self) -> ComposeResult:
        yield Input(placeholder=PLACEHOLDER)

    def on_mount(self) -> None:
        self.query_one(Input).focus()


if __name__ == "__main__":
    BareApp().run()
