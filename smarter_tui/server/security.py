"""API keys on requests: `Authorization: Token <key>` (the SDK's) or `Bearer <key>` (SMARTER-API.md §2)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader

from smarter_tui.domain.records import ApiKeyRecord, CatalogueEntry
from smarter_tui.server.errors import AuthenticationRequired, KeyRejected, TooManyAuthenticationFailures
from smarter_tui.server.limiter import FailureLimiter
from smarter_tui.services import Services
from smarter_tui.services.resources import client_api_key

#: Documents the header in /openapi.json; the value is parsed by `presented_key`.
authorization = APIKeyHeader(
    name="Authorization",
    auto_error=False,
    description=(
        "`Token <key>` or `Bearer <key>`: a key made with `smarter-tui apikey create NAME`. "
        "10 wrong keys within 60 s from one address (`serve --max-auth-failures`) and it gets 429 "
        "with Retry-After, for any key, until the oldest of them leaves the window."
    ),
)


def services_of(request: Request) -> Services:
    """Return the services the app was built with."""
    services: Services = request.app.state.services
    return services


def presented_key(header: str | None) -> str | None:
    """Return the key of an Authorization header value, or None when there is none."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() not in ("token", "bearer") or not value.strip():
        return None
    return value.strip()


def _check(request: Request, header: str | None) -> ApiKeyRecord:
    key = presented_key(header)
    if key is None:
        # No key tried, nothing guessed: a 401 is not counted as a failure.
        raise AuthenticationRequired(
            "This route needs an API key: send 'Authorization: Token <key>' "
            "(make one with `smarter-tui apikey create NAME`)"
        )
    limiter: FailureLimiter = request.app.state.auth_limiter
    client = request.scope.get("client")
    address = client[0] if client else ""
    # Checked before the key, and for a right key too: if a right key still answered 200 from a
    # refused address, 429 vs 200 would tell a guesser which key is right, at full speed.
    wait = limiter.retry_after(address)
    if wait is not None:
        raise TooManyAuthenticationFailures(wait)
    record = services_of(request).api_keys.verify(key)
    if record is None:
        limiter.failed(address)
        raise KeyRejected("The API key is not valid")
    return record


def require_key(
    request: Request, header: Annotated[str | None, Depends(authorization)] = None
) -> ApiKeyRecord:
    """A dependency: the caller's API key record; 401 without one, 403 with a wrong one, 429 after
    too many wrong ones from the caller's address (server/limiter.py)."""
    return _check(request, header)


def check_client_access(request: Request, client: CatalogueEntry, header: str | None) -> None:
    """Allow a call to a client's chat routes: public clients need no key; a `spec.apiKey` client
    needs exactly that key (401 without credentials, 403 with another, 429 as `require_key`).

    A valid key of another name is not counted as a failure: it is a real key, not a guess.
    """
    wanted = client_api_key(client)
    if wanted is None:
        return
    record = _check(request, header)
    if record.name != wanted:
        raise KeyRejected(f"LLM client {client.name!r} needs its own API key")


Key = Annotated[ApiKeyRecord, Depends(require_key)]
Authorization = Annotated[str | None, Depends(authorization)]
