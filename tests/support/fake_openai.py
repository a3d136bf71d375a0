"""A real OpenAI-compatible HTTP server on 127.0.0.1 that plays scripted replies, for tests.

Standard library only. Start it as a context manager (or use the `fake_openai` pytest fixture in
`tests/support/fixtures.py`), point a client at `server.base_url`, and `enqueue` one `Reply`
per expected model call::

    with FakeOpenAI() as server:
        server.enqueue(Reply(text="Hello"))
        server.enqueue(Reply(tool_calls=[("calculator", '{"expression": "2+2"}')], arg_chunks=3))
        ...
        assert server.requests[0]["messages"][-1]["content"] == "Hi"

Routes: `POST /v1/chat/completions` (streaming SSE when the body has `"stream": true`, else one
JSON chat.completion) and `GET /v1/models`. A call with no scripted reply left gets a 500 whose
message contains "no scripted reply", so a test making too many calls fails visibly.
"""

from __future__ import annotations

import collections
import json
import math
import re
import select
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

__all__ = ["FakeOpenAI", "Reply"]


@dataclass
class Reply:
    """One scripted answer to one chat-completions call.

    - `text`: assistant text; `chunks` optionally gives the exact stream split (joined they should
      equal `text`; when `text` is None the joined chunks are the text).
    - `tool_calls`: `(name, arguments_json)` pairs; each call's arguments are split across
      `arg_chunks` stream chunks. Ids are `call_<n>`, numbered per server from 1.
    - `status` != 200: an HTTP error with `{"error": {"message": error, ...}}`; `retry_after`
      (seconds) adds `retry-after` / `retry-after-ms` headers (0 means "retry at once").
    - `cut_after`: the stream (or body) is closed abruptly after this many content/tool chunks
      (the leading role chunk is not counted), without finish_reason or `[DONE]`.
    - `delay`: seconds slept before every chunk after the first (the server notices a client
      that goes away while it waits: see `FakeOpenAI.disconnects`).
    - `usage`: `(prompt_tokens, completion_tokens)` to report; default: computed from word counts.
      Streaming reports usage only when the request asked `stream_options.include_usage`.
    - `finish_reason`: override ("stop" / "tool_calls" by default, e.g. "length"); "" sends no
      finish_reason at all (the stream still ends with `[DONE]`), like a broken server.
    - `model`: model name reported (default: the requested model).
    """

    text: str | None = None
    chunks: list[str] | None = None
    tool_calls: list[tuple[str, str]] | None = None
    arg_chunks: int = 1
    status: int = 200
    error: str | None = None
    retry_after: float | None = None
    cut_after: int | None = None
    delay: float = 0.0
    usage: tuple[int, int] | None = None
    finish_reason: str | None = None
    model: str | None = None


def _split_words(text: str) -> list[str]:
    """Split text into word-sized stream pieces whose concatenation is `text`."""
    return re.findall(r"\s*\S+\s*", text) or ([text] if text else [])


def _split_n(text: str, n: int) -> list[str]:
    """Split text into `n` (at most len(text)) nearly equal, non-empty pieces."""
    if not text:
        return []
    n = max(1, min(n, len(text)))
    size = math.ceil(len(text) / n)
    return [text[i : i + size] for i in range(0, len(text), size)]


def _word_count(value: Any) -> int:
    """Count words in any JSON value (a rough token count)."""
    if isinstance(value, str):
        return len(value.split())
    if isinstance(value, dict):
        return sum(_word_count(v) for v in value.values())
    if isinstance(value, list):
        return sum(_word_count(v) for v in value)
    return 0


class _ClientGone(Exception):
    """The HTTP client closed the connection while we were answering."""


