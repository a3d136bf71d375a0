"""The model worker process: runs `OpenAICompatibleProvider` calls for the TUI, over pipes.

Run as `python -m smarter_tui.providers.worker`. Importing the `openai` SDK costs most of a
second of CPU and ~25 MB; done in the TUI it would hold the interpreter lock while the app
starts and delay a prompt sent right after start-up. Here it happens at once, on the other
core, while the app draws its first screen; so does one call through the SDK (`warm_up`), whose
first call costs more again. The worker reads `wire` messages on stdin and writes them on
stdout; it ends when stdin closes (the app quit or died).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import sys
import threading
from typing import Any, BinaryIO

from smarter_tui.domain.errors import ProviderError
from smarter_tui.domain.models import ModelReply, ModelRequest
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


#: What the warm-up's loopback server answers: a streamed text and tool call, then the usage.
_WARM_UP_STREAM = (
    b'data: {"id":"w","object":"chat.completion.chunk","created":0,"model":"w","choices":[{"index":0,'
    b'"delta":{"role":"assistant","content":"w","tool_calls":[{"index":0,"id":"c","type":"function",'
    b'"function":{"name":"f","arguments":"{}"}}]},"finish_reason":"tool_calls"}]}\n\n'
    b'data: {"id":"w","object":"chat.completion.chunk","created":0,"model":"w","choices":[],'
    b'"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}\n\n'
    b"data: [DONE]\n\n"
)
_WARM_UP_TOOL = {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}
#: The warm-up gives up after this long (it never should: its server answers at once).
_WARM_UP_TIMEOUT = 2.0


async def _answer_warm_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Read one request and answer it with `_WARM_UP_STREAM`, then close the connection."""
    with contextlib.suppress(OSError, ValueError, asyncio.IncompleteReadError):
        head = await reader.readuntil(b"\r\n\r\n")
        lengths = [line for line in head.lower().split(b"\r\n") if line.startswith(b"content-length:")]
        await reader.readexactly(int(lengths[0].partition(b":")[2]) if lengths else 0)
        writer.write(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n"
            b"content-length: %d\r\n\r\n%s" % (len(_WARM_UP_STREAM), _WARM_UP_STREAM)
        )
        await writer.drain()
    writer.close()


async def warm_up() -> bool:
    """Make one streamed chat completion through the SDK against a server of our own on loopback,
    before the app's first call: the SDK's first call pays for building its request, parameter
    transforms and stream parsing (~50 ms, 300 ms with a collection of the freshly imported SDK
    in between). Return whether it got its answer: one that fails costs its time (at most
    `_WARM_UP_TIMEOUT`) and nothing else. Raises OSError when loopback is unavailable."""
    from openai import DefaultAsyncHttpxClient

    server = await asyncio.start_server(_answer_warm_up, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    # Its own client, for plain HTTP to that server only: no proxy from the environment (which
    # would see the call), no certificates to load (~60 ms). The SDK's code paths are the same.
    http = DefaultAsyncHttpxClient(trust_env=False, verify=False)
    provider = OpenAICompatibleProvider(
        "warm-up",
        f"http://127.0.0.1:{port}/v1",
        None,
        "w",
        timeout=_WARM_UP_TIMEOUT,
        max_retries=0,
        http_client=http,
    )
    request = ModelRequest(model="w", messages=[{"role": "user", "content": "w"}], tools=[_WARM_UP_TOOL])
    try:
        async with asyncio.timeout(_WARM_UP_TIMEOUT):
            replies = [item async for item in provider.complete(request) if isinstance(item, ModelReply)]
    except (ProviderError, TimeoutError):
        return False
    finally:
        server.close()
        await http.aclose()
    return bool(replies and replies[0].tool_calls)


async def serve(stdin: BinaryIO, stdout: BinaryIO) -> None:
    """Serve the app's calls until stdin closes."""
    worker = Worker(stdout)
    with contextlib.suppress(Exception):  # an optimisation: nothing it raises may stop the worker
        await warm_up()
    # Everything imported and warmed lives as long as the worker: out of the collector's sight,
    # later collections (one per ~700 objects of a streamed answer) no longer walk the SDK.
    gc.freeze()
    gc.enable()
    loop = asyncio.get_running_loop()
    done: asyncio.Future[None] = loop.create_future()
    threading.Thread(target=_read, args=(stdin, loop, worker, done), daemon=True).start()
    worker.send({"ready": True})
    await done


def main() -> None:
    """Entry point of `python -m smarter_tui.providers.worker`."""
    # The SDK's import builds ~100,000 objects that live as long as the process; collecting
    # while they are built costs ~10% of that import for nothing (enabled again in `serve`).
    gc.disable()
    with contextlib.suppress(KeyboardInterrupt, BrokenPipeError):  # the app went: nothing to tell
        asyncio.run(serve(sys.stdin.buffer, sys.stdout.buffer))


if __name__ == "__main__":
    main()
