"""Chat contract v1 and v2 (SMARTER-API.md §4): a client's config object and prompt, JSON or SSE."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse

from smarter_tui.domain.errors import RequestError, SmarterError
from smarter_tui.domain.events import (
    ModelRequestSent,
    PluginSelected,
    TextDelta,
    ToolCallFinished,
    ToolCallStarted,
    TurnEvent,
)
from smarter_tui.domain.records import CatalogueEntry
from smarter_tui.server.errors import ServerStopping, error_body, status_of
from smarter_tui.server.schemas import ERRORS, ConfigRequest, Envelope, PromptRequest
from smarter_tui.server.security import Authorization, check_client_access, services_of
from smarter_tui.server.turns import TurnRegistry, answer, finish
from smarter_tui.services import Services
from smarter_tui.services.envelopes import API_VERSION, parse_prompt_request
from smarter_tui.services.sessions import check_session_key

V2_CAPABILITY = "chat-contract-v2"
EVENT_STREAM = "text/event-stream"

router = APIRouter(prefix="/api/v1/llm-clients", tags=["chat"])

ClientId = Annotated[str, "the client's integer id or its name"]


class EncodedJSONResponse(JSONResponse):
    """JSON by orjson, which splices the config service's pre-encoded chat histories in as they are."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def wants_v2(request: Request) -> bool:
    """Return True when the request asks for chat contract v2 (`X-Smarter-Capabilities`)."""
    header = request.headers.get("x-smarter-capabilities", "")
    return V2_CAPABILITY in (part.strip().lower() for part in header.split(","))


def _client(request: Request, client_id: str, authorization: str | None) -> tuple[Services, CatalogueEntry]:
    services = services_of(request)
    entry = services.resources.client_entry(client_id)
    check_client_access(request, entry, authorization)
    return services, entry


def _config(
    request: Request,
    client_id: str,
    authorization: str | None,
    session_key: str | None,
    verbose: bool,
    legacy: bool,
) -> dict[str, Any]:
    services, entry = _client(request, client_id, authorization)
    if session_key is not None:
        session_key = check_session_key(session_key)
    if wants_v2(request):
        data = services.config.config_v2(entry.name, session_key, verbose=verbose, encoded=True)
    else:
        data = services.config.config(entry.name, session_key, legacy=legacy, encoded=True)
    return {"api": API_VERSION, "metadata": {"command": "config", "thing": "LLMClient"}, "data": data}


# The config routes are async: the config is a few compiled reads (a long history from the
# cache), cheaper than the hop to a worker thread and back that a sync route costs; the prompt
# routes write the turn on the event loop in the same way.
_CONFIG_DOC = {
    "summary": "A client's config object (v2 with X-Smarter-Capabilities: chat-contract-v2)",
    "response_model": None,
    "responses": {200: {"model": Envelope}, **ERRORS},
}


@router.post("/{client_id}/config/", **_CONFIG_DOC)  # type: ignore[arg-type]
async def post_config(
    request: Request,
    client_id: ClientId,
    authorization: Authorization,
    body: Annotated[ConfigRequest | None, Body()] = None,
    verbose: bool = False,
    legacy: bool = False,
) -> JSONResponse:
    """Return the config object of a client for a session (null `session_key` = a new session)."""
    key = body.session_key if body is not None else None
    return EncodedJSONResponse(_config(request, client_id, authorization, key, verbose, legacy))


@router.get("/{client_id}/config/", **_CONFIG_DOC)  # type: ignore[arg-type]
async def get_config(
    request: Request,
    client_id: ClientId,
    authorization: Authorization,
    session_key: Annotated[str | None, Query()] = None,
    verbose: bool = False,
    legacy: bool = False,
) -> JSONResponse:
    """Return the config object of a client (no `session_key` = a new session)."""
    return EncodedJSONResponse(_config(request, client_id, authorization, session_key, verbose, legacy))


