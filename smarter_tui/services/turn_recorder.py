"""Persisting a turn's events as they arrive: the one place where what was shown gets stored.

The TUI, the CLI and the HTTP API all run turns through `SessionService.send`, which hands every
loop event to a `TurnRecorder` before anyone renders it. Streamed text is stored while it grows:
the assistant row is inserted at the first delta (marked interrupted until the model call ends)
and rewritten at most every `SAVE_INTERVAL` seconds, so a process killed mid-answer loses at most
that much of what the user saw.

If the database goes away mid-answer (a PostgreSQL restart, failover or network cut), the turn
goes on and what could not be written is kept in memory, in order: `lost` holds the reason, and
`flush()` writes the rest once the database answers again (the close of the turn tries once; the
session service tries again before the session's next prompt).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from smarter_tui.domain.errors import DatabaseUnavailableError
from smarter_tui.domain.events import (
    AssistantMessageAdded,
    ModelRequestSent,
    PluginSelected,
    SystemRoleAdded,
    TextDelta,
    ToolCallFinished,
    TurnEvent,
    TurnFailed,
    TurnFinished,
    UserMessageAdded,
)
from smarter_tui.domain.messages import Message, Role, parse_arguments
from smarter_tui.domain.records import PluginSelectionRecord, ToolCallRecord

if TYPE_CHECKING:
    from smarter_tui.services.sessions import TurnOutcome
    from smarter_tui.storage import Database

#: Streamed text is saved at most this often (seconds); the issue's bound on text lost to a kill.
SAVE_INTERVAL = 0.5


def _now() -> float:
    """The recorder's clock (a function, so tests can drive it without touching asyncio's)."""
    return time.monotonic()


class TurnRecorder:
    """Writes one turn's events to storage; `close()` must run however the turn ends."""

    def __init__(
        self,
        db: Database,
        outcome: TurnOutcome,
        *,
        first: Message | None = None,
        watched: bool = True,
    ) -> None:
        """Record into `outcome.session_key`; `first` (a system prompt) means the session is new.

        A new session is created together with its first user message, in one transaction, so no
        session without a prompt is ever left behind. `watched`: someone sees the text as it
        streams (the TUI, an SSE client, the CLI), so its row is inserted at the first delta;
        when nobody does (a JSON request), the first save waits up to SAVE_INTERVAL like the
        later ones, and an answer that ends sooner is written once, whole.
        """
        self.db = db
        self.outcome = outcome
        self._first = first
        self._watched = watched
        self._started = False
        self._pending_roles: list[Message] = []
        self._pending_selections: list[PluginSelectionRecord] = []
        self._model: str | None = None
        self._parts: list[str] = []
        self._position: int | None = None  # the streamed answer's row, once inserted
        self._saved_length = 0
        self._last_save = 0.0
        self._timer: asyncio.TimerHandle | None = None
        #: Why the database could not be written (None while it can); then `unsaved` is replayed.
        self.lost: str | None = None
        self.unsaved: list[Callable[[], None]] = []
        self._lost_parts: list[str] = []  # text streamed while the database was away

    @property
    def key(self) -> str:
        return self.outcome.session_key

    def record(self, event: TurnEvent) -> None:
        """Persist one event (a no-op for events that store nothing); keep it if the database is away."""
        if self.lost is None:
            try:
                self._record(event)
                return
            except DatabaseUnavailableError as exc:
                self.lost = exc.message
                self._cancel_timer()
        self._keep(event)

    def _keep(self, event: TurnEvent) -> None:
        """Queue what `event` would write; streamed text only accumulates (the final message has it)."""
        if isinstance(event, TextDelta):
            self._lost_parts.append(event.text)
            return
        if isinstance(event, TurnFinished | TurnFailed | ModelRequestSent):
            self._record(event)  # these only fill in the outcome
            return
        if isinstance(event, AssistantMessageAdded):
            self._lost_parts = []
        self.unsaved.append(lambda: self._record(event))

    def flush(self) -> bool:
        """Write what the database missed, in order; return True when nothing is left unsaved."""
        while self.unsaved:
            try:
                self.unsaved[0]()
            except DatabaseUnavailableError as exc:
                self.lost = exc.message
                return False
            self.unsaved.pop(0)
        self.lost = None
        return True

    def _record(self, event: TurnEvent) -> None:
        store = self.db.sessions
        if isinstance(event, PluginSelected):
            self.outcome.plugins.append(event.plugin)
            selection = PluginSelectionRecord(
                session_key=self.key, plugin=event.plugin, term=event.term, prompt=event.prompt
            )
            if self._started:
                store.record_selection(selection)
            else:
                self._pending_selections.append(selection)
        elif isinstance(event, SystemRoleAdded):
            if self._started:
                self.outcome.new_messages.append(store.append_message(self.key, event.message))
            else:
                self._pending_roles.append(event.message)
        elif isinstance(event, UserMessageAdded):
            self._begin(event.message)
        elif isinstance(event, ModelRequestSent):
            self._model = event.request.get("model") or self._model
            if not self.outcome.tools:
                offered = event.request.get("tools") or []
                self.outcome.tools = [t["function"]["name"] for t in offered if "function" in t]
        elif isinstance(event, TextDelta):
            self._grow(event.text)
        elif isinstance(event, AssistantMessageAdded):
            self._cancel_timer()
            if self._position is not None:
                stored = store.replace_message(self.key, self._position, event.message)
            else:
                stored = store.append_message(self.key, event.message)
            self.outcome.new_messages.append(stored)
            self._parts, self._position, self._saved_length = [], None, 0
        elif isinstance(event, ToolCallFinished):
            self._tool_call(event)
        elif isinstance(event, TurnFinished):
            self.outcome.finished = event
            self.outcome.interrupted = event.message.interrupted
        elif isinstance(event, TurnFailed):
            self.outcome.error = event.error
            self.outcome.status = event.status
            if self._started:  # kept with the session, after what it kept: a reopen shows it again
                error = Message(role=Role.ERROR, content=event.error)
                self.outcome.new_messages.append(store.append_message(self.key, error))

    def close(self) -> None:
        """End the recording: text still streaming is saved as an interrupted answer."""
        self._cancel_timer()
        if self.lost is not None:
            if self._lost_parts:  # the answer stopped mid-stream while the database was away
                message = Message(
                    role=Role.ASSISTANT,
                    content="".join(self._lost_parts),
                    model=self._model,
                    interrupted=True,
                )
                self.unsaved.append(lambda: self._record(AssistantMessageAdded(message)))
                self._lost_parts = []
            self.flush()  # the database may be back already (a restart, a failover)
            return
        if self._position is not None:
            text = "".join(self._parts)
            message = Message(role=Role.ASSISTANT, content=text, model=self._model, interrupted=True)
            self.db.sessions.replace_message(self.key, self._position, message)
            self._position = None
        elif self._parts:  # an unwatched answer stopped before its first save
            self._insert_partial()

    # -- the parts ------------------------------------------------------------------------------
    def _begin(self, user: Message) -> None:
        """Store the prompt with what precedes it (a new session's row and system prompt) at once."""
        store = self.db.sessions
        with self.db.transaction():
            if self._first is not None:
                store.create(client=self.outcome.client, session_key=self.key)
                store.append_message(self.key, self._first)
            for role in self._pending_roles:
                self.outcome.new_messages.append(store.append_message(self.key, role))
            stored = store.append_message(self.key, user)
            for selection in self._pending_selections:
                store.record_selection(selection)
        self.outcome.new_messages.append(stored)
        self._started = True
        self._pending_roles, self._pending_selections = [], []

    def _grow(self, text: str) -> None:
        self._parts.append(text)
        now = _now()
        if self._position is None and self._watched:
            self._insert_partial()
        elif self._position is None and self._timer is None:
            self._last_save = now  # unwatched: the first save is due SAVE_INTERVAL from here
            self._schedule_save(now)
        elif self._position is None:
            pass  # its first save is scheduled
        elif now - self._last_save >= SAVE_INTERVAL:
            self._save_partial()
        elif self._timer is None:
            # Deltas may stop for a while (a slow model): save what was shown when the interval ends.
            self._schedule_save(now)

    def _schedule_save(self, now: float) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            if self._position is None:  # no loop to wait on: save now, as a watched turn does
                self._insert_partial()
            return
        self._timer = loop.call_later(SAVE_INTERVAL - (now - self._last_save), self._save_partial)

    def _insert_partial(self) -> None:
        """Insert the answer streamed so far as an interrupted row (its later saves rewrite it)."""
        partial = Message(
            role=Role.ASSISTANT, content="".join(self._parts), model=self._model, interrupted=True
        )
        self._position = self.db.sessions.append_message(self.key, partial).position
        self._saved_length, self._last_save = len(self._parts), _now()

    def _save_partial(self) -> None:
        self._cancel_timer()
        if self._position is None and self._parts and self.lost is None:
            try:
                self._insert_partial()
            except DatabaseUnavailableError as exc:  # the text so far is kept with the rest
                self.lost = exc.message
                self._lost_parts = list(self._parts)
            return
        if self._position is None or len(self._parts) == self._saved_length or self.lost is not None:
            return
        try:
            self.db.sessions.update_message(self.key, self._position, content="".join(self._parts))
        except DatabaseUnavailableError as exc:  # the final message is kept instead
            self.lost = exc.message
            return
        self._saved_length, self._last_save = len(self._parts), _now()

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _tool_call(self, event: ToolCallFinished) -> None:
        store = self.db.sessions
        with self.db.transaction():  # the tool's message and its call record: one commit
            stored = store.append_message(self.key, event.message)
            store.record_tool_call(
                ToolCallRecord(
                    session_key=self.key,
                    name=event.call.name,
                    source=event.source,
                    kind=event.kind,
                    arguments=event.call.arguments,
                    result=event.result if event.error is None else None,
                    error=event.error,
                    duration_ms=event.duration_ms,
                    tool_call_id=event.call.id,
                )
            )
        self.outcome.new_messages.append(stored)
        try:
            args: Any = parse_arguments(event.call.arguments)
        except ValueError:
            args = event.call.arguments
        self.outcome.tool_calls.append(
            {
                "function_name": event.call.name,
                "function_args": args,
                "plugin": event.source if event.kind == "plugin" else None,
            }
        )
