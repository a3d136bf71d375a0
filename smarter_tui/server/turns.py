"""The turns the server is running: each is a task, so a disconnect or a shutdown can cancel it.

A cancelled turn saves its partial answer (marked interrupted) before the task ends: that is
`SessionService.send`'s contract; this module only keeps track of the tasks.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

from smarter_tui.server.errors import ServerStopping, provider_status
from smarter_tui.services.envelopes import prompt_response, prompt_response_v2
from smarter_tui.services.sessions import TurnOutcome

T = TypeVar("T")


class TurnRegistry:
    """Running turn tasks; `cancel_all` is what a SIGINT/SIGTERM triggers."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self.stopping = False

    def start(self, turn: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """Run a turn as a task of its own (kept referenced until it ends)."""
        task = asyncio.get_running_loop().create_task(turn)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        if self.stopping:
            task.cancel()
        return task

    def __len__(self) -> int:
        return len(self._tasks)

    def cancel_all(self) -> None:
        """Cancel every running turn (each saves what it has shown); new turns are cancelled at once."""
        self.stopping = True
        for task in list(self._tasks):
            task.cancel()

    async def wait(self, timeout: float = 10.0) -> None:
        """Wait until the running turns have saved and ended (at most `timeout` seconds)."""
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=timeout)


async def finish(task: asyncio.Task[TurnOutcome]) -> TurnOutcome:
    """Wait for a turn; a turn cancelled by a shutdown still gives its (interrupted) outcome."""
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if current is not None and current.cancelling():
            task.cancel()  # this request itself was cancelled: stop its turn too
            raise
        # Only the turn was cancelled (a shutdown): it saved its partial answer before ending.
        raise ServerStopping(
            "The server is shutting down: the partial answer was saved (interrupted)"
        ) from None


def answer(outcome: TurnOutcome, client: str, v2: bool) -> tuple[int, dict[str, Any]]:
    """Return (HTTP status, body) for a finished turn in the requested contract."""
    status = 200
    if outcome.error:
        status = provider_status(outcome.status)
    elif outcome.interrupted:
        status = 503
        outcome.error = "The server is shutting down: the partial answer was saved (interrupted)"
    if v2:
        return status, prompt_response_v2(outcome, client, status)
    body = prompt_response(outcome, client)
    if status != 200:
        body["error"] = {"errorClass": "LLMProviderError", "description": outcome.error, "status": status}
    return status, body
