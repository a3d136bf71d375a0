"""The chat: transcript, prompt input and status line; runs turns in a worker thread."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import re
import threading
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message

from smarter_tui.domain.errors import SmarterError
from smarter_tui.domain.events import (
    AssistantMessageAdded,
    ModelRequestSent,
    PluginSelected,
    RoundFinished,
    TextDelta,
    ToolCallFinished,
    ToolCallStarted,
    TurnFailed,
    TurnFinished,
)
from smarter_tui.domain.messages import Message as ChatMessage
from smarter_tui.domain.messages import Role
from smarter_tui.ui.messages import TurnEnded, TurnEventsArrived
from smarter_tui.ui.turn_runner import TurnHandle
from smarter_tui.ui.widgets.assistant_message import AssistantMessage
from smarter_tui.ui.widgets.prompt_input import PromptInput
from smarter_tui.ui.widgets.status_line import StatusLine
from smarter_tui.ui.widgets.tool_card import ToolCard
from smarter_tui.ui.widgets.user_message import UserMessage
from smarter_tui.ui.widgets.welcome_card import WelcomeCard

if TYPE_CHECKING:
    from smarter_tui.services.clients import ClientView

#: How many messages of an old session are rendered when it is reopened (the rest stay stored).
REOPEN_LAST = 60
_SECRET = re.compile(r"(sk-|Bearer\s+|Basic\s+)[A-Za-z0-9._\-+/=]{4,}")


def mask_secrets(text: str) -> str:
    """Return `text` with anything that looks like a key or auth header value masked."""
    return _SECRET.sub(lambda m: m.group(1) + "****", text)


class ChatPane(Vertical):
    """One conversation with one client; the only widget that starts turns."""

    class SelectionsChanged(Message):
        """Plugins were selected for the prompt now running: (plugin, why) pairs."""

        def __init__(self, items: list[tuple[str, str]]) -> None:
            super().__init__()
            self.items = items

    class TurnCompleted(Message):
        """A turn ended (normally, cancelled or failed); the session is saved."""

        def __init__(self, session_key: str | None) -> None:
            super().__init__()
            self.session_key = session_key

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.client: ClientView | None = None
        self.session_key: str | None = None
        self.running = False
        self.debug_log: list[dict[str, Any]] = []
        self._buffer: list[Any] = []  # events from the worker thread, in order
        self._buffer_lock = threading.Lock()
        self._flush_posted = False
        self._answer: AssistantMessage | None = None
        self._cards: dict[str, ToolCard] = {}
        self._selections: list[tuple[str, str]] = []
        self._generation = 0  # bumped when the chat changes: events of an older turn are dropped
        self._cancel_generation: int | None = None
        self._turn: TurnHandle | None = None

    def compose(self) -> ComposeResult:
        yield VerticalScroll(id="transcript")
        yield PromptInput(id="prompt")
        yield StatusLine(id="status")

    @property
    def transcript(self) -> VerticalScroll:
        """The scrolling message list."""
        return self.query_one("#transcript", VerticalScroll)

    @property
    def status(self) -> StatusLine:
        """The status line."""
        return self.query_one(StatusLine)

    # -- starting and reopening chats ----------------------------------------------------------
    async def new_chat(self, client: ClientView) -> None:
        """Start a new chat with `client` (the session is created with the first prompt)."""
        self._leave_turn()
        self.client, self.session_key = client, None
        await self.transcript.remove_children()
        await self.transcript.mount(WelcomeCard(client.app_name, client.welcome, client.examples))
        self._reset_status()
        prompt = self.query_one(PromptInput)
        prompt.placeholder = client.placeholder
        prompt.focus()

    async def show_session(
        self,
        client: ClientView,
        session_key: str,
        messages: list[ChatMessage],
        tool_calls: list[Any],
        earlier: int,
    ) -> None:
        """Render a saved session (its last messages) so the user can read and continue it."""
        self._leave_turn()
        self.client, self.session_key = client, session_key
        await self.transcript.remove_children()
        durations = {c.tool_call_id: c for c in tool_calls}
        widgets: list[Any] = []
        if earlier:
            widgets.append(
                UserMessage(
                    f"… {earlier} earlier messages are in the saved session (export it to read them all)"
                )
            )
        cards: dict[str, ToolCard] = {}
        for message in messages:
            if message.role is Role.USER:
                widgets.append(UserMessage(message.content or ""))
            elif message.role is Role.ASSISTANT:
                if message.content or message.interrupted:
                    answer = AssistantMessage(message.content or "", interrupted=message.interrupted)
                    if message.interrupted:
                        answer.border_subtitle = "interrupted"
                    widgets.append(answer)
                for call in message.tool_calls:
                    record = durations.get(call.id)
                    card = ToolCard(call.id, call.name, call.arguments, record.source if record else "")
                    cards[call.id] = card
                    widgets.append(card)
            elif message.role is Role.TOOL and message.tool_call_id in cards:
                record = durations.get(message.tool_call_id)
                error = record.error if record else None
                cards[message.tool_call_id].finish(
                    None if error else message.content, error, record.duration_ms if record else None
                )
        await self.transcript.mount_all(widgets)
        self.transcript.scroll_end(animate=False)
        self._reset_status()
        self.query_one(PromptInput).placeholder = client.placeholder

    def _leave_turn(self) -> None:
        """Cancel a running turn (it is saved as interrupted) and ignore its remaining events."""
        self.action_cancel()
        self._generation += 1
        self.running = False
        self._answer = None

    def _reset_status(self) -> None:
        status = self.status
        if self.client is not None:
            status.model, status.offline = self.client.model, self.client.offline
        status.tokens, status.rounds, status.state = "", 0, "ready"
        status.session_key = self.session_key or ""

    # -- sending -------------------------------------------------------------------------------
    @on(PromptInput.Submitted)
    async def _submitted(self, event: PromptInput.Submitted) -> None:
        event.stop()
        await self.send(event.text)

    @on(WelcomeCard.ExampleChosen)
    async def _example(self, event: WelcomeCard.ExampleChosen) -> None:
        event.stop()
        self.query_one(PromptInput).remember(event.prompt)
        await self.send(event.prompt)

    async def send(self, prompt: str) -> None:
        """Show the prompt and start a turn in a worker thread."""
        if self.client is None:
            self.notify("Choose a client first.", severity="warning")
            return
        if self.running:
            self.notify("An answer is still streaming; press Esc to cancel it.", severity="warning")
            return
        self.running = True
        self.debug_log = []
        self._cards = {}
        self._answer = None
        self._selections = []
        self.post_message(self.SelectionsChanged([]))
        self.status.state, self.status.rounds, self.status.tokens = "thinking…", 0, ""
        await self.transcript.mount(UserMessage(prompt))
        self.transcript.scroll_end(animate=False)
        self._run_turn(prompt, self.client.name, self.session_key, self._generation)

    @work(thread=True, group="turn")
    def _run_turn(self, prompt: str, client: str, session_key: str | None, generation: int) -> None:
        """Run the turn on the app's turn loop and wait for it; events reach the UI as messages."""
        services = self.app.services  # type: ignore[attr-defined]
        outcome, error = None, None
        try:
            if session_key is None:
                # Known before the turn starts (even if it is cancelled); stored with the prompt.
                session_key = services.sessions.new_session_key()
                self.app.call_from_thread(self._set_session, session_key, generation)
            handle = self.app.turn_runner.submit(  # type: ignore[attr-defined]
                services.sessions.send(
                    prompt,
                    client=client,
                    session_key=session_key,
                    on_event=lambda e: self._on_event(e, generation),
                )
            )
            self._turn = handle
            if self._cancel_generation == generation:  # Esc came before the turn started
                handle.cancel()
            outcome = handle.result()
        except (asyncio.CancelledError, concurrent.futures.CancelledError):
            outcome = None
        except SmarterError as exc:
            error = exc.message
        except Exception as exc:  # an unexpected failure must still end the turn visibly
            error = f"{type(exc).__name__}: {exc}"
        self.post_message(TurnEnded(outcome, error, generation))

    def _on_event(self, event: Any, generation: int) -> None:
        """Runs in the worker thread: queue the event; wake the UI once per batch, not per token."""
        with self._buffer_lock:
            self._buffer.append((generation, event))
            if self._flush_posted:
                return
            self._flush_posted = True
        self.post_message(TurnEventsArrived())

    def action_cancel(self) -> None:
        """Cancel the running answer (the partial text stays, marked interrupted)."""
        if not self.running:
            return
        self._cancel_generation = self._generation
        if self._turn is not None:
            self._turn.cancel()
        self.status.state = "cancelling…"

    # -- rendering events ----------------------------------------------------------------------
    def _take_events(self) -> list[Any]:
        with self._buffer_lock:
            events = self._buffer
            self._buffer = []
            self._flush_posted = False
        return events

    @on(TurnEventsArrived)
    async def _events_arrived(self, message: TurnEventsArrived) -> None:
        """Render queued events in order; consecutive text deltas become one Markdown append."""
        message.stop()
        await self._drain()

    async def _drain(self) -> None:
        # Awaits below let other handlers run (the app may switch chats meanwhile): stop as soon
        # as the generation changes, so nothing of the old turn lands in the new chat.
        generation = self._generation
        text: list[str] = []
        for event_generation, event in self._take_events():
            if event_generation != generation or self._generation != generation:
                continue
            if isinstance(event, TextDelta):
                text.append(event.text)
                continue
            if text:
                await self._write("".join(text))
                text = []
            await self._render_event(event)
        if text and self._generation == generation:
            await self._write("".join(text))
        self.transcript.scroll_end(animate=False)

    async def _write(self, text: str) -> None:
        answer = self._answer
        if answer is None:
            answer = self._answer = AssistantMessage()
            await self.transcript.mount(answer)
            self.status.state = "streaming…"
        await answer.write(text)

    async def _render_event(self, event: Any) -> None:
        if isinstance(event, PluginSelected):
            self._selections.append((event.plugin, event.term))
            self.post_message(self.SelectionsChanged(list(self._selections)))
        elif isinstance(event, ModelRequestSent):
            self.debug_log.append({"round": event.round, "request": event.request})
        elif isinstance(event, AssistantMessageAdded):
            if event.response:
                self.debug_log.append({"response": event.response})
            answer, self._answer = self._answer, None
            if answer is not None:
                await answer.finish(event.message.interrupted)
        elif isinstance(event, ToolCallStarted):
            card = ToolCard(event.call.id, event.call.name, event.call.arguments, event.source)
            self._cards[event.call.id] = card
            await self.transcript.mount(card)
        elif isinstance(event, ToolCallFinished):
            finished = self._cards.get(event.call.id)
            if finished is not None:
                finished.finish(event.result, event.error, event.duration_ms)
        elif isinstance(event, RoundFinished):
            self.status.rounds = event.round
        elif isinstance(event, TurnFinished):
            usage = event.usage
            if usage.total_tokens is not None or usage.prompt_tokens is not None:
                self.status.tokens = f"{usage.prompt_tokens or 0} in / {usage.completion_tokens or 0} out"
            self.status.rounds = event.rounds
        elif isinstance(event, TurnFailed):
            self.notify(event.error, title="The model call failed", severity="error", timeout=8)

    def _set_session(self, key: str, generation: int) -> None:
        if generation == self._generation:
            self.session_key = self.status.session_key = key

    @on(TurnEnded)
    async def _turn_ended(self, message: TurnEnded) -> None:
        message.stop()
        if message.generation != self._generation:
            return  # a turn the user left (new chat or another session); it was saved interrupted
        await self._drain()
        if message.generation != self._generation:
            return
        answer, self._answer = self._answer, None
        if answer is not None:
            await answer.finish(interrupted=message.outcome is None or bool(message.error))
        self.running = False
        outcome = message.outcome
        if outcome is not None:
            self.session_key = outcome.session_key
        if message.error:
            self.notify(message.error, title="Could not run the prompt", severity="error", timeout=8)
            self.status.state = "error"
        elif outcome is None:
            self.status.state = "interrupted"
        else:
            self.status.state = (
                "error" if outcome.error else ("interrupted" if outcome.interrupted else "ready")
            )
        self.status.session_key = self.session_key or ""
        self.post_message(self.TurnCompleted(self.session_key))

    # -- copying -------------------------------------------------------------------------------
    def last_answer(self) -> str:
        """Return the text of the last assistant answer on screen ('' if none)."""
        answers = list(self.transcript.query(AssistantMessage))
        return answers[-1].text if answers else ""

    def last_code_block(self) -> str:
        """Return the last fenced code block of the last answer ('' if none)."""
        blocks = re.findall(r"```[^\n]*\n(.*?)```", self.last_answer(), flags=re.S)
        return blocks[-1].rstrip("\n") if blocks else ""

    def debug_json(self) -> str:
        """Return the model requests and responses of the last turn as JSON, secrets masked."""
        return mask_secrets(json.dumps(self.debug_log, indent=2, ensure_ascii=False, default=str))
