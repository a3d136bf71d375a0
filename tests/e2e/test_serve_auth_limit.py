"""A real `smarter-tui serve`: after 10 wrong API keys in 60 s an address gets 429 with Retry-After.

Its own server: the refusal lasts a minute for 127.0.0.1, which would disturb other modules' servers.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from smarter import RateLimitError

from tests.e2e.serve import Server

WRONG = {"Authorization": "Token " + "f" * 64}


@pytest.fixture
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with Server(tmp_path_factory.mktemp("serve-auth-limit") / "home") as running:
        yield running


def test_ten_wrong_keys_then_429_until_the_window_passes(server: Server) -> None:
    good = {"Authorization": f"Token {server.key}"}
    with httpx.Client(base_url=server.base_url, timeout=30) as http:
        assert http.get("/api/v1/llm-clients/", headers=good).status_code == 200
        # No key at all is a 401 that guesses nothing: not counted.
        for _ in range(15):
            assert http.get("/api/v1/llm-clients/").status_code == 401
        assert http.get("/api/v1/llm-clients/", headers=good).status_code == 200
        statuses = [http.get("/api/v1/providers/", headers=WRONG).status_code for _ in range(10)]
        assert statuses == [403] * 10
        refused = http.get("/api/v1/providers/", headers=WRONG)
        assert refused.status_code == 429
        assert 50 <= int(refused.headers["retry-after"]) <= 60
        assert refused.json() == {
            "api": "smarter.sh/v1",
            "data": {},
            "error": {
                "errorClass": "TooManyAuthenticationFailures",
                "description": refused.json()["error"]["description"],
                "status": 429,
            },
            "metadata": {"command": "get", "thing": "providers"},
        }
        assert "f" * 64 not in refused.text and "Traceback" not in refused.text
        # The right key is refused too until the window has passed; a public client still chats.
        assert http.get("/api/v1/llm-clients/", headers=good).status_code == 429
        chat = http.post("/api/v1/llm-clients/general_assistant/config/", json={})
        assert chat.status_code == 200
    # The SDK sees its RateLimitError (no retries here; by default it would wait Retry-After).
    with server.sdk() as sdk, pytest.raises(RateLimitError):
        sdk.llm_clients.list()
    assert server.key not in server.log_text() and "f" * 64 not in server.log_text()


def test_the_limit_is_a_serve_option(tmp_path_factory: pytest.TempPathFactory) -> None:
    home = tmp_path_factory.mktemp("serve-auth-limit-2") / "home"
    with Server(home, "--max-auth-failures", "2") as server, httpx.Client(base_url=server.base_url) as http:
        assert [http.get("/api/v1/providers/", headers=WRONG).status_code for _ in range(3)] == [
            403,
            403,
            429,
        ]
