"""`serve` beside the TUI and CLI: concurrent turns on one data directory, a client that disconnects
mid-answer, and SIGTERM during a turn (real processes; a scripted OpenAI-compatible model)."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.e2e.serve import Server
from tests.support.fake_openai import FakeOpenAI, Reply

V2 = {"X-Smarter-Capabilities": "chat-contract-v2"}


def slow_client(server: Server, fake: FakeOpenAI, tmp: Path) -> None:
    """Apply a provider at the fake model and a client `slowpoke` using it."""
    manifest = tmp / "slow.yaml"
    manifest.write_text(
        "apiVersion: smarter.sh/v1\nkind: Provider\nmetadata: {name: slow, description: x}\n"
        f"spec:\n  provider: {{baseUrl: '{fake.base_url}', defaultModel: m, apiKey: null}}\n"
        "---\napiVersion: smarter.sh/v1\nkind: LLMClient\nmetadata: {name: slowpoke, description: x}\n"
        "spec:\n  config: {provider: slow}\n  functions: []\n  plugins: []\n"
    )
    result = server.cli("apply", "-f", str(manifest))
    assert result.code == 0, result.err


def messages_of(server: Server, key: str) -> list[dict[str, object]]:
    with sqlite3.connect(server.cli.home / "smarter.sqlite3") as db:
        db.row_factory = sqlite3.Row
        rows = db.execute(
            "SELECT role, content, interrupted FROM messages "
            "JOIN sessions ON sessions.id = messages.session_id "
            "WHERE session_key = ? ORDER BY position",
            (key,),
        ).fetchall()
    return [dict(r) for r in rows]


def wait_until(predicate, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, fake: FakeOpenAI) -> Iterator[Server]:
    home = tmp_path_factory.mktemp("serve-life")
    with Server(home / "home") as running:
        slow_client(running, fake, home)
        yield running


def test_concurrent_turns_beside_a_cli_writer(server: Server) -> None:
    """32 new sessions at once, 8 turns on one session, and a CLI `prompt` on the same database."""
    sdk = server.sdk(timeout=120)
    client = sdk.llm_clients.find("general_assistant")
    shared = sdk.llm_clients.config(client.id).session_key

    def one_session(n: int) -> tuple[str, str]:
        response = sdk.llm_clients.prompt(client.id, f"What is {n} + 1000?")
        return response.data.session_key, response.text  # type: ignore[attr-defined]

    def same_session() -> list[str]:
        # One turn at a time per session (a second one at once gets 409): these are sent in order.
        return [
            sdk.llm_clients.prompt(client.id, f"What is {n} * 3?", session_key=shared).text for n in range(8)
        ]

    with ThreadPoolExecutor(max_workers=34) as pool:
        cli = pool.submit(server.cli, "prompt", "general_assistant", "What is 9 * 9?", "-o", "json")
        serial = pool.submit(same_session)
        results = list(pool.map(one_session, range(32)))
        answers = serial.result()
        cli_result = cli.result()

    assert cli_result.code == 0, cli_result.err
    assert "81" in json.dumps(cli_result.json()["new_messages"])
    assert len({key for key, _ in results}) == 32
    for n, (key, text) in enumerate(results):
        assert str(n + 1000) in text
        stored = messages_of(server, key)
        assert [m["role"] for m in stored] == ["system", "user", "assistant", "tool", "assistant"]
        assert stored[1]["content"] == f"What is {n} + 1000?"
    assert all(str(n * 3) in answer for n, answer in enumerate(answers))
    stored = messages_of(server, shared)
    users = [m["content"] for m in stored if m["role"] == "user"]
    assert users == [f"What is {n} * 3?" for n in range(8)]
    # Each turn is whole and in place: user, tool call, tool result, answer.
    assert [m["role"] for m in stored] == ["system"] + ["user", "assistant", "tool", "assistant"] * 8
    sdk.close()


def test_client_disconnect_mid_stream_saves_the_partial_answer(server: Server, fake: FakeOpenAI) -> None:
    fake.enqueue(Reply(chunks=[f"word{i} " for i in range(400)], delay=0.05))
    with httpx.Client(base_url=server.base_url, timeout=30) as http:
        key = http.post("/api/v1/llm-clients/slowpoke/config/", json={}, headers=V2).json()["data"][
            "session_key"
        ]
        deltas = 0
        body = {"session_key": key, "messages": [{"role": "user", "content": "Tell me a long story"}]}
        headers = {**V2, "Accept": "text/event-stream"}
        with http.stream(
            "POST", "/api/v1/llm-clients/slowpoke/prompt/", json=body, headers=headers
        ) as stream:
            for line in stream.iter_lines():
                if line == "event: delta":
                    deltas += 1
                if deltas >= 5:
                    # One turn at a time per session: a second prompt meanwhile is refused, not mixed in.
                    busy = http.post("/api/v1/llm-clients/slowpoke/prompt/", json=body, headers=V2)
                    assert busy.status_code == 409 and "answering" in busy.json()["error"]["description"]
                    break  # leaving the block closes the connection mid-answer
    assert fake.wait_for_disconnect(timeout=30), "the model's stream was not cancelled"

    def saved() -> bool:
        stored = messages_of(server, key)
        # The row exists (interrupted) from the first delta; wait for at least what the client saw.
        return (
            len(stored) == 3
            and bool(stored[2]["interrupted"])
            and len(str(stored[2]["content"]).split()) >= 5
        )

    wait_until(saved)
    partial = messages_of(server, key)[2]
    assert partial["role"] == "assistant" and str(partial["content"]).startswith("word0 word1 word2 word3")
    assert "word399" not in str(partial["content"])


def test_sigterm_during_a_turn_leaves_an_intact_database(tmp_path: Path, fake: FakeOpenAI) -> None:
    fake.reset()
    with Server(tmp_path / "home") as server:
        slow_client(server, fake, tmp_path)
        fake.enqueue(Reply(chunks=[f"word{i} " for i in range(400)], delay=0.05))
        results: list[dict[str, object]] = []

        def ask() -> None:
            body = {"messages": [{"role": "user", "content": "Tell me a long story"}]}
            headers = {**V2, "Accept": "text/event-stream"}
            url = f"{server.base_url}/api/v1/llm-clients/slowpoke/prompt/"
            with httpx.stream("POST", url, json=body, headers=headers, timeout=60) as stream:
                lines = list(stream.iter_lines())
            results.extend(
                json.loads(data[6:]) for data in lines if data.startswith("data: ") and "status" in data
            )

        asking = threading.Thread(target=ask)
        asking.start()
        wait_until(lambda: fake.chunks_sent >= 10)
        started = time.monotonic()
        assert server.terminate(timeout=30) == 0
        stopped_in = time.monotonic() - started
        asking.join(timeout=30)

    assert stopped_in < 15, "the shutdown waited for the answer instead of cancelling it"
    (result,) = results  # the stream ends with its result: the turn was stopped, not lost
    assert result["status"] == 503
    database = server.cli.home / "smarter.sqlite3"
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        (key,) = db.execute("SELECT session_key FROM sessions WHERE client = 'slowpoke'").fetchone()
    stored = messages_of(server, key)
    assert [m["role"] for m in stored] == ["system", "user", "assistant"]
    assert stored[2]["interrupted"] and re.match(r"^word0 word1 ", str(stored[2]["content"]))
