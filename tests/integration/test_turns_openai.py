"""Whole turns through the services with the real openai SDK against a loopback server."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

import pytest

from smarter_tui.domain.events import TextDelta
from smarter_tui.domain.messages import Role
from smarter_tui.services import Services
from tests.support.fake_openai import FakeOpenAI, Reply


def _manifests(base_url: str, db_path: Path) -> str:
    return f"""
apiVersion: smarter.sh/v1
kind: Provider
metadata: {{name: loopback, description: test server}}
spec:
  provider: {{baseUrl: "{base_url}", defaultModel: test-model, apiKey: null}}
---
apiVersion: smarter.sh/v1
kind: SqlConnection
metadata: {{name: broken_db, description: a db without the table}}
spec:
  connection: {{dbEngine: sqlite, database: "{db_path}"}}
---
apiVersion: smarter.sh/v1
kind: SqlPlugin
metadata: {{name: broken_query, pluginClass: sql, description: always fails}}
spec:
  connection: broken_db
  selector: {{directive: always}}
  sqlData:
    description: Look things up
    sqlQuery: SELECT * FROM missing_table WHERE x = {{x}}
    parameters: [{{name: x, type: string, description: a value, required: true}}]
---
apiVersion: smarter.sh/v1
kind: LLMClient
metadata: {{name: tester, description: test client}}
spec:
  config:
    provider: loopback
    defaultSystemRole: You are a test assistant.
    defaultTemperature: 0.0
    defaultMaxTokens: 256
  functions: [calculator]
  plugins: [broken_query]
