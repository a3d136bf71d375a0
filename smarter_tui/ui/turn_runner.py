"""One long-lived event loop thread for model turns, so HTTP connections are reused across turns."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from collections.abc import Coroutine
from typing import Any


class TurnHandle:
    """A turn running on the runner's loop: wait for its result, or cancel it from any thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._task: asyncio.Task[Any] | None = None
        self._future: concurrent.futures.Future[Any] = concurrent.futures.Future()

    def _start(self, coro: Coroutine[Any, Any, Any]) -> None:
        self._task = self._loop.create_task(coro)
        self._task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[Any]) -> None:
        # Resolve only when the task is really done, so work it does while cancelling
        # (saving the partial answer) is finished before anyone sees the result.
        if task.cancelled():
            self._future.cancel()
        elif task.exception() is not None:
            self._future.set_exception(task.exception())  # type: ignore[arg-type]
        else:
            self._future.set_result(task.result())

    def cancel(self) -> None:
        """Ask the turn to stop (thread-safe; a finished turn ignores it)."""

        def cancel_task() -> None:
            if self._task is not None:
                self._task.cancel()

        with contextlib.suppress(RuntimeError):  # the loop is closed: nothing left to cancel
            self._loop.call_soon_threadsafe(cancel_task)

    def result(self) -> Any:
        """Block until the turn ends; return its value or raise (CancelledError when cancelled)."""
        return self._future.result()

    @property
    def done(self) -> concurrent.futures.Future[Any]:
        """The future that resolves once the turn (and what it saves while cancelling) is over."""
        return self._future


class TurnRunner:
    """Runs coroutines on a daemon thread's event loop (started lazily, stopped with the app)."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._running: set[TurnHandle] = set()

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name="turns", daemon=True)
                thread.start()
                self._loop, self._thread = loop, thread
            return self._loop

    def submit(self, coro: Coroutine[Any, Any, Any]) -> TurnHandle:
        """Start `coro` on the loop and return its handle."""
        loop = self._ensure_loop()
        handle = TurnHandle(loop)
        with self._lock:
            self._running.add(handle)
        handle.done.add_done_callback(lambda _: self._forget(handle))
        # Scheduled before any later cancel() callback, so the task always exists when cancelled.
        loop.call_soon_threadsafe(handle._start, coro)
        return handle

    def _forget(self, handle: TurnHandle) -> None:
        with self._lock:
            self._running.discard(handle)

    def cancel_all(self, timeout: float = 5.0) -> None:
        """Cancel every running turn and wait (at most `timeout` s) until each has saved its text."""
        with self._lock:
            handles = list(self._running)
        for handle in handles:
            handle.cancel()
        concurrent.futures.wait([h.done for h in handles], timeout=timeout)

    def stop(self) -> None:
        """Stop the loop thread (running turns are abandoned; each message was saved as it came)."""
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is not None and thread is not None:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=2)
