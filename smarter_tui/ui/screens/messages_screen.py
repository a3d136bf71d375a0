"""Every message of the chat, superseded branches included: copy any, delete one, edit and resend."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from smarter_tui.domain.errors import SmarterError
from smarter_tui.domain.messages import Message, Role
from smarter_tui.ui.screens.edit_prompt_modal import EditPromptModal

if TYPE_CHECKING:
    from smarter_tui.services import Services

PREVIEW = 90


@dataclass(frozen=True, slots=True)
class MessagesResult:
    """What the chat must do when the screen closes: reload (`changed`) or resend an edit."""

    changed: bool = False
    edit: tuple[int, str] | None = None  # (position of the prompt, the edited text)


def message_text(message: Message) -> str:
    """Return what copying a message puts on the clipboard (a tool call: its name and arguments)."""
    if message.content:
        return message.content
    return "\n".join(f"{call.name}({call.arguments})" for call in message.tool_calls)


def _label(message: Message) -> Content:
    first = " ".join(message_text(message).split())
    if len(first) > PREVIEW:
        first = first[: PREVIEW - 1] + "…"
    flag = f" [{message.excluded}]" if message.excluded else ""
    role = "tool result" if message.role is Role.TOOL else str(message.role)
    style = "dim" if message.excluded else ("bold" if message.role is Role.USER else "")
    return Content.assemble((f"{message.position:>3} {role}{flag}: ", style), (first, style))


class MessagesScreen(ModalScreen[MessagesResult | None]):
    """Lists the session's messages; dismisses with what changed (None: nothing)."""

    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("c,enter", "copy", "Copy"),
        Binding("d", "delete", "Delete from context"),
        Binding("e", "edit", "Edit and resend"),
    ]

    def __init__(self, services: Services, session_key: str) -> None:
        """Show the messages of `session_key`, read through `services`."""
        super().__init__(classes="modal")
        self.services = services
        self.session_key = session_key
        self.messages: list[Message] = []
        self.changed = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog messages-dialog"):
            yield Label(Content.from_markup("[b]Messages of this chat[/]"))
            yield Static(
                "Enter/c copy · d delete from the context · e edit a prompt and resend · Esc close. "
                "Superseded and deleted messages stay in the history and exports.",
                classes="hint",
            )
            yield OptionList(id="messages-list")
            yield Static("", id="messages-error", classes="error")

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="messages")
    def _load(self, highlight: int | None = None) -> None:
        try:
            messages = self.services.history.messages(self.session_key)
        except SmarterError as exc:
            self.app.call_from_thread(self._error, exc.message)
            return
        self.app.call_from_thread(self._show, messages, highlight)

    def _show(self, messages: list[Message], highlight: int | None) -> None:
        self.messages = messages
        options = self.query_one("#messages-list", OptionList)
        options.clear_options()
        options.add_options([Option(_label(m), id=str(m.position)) for m in messages])
        if messages:
            options.highlighted = highlight if highlight is not None else len(messages) - 1
        options.focus()

    def _error(self, text: str) -> None:
        self.query_one("#messages-error", Static).update(text)

    @property
    def current(self) -> Message | None:
        """The highlighted message, if any."""
        index = self.query_one("#messages-list", OptionList).highlighted
        return self.messages[index] if index is not None and index < len(self.messages) else None

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_copy()

    def action_copy(self) -> None:
        """Copy the highlighted message to the clipboard."""
        message = self.current
        if message is not None:
            text = message_text(message)
            self.app.copy_to_clipboard(text)
            self.notify(f"Copied message {message.position} ({len(text)} characters).")

    def action_delete(self) -> None:
        """Leave the highlighted message out of the context (an answer goes with its tool results)."""
        message = self.current
        if message is not None and message.position is not None:
            self._delete(message.position, self.query_one("#messages-list", OptionList).highlighted)

    @work(thread=True, exclusive=True, group="messages")
    def _delete(self, position: int, highlight: int | None) -> None:
        try:
            flagged = self.services.branches.delete(self.session_key, position)
        except SmarterError as exc:
            self.app.call_from_thread(self._error, exc.message)
            return
        self.changed = True
        self.app.call_from_thread(
            self.notify, f"Left out of the context: message {', '.join(map(str, flagged))}."
        )
        self._load(highlight)

    def action_edit(self) -> None:
        """Edit the highlighted prompt; sending it starts a new branch from there."""
        message = self.current
        if message is None or message.position is None:
            return
        if message.role is not Role.USER or message.excluded:
            self._error("Only a prompt of the current branch can be edited and resent.")
            return
        position = message.position
        self.app.push_screen(
            EditPromptModal(message.content or ""), lambda text: self._edited(position, text)
        )

    def _edited(self, position: int, text: str | None) -> None:
        if text is not None:
            self.dismiss(MessagesResult(changed=True, edit=(position, text)))

    def action_close(self) -> None:
        """Close; the chat reloads when a message was deleted."""
        self.dismiss(MessagesResult(changed=True) if self.changed else None)
