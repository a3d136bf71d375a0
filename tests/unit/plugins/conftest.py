"""Fixtures for plugin tests: a real loopback HTTP server and an in-memory memory backend."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest


@dataclass
class Recorded:
    """One request the loopback server received."""

    method: str
    path: str  # raw path as sent, without the query
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """Return the request body parsed as JSON."""
        return json.loads(self.body)


@dataclass
class Reply:
    """What a route answers: status, headers, and a body (bytes or an iterable of chunks)."""

    status: int = 200
    body: bytes | Iterable[bytes] = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    length: int | None = None  # Content-Length when the body is an iterable

    @classmethod
    def json(cls, value: Any, status: int = 200) -> Reply:
        """Return a JSON reply."""
        return cls(status, json.dumps(value).encode(), {"Content-Type": "application/json"})


Handler = Callable[[Recorded], Reply]


class LoopbackServer:
    """A ThreadingHTTPServer on 127.0.0.1 with routes set per test; records every request."""

    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.requests: list[Recorded] = []
        server = self

        class RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

            def _serve(self) -> None:
                split = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                recorded = Recorded(
                    method=self.command,
                    path=split.path,
                    query=parse_qs(split.query, keep_blank_values=True),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                )
                server.requests.append(recorded)
                handler = server.routes.get(split.path) or server.routes.get("*")
                reply = handler(recorded) if handler else Reply(404, b"no route")
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    if isinstance(reply.body, bytes):
                        self.send_header("Content-Length", str(len(reply.body)))
                        self.end_headers()
                        self.wfile.write(reply.body)
                    else:
                        self.send_header("Content-Length", str(reply.length))
                        self.end_headers()
                        for chunk in reply.body:
                            self.wfile.write(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve  # noqa: N815

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), RequestHandler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        # a client that hangs up mid-body (the 1 MiB cap) is expected, not worth a traceback
        self.httpd.handle_error = lambda _request, _address: None  # type: ignore[method-assign]
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def route(self, path: str, handler: Handler | Reply) -> None:
        """Answer requests for `path` ("*" = any) with a handler or a fixed reply."""
        self.routes[path] = handler if callable(handler) else (lambda _request: handler)


@pytest.fixture
def http_server() -> Iterator[LoopbackServer]:
    """A running loopback HTTP server, shut down after the test."""
    server = LoopbackServer()
    server.thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()


@pytest.fixture
def closed_port_url() -> str:
    """An http URL on 127.0.0.1 where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


class FakeMemory:
    """An in-memory MemoryBackend: word-overlap search, ids from 1."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str | None]] = []

    def add(self, text: str, session_key: str | None = None) -> int:
        """Store a memory; return its id."""
        self.items.append((text, session_key))
        return len(self.items)

    def search(self, query: str, limit: int = 5) -> list[str]:
        """Return memories sharing a word with the query, best first."""
        words = {word.strip(".,?!").lower() for word in query.split()}
        scored = []
        for text, _key in self.items:
            score = len(words & {word.strip(".,?!").lower() for word in text.split()})
            if score:
                scored.append((score, text))
        scored.sort(key=lambda pair: -pair[0])
        return [text for _score, text in scored[:limit]]


@pytest.fixture
def fake_memory() -> FakeMemory:
    """A fresh in-memory memory backend."""
    return FakeMemory()
