"""The ASGI app of `smarter-tui serve`: routers, error handlers and middleware over one Services.

FastAPI: the JARVIS seed is a FastAPI app, so its clients' expectations (422-style validation,
/openapi.json, /docs) come for free, and dependencies keep the routes to pure translation.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from smarter_tui import __version__
from smarter_tui.server import chat, errors, jarvis, lists, manifests
from smarter_tui.server.limiter import AUTH_FAILURES, FailureLimiter
from smarter_tui.server.middleware import MAX_BODY_BYTES, BodyLimitMiddleware, CorsMiddleware, HostMiddleware
from smarter_tui.server.turns import TurnRegistry
from smarter_tui.services import Services

DEFAULT_CLIENT = "general_assistant"


def create_app(
    services: Services,
    *,
    default_client: str | None = None,
    bound_host: str = "127.0.0.1",
    max_body: int = MAX_BODY_BYTES,
    auth_failures: int = AUTH_FAILURES,
    auth_limiter: FailureLimiter | None = None,
) -> FastAPI:
    """Return the app serving `services` (SMARTER-API.md); the caller owns and closes the services.

    `auth_failures` wrong API keys per minute from one address are answered 403, then 429 until the
    minute has passed (`auth_limiter` replaces that limiter, e.g. with a test's clock).
    """
    turns = TurnRegistry()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        # Shutdown: running turns are cancelled; each saves what it has shown before ending.
        turns.cancel_all()
        await turns.wait()

    app = FastAPI(
        title="smarter-tui",
        version=__version__,
        description="The Smarter prompt API and the JARVIS conversation API, served from a laptop.",
        lifespan=lifespan,
    )
    app.state.services = services
    app.state.turns = turns
    app.state.default_client = default_client or DEFAULT_CLIENT
    app.state.auth_limiter = FailureLimiter(auth_failures) if auth_limiter is None else auth_limiter
    errors.install(app)
    app.include_router(chat.router)
    app.include_router(jarvis.router)
    app.include_router(lists.router)
    app.include_router(manifests.router)
    # Outermost first: the Host check runs before anything else looks at the request.
    app.add_middleware(BodyLimitMiddleware, limit=max_body)
    app.add_middleware(CorsMiddleware, services=services)
    app.add_middleware(HostMiddleware, services=services, bound_host=bound_host)
    return app
