"""Errors mapped once: every failure becomes the journaled error body with a real HTTP status."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from smarter_tui.domain.errors import (
    DependencyError,
    ManifestError,
    MissingKeyError,
    NotFoundError,
    ProviderError,
    RequestError,
    SecretsUnavailableError,
    SessionBusyError,
    SmarterError,
)
from smarter_tui.services.envelopes import API_VERSION

log = logging.getLogger("smarter_tui.server")


class AuthenticationRequired(SmarterError):
    """No (usable) API key in the request: 401."""


class KeyRejected(SmarterError):
    """An API key was given but it is not valid for this resource: 403."""


class TooManyAuthenticationFailures(SmarterError):
    """Too many wrong API keys from this address lately (server/limiter.py): 429 with Retry-After."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"Too many wrong API keys from this address: retry in {retry_after} s "
            "(no key is checked from here until then)"
        )
        self.retry_after = retry_after


class NotSupported(SmarterError):
    """A verb the local install does not have (deploy, undeploy, logs): 400."""


class ServerStopping(SmarterError):
    """The server is shutting down and cancelled the turn (its partial answer is saved): 503."""


_STATUS: tuple[tuple[type[SmarterError], int], ...] = (
    (AuthenticationRequired, 401),
    (KeyRejected, 403),
    (TooManyAuthenticationFailures, 429),
    (NotFoundError, 404),
    (DependencyError, 409),
    (SessionBusyError, 409),  # one turn at a time per session: retry when the answer is done
    (ManifestError, 422),
    (MissingKeyError, 503),
    (ServerStopping, 503),
    (SecretsUnavailableError, 503),
    (RequestError, 400),
    (NotSupported, 400),
)

_ERROR_CLASS = {401: "AuthenticationError", 403: "PermissionDenied", 404: "NotFound", 405: "MethodNotAllowed"}


def provider_status(status: int | None) -> int:
    """Return the HTTP status for a model provider failure, mapped from the provider's own status."""
    if status == 429:
        return 429
    if status in (408, 504):
        return 504
    return 502


def status_of(exc: SmarterError) -> int:
    """Return the HTTP status of a domain error."""
    if isinstance(exc, ProviderError):
        return provider_status(exc.status)
    for kind, status in _STATUS:
        if isinstance(exc, kind):
            return status
    return 400


def journal_of(path: str) -> tuple[str, str]:
    """Return (command, thing) for the journal's metadata of a request path."""
    parts = [p for p in path.split("/") if p]
    if parts[:3] == ["api", "v1", "cli"] and len(parts) >= 4:
        return parts[3], parts[4] if len(parts) > 4 else "None"
    if parts[:3] == ["api", "v1", "llm-clients"]:
        return (parts[4] if len(parts) > 4 else "get"), "LLMClient"
    if parts[:2] == ["api", "v1"] and len(parts) > 2:
        return "get", parts[2]
    if parts[:1] in (["prompt"], ["conversation"]):
        return parts[0], "Conversation"
    return "request", "None"


def error_body(description: str, status: int, error_class: str, path: str) -> dict[str, Any]:
    """Return the journaled error body (SMARTER-API.md §3)."""
    command, thing = journal_of(path)
    return {
        "api": API_VERSION,
        "data": {},
        "error": {"errorClass": error_class, "description": description, "status": status},
        "metadata": {"command": command, "thing": thing},
    }


def error_response(request: Request, description: str, status: int, error_class: str) -> JSONResponse:
    """Return a JSON error response for `request`."""
    return JSONResponse(error_body(description, status, error_class, request.url.path), status_code=status)


def _validation_text(exc: RequestValidationError) -> str:
    """Name each bad field (`body.messages.0.role: Field required`), never echoing the values."""
    problems = []
    for error in exc.errors()[:5]:
        where = ".".join(str(p) for p in error.get("loc", ()))
        problems.append(f"{where}: {error.get('msg', 'invalid')}")
    return "; ".join(problems) or "invalid request"


def install(app: FastAPI) -> None:
    """Register the exception handlers on `app`."""

    async def smarter_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, SmarterError)
        status = status_of(exc)
        description = exc.message
        if isinstance(exc, ManifestError) and len(exc.problems) > 1:
            description = "\n".join(exc.problems)
        response = error_response(request, description, status, type(exc).__name__)
        if isinstance(exc, TooManyAuthenticationFailures):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    async def validation_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return error_response(request, _validation_text(exc), 400, "RequestError")

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        error_class = _ERROR_CLASS.get(exc.status_code, "HTTPError")
        response = error_response(request, str(exc.detail), exc.status_code, error_class)
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # The traceback goes to the server's log (no locals, no headers), never into the body.
        log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        return error_response(request, f"Internal error ({type(exc).__name__})", 500, "InternalError")

    app.add_exception_handler(SmarterError, smarter_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)
