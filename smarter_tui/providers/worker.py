"""The model worker process: runs `OpenAICompatibleProvider` calls for the TUI, over pipes.

Run as `python -m smarter_tui.providers.worker`. Importing the `openai` SDK costs most of a
second of CPU and ~25 MB; done in the TUI it would hold the interpreter lock while the app
starts and delay a prompt sent right after start-up. Here it happens at once, on the other
core, while the app draws its first screen. The worker reads `wire` messages on stdin and
writes them on stdout; it ends when stdin closes (the app quit or died).
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
from typing import Any, BinaryIO

from smarter_tui.domain.errors import ProviderError
from smarter_tui.domain.models import ModelReply
from smarter_tui.providers import wire
from smarter_tui.providers.openai_compat import OpenAICompatibleProvider


class Worker:
    """The worker's state: its providers by number and the calls running, on one event loop."""

    def __init__(self, out: BinaryIO) -> None:
        from openai import DefaultAsyncHttpxClient

        self._out = out
        self._http = DefaultAsyncHttpxClient()  # one TLS context and pool for every provider
        self._providers: dict[int, OpenAICompatibleProvider] = {}
        self._calls: dict[int, asyncio.Task[None]] = {}

    def send(self, message: dict[str, Any]) -> None:
        """Write one message to the app."""
        self._out.write(wire.encode(message))
        self._out.flush()

    def handle(self, message: dict[str, Any]) -> None:
        """Act on one message from the app (on the loop's thread)."""
        op = message["op"]
        if op == "open":
            provider = OpenAICompatibleProvider(**message["config"], http_client=self._http)
            provider.prepare()  # the SDK client now, not on the first prompt
            self._providers[message["provider"]] = provider
        elif op == "cancel":
            task = self._calls.get(message["id"])
            if task is not None:
                task.cancel()
        elif op in ("complete", "models"):
            call = message["id"]
            self._calls[call] = asyncio.get_running_loop().create_task(self._call(message))

    async def _call(self, message: dict[str, Any]) -> None:
        call = message["id"]
        try:
            provider = self._providers[message["provider"]]
            if message["op"] == "models":
                self.send({"id": call, "models": await provider.list_models()})
            else:
                async for item in provider.complete(wire.request_from_wire(message["request"])):
                    if isinstance(item, ModelReply):
                        self.send({"id": call, "reply": wire.reply_to_wire(item)})
                    else:
                        self.send({"id": call, "chunk": item.text})
        except asyncio.CancelledError:
            pass  # the app stopped reading: the stream is closed, nothing more to say
        except ProviderError as exc:
            self.send({"id": call, "error": wire.error_to_wire(exc)})
        except Exception as exc:  # a bug must reach the app as an error, never kill the worker
            self.send({"id": call, "error": {"message": f"The model call failed: {exc!r}", "status": None}})
        finally:
            self._calls.pop(call, None)
            self.send({"id": call, "end": True})


def _read(
    stdin: BinaryIO, loop: asyncio.AbstractEventLoop, worker: Worker, done: asyncio.Future[None]
) -> None:
    """Hand each line of stdin to the loop; resolve `done` at end of file."""
    for line in stdin:
        loop.call_soon_threadsafe(worker.handle, wire.decode(line))
    loop.call_soon_threadsafe(done.set_result, None)


async def serve(stdin: BinaryIO, stdout: BinaryIO) -> None:
    """Serve the app's calls until stdin closes."""
    worker = Worker(stdout)
    loop = asyncio.get_running_loop()
    done: asyncio.Future[None] = loop.create_future()
    threading.Thread(target=_read, args=(stdin, loop, worker, done), daemon=True).start()
    worker.send({"ready": True})
    await done


def main() -> None:
    """Entry point of `python -m smarter_tui.providers.worker`."""
    with contextlib.suppress(KeyboardInterrupt, BrokenPipeError):  # the app went: nothing to tell
        asyncio.run(serve(sys.stdin.buffer, sys.stdout.buffer))


if __name__ == "__main__":
    main()
