"""The read-only REST lists (SMARTER-API.md §6): every path exactly as the SDK writes it; a key is needed."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse

from smarter_tui.server.schemas import ERRORS, Resource
from smarter_tui.server.security import require_key, services_of
from smarter_tui.services.resources import ResourceService

router = APIRouter(prefix="/api/v1", tags=["lists"], dependencies=[Depends(require_key)], responses=ERRORS)


#: A row id as a path segment (bounded so no request can overflow SQLite's 64-bit integers).
RowId = Annotated[int, Path(ge=1, le=2**62)]


def _resources(request: Request) -> ResourceService:
    return services_of(request).resources


def _json(value: Any) -> JSONResponse:
    return JSONResponse(value)


@router.get("/llm-clients/", response_model=list[Resource])
def list_clients(request: Request) -> JSONResponse:
    """Every LLM client, with its integer id."""
    return _json(_resources(request).clients())


@router.get("/llm-clients/{client_id}/", response_model=Resource)
def get_client(request: Request, client_id: str) -> JSONResponse:
    """One LLM client, by integer id or name."""
    return _json(_resources(request).client(client_id))


@router.get("/llm-clients/{client_id}/plugins/", response_model=list[Resource])
def client_plugins(request: Request, client_id: str) -> JSONResponse:
    """A client's plugins."""
    return _json(_resources(request).client_plugins(client_id))


@router.get("/llm-clients/{client_id}/extensions", response_model=list[Resource])
def client_extensions(request: Request, client_id: str) -> JSONResponse:
    """A client's built-in functions (no trailing slash, as the SDK writes it)."""
    return _json(_resources(request).client_extensions(client_id))


@router.get("/llm-clients/{client_id}/apikeys/", response_model=list[Resource])
def client_api_keys(request: Request, client_id: str) -> JSONResponse:
    """The API key a client requires, by name (never the key)."""
    return _json(_resources(request).client_api_keys(client_id))


@router.get("/plugins/", response_model=list[Resource])
def list_plugins(request: Request) -> JSONResponse:
    """Every plugin."""
    return _json(_resources(request).plugins())


@router.get("/plugins/{plugin_id}/", response_model=dict[str, Any])
def get_plugin(request: Request, plugin_id: RowId) -> JSONResponse:
    """One plugin's manifest, by id."""
    services = services_of(request)
    entry = services.resources.plugin_manifest(plugin_id)
    return _json(services.catalogue.describe(entry.kind, entry.name))


@router.get("/providers/", response_model=list[Resource])
def list_providers(request: Request) -> JSONResponse:
    """The built-in and applied providers."""
    return _json(_resources(request).providers())


@router.get("/providers/{name}/", response_model=Resource)
def get_provider(request: Request, name: str) -> JSONResponse:
    """One provider, by name."""
    return _json(_resources(request).provider(name))


@router.get("/secrets/", response_model=list[Resource])
def list_secrets(request: Request) -> JSONResponse:
    """The secrets' names and metadata (never a value)."""
    return _json(_resources(request).secrets())


@router.get("/prompts/history/prompt/", response_model=list[Resource])
def list_sessions(request: Request) -> JSONResponse:
    """The sessions, newest activity first."""
    return _json(_resources(request).sessions())


@router.get("/prompts/history/prompt/{session_id}/", response_model=Resource)
def get_session(request: Request, session_id: RowId) -> JSONResponse:
    """One session, by id."""
    return _json(_resources(request).session(session_id))


@router.get("/prompts/history/tool-calls/", response_model=list[Resource])
def list_tool_calls(request: Request) -> JSONResponse:
    """The tool calls of every session, newest first."""
    return _json(_resources(request).tool_calls())


@router.get("/prompts/history/tool-calls/{call_id}/", response_model=Resource)
def get_tool_call(request: Request, call_id: RowId) -> JSONResponse:
    """One tool call, by id."""
    return _json(_resources(request).tool_call(call_id))


@router.get("/prompts/history/plugin-usage/", response_model=list[Resource])
def list_plugin_usage(request: Request) -> JSONResponse:
    """The plugin uses of every session, newest first."""
    return _json(_resources(request).plugin_usage())


@router.get("/prompts/history/plugin-usage/{use_id}/", response_model=Resource)
def get_plugin_use(request: Request, use_id: RowId) -> JSONResponse:
    """One plugin use, by id."""
    return _json(_resources(request).plugin_use(use_id))
