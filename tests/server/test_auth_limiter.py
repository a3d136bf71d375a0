"""Brute force on API keys: failed authentications per address are limited, then answered 429.

The limiter alone with an injected clock (no sleeps), then the app in process with two client
addresses (httpx's ASGITransport sets the ASGI `client`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from smarter_tui.domain.records import CatalogueEntry
from smarter_tui.server.app import create_app
from smarter_tui.server.limiter import FailureLimiter

WRONG = {"Authorization": "Token " + "0" * 64}


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# -- the limiter ------------------------------------------------------------------------------
def test_the_nth_failure_is_the_last_allowed_then_the_address_waits_for_the_window() -> None:
    clock = Clock()
    limiter = FailureLimiter(limit=3, window=60, clock=clock)
    for _ in range(3):
        assert limiter.retry_after("10.0.0.1") is None
        limiter.failed("10.0.0.1")
    assert limiter.retry_after("10.0.0.1") == 60
    clock.now += 59.2
    assert limiter.retry_after("10.0.0.1") == 1  # rounded up, never 0 while refused
    clock.now += 0.8
    assert limiter.retry_after("10.0.0.1") is None


def test_the_window_slides_over_each_failure() -> None:
    clock = Clock()
    limiter = FailureLimiter(limit=3, window=60, clock=clock)
    for _ in range(3):
        limiter.failed("a")
        clock.now += 20  # failures at 1000, 1020, 1040
    assert limiter.retry_after("a") is None  # 1060: the first one has left the window
    limiter.failed("a")  # 1020, 1040, 1060 in the window
    assert limiter.retry_after("a") == 20  # until 1020 leaves it at 1080
    clock.now += 20
    assert limiter.retry_after("a") is None


def test_addresses_are_counted_apart() -> None:
    limiter = FailureLimiter(limit=2, window=60, clock=Clock())
    limiter.failed("a")
    limiter.failed("a")
    limiter.failed("b")
    assert limiter.retry_after("a") == 60
    assert limiter.retry_after("b") is None and limiter.retry_after("c") is None


def test_memory_is_bounded_and_forgets_the_longest_quiet_addresses_first() -> None:
    limiter = FailureLimiter(limit=2, window=60, max_addresses=100, clock=Clock())
    limiter.failed("attacker")
    limiter.failed("attacker")
    others = (f"10.1.{n // 256}.{n % 256}" for n in range(100_000))
    for _ in range(99):
        limiter.failed(next(others))
    assert len(limiter) == 100 and limiter.retry_after("attacker") == 60
    limiter.failed("attacker")  # its last failure is now the most recent: others go first
    for _ in range(99):
        limiter.failed(next(others))
    assert len(limiter) == 100 and limiter.retry_after("attacker") == 60
    for _ in range(10_000):  # a flood from many addresses
        limiter.failed(next(others))
        assert len(limiter) <= 100
    assert limiter.retry_after("10.1.0.0") is None and len(limiter) == 100


def test_an_address_quiet_for_a_window_is_dropped_when_looked_up() -> None:
    clock = Clock()
    limiter = FailureLimiter(limit=5, window=60, clock=clock)
    limiter.failed("a")
    clock.now += 61
    assert limiter.retry_after("a") is None
    assert len(limiter) == 0


def test_figures_are_checked() -> None:
    with pytest.raises(ValueError):
        FailureLimiter(limit=0)
    with pytest.raises(ValueError):
        FailureLimiter(window=0)


# -- the app, in process ----------------------------------------------------------------------
@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def key(services: Any) -> str:
    created: str = services.api_keys.create("me").key
    # A client that answers only that key (`spec.apiKey`).
    services.db.catalogue.put(
        CatalogueEntry(
            kind="LLMClient",
            name="desk",
            manifest={
                "apiVersion": "smarter.sh/v1",
                "kind": "LLMClient",
                "metadata": {"name": "desk", "description": "x"},
                "spec": {"apiKey": "me", "config": {"provider": "offline"}},
            },
        )
    )
    return created


@pytest.fixture
async def connect(services: Any, clock: Clock) -> AsyncIterator[Callable[[str], httpx.AsyncClient]]:
    app = create_app(services, auth_limiter=FailureLimiter(limit=3, window=60, clock=clock))
    clients: list[httpx.AsyncClient] = []

    def connect(address: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        clients.append(httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1"))
        return clients[-1]

    yield connect
    for client in clients:
        await client.aclose()


def token(key: str) -> dict[str, str]:
    return {"Authorization": f"Token {key}"}


def assert_refused_429(response: httpx.Response, key: str) -> None:
    assert response.status_code == 429
    assert 1 <= int(response.headers["retry-after"]) <= 60
    body = response.json()
    assert set(body) == {"api", "data", "error", "metadata"} and body["data"] == {}
    assert body["error"]["status"] == 429
    assert body["error"]["errorClass"] == "TooManyAuthenticationFailures"
    assert "Retry" in body["error"]["description"] or "retry" in body["error"]["description"]
    assert set(body["metadata"]) == {"command", "thing"}
    assert key not in response.text and "0" * 64 not in response.text and "Traceback" not in response.text


async def test_wrong_keys_then_429_for_that_address_only(
    connect: Callable[[str], httpx.AsyncClient], key: str, clock: Clock
) -> None:
    attacker, neighbour = connect("10.0.0.1"), connect("10.0.0.2")
    assert (await attacker.get("/api/v1/llm-clients/", headers=token(key))).status_code == 200
    for _ in range(3):
        assert (await attacker.get("/api/v1/llm-clients/", headers=WRONG)).status_code == 403
    assert_refused_429(await attacker.get("/api/v1/llm-clients/", headers=WRONG), key)
    # A right key from a refused address is refused too: otherwise 429 vs 200 would still
    # tell a guesser which key is right, at full speed.
    assert_refused_429(await attacker.get("/api/v1/llm-clients/", headers=token(key)), key)
    assert_refused_429(await attacker.post("/api/v1/cli/whoami/", headers=token(key)), key)
    # Another address is not concerned.
    assert (await neighbour.get("/api/v1/llm-clients/", headers=token(key))).status_code == 200
    assert (await neighbour.get("/api/v1/llm-clients/", headers=WRONG)).status_code == 403
    # Public clients' chat needs no key, so nothing is guessed there: it still answers.
    public = await attacker.post("/api/v1/llm-clients/general_assistant/config/", json={})
    assert public.status_code == 200
    clock.now += 60
    assert (await attacker.get("/api/v1/llm-clients/", headers=token(key))).status_code == 200


async def test_a_key_protected_clients_routes_count_and_refuse_too(
    connect: Callable[[str], httpx.AsyncClient], key: str
) -> None:
    attacker = connect("10.0.0.3")
    assert (
        await attacker.post("/api/v1/llm-clients/desk/config/", json={}, headers=token(key))
    ).status_code == 200
    for _ in range(3):
        answer = await attacker.post("/api/v1/llm-clients/desk/config/", json={}, headers=WRONG)
        assert answer.status_code == 403
    assert_refused_429(
        await attacker.post("/api/v1/llm-clients/desk/config/", json={}, headers=token(key)), key
    )
    # The JARVIS route of that client (on its host name) is refused as well.
    jarvis = await attacker.post(
        "/prompt", params={"prompt": "hi"}, headers={**token(key), "Host": "desk.localhost"}
    )
    assert_refused_429(jarvis, key)


async def test_no_key_and_a_real_key_of_another_name_are_not_guesses(
    connect: Callable[[str], httpx.AsyncClient], key: str, services: Any
) -> None:
    client = connect("10.0.0.4")
    other = services.api_keys.create("other").key
    for _ in range(10):
        assert (await client.get("/api/v1/llm-clients/")).status_code == 401
        assert (
            await client.get("/api/v1/llm-clients/", headers={"Authorization": "Basic eA=="})
        ).status_code == 401
        denied = await client.post("/api/v1/llm-clients/desk/config/", json={}, headers=token(other))
        assert denied.status_code == 403
    assert (await client.get("/api/v1/llm-clients/", headers=token(key))).status_code == 200


async def test_the_429_is_in_the_openapi_document(connect: Callable[[str], httpx.AsyncClient]) -> None:
    document = (await connect("127.0.0.1").get("/openapi.json")).json()
    listed = document["paths"]["/api/v1/llm-clients/"]["get"]["responses"]
    assert "429" in listed and "Retry-After" in listed["429"]["headers"]
    config = document["paths"]["/api/v1/llm-clients/{client_id}/config/"]["post"]["responses"]
    assert "429" in config
