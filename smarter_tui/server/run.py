"""Run the server with uvicorn until SIGINT/SIGTERM; a signal cancels the running turns first."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
from collections.abc import Iterator
from types import FrameType

import uvicorn

from smarter_tui.server.app import create_app
from smarter_tui.server.limiter import AUTH_FAILURES
from smarter_tui.services import Services

log = logging.getLogger("smarter_tui.server")


class _Server(uvicorn.Server):
    """uvicorn's server, which also cancels the running turns when it is told to stop.

    Without this, uvicorn would wait for every open answer to end before the lifespan shutdown.
    """

    loop: asyncio.AbstractEventLoop | None = None

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        app = self.config.loaded_app
        turns = getattr(getattr(app, "state", None), "turns", None) if app is not None else None
        if turns is None:
            turns = getattr(getattr(self.config.app, "state", None), "turns", None)
        if turns is not None and self.loop is not None:
            self.loop.call_soon_threadsafe(turns.cancel_all)

    async def serve(self, sockets: list[object] | None = None) -> None:  # type: ignore[override]
        self.loop = asyncio.get_running_loop()
        await super().serve(sockets)  # type: ignore[arg-type]

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Handle SIGINT/SIGTERM while serving, then restore the old handlers.

        uvicorn re-raises the signal afterwards, which would kill the process before the CLI
        closes the database; a clean stop returns normally instead (exit code 0).
        """
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def serve(
    services: Services,
    host: str,
    port: int,
    default_client: str | None = None,
    auth_failures: int | None = None,
) -> int:
    """Serve until stopped; return the process exit code.

    `auth_failures`: wrong API keys per 60 s one address may send before it gets 429 (default 10).
    """
    app = create_app(
        services,
        default_client=default_client,
        bound_host=host,
        auth_failures=auth_failures or AUTH_FAILURES,
    )
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="info",
        access_log=False,  # request lines would show query strings (JARVIS prompts) in the log
        timeout_graceful_shutdown=15,
        lifespan="on",
    )
    server = _Server(config)
    shown = "localhost" if host in ("127.0.0.1", "::1") else host
    print(
        f"smarter-tui serving on http://{shown}:{port}/  (API docs: http://{shown}:{port}/docs)", flush=True
    )
    if not services.api_keys.exists():
        print(
            "hint: no API key yet; make one with `smarter-tui apikey create NAME` "
            "(public clients' chat and the JARVIS routes work without)",
            flush=True,
        )
    server.run()
    return 0