class _Handler(BaseHTTPRequestHandler):
    """Serves one connection for the `FakeOpenAI` that owns the server."""

    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Stay quiet: tests read `FakeOpenAI.requests` instead of a log."""

    # -- routing ---------------------------------------------------------------------------

    def do_GET(self) -> None:  # noqa: N802
        """`GET /v1/models`: the configured model names."""
        if self.path.rstrip("/").endswith("/models"):
            data = [
                {"id": m, "object": "model", "created": 0, "owned_by": "fake-openai"}
                for m in self.server.owner.models
            ]
            self._send_json(200, {"object": "list", "data": data})
        else:
            self._send_error(404, f"no route GET {self.path}", "not_found")

    def do_POST(self) -> None:  # noqa: N802
        """`POST /v1/chat/completions`: record the body, then play the next scripted reply."""
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._send_error(404, f"no route POST {self.path}", "not_found")
            return
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            self._send_error(400, "request body is not JSON", "invalid_request_error")
            return
        owner = self.server.owner
        reply = owner._record_and_pop(body, dict(self.headers.items()))
        if reply is None:
            self._send_error(500, "FakeOpenAI: no scripted reply left for this request", "server_error")
            return
        if reply.status != 200:
            self._send_error(reply.status, reply.error or f"error {reply.status}", None, reply)
            return
        try:
            if body.get("stream"):
                self._stream(body, reply)
            else:
                self._complete(body, reply)
        except (_ClientGone, BrokenPipeError, ConnectionResetError):
            owner._note_disconnect()
            self.close_connection = True

    # -- responses -------------------------------------------------------------------------

    def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def _send_error(self, status: int, message: str, kind: str | None, reply: Reply | None = None) -> None:
        kinds = {400: "invalid_request_error", 401: "authentication_error", 429: "rate_limit_error"}
        error = {
            "message": message,
            "type": kind or kinds.get(status, "server_error"),
            "param": None,
            "code": None,
        }
        headers: dict[str, str] = {}
        if reply is not None and reply.retry_after is not None:
            # The SDK only honours strictly positive delays; 1 ms keeps tests fast.
            headers["retry-after-ms"] = str(max(1, int(reply.retry_after * 1000)))
            headers["retry-after"] = str(max(0, math.ceil(reply.retry_after)))
        self._send_json(status, {"error": error}, headers)

    def _usage(self, body: dict[str, Any], reply: Reply, completion_words: int) -> dict[str, int]:
        if reply.usage is not None:
            prompt, completion = reply.usage
        else:
            prompt, completion = _word_count(body.get("messages", [])), completion_words
        return {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        }

    def _base(self, body: dict[str, Any], reply: Reply, obj: str) -> dict[str, Any]:
        owner = self.server.owner
        return {
            "id": f"chatcmpl-fake-{owner._next_completion_id()}",
            "object": obj,
            "created": int(time.time()),
            "model": reply.model or body.get("model") or "fake-model",
            "system_fingerprint": "fp_fake",
        }

    def _text_of(self, reply: Reply) -> str:
        if reply.text is not None:
            return reply.text
        return "".join(reply.chunks or [])

    def _complete(self, body: dict[str, Any], reply: Reply) -> None:
        text = self._text_of(reply)
        owner = self.server.owner
        calls = [
            {
                "id": f"call_{owner._next_call_id()}",
                "type": "function",
                "function": {"name": name, "arguments": args},
            }
            for name, args in reply.tool_calls or []
        ]
        message: dict[str, Any] = {
            "role": "assistant",
            "content": text if (text or not calls) else None,
            "refusal": None,
        }
        if calls:
            message["tool_calls"] = calls
        payload = self._base(body, reply, "chat.completion")
        finish = reply.finish_reason or ("tool_calls" if calls else "stop")
        payload["choices"] = [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}]
        words = _word_count(text) + sum(_word_count(c["function"]["arguments"]) for c in calls)
        payload["usage"] = self._usage(body, reply, words)
        if reply.cut_after is not None:
            data = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self._abort()
            return
        self._send_json(200, payload)

    def _stream(self, body: dict[str, Any], reply: Reply) -> None:
        owner = self.server.owner
        base = self._base(body, reply, "chat.completion.chunk")
        text = self._text_of(reply)
        pieces = list(reply.chunks) if reply.chunks is not None else _split_words(text)

        def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
            choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
            return {**base, "choices": [choice]}

        deltas: list[dict[str, Any]] = [{"content": p} for p in pieces if p]
        completion_words = _word_count(text)
        for index, (name, args) in enumerate(reply.tool_calls or []):
            completion_words += _word_count(args)
            deltas.append(
                {
                    "tool_calls": [
                        {
                            "index": index,
                            "id": f"call_{owner._next_call_id()}",
                            "type": "function",
                            "function": {"name": name, "arguments": ""},
                        }
                    ]
                }
            )
            for part in _split_n(args, reply.arg_chunks):
                deltas.append({"tool_calls": [{"index": index, "function": {"arguments": part}}]})

        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

        first_delta: dict[str, Any] = {"role": "assistant", "content": ""}
        if not pieces and reply.tool_calls:
            first_delta["content"] = None
        self._event(chunk(first_delta))
        for sent, delta in enumerate(deltas):
            if reply.cut_after is not None and sent >= reply.cut_after:
                self._abort()
                return
            self._pause(reply.delay)
            self._event(chunk(delta))
        if reply.cut_after is not None and len(deltas) >= reply.cut_after:
            self._abort()
            return
        self._pause(reply.delay)
        if reply.finish_reason != "":
            finish = reply.finish_reason or ("tool_calls" if reply.tool_calls else "stop")
            self._event(chunk({}, finish))
        options = body.get("stream_options") or {}
        if options.get("include_usage"):
            usage_chunk = {**base, "choices": [], "usage": self._usage(body, reply, completion_words)}
            self._event(usage_chunk)
        self._write_chunk(b"data: [DONE]\n\n")
        self._write_chunk(b"")  # the terminating zero-length chunk

    # -- low level -------------------------------------------------------------------------

    def _event(self, payload: dict[str, Any]) -> None:
        self._write_chunk(b"data: " + json.dumps(payload).encode() + b"\n\n")

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()
        self.server.owner._note_chunk()

    def _pause(self, delay: float) -> None:
        """Sleep `delay` seconds, but raise `_ClientGone` as soon as the client hangs up."""
        if delay <= 0:
            return
        deadline = time.monotonic() + delay
        while (left := deadline - time.monotonic()) > 0:
            readable, _, _ = select.select([self.connection], [], [], left)
            if readable:
                try:
                    peek = self.connection.recv(1, socket.MSG_PEEK)
                except OSError as exc:
                    raise _ClientGone() from exc
                if not peek:
                    raise _ClientGone()
                time.sleep(min(left, 0.01))  # a pipelined request: keep waiting

    def _abort(self) -> None:
        """Close the connection abruptly (no terminating chunk, no [DONE])."""
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class _Server(ThreadingHTTPServer):
    """A threading HTTP server that knows its `FakeOpenAI`."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, owner: FakeOpenAI, address: tuple[str, int]) -> None:
        self.owner = owner
        super().__init__(address, _Handler)


