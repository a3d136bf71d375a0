"""The client's welcome message and example prompts (choosing one sends it)."""

from __future__ import annotations

import importlib
import sys

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from smarter_tui.domain.terminal import terminal_safe
from smarter_tui.ui.widgets.compact import compact

#: Textual's Markdown widget module (markdown-it and Pygments with it: ~27 ms of imports).
MARKDOWN_MODULE = "textual.widgets._markdown"


def _welcome_text(text: str) -> Widget:
    from textual.widgets import Markdown

    return Markdown(text, classes="welcome-text")


class WelcomeCard(Vertical):
    """Shown at the top of a new chat.

    At start-up the Markdown module is not imported yet: the card is painted with its examples
    first, the module is imported on a thread after that paint and the welcome text mounted then,
    so the prompt is usable (and takes keys) without waiting for markdown-it. Later cards (the
    module is loaded by then) compose it at once.
    """

    class ExampleChosen(Message):
        """The user picked an example prompt."""

        def __init__(self, prompt: str) -> None:
            super().__init__()
            self.prompt = prompt

    def __init__(self, title: str, welcome: str, examples: list[str]) -> None:
        super().__init__(classes="welcome-card")
        self.title_text = title
        self.welcome = welcome
        self.examples = examples

    def _text(self) -> str:
        return terminal_safe(f"### {self.title_text}\n\n{self.welcome}")

    def compose(self) -> ComposeResult:
        if MARKDOWN_MODULE in sys.modules:
            yield _welcome_text(self._text())
        if self.examples:
            yield compact(
                OptionList(
                    *[Option(f"› {e}", id=str(i)) for i, e in enumerate(self.examples)],
                    classes="examples",
                )
            )

    def on_mount(self) -> None:
        if not self.query(".welcome-text"):
            self.call_after_refresh(self._load_markdown)

    @work(thread=True, exit_on_error=False, group="welcome-text")
    def _load_markdown(self) -> None:
        """Import the Markdown module on a thread, then mount the text: imported on the event
        loop it held every key for ~100-150 ms, an Enter pressed right after start-up too."""
        importlib.import_module(MARKDOWN_MODULE)
        self.app.call_from_thread(self._mount_text)  # type: ignore[arg-type]  # textual types async callbacks as Never

    async def _mount_text(self) -> None:
        if self.is_attached and not self.query(".welcome-text"):
            await self.mount(_welcome_text(self._text()), before=0)

    async def update(self, title: str, welcome: str, examples: list[str]) -> None:
        """Show another title, welcome text or examples (the client's manifest changed)."""
        if (title, welcome, examples) == (self.title_text, self.welcome, self.examples):
            return
        self.title_text, self.welcome, self.examples = title, welcome, list(examples)
        await self.recompose()
        await self._mount_text()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.ExampleChosen(self.examples[int(event.option.id or 0)]))
