"""Model calls through the model worker process (see `providers.worker`), for the TUI.

`ModelWorker.start()` spawns the worker at once, so the SDK is imported there while the app
starts; `ModelWorker.make_provider` is a `make_provider` whose real providers are
`WorkerProvider`s: the same `ModelProvider` protocol, the same loop, the same errors, with the
HTTP call made in the worker. A worker that died (killed, crashed) is started again by the next
call, and the calls it was running end with a `ProviderError`.
"""

from __future__ import annotations

import asyncio
import itertools
import subprocess
import threading
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing, suppress
from typing import Any

from smarter_tui.domain.errors import ProviderError
from smarter_tui.domain.models import ModelProvider, ModelReply, ModelRequest, TextChunk
from smarter_tui.providers import is_offline, make_provider, model_timeout
from smarter_tui.providers.wire import (
    decode,
    encode,
    error_from_wire,
    reply_from_wire,
    request_to_wire,
)
from smarter_tui.providers.worker_process import spawn_worker

_STOPPED_MESSAGE = "The model worker process stopped in the middle of the call."
_STOPPED: dict[str, Any] = {"message": _STOPPED_MESSAGE, "status": None}


class _Inbox:
    """What a worker sent for one call, handed from the reader thread to the caller's loop.

    The reader appends; the loop is woken once for all that piled up meanwhile, not once per
    message (a fast model's 2,000 tokens would be 2,000 wake-ups of the app's loop).
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.backlog: deque[dict[str, Any]] = deque()
        self.ready = asyncio.Event()
        self._woken = False

    def put(self, message: dict[str, Any]) -> None:
        """Add a message (from the reader thread)."""
        self.backlog.append(message)
        if not self._woken:
            self._woken = True
            self.loop.call_soon_threadsafe(self._wake)

    def _wake(self) -> None:
        self._woken = False  # before the caller reads: a later message wakes it again
        self.ready.set()

    async def get(self) -> list[dict[str, Any]]:
        """Wait for messages and return all that arrived (on the caller's loop)."""
        while not self.backlog:
            self.ready.clear()
            await self.ready.wait()
        taken = list(self.backlog)
        for _ in taken:
            self.backlog.popleft()
        return taken


class _Channel:
    """One worker process, its pipes, and the calls sent to it that have not ended."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process
        self.calls: set[int] = set()
        self.alive = True

    @property
    def usable(self) -> bool:
        return self.alive and self.process.poll() is None


class ModelWorker:
    """The app's side of the model worker: the process, its pipes and the calls in flight."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # one writer at a time; the process is replaced under it
        self._channel: _Channel | None = None
        self._configs: dict[int, dict[str, Any]] = {}  # every provider opened, to reopen after a restart
        self._inboxes: dict[int, _Inbox] = {}
        self._numbers = itertools.count(1)

    @classmethod
    def start(cls, process: subprocess.Popen[bytes] | None = None) -> ModelWorker:
        """Spawn the worker now (it imports the SDK while the caller goes on) and return it.

        `process`: a worker already spawned by `spawn_worker` (the app does it first of all),
        taken over instead of spawning another.
        """
        worker = cls()
        with worker._lock:
            worker._spawn(process)
        return worker

    def _spawn(self, process: subprocess.Popen[bytes] | None = None) -> _Channel:
        """Start a worker process, or take over `process` (lock held); open every provider in it again."""
        if self._channel is not None and self._channel.process.poll() is None:
            self._channel.process.kill()
        channel = self._channel = _Channel(process or spawn_worker())
        threading.Thread(target=self._read, args=(channel,), daemon=True, name="model-worker").start()
        for number, config in self._configs.items():
            self._put(channel, {"op": "open", "provider": number, "config": config})
        return channel

    @staticmethod
    def _put(channel: _Channel, message: dict[str, Any]) -> None:
        stdin = channel.process.stdin
        assert stdin is not None
        stdin.write(encode(message))
        stdin.flush()

    def _write(self, message: dict[str, Any], call: int | None = None) -> None:
        """Write to the worker (lock held), starting a new one when the last has gone."""
        for _ in range(2):
            channel = self._channel
            if channel is None or not channel.usable:
                channel = self._spawn()
            try:
                self._put(channel, message)
            except OSError:  # a broken pipe: the process is going; the next one takes the call
                channel.alive = False
                continue
            if call is not None:
                channel.calls.add(call)
            return
        raise ProviderError("The model worker process could not be started.")

    def _read(self, channel: _Channel) -> None:
        """Hand each message of one worker process to its call; at the process's end, fail the rest."""
        assert channel.process.stdout is not None
        for line in channel.process.stdout:
            message = decode(line)
            call = message.get("id", 0)
            if message.get("end"):
                with self._lock:
                    channel.calls.discard(call)
            self._deliver(call, message)
        with self._lock:
            channel.alive = False
            for call in channel.calls:
                self._deliver(call, {"id": call, "error": _STOPPED})
                self._deliver(call, {"id": call, "end": True})
            channel.calls.clear()

    def _deliver(self, call: int, message: dict[str, Any]) -> None:
        inbox = self._inboxes.get(call)
        if inbox is not None:
            inbox.put(message)

    def open(self, config: dict[str, Any]) -> int:
        """Build a provider in the worker (and its SDK client, ahead of the first call); return its number."""
        number = next(self._numbers)
        with self._lock:
            self._configs[number] = config
            self._write({"op": "open", "provider": number, "config": config})
        return number

    async def call(self, message: dict[str, Any]) -> AsyncGenerator[dict[str, Any], None]:
        """Send a call and yield what the worker answers, up to its end; cancel it if left early."""
        number = next(self._numbers)
        inbox = self._inboxes[number] = _Inbox(asyncio.get_running_loop())
        ended = False
        try:
            with self._lock:
                self._write({**message, "id": number}, call=number)
            while not ended:
                for answer in await inbox.get():
                    ended = bool(answer.get("end"))
                    if ended:
                        break
                    yield answer
        finally:
            del self._inboxes[number]
            if not ended:
                with self._lock, suppress(OSError):  # a gone worker has stopped the call already
                    if self._channel is not None and self._channel.usable:
                        self._put(self._channel, {"op": "cancel", "id": number})

    def make_provider(
        self,
        name: str,
        base_url: str | None,
        api_key: str | None,
        default_model: str,
        timeout: float | None = None,
    ) -> ModelProvider:
        """`make_provider`, with the calls of real providers made in the worker."""
        if base_url is None or is_offline(name, base_url):
            return make_provider(name, base_url, api_key, default_model, timeout)
        config = {
            "name": name,
            "base_url": base_url,
            "api_key": api_key,
            "default_model": default_model,
            "timeout": timeout or model_timeout(),
        }
        return WorkerProvider(self, name, base_url, default_model, self.open(config))

    def close(self) -> None:
        """End the worker (it exits when its input closes; killed if it does not within 2 s)."""
        with self._lock:
            channel, self._channel = self._channel, None
        if channel is None:
            return
        process = channel.process
        assert process.stdin is not None
        try:
            process.stdin.close()
            process.wait(timeout=2.0)
        except (OSError, subprocess.TimeoutExpired):
            process.kill()
            process.wait()


class WorkerProvider:
    """An OpenAI-compatible provider whose calls the model worker makes (see `ModelWorker`)."""

    offline = False

    def __init__(
        self, worker: ModelWorker, name: str, base_url: str, default_model: str, number: int
    ) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.default_model = default_model
        self._worker = worker
        self._number = number

    def __repr__(self) -> str:
        return (
            f"WorkerProvider(name={self.name!r}, base_url={self.base_url!r}, "
            f"default_model={self.default_model!r})"
        )

    async def complete(self, request: ModelRequest) -> AsyncIterator[TextChunk | ModelReply]:
        """Call the model in the worker; yield `TextChunk`s, then the `ModelReply` (see the protocol)."""
        message = {"op": "complete", "provider": self._number, "request": request_to_wire(request)}
        async with aclosing(self._worker.call(message)) as answers:
            async for answer in answers:
                if "chunk" in answer:
                    yield TextChunk(answer["chunk"])
                elif "reply" in answer:
                    yield reply_from_wire(answer["reply"])
                elif "error" in answer:
                    raise error_from_wire(answer["error"])

    async def list_models(self) -> list[str]:
        """Return the model ids the server lists, sorted. Raises ProviderError."""
        models: list[str] | None = None
        async with aclosing(self._worker.call({"op": "models", "provider": self._number})) as answers:
            async for answer in answers:
                if "error" in answer:
                    raise error_from_wire(answer["error"])
                models = answer["models"]
        if models is None:
            raise ProviderError(_STOPPED_MESSAGE)
        return models
