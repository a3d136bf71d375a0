"""ASGI middleware: the Host allow-list and client host names, CORS per client, the body size limit.

Plain ASGI (not BaseHTTPMiddleware) so streamed answers and client disconnects pass through
untouched: a disconnect must reach the SSE route to cancel its turn.
"""

from __future__ import annotations

import re
import time

from starlette.datastructures import Headers
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from smarter_tui.domain.errors import NotFoundError
from smarter_tui.server.errors import error_body
from smarter_tui.services import Services
from smarter_tui.services.resources import allowed_origins

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
MAX_BODY_BYTES = 2 * 1024 * 1024
_LABEL = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
_CLIENT_PATH = re.compile(r"^/api/v1/llm-clients/([^/]+)/")
_DOMAINS_TTL = 5.0  # seconds a custom-domain map is reused for hits (a removed domain works that long)
CORS_HEADERS = "Authorization, Content-Type, Accept, X-Smarter-Capabilities, X-Smarter-Client"


def host_name(header: str) -> str:
    """Return the name part of a Host header, lower case, without port or brackets."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header[1:]
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


async def _reply(
    scope: Scope, receive: Receive, send: Send, status: int, description: str, kind: str
) -> None:
    body = error_body(description, status, kind, scope.get("path", "/"))
    await JSONResponse(body, status_code=status)(scope, receive, send)


class HostMiddleware:
    """Refuse Host values other than loopback names, `*.localhost` and configured custom domains
    (DNS rebinding), and serve `<client>.localhost` / a custom domain's `/`, `/config/`, `/prompt/`
    as that client's config and prompt routes."""

    def __init__(self, app: ASGIApp, services: Services, bound_host: str) -> None:
        self.app = app
        self.services = services
        self.extra = {host_name(bound_host)} - {"0.0.0.0", "::", ""}
        self._domains: dict[str, str] = {}
        self._domains_at = -_DOMAINS_TTL

    def _custom_domains(self, fresh: bool = False) -> dict[str, str]:
        now = time.monotonic()
        if fresh or now - self._domains_at > _DOMAINS_TTL:
            self._domains, self._domains_at = self.services.resources.custom_domains(), now
        return self._domains

    def client_of(self, name: str) -> str | None | bool:
        """Return the client a host name serves, None for a plain loopback name, False when refused."""
        if name in LOOPBACK_NAMES or name in self.extra:
            return None
        if name.endswith(".localhost"):
            label = name[: -len(".localhost")].split(".")[-1]
            return label.replace("-", "_") if _LABEL.match(label) else False
        # A miss reads the clients again: a domain applied a moment ago is served at once.
        return self._custom_domains().get(name) or self._custom_domains(fresh=True).get(name, False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header = Headers(scope=scope).get("host")
        if not header:
            await _reply(scope, receive, send, 400, "The request has no Host header", "RequestError")
            return
        client = self.client_of(host_name(header))
        if client is False:
            await _reply(
                scope,
                receive,
                send,
                421,
                f"This server does not serve the host {header[:100]!r}",
                "MisdirectedRequest",
            )
            return
        if client:
            path = scope["path"]
            route = {"/": "config/", "/config": "config/", "/config/": "config/", "/prompt/": "prompt/"}.get(
                path
            )
            if route is not None:
                scope = {**scope, "path": f"/api/v1/llm-clients/{client}/{route}"}
                scope.pop("raw_path", None)
            scope = {**scope, "state": {**scope.get("state", {}), "host_client": client}}
        await self.app(scope, receive, send)


class CorsMiddleware:
    """CORS only for the origins a client lists in `allowedOrigins`; nothing for anyone else."""

    def __init__(self, app: ASGIApp, services: Services) -> None:
        self.app = app
        self.services = services

    def _allowed(self, scope: Scope, origin: str) -> bool:
        client = (scope.get("state") or {}).get("host_client")
        if not client:
            match = _CLIENT_PATH.match(scope["path"])
            client = match.group(1) if match else None
        if not client:
            return False
        try:
            entry = self.services.resources.client_entry(client)
        except NotFoundError:
            return False
        return origin.rstrip("/") in allowed_origins(entry)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if not origin:
            await self.app(scope, receive, send)
            return
        allowed = self._allowed(scope, origin)
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            if not allowed:
                await _reply(
                    scope, receive, send, 403, f"Origin {origin[:100]!r} is not allowed", "CorsRefused"
                )
                return
            preflight = Response(status_code=204, headers=self._headers(origin, preflight=True))
            await preflight(scope, receive, send)
            return
        if not allowed:
            await self.app(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [(k.lower().encode(), v.encode()) for k, v in self._headers(origin).items()]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_cors)

    @staticmethod
    def _headers(origin: str, preflight: bool = False) -> dict[str, str]:
        headers = {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
        if preflight:
            headers.update(
                {
                    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                    "Access-Control-Allow-Headers": CORS_HEADERS,
                    "Access-Control-Max-Age": "600",
                }
            )
        return headers


class BodyLimitMiddleware:
    """Refuse request bodies over `limit` bytes with 413 (declared or streamed)."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await _reply(
                scope, receive, send, 413, f"The request body is over {self.limit} bytes", "RequestTooLarge"
            )
            return
        # Read the body here (it is small), then hand it on; later receives (a disconnect) pass through.
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message], receive), send)
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await _reply(
                    scope,
                    receive,
                    send,
                    413,
                    f"The request body is over {self.limit} bytes",
                    "RequestTooLarge",
                )
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body: Message = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, _replay([body], receive), send)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay
