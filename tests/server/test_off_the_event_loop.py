"""`serve` validates and applies manifests (a big one takes tens of milliseconds) on its thread
pool, not on the event loop that every stream and request in flight share (the app, in process).

The config routes stay on the loop: on the pool, the thread hop cost them ~15% of their requests/s
(`benchmarks/serve_http.py`, 541 vs 636 req/s for a new session's config) for 1.5-3.5 ms of work."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from smarter_tui.server import manifests
from smarter_tui.server.app import create_app
from smarter_tui.services import authoring

MANIFEST = """apiVersion: smarter.sh/v1
kind: Secret
metadata: {name: loop_check, description: A secret, version: 0.1.0}
spec: {config: {value: x}}
"""


def on_a_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def recording(calls: list[bool], function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls.append(on_a_loop())
        return function(*args, **kwargs)

    return wrapper


@pytest.fixture
async def http(services: Any) -> AsyncIterator[httpx.AsyncClient]:
    key = services.api_keys.create("loop").key
    transport = httpx.ASGITransport(app=create_app(services))
    headers = {"Authorization": f"Token {key}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1", headers=headers) as client:
        yield client


async def test_validate_and_apply_run_off_the_event_loop(
    http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[bool] = []
    monkeypatch.setattr(manifests, "apply_text", recording(calls, manifests.apply_text))
    monkeypatch.setattr(authoring, "validate_text", recording(calls, authoring.validate_text))
    assert on_a_loop()  # the test itself runs on one: the checks above can tell
    valid = await http.post("/api/v1/cli/validate/", content=MANIFEST, headers={"Content-Type": "text/plain"})
    applied = await http.post("/api/v1/cli/apply/", content=MANIFEST, headers={"Content-Type": "text/plain"})
    assert [r.status_code for r in (valid, applied)] == [200, 200]
    assert calls == [False, False]
