"""Run a prompt in a session and persist every event of the turn as it arrives."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from smarter_tui.domain.errors import NotFoundError, RequestError
from smarter_tui.domain.events import (
    AssistantMessageAdded,
    PluginSelected,
    SystemRoleAdded,
    ToolCallFinished,
    TurnEvent,
    TurnFailed,
    TurnFinished,
    UserMessageAdded,
)
from smarter_tui.domain.messages import Message, Role, parse_arguments
from smarter_tui.domain.records import PluginSelectionRecord, SessionInfo, ToolCallRecord
from smarter_tui.orchestration.loop import run_turn
from smarter_tui.services.runtime import ClientRuntime, RuntimeBuilder, system_role_of
from smarter_tui.storage import Database

SESSION_KEY = re.compile(r"^[a-fA-F0-9]{64}$")

EventCallback = Callable[[TurnEvent], None]


def check_session_key(key: str) -> str:
    """Return the key lower-cased; raise RequestError when it is not 64 hex characters."""
    if not SESSION_KEY.match(key):
        raise RequestError("A session key is 64 hexadecimal characters")
    return key.lower()


@dataclass(slots=True)
class TurnOutcome:
    """The result of one turn, as the CLI and the HTTP API report it."""

    session_key: str
    client: str
    prompt: str
    new_messages: list[Message] = field(default_factory=list)  # stored copies, user prompt included
    error: str | None = None
    status: int | None = None
    interrupted: bool = False
    finished: TurnFinished | None = None
    tool_calls: list[dict[str, Any]] = field(default_factory=list)  # SPEC §8.1 metadata.tool_calls

    @property
    def answer(self) -> str:
        """Return the final assistant text ('' when the turn failed before any)."""
        return self.finished.message.content or "" if self.finished else ""

    def added_by_model(self) -> list[Message]:
        """Return the messages the turn added after the prompt (assistant and tool messages)."""
        return [m for m in self.new_messages if m.role in (Role.ASSISTANT, Role.TOOL)]


class SessionService:
    """Creates sessions and runs turns; the only writer of messages and tool-call records."""

    def __init__(self, db: Database, runtimes: RuntimeBuilder) -> None:
        self.db = db
        self.runtimes = runtimes

    def start(self, client: str, sandbox: bool = False) -> SessionInfo:
        """Create a session for `client`, with its system prompt as the first message."""
        system = system_role_of(self.runtimes.client(client))
        info = self.db.sessions.create(client=client, sandbox=sandbox)
        self.db.sessions.append_message(info.session_key, Message(role=Role.SYSTEM, content=system))
        return self.db.sessions.get(info.session_key) or info

    def session(self, key: str) -> SessionInfo:
        """Return a session; raise NotFoundError for an unknown key."""
        info = self.db.sessions.get(check_session_key(key))
        if info is None:
            raise NotFoundError(f"No session with key {key[:12]}…")
        return info

    def tool_calls(self, key: str) -> list[ToolCallRecord]:
        """Return the tool calls recorded for a session, in order (durations and errors included)."""
        return self.db.sessions.tool_calls(self.session(key).session_key)

    def runtime(self, client: str, session_key: str | None) -> ClientRuntime:
        """Return the runtime of a client for a session (tools bound to the session's memory)."""
        return self.runtimes.build(client, session_key, self.db.memories)

    async def send(
        self,
        prompt: str,
        *,
        client: str | None = None,
        session_key: str | None = None,
        on_event: EventCallback | None = None,
        stream: bool = True,
    ) -> TurnOutcome:
        """Run one turn and return its outcome; every event is persisted before `on_event` sees it.

        Give `client` to start a new session, `session_key` to continue one (or both). Model
        failures come back in `outcome.error` with the session intact. If the calling task is
        cancelled mid-answer, the partial answer is saved (interrupted) and CancelledError is
        re-raised after persisting.
        """
        if not prompt or not prompt.strip():
            raise RequestError("The prompt is empty")
        if session_key:
            info = self.session(session_key)
            if client and client != info.client:
                raise RequestError(f"Session {info.session_key[:12]}… belongs to client '{info.client}'")
        elif client:
            info = self.start(client)
        else:
            raise RequestError("Give a client name or a session key")
        runtime = self.runtime(info.client, info.session_key)
        runtime.settings.stream = stream
        history = self.db.sessions.messages(info.session_key)
        outcome = TurnOutcome(session_key=info.session_key, client=info.client, prompt=prompt)
        events = run_turn(
            runtime.provider, history, prompt, runtime.settings, runtime.functions, runtime.plugins
        )
        async for event in events:
            self._persist(outcome, event)
            if on_event is not None:
                on_event(event)
        task = asyncio.current_task()
        if outcome.interrupted and task is not None and task.cancelling():
            raise asyncio.CancelledError
        return outcome

    def _persist(self, outcome: TurnOutcome, event: TurnEvent) -> None:
        """Write one event to storage (each message is its own commit)."""
        key = outcome.session_key
        store = self.db.sessions
        if isinstance(event, UserMessageAdded | SystemRoleAdded | AssistantMessageAdded):
            outcome.new_messages.append(store.append_message(key, event.message))
        elif isinstance(event, ToolCallFinished):
            stored = store.append_message(key, event.message)
            outcome.new_messages.append(stored)
            store.record_tool_call(
                ToolCallRecord(
                    session_key=key,
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
            try:
                args: Any = parse_arguments(event.call.arguments)
            except ValueError:
                args = event.call.arguments
            outcome.tool_calls.append(
                {
                    "function_name": event.call.name,
                    "function_args": args,
                    "plugin": event.source if event.kind == "plugin" else None,
                }
            )
        elif isinstance(event, PluginSelected):
            store.record_selection(
                PluginSelectionRecord(
                    session_key=key, plugin=event.plugin, term=event.term, prompt=event.prompt
                )
            )
        elif isinstance(event, TurnFinished):
            outcome.finished = event
            outcome.interrupted = event.message.interrupted
        elif isinstance(event, TurnFailed):
            outcome.error = event.error
            outcome.status = event.status
