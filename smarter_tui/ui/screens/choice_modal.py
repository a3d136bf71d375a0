"""A dialog that asks to choose one item of a list (a kind, a plugin); dismisses with it or None."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option


class ChoiceModal(ModalScreen[str | None]):
    """Choose an item from a list (Enter), or Escape for None. Styled like the other dialogs."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, hint: str, items: list[str], highlighted: str | None = None) -> None:
        """List `items`, with `highlighted` (when among them) under the cursor."""
        super().__init__(classes="modal")
        self.title_text = title
        self.hint = hint
        self.items = items
        self.highlighted = highlighted

    def compose(self) -> ComposeResult:
        """Heading, a hint, the items."""
        with Vertical(classes="dialog choice-dialog"):
            yield Label(Content(self.title_text), classes="choice-title")
            yield Static(Content(self.hint), classes="hint")
            yield OptionList(*(Option(item, id=item) for item in self.items), id="choice-list")

    def on_mount(self) -> None:
        """Focus the list, on the suggested item."""
        options = self.query_one("#choice-list", OptionList)
        if self.highlighted is not None and self.highlighted in self.items:
            options.highlighted = self.items.index(self.highlighted)
        options.focus()

    @on(OptionList.OptionSelected, "#choice-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option_id)

    def action_cancel(self) -> None:
        """Dismiss with None."""
        self.dismiss(None)