class FakeOpenAI:
    """An OpenAI-compatible chat-completions server on loopback that plays scripted `Reply`s.

    Thread-safe: the server runs in a background thread; `enqueue`, `requests` and the counters
    may be used from the test's thread or event loop at any time.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, models: Iterable[str] = ()) -> None:
        """Prepare (not start) a server; `port=0` picks a free port at `start()`."""
        self._address = (host, port)
        self.models: list[str] = list(models) or ["fake-model"]
        self._lock = threading.Lock()
        self._queue: collections.deque[Reply] = collections.deque()
        self._requests: list[dict[str, Any]] = []
        self._headers: list[dict[str, str]] = []
        self._disconnects = 0
        self._chunks = 0
        self._call_ids = 0
        self._completion_ids = 0
        self._disconnected = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> FakeOpenAI:
        """Bind and serve in a daemon thread; return self."""
        if self._server is None:
            self._server = _Server(self, self._address)
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="FakeOpenAI",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port (open streams are abandoned)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._server = None
            self._thread = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The bound port (the server must be started)."""
        if self._server is None:
            raise RuntimeError("FakeOpenAI is not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT/v1`: what an OpenAI client takes as `base_url`."""
        return f"http://{self._address[0]}:{self.port}/v1"

    # -- scripting -------------------------------------------------------------------------

    def enqueue(self, *replies: Reply) -> None:
        """Append replies, played in order, one per chat-completions request."""
        with self._lock:
            self._queue.extend(replies)

    @property
    def pending(self) -> int:
        """How many scripted replies are still waiting."""
        with self._lock:
            return len(self._queue)

    def reset(self) -> None:
        """Forget the queue, the received requests and the counters."""
        with self._lock:
            self._queue.clear()
            self._requests.clear()
            self._headers.clear()
            self._disconnects = 0
            self._chunks = 0
            self._disconnected.clear()

    # -- observations ----------------------------------------------------------------------

    @property
    def requests(self) -> list[dict[str, Any]]:
        """The JSON bodies of chat-completions requests received so far, in order (a copy)."""
        with self._lock:
            return list(self._requests)

    @property
    def request_headers(self) -> list[dict[str, str]]:
        """The headers of each chat-completions request (same order as `requests`)."""
        with self._lock:
            return [dict(h) for h in self._headers]

    @property
    def disconnects(self) -> int:
        """How many times a client went away in the middle of a reply."""
        with self._lock:
            return self._disconnects

    @property
    def chunks_sent(self) -> int:
        """How many HTTP chunks the server has written in streaming replies so far."""
        with self._lock:
            return self._chunks

    def wait_for_disconnect(self, timeout: float = 2.0) -> bool:
        """Block until a client has gone away mid-reply; return False on timeout."""
        return self._disconnected.wait(timeout)

    # -- used by the handler ---------------------------------------------------------------

    def _record_and_pop(self, body: dict[str, Any], headers: dict[str, str]) -> Reply | None:
        with self._lock:
            self._requests.append(body)
            self._headers.append(headers)
            return self._queue.popleft() if self._queue else None

    def _note_disconnect(self) -> None:
        with self._lock:
            self._disconnects += 1
        self._disconnected.set()

    def _note_chunk(self) -> None:
        with self._lock:
            self._chunks += 1

    def _next_call_id(self) -> int:
        with self._lock:
            self._call_ids += 1
            return self._call_ids

    def _next_completion_id(self) -> int:
        with self._lock:
            self._completion_ids += 1
            return self._completion_ids
