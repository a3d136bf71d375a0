"""The client's welcome message and example prompts (choosing one sends it)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Markdown, OptionList
from textual.widgets.option_list import Option

from smarter_tui.domain.terminal import terminal_safe


class WelcomeCard(Vertical):
    """Shown at the top of a new chat."""

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

    def compose(self) -> ComposeResult:
        text = terminal_safe(f"### {self.title_text}\n\n{self.welcome}")
        yield Markdown(text, classes="welcome-text")
        if self.examples:
            yield OptionList(
                *[Option(f"› {e}", id=str(i)) for i, e in enumerate(self.examples)],
                classes="examples",
                compact=True,
            )

    async def update(self, title: str, welcome: str, examples: list[str]) -> None:
        """Show another title, welcome text or examples (the client's manifest changed)."""
        if (title, welcome, examples) == (self.title_text, self.welcome, self.examples):
            return
        self.title_text, self.welcome, self.examples = title, welcome, list(examples)
        await self.recompose()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.ExampleChosen(self.examples[int(event.option.id or 0)]))