# -- the prompt -------------------------------------------------------------------------------
def progress_of(event: TurnEvent) -> tuple[str, dict[str, Any]] | None:
    """Return the SSE (event name, data) for a turn event, or None for events a chat UI need not see."""
    if isinstance(event, TextDelta):
        return "delta", {"text": event.text}
    if isinstance(event, ModelRequestSent):
        return "progress", {
            "type": "llm_request",
            "message": f"Asking the model (round {event.round})",
            "round": event.round,
            "model": event.request.get("model"),
        }
    if isinstance(event, ToolCallStarted):
        return "progress", {
            "type": "tool_requested",
            "message": f"Calling tool {event.call.name}",
            "tool": event.call.name,
            "arguments": event.call.arguments,
        }
    if isinstance(event, ToolCallFinished):
        outcome = "failed" if event.error else "answered"
        return "progress", {
            "type": "tool_responded",
            "message": f"Tool {event.call.name} {outcome}",
            "tool": event.call.name,
            "error": event.error,
            "duration_ms": round(event.duration_ms, 2),
        }
    if isinstance(event, PluginSelected):
        return "progress", {
            "type": "plugin_called",
            "message": f"Using plugin {event.plugin}",
            "plugin": event.plugin,
            "term": event.term,
        }
    return None


def _sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _registry(request: Request) -> TurnRegistry:
    registry: TurnRegistry = request.app.state.turns
    return registry


@router.post(
    "/{client_id}/prompt/",
    summary="Prompt a client (SSE with Accept: text/event-stream)",
    response_model=None,
    responses={200: {"model": Envelope, "content": {EVENT_STREAM: {}}}, **ERRORS, 502: ERRORS[400]},
)
async def prompt(
    request: Request, client_id: ClientId, body: PromptRequest, authorization: Authorization
) -> JSONResponse | StreamingResponse:
    """Run one turn: the request's last user message is the prompt; stored history is authoritative."""
    return await _prompt(request, client_id, body, authorization)


@router.post(
    "/{client_id}/chat/",
    summary="Alias of .../prompt/",
    response_model=None,
    responses={200: {"model": Envelope, "content": {EVENT_STREAM: {}}}, **ERRORS, 502: ERRORS[400]},
)
async def chat(
    request: Request, client_id: ClientId, body: PromptRequest, authorization: Authorization
) -> JSONResponse | StreamingResponse:
    """The same as `prompt`."""
    return await _prompt(request, client_id, body, authorization)


async def _prompt(
    request: Request, client_id: str, body: PromptRequest, authorization: str | None
) -> JSONResponse | StreamingResponse:
    services, entry = _client(request, client_id, authorization)
    key, text = parse_prompt_request(body.model_dump())
    if key is not None:
        # A key the config handed out names no stored session until its first prompt: send starts it.
        info = services.history.find(key)
        if info is not None and info.client != entry.name:
            raise RequestError(f"Session {info.session_key[:12]}… belongs to client {info.client!r}")
    v2 = wants_v2(request)
    if EVENT_STREAM in request.headers.get("accept", ""):
        return StreamingResponse(
            _stream(request, services, entry, key, text, v2),
            media_type=EVENT_STREAM,
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
    task = _registry(request).start(
        services.sessions.send(text, client=entry.name, session_key=key, stream=False)
    )
    outcome = await finish(task)
    status, document = answer(outcome, entry.name, v2)
    return JSONResponse(document, status_code=status)


_DONE = object()


async def _stream(
    request: Request, services: Services, entry: CatalogueEntry, key: str | None, text: str, v2: bool
) -> AsyncIterator[str]:
    """Yield the turn's SSE events, then one `result`; a client that goes away cancels the turn."""
    queue: asyncio.Queue[Any] = asyncio.Queue()
    task = _registry(request).start(
        services.sessions.send(text, client=entry.name, session_key=key, on_event=queue.put_nowait)
    )
    task.add_done_callback(lambda _: queue.put_nowait(_DONE))
    try:
        while (item := await queue.get()) is not _DONE:
            shown = progress_of(item)
            if shown is not None:
                yield _sse(*shown)
        try:
            outcome = task.result()
        except asyncio.CancelledError:  # a shutdown stopped the turn; its partial answer is saved
            exc: SmarterError = ServerStopping("The server is shutting down: the partial answer was saved")
        except SmarterError as error:
            exc = error
        else:
            status, document = answer(outcome, entry.name, v2)
            yield _sse("result", {"status": status, "response": document})
            return
        status = status_of(exc)
        body = error_body(exc.message, status, type(exc).__name__, request.url.path)
        yield _sse("result", {"status": status, "response": body})
    finally:
        if not task.done():
            task.cancel()  # the client disconnected: the partial answer is saved, interrupted
