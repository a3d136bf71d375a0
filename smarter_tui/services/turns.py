"""Turns for interactive front ends: start one, follow its typed events in batches, cancel it.

A turn runs as ONE task on the caller's event loop (the TUI's): the model stream, tool calls and
persistence all happen there, and the front end reads what happened from `Turn.batches()`. No
thread and no second loop sit in between: cancelling is `task.cancel()`, and events of a turn
the user left cannot reach another chat because each `Turn` is its own object.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Literal

from smarter_tui.domain.errors import SmarterError
from smarter_tui.domain.events import SessionStarted, TurnEnded, TurnEvent
from smarter_tui.services.sessions import SessionService, TurnOutcome

TurnState = Literal["ready", "interrupted", "error"]


TurnUpdate = TurnEvent | SessionStarted | TurnEnded


class Turn:
    """One prompt being answered; created by `TurnService.start` on the running event loop."""

    def __init__(self, sessions: SessionService, prompt: str, client: str, session_key: str | None) -> None:
        self.prompt = prompt
        self.client = client
        self.session_key = session_key
        self.ended: TurnEnded | None = None
        self._sessions = sessions
        self._queue: asyncio.Queue[TurnUpdate] = asyncio.Queue()
        self._task = asyncio.get_running_loop().create_task(self._run(), name="turn")

    @property
    def done(self) -> bool:
        """True once the turn has ended (its last event may still wait to be read)."""
        return self._task.done()

    def cancel(self) -> None:
        """Stop the answer; what streamed so far is saved, marked interrupted (no-op when done)."""
        self._task.cancel()

    async def wait(self) -> TurnEnded:
        """Wait for the end of the turn (without reading its events) and return how it ended."""
        await asyncio.shield(self._task)
        assert self.ended is not None
        return self.ended

    async def batches(self) -> AsyncIterator[list[TurnUpdate]]:
        """Yield the turn's events in order, as lists of what arrived since the last one.

        The list is what piled up while the reader was busy (rendering): a fast model's tokens
        arrive in a few large batches instead of thousands of single wake-ups. Ends after
        `TurnEnded`.
        """
        while True:
            batch = [await self._queue.get()]
            while not self._queue.empty():
                batch.append(self._queue.get_nowait())
            yield batch
            if isinstance(batch[-1], TurnEnded):
                return

    def _put(self, update: TurnUpdate) -> None:
        self._queue.put_nowait(update)

    async def _run(self) -> None:
        outcome: TurnOutcome | None = None
        error: str | None = None
        try:
            key = self.session_key
            if key is None:
                # Known before the model call (even if the turn is cancelled); stored with the prompt.
                key = self.session_key = self._sessions.new_session_key()
                self._put(SessionStarted(key))
            outcome = await self._sessions.send(
                self.prompt, client=self.client, session_key=key, on_event=self._put
            )
        except asyncio.CancelledError:
            pass  # the partial answer was saved interrupted; the turn ends below, as interrupted
        except SmarterError as exc:
            error = exc.message
        except Exception as exc:  # noqa: BLE001 - an unexpected failure must still end the turn visibly
            error = f"{type(exc).__name__}: {exc}"
        if error is not None and self.session_key is not None:
            # A failure before the model call (a missing key, say) stays with the session too.
            # If the session itself is gone the error is still shown, just not stored.
            with contextlib.suppress(Exception):
                self._sessions.record_error(self.session_key, error)
        if outcome is None:
            state: TurnState = "error" if error else "interrupted"
        else:
            error = outcome.error
            state = "error" if outcome.error else ("interrupted" if outcome.interrupted else "ready")
        self.ended = TurnEnded(self.session_key, state, error, outcome)
        self._put(self.ended)


class TurnService:
    """Starts turns for the TUI (the CLI and the HTTP API await `SessionService.send` directly)."""

    def __init__(self, sessions: SessionService) -> None:
        self.sessions = sessions
        self._running: set[Turn] = set()

    def start(self, prompt: str, *, client: str, session_key: str | None = None) -> Turn:
        """Start answering `prompt` on the running event loop and return the turn.

        `session_key` None starts a new session with `client`. Read what happens from
        `Turn.batches()`; nothing raises here (failures arrive as `TurnEnded(state="error")`).
        """
        turn = Turn(self.sessions, prompt, client, session_key)
        self._running.add(turn)
        turn._task.add_done_callback(lambda _: self._running.discard(turn))
        return turn

    async def cancel_all(self, timeout: float = 5.0) -> None:
        """Cancel every running turn and wait (at most `timeout` s) until each has saved its text."""
        turns = list(self._running)
        for turn in turns:
            turn.cancel()
        if turns:
            await asyncio.wait([t._task for t in turns], timeout=timeout)
