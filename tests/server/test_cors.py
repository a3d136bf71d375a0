"""CORS: only a client's `spec.config.prompt.allowedOrigins` get CORS headers (the app, in process)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from smarter_tui.domain.records import CatalogueEntry
from smarter_tui.server.app import create_app

ORIGIN = "https://chat.example.com"


@pytest.fixture
async def http(services: Any) -> AsyncIterator[httpx.AsyncClient]:
    # Stored directly: the nested shape is what today's Smarter manifests hold.
    services.db.catalogue.put(
        CatalogueEntry(
            kind="LLMClient",
            name="widget",
            manifest={
                "apiVersion": "smarter.sh/v1",
                "kind": "LLMClient",
                "metadata": {"name": "widget", "description": "x"},
                "spec": {"config": {"provider": "offline", "prompt": {"allowedOrigins": [ORIGIN + "/"]}}},
            },
        )
    )
    transport = httpx.ASGITransport(app=create_app(services))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        yield client


async def test_preflight_and_answers_carry_cors_for_the_allowed_origin(http: httpx.AsyncClient) -> None:
    preflight = await http.options(
        "/api/v1/llm-clients/widget/prompt/",
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == ORIGIN
    assert "X-Smarter-Capabilities" in preflight.headers["access-control-allow-headers"]
    answer = await http.post("/api/v1/llm-clients/widget/config/", json={}, headers={"Origin": ORIGIN})
    assert answer.status_code == 200 and answer.headers["access-control-allow-origin"] == ORIGIN


async def test_other_origins_and_other_clients_get_no_cors(http: httpx.AsyncClient) -> None:
    refused = await http.options(
        "/api/v1/llm-clients/widget/prompt/",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert refused.status_code == 403 and "access-control-allow-origin" not in refused.headers
    other = await http.post(
        "/api/v1/llm-clients/general_assistant/config/", json={}, headers={"Origin": ORIGIN}
    )
    assert other.status_code == 200 and "access-control-allow-origin" not in other.headers
    plain = await http.post(
        "/api/v1/llm-clients/widget/config/", json={}, headers={"Origin": "https://evil.example"}
    )
    assert "access-control-allow-origin" not in plain.headers
