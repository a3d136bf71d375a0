"""Run a prompt in a session and persist every event of the turn as it arrives."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import re
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from smarter_tui.domain.errors import (
    AmbiguousKeyError,
    DatabaseUnavailableError,
    NotFoundError,
    RequestError,
    SessionBusyError,
)
from smarter_tui.domain.events import TurnEvent, TurnFinished
from smarter_tui.domain.messages import Message, Role
from smarter_tui.domain.records import ChatSettings, SessionInfo, ToolCallRecord
from smarter_tui.services.runtime import ClientRuntime, RuntimeBuilder, system_role_of
from smarter_tui.services.turn_recorder import TurnRecorder
from smarter_tui.storage import Database
from smarter_tui.storage.leases import LEASE_TTL_MS, new_owner

SESSION_KEY = re.compile(r"^[a-fA-F0-9]{64}$")
SESSION_PREFIX = re.compile(r"^[a-fA-F0-9]{6,64}$")
#: The shortest prefix accepted for a session key (the app shows 8 characters).
MIN_KEY_PREFIX = 6
#: How many candidates an ambiguous prefix lists.
_LISTED_MATCHES = 10

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
    plugins: list[str] = field(default_factory=list)  # the plugins selected for the prompt
    tools: list[str] = field(default_factory=list)  # the function names offered to the model

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
        self._pending_settings: dict[str, ChatSettings] = {}  # keys handed out, no session yet
        #: Turns whose end the database missed (it went away mid-answer), by session key.
        self._unsaved: dict[str, TurnRecorder] = {}
        #: Turn leases whose release the database missed, by session key (owner).
        self._stale_leases: dict[str, str] = {}

    def record_error(self, key: str, error: str) -> Message | None:
        """Store why a turn could not run in its session; None when the session does not exist."""
        if self.db.sessions.get(key) is None:
            return None  # a new chat's first prompt failed before it was stored: nothing to attach to
        return self.db.sessions.append_message(key, Message(Role.ERROR, error))

    def save_unsaved(self, key: str | None = None) -> int:
        """Write the turns the database missed (of one session, or all); return how many are left.

        Raises DatabaseUnavailableError when a session's earlier answer still cannot be saved,
        so a new prompt is never stored before it.
        """
        keys = [key] if key is not None else list({*self._unsaved, *self._stale_leases})
        for session_key in keys:
            recorder = self._unsaved.get(session_key)
            if recorder is not None:
                if not recorder.flush():
                    raise DatabaseUnavailableError(
                        f"The database is still away ({recorder.lost}); the previous answer of session "
                        f"{session_key[:12]}… is kept in memory until it can be saved"
                    )
                del self._unsaved[session_key]
            if session_key in self._stale_leases:
                self.db.leases.release(session_key, self._stale_leases.pop(session_key))
        return len(self._unsaved)

    def new_session_key(self) -> str:
        """Return a fresh session key; nothing is stored until a prompt is sent with it.

        A session exists once it has a message: the config object and a new chat hand out this
        key, and the first `send` with it (and a client) creates the session with its prompt.
        """
        return secrets.token_hex(32)

    def resolve_key(self, key: str) -> str:
        """Return the full key of the one session whose key is `key` or starts with it.

        Any unique prefix of at least 6 hexadecimal characters works (any case, blanks and a
        trailing "…" as the app shortens keys ignored): the one resolver of the CLI, the app and
        the HTTP API. Raises RequestError for a malformed prefix, AmbiguousKeyError (a
        RequestError listing the matches) when several sessions match, NotFoundError when none.
        """
        text = key.strip().rstrip("…").lower() if isinstance(key, str) else ""
        if not SESSION_PREFIX.match(text):
            raise RequestError(
                f"A session key is {MIN_KEY_PREFIX} to 64 hexadecimal characters (a unique prefix of "
                f"the full key), not {key!r}"
            )
        matches = self.db.sessions.keys_with_prefix(text, limit=_LISTED_MATCHES + 1)
        if not matches:
            raise NotFoundError(f"No session key starts with {text}")
        if len(matches) > 1:
            shown = ", ".join(matches[:_LISTED_MATCHES]) + (", …" if len(matches) > _LISTED_MATCHES else "")
            raise AmbiguousKeyError(
                f"The session key prefix {text} matches several sessions: {shown}",
                matches[:_LISTED_MATCHES],
            )
        return matches[0]

    def session(self, key: str) -> SessionInfo:
        """Return a session by full key or unique prefix (see `resolve_key`); raise NotFoundError."""
        if isinstance(key, str) and SESSION_KEY.match(key.strip()):  # a full key: one lookup
            found = self.db.sessions.get(key.strip().lower())
            if found is None:
                raise NotFoundError(f"No session key starts with {key.strip().lower()}")
            return found
        info = self.db.sessions.get(self.resolve_key(key))
        if info is None:  # deleted between the two reads
            raise NotFoundError(f"No session with key {key}")
        return info

    def full_key(self, key: str) -> str:
        """Return a full key lowercased as given (no lookup), or the key a prefix resolves to.

        For reads that fail by themselves on an unknown session (NotFoundError): one query less
        than `session` when the key is full. Raises like `resolve_key` for a prefix.
        """
        if isinstance(key, str) and SESSION_KEY.match(key.strip()):
            return key.strip().lower()
        return self.resolve_key(key)

    def tool_calls(self, key: str) -> list[ToolCallRecord]:
        """Return the tool calls recorded for a session, in order (durations and errors included)."""
        return self.db.sessions.tool_calls(self.session(key).session_key)

    def chat_settings(self, session_key: str | None) -> ChatSettings:
        """Return a chat's own settings: stored with its session, or pending for a key handed
        out by `new_session_key` whose session does not exist yet (none for a new chat)."""
        if not session_key:
            return ChatSettings()
        key = session_key.lower()
        if key in self._pending_settings:
            return self._pending_settings[key]
        try:
            return ChatSettings.from_dict(self.db.sessions.chat_settings(key))
        except NotFoundError:
            return ChatSettings()

    def set_chat_settings(self, session_key: str, settings: ChatSettings) -> None:
        """Store a chat's own settings; for a session not created yet, keep them until its first
        turn creates it (a session exists once it has a message)."""
        key = check_session_key(session_key)
        if self.db.sessions.get(key) is None:
            self._pending_settings[key] = settings
        else:
            self.db.sessions.set_chat_settings(key, settings.to_dict())

    def _keep_pending_settings(self, key: str) -> None:
        """Store the pending settings of `key` once its first turn has created the session."""
        pending = self._pending_settings.get(key)
        if pending is not None and self.db.sessions.get(key) is not None:
            self.db.sessions.set_chat_settings(key, pending.to_dict())
            del self._pending_settings[key]

    def runtime(self, client: str, session_key: str | None) -> ClientRuntime:
        """Return the runtime of a client for a session (its chat settings over the client's)."""
        overrides = self.chat_settings(session_key)
        return self.runtimes.build(client, session_key, self.db.memories, overrides)

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

        Give `client` to start a new session (with a key from `new_session_key`, or a random one),
        `session_key` to continue one. Only one turn runs on a session at a time, across every
        process on the database: a second one raises SessionBusyError at once (see `_lease`).
        Model failures come back in `outcome.error` with the session intact. If the calling task
        is cancelled mid-answer, the partial answer is saved (interrupted) and CancelledError is
        re-raised after persisting.
        """
        if not prompt or not prompt.strip():
            raise RequestError("The prompt is empty")
        if session_key and SESSION_KEY.match(session_key):
            self.save_unsaved(session_key.lower())  # an answer the database missed goes first
        info = None
        if session_key:
            try:
                info = self.session(session_key)  # a full key or a unique prefix
            except NotFoundError:
                if not client or not SESSION_KEY.match(session_key):
                    raise
                # else: a fresh key from new_session_key, whose session this prompt creates
        if info is not None:
            self.save_unsaved(info.session_key)  # an answer the database missed goes first
        if info is not None:
            if client and client != info.client:
                raise RequestError(f"Session {info.session_key[:12]}… belongs to client {info.client!r}")
            key, client = info.session_key, info.client
        elif client:
            key = check_session_key(session_key) if session_key else self.new_session_key()
        else:
            raise RequestError("Give a client name or a session key")
        outcome = TurnOutcome(session_key=key, client=client, prompt=prompt)
        async with self._lease(key):
            runtime = self.runtime(client, key)
            runtime.settings.stream = stream
            if info is None:
                first = Message(role=Role.SYSTEM, content=system_role_of(runtime.client))
                history = [first]
            else:
                # Only the current branch: superseded and deleted messages stay stored but unseen.
                first, history = None, self.db.sessions.messages(key, context_only=True)
            own_prompt = self.chat_settings(key).system_prompt
            if own_prompt and history and history[0].role is Role.SYSTEM:
                # This chat's own system prompt replaces the stored one (the client's) in the request.
                history[0] = dataclasses.replace(history[0], content=own_prompt)
            recorder = TurnRecorder(self.db, outcome, first=first, watched=on_event is not None)
            from smarter_tui.orchestration.loop import run_turn  # imported by warm-up, or here

            events = run_turn(
                runtime.provider, history, prompt, runtime.settings, runtime.functions, runtime.plugins
            )
            try:
                async for event in events:
                    recorder.record(event)
                    if on_event is not None:
                        on_event(event)
            finally:
                recorder.close()
                self._keep_pending_settings(key)
        if recorder.lost is not None:
            self._unsaved[key] = recorder
            raise DatabaseUnavailableError(
                f"The database went away mid-answer ({recorder.lost}). The answer is kept in memory "
                "and is saved when the database is back (the session's next prompt tries again)"
            )
        task = asyncio.current_task()
        if outcome.interrupted and task is not None and task.cancelling():
            raise asyncio.CancelledError
        return outcome

    @contextlib.asynccontextmanager
    async def _lease(self, key: str) -> AsyncIterator[None]:
        """Hold the session's turn lease for the block, renewing it while the turn runs.

        A second turn is refused rather than queued: its prompt was written without seeing the
        answer still streaming, a turn can last minutes (tool rounds, slow models) that an HTTP
        request or a script should not sit through blind, and a refusal is cheap to retry by a
        caller who knows whether it wants to. `serve` maps the error to 409 Conflict.
        """
        leases = self.db.leases
        owner = new_owner()
        holder = leases.acquire(key, owner)
        if holder is not None:
            where = "this process" if holder.split(":")[:2] == owner.split(":")[:2] else "another process"
            raise SessionBusyError(
                f"Session {key[:12]}… is answering another prompt in {where}; "
                "send this one when that answer has finished"
            )

        async def renew() -> None:
            while True:
                await asyncio.sleep(LEASE_TTL_MS / 3000)
                with contextlib.suppress(DatabaseUnavailableError):  # retried at the next tick
                    leases.renew(key, owner)

        renewal = asyncio.ensure_future(renew())
        try:
            yield
        finally:
            renewal.cancel()
            try:
                leases.release(key, owner)
            except DatabaseUnavailableError:  # released with the kept answer (or it expires)
                self._stale_leases[key] = owner