"""


@pytest.fixture
def svc(services: Services, fake_openai: FakeOpenAI, tmp_path: Path) -> Services:
    db_path = tmp_path / "empty.sqlite3"
    sqlite3.connect(db_path).close()
    path = tmp_path / "tester.yaml"
    path.write_text(_manifests(fake_openai.base_url, db_path))
    services.catalogue.apply_paths([path])
    return services


def _calc(expression: str) -> tuple[str, str]:
    return ("calculator", json.dumps({"expression": expression}))


async def test_streamed_answer_is_persisted_with_usage(svc: Services, fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Reply(text="Hello from the loopback model", usage=(12, 5)))
    deltas: list[str] = []
    outcome = await svc.sessions.send(
        "hi", client="tester", on_event=lambda e: deltas.append(e.text) if isinstance(e, TextDelta) else None
    )
    assert outcome.error is None and outcome.answer == "Hello from the loopback model"
    assert len(deltas) > 1 and "".join(deltas) == outcome.answer
    body = fake_openai.requests[0]
    assert body["model"] == "test-model" and body["temperature"] == 0.0 and body["max_tokens"] == 256
    assert body["messages"][0]["role"] == "system" and "test assistant" in body["messages"][0]["content"]
    assert body["messages"][-1] == {"role": "user", "content": "hi"}
    stored = svc.history.messages(outcome.session_key)
    assert [m.role for m in stored] == [Role.SYSTEM, Role.USER, Role.ASSISTANT]
    assert stored[-1].usage is not None and stored[-1].usage.prompt_tokens == 12


async def test_non_streaming_answer(svc: Services, fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Reply(text="Not streamed"))
    outcome = await svc.sessions.send("hi", client="tester", stream=False)
    assert outcome.answer == "Not streamed" and fake_openai.requests[0].get("stream") in (False, None)


@pytest.mark.parametrize("rounds", [1, 2, 3])
async def test_tool_rounds_chain_and_persist(svc: Services, fake_openai: FakeOpenAI, rounds: int) -> None:
    for i in range(rounds):
        fake_openai.enqueue(Reply(tool_calls=[_calc(f"{i} + 40")], arg_chunks=4))
    fake_openai.enqueue(Reply(text="All done."))
    outcome = await svc.sessions.send("compute", client="tester")
    assert outcome.answer == "All done."
    assert len(fake_openai.requests) == rounds + 1
    assert all(r.get("tools") for r in fake_openai.requests), "tools stay offered every round"
    last = fake_openai.requests[-1]["messages"]
    tool_messages = [m for m in last if m["role"] == "tool"]
    assert [json.loads(m["content"]) for m in tool_messages] == [{"result": i + 40} for i in range(rounds)]
    call_ids = [c["id"] for m in last if m["role"] == "assistant" for c in m.get("tool_calls") or []]
    assert call_ids == [m["tool_call_id"] for m in tool_messages]
    stored = svc.history.messages(outcome.session_key)
    assert [m.role.value for m in stored] == ["system", "user"] + ["assistant", "tool"] * rounds + [
        "assistant"
    ]
    records = svc.db.sessions.tool_calls(outcome.session_key)
    assert [r.source for r in records] == ["calculator"] * rounds and all(r.error is None for r in records)


async def test_two_calls_in_one_reply_and_split_arguments(svc: Services, fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Reply(tool_calls=[_calc("6 * 7"), _calc("2 ** 10")], arg_chunks=7))
    fake_openai.enqueue(Reply(text="42 and 1024"))
    outcome = await svc.sessions.send("two sums", client="tester")
    tool_messages = [m for m in fake_openai.requests[1]["messages"] if m["role"] == "tool"]
    assert [json.loads(m["content"]) for m in tool_messages] == [{"result": 42}, {"result": 1024}]
    assert [c["function_name"] for c in outcome.tool_calls] == ["calculator", "calculator"]


async def test_bad_arguments_unknown_tool_and_raising_tool(svc: Services, fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(
        Reply(
            tool_calls=[
                ("calculator", '{"expression": "1+'),  # invalid JSON
                ("no_such_tool", "{}"),
                ("plugin_broken_query", '{"x": "a"}'),  # the SQL tool raises: no such table
            ]
        )
    )
    fake_openai.enqueue(Reply(text="Some tools failed."))
    outcome = await svc.sessions.send("break things", client="tester")
    assert outcome.error is None and outcome.answer == "Some tools failed."
    errors = [
        json.loads(m["content"])["error"] for m in fake_openai.requests[1]["messages"] if m["role"] == "tool"
    ]
    assert errors[0].startswith("invalid JSON arguments for 'calculator'")
    assert errors[1] == "unknown tool 'no_such_tool'"
    assert "missing_table" in errors[2]
    records = svc.db.sessions.tool_calls(outcome.session_key)
    assert [(r.kind, r.error is not None) for r in records] == [
        ("function", True),
        ("unknown", True),
        ("plugin", True),
    ]


async def test_rate_limit_then_success(svc: Services, fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Reply(status=429, error="slow down", retry_after=0))
    fake_openai.enqueue(Reply(text="Recovered"))
    outcome = await svc.sessions.send("hi", client="tester")
    assert outcome.answer == "Recovered" and len(fake_openai.requests) == 2


async def test_server_error_ends_turn_and_keeps_session(svc: Services, fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Reply(text="First answer"))
    first = await svc.sessions.send("one", client="tester")
    for _ in range(3):  # the SDK retries 5xx twice
        fake_openai.enqueue(Reply(status=500, error="kaboom"))
    second = await svc.sessions.send("two", session_key=first.session_key)
    assert second.error is not None and "500" in second.error and second.status == 500
    stored = svc.history.messages(first.session_key)
    # The failure is kept with the session (shown again on reopen), after everything before it.
    assert [m.content for m in stored[1:]] == ["one", "First answer", "two", second.error]
    assert stored[-1].role is Role.ERROR
    fake_openai.enqueue(Reply(text="Back"))
    third = await svc.sessions.send("three", session_key=first.session_key)
    sent = [m["role"] for m in fake_openai.requests[-1]["messages"]]
    assert third.answer == "Back" and "smarter_error" not in sent  # never sent to a model


async def test_stream_cut_off_keeps_partial_text(svc: Services, fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Reply(chunks=["Part ", "one ", "two ", "three"], cut_after=2))
    outcome = await svc.sessions.send("hi", client="tester")
    assert outcome.error is not None
    stored = svc.history.messages(outcome.session_key)
    partial, error = stored[-2:]  # the partial answer, then why it stopped
    assert partial.role is Role.ASSISTANT and partial.interrupted
    assert partial.content == "Part one "
    assert error.role is Role.ERROR and error.content == outcome.error


async def test_slow_stream_cancelled_by_caller(svc: Services, fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Reply(chunks=["a ", "b ", "c ", "d ", "e "], delay=0.5))
    first_delta = asyncio.Event()

    def on_event(event: object) -> None:
        if isinstance(event, TextDelta):
            first_delta.set()

    task = asyncio.create_task(svc.sessions.send("slow", client="tester", on_event=on_event))
    await asyncio.wait_for(first_delta.wait(), 5)
    started = asyncio.get_running_loop().time()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert asyncio.get_running_loop().time() - started < 1.0
    (session,) = svc.history.list()
    stored = svc.history.messages(session.session_key)
    assert stored[-1].interrupted and stored[-1].content == "a "


async def test_unreachable_server_is_a_clear_error(services: Services, tmp_path: Path) -> None:
    path = tmp_path / "dead.yaml"
    sqlite3.connect(tmp_path / "empty.sqlite3").close()
    path.write_text(_manifests("http://127.0.0.1:9/v1", tmp_path / "empty.sqlite3"))
    services.catalogue.apply_paths([path])
    outcome = await services.sessions.send("hi", client="tester")
    assert outcome.error and "127.0.0.1:9" in outcome.error
    stored = services.history.messages(outcome.session_key)
    assert [m.role for m in stored] == [Role.SYSTEM, Role.USER, Role.ERROR]
    assert stored[-1].content == outcome.error
