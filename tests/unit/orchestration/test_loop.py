"""The tool-call loop driven by a scripted provider: rounds, failures, cancellation, overrides."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from typing import Any

from smarter_tui.domain.errors import ProviderError, ToolError
from smarter_tui.domain.events import (
    AssistantMessageAdded,
    PluginSelected,
    SystemRoleAdded,
    TextDelta,
    ToolCallFinished,
    TurnFailed,
    TurnFinished,
    UserMessageAdded,
)
from smarter_tui.domain.messages import Message, Role, ToolCall
from smarter_tui.domain.tools import PluginBinding, PromptOverride, SelectorDirective, ToolSpec
from smarter_tui.orchestration import TurnSettings, run_turn
from smarter_tui.orchestration.history import request_messages
from tests.support.scripted import ScriptedProvider, Step

SYSTEM = Message(role=Role.SYSTEM, content="You are terse.")
NOW = datetime(2026, 11, 22, 12, 0)


class EchoTool:
    """Returns its arguments; sleeps `delay` first; raises when told to."""

    def __init__(self, name: str, delay: float = 0.0, fail: str | None = None) -> None:
        self.spec = ToolSpec(name, f"{name} tool", {"type": "object", "properties": {}}, source=name)
        self.delay, self.fail, self.calls = delay, fail, 0

    async def run(self, arguments: dict[str, Any]) -> str:
        self.calls += 1
        await asyncio.sleep(self.delay)
        if self.fail:
            raise ToolError(self.fail)
        return json.dumps({"echo": arguments})


def settings(**kw: Any) -> TurnSettings:
    return TurnSettings(model="m", temperature=0.0, max_tokens=100, now=NOW, **kw)


async def collect(gen) -> list:
    return [event async for event in gen]


async def test_text_answer_streams_and_finishes() -> None:
    provider = ScriptedProvider(Step(text="Hello there, friend"))
    events = await collect(run_turn(provider, [SYSTEM], "hi", settings()))
    assert isinstance(events[0], UserMessageAdded)
    deltas = "".join(e.text for e in events if isinstance(e, TextDelta))
    assert deltas == "Hello there, friend"
    finished = events[-1]
    assert isinstance(finished, TurnFinished) and finished.message.content == deltas
    sent = provider.requests[0]
    assert sent.messages[0]["role"] == "system"
    assert "You are terse." in sent.messages[0]["content"] and "2026-11-22" in sent.messages[0]["content"]
    assert sent.messages[-1] == {"role": "user", "content": "hi"}
    assert sent.temperature == 0.0 and sent.tools == []


async def test_three_tool_rounds_keep_tools_offered_and_chain() -> None:
    calc = EchoTool("calculator")
    provider = ScriptedProvider(
        Step(calls=[("calculator", '{"expression": "1+1"}')]),
        Step(calls=[("calculator", '{"expression": "2+2"}'), ("calculator", '{"expression": "3"}')]),
        Step(calls=[("calculator", "{}")]),
        Step(text="Done."),
    )
    events = await collect(run_turn(provider, [SYSTEM], "compute", settings(), functions=[calc]))
    assert calc.calls == 4
    assert all(r.tools for r in provider.requests), "tools stay offered after each round"
    last = provider.requests[-1].messages
    # assistant tool-call messages are each followed by one tool message per call, ids matching
    roles = [m["role"] for m in last[1:]]
    assert roles == ["user", "assistant", "tool", "assistant", "tool", "tool", "assistant", "tool"]
    ids = [c["id"] for m in last if m["role"] == "assistant" for c in m["tool_calls"]]
    assert ids == [m["tool_call_id"] for m in last if m["role"] == "tool"]
    assert isinstance(events[-1], TurnFinished) and events[-1].rounds == 3


async def test_max_tool_rounds_then_final_call_without_tools() -> None:
    calc = EchoTool("calculator")
    steps = [Step(calls=[("calculator", "{}")]) for _ in range(2)] + [Step(text="Final.")]
    provider = ScriptedProvider(*steps)
    events = await collect(
        run_turn(provider, [SYSTEM], "loop", settings(max_tool_rounds=2), functions=[calc])
    )
    assert [bool(r.tools) for r in provider.requests] == [True, True, False]
    assert events[-1].message.content == "Final."


async def test_tool_failures_go_back_to_the_model() -> None:
    boom = EchoTool("boom", fail="database is locked")
    provider = ScriptedProvider(
        Step(calls=[("boom", "{}"), ("nope", "{}"), ("boom", '{"x": ')]),
        Step(text="Sorry."),
    )
    events = await collect(run_turn(provider, [SYSTEM], "go", settings(), functions=[boom]))
    finished = [e for e in events if isinstance(e, ToolCallFinished)]
    assert [e.error for e in finished] == [
        "database is locked",
        "unknown tool 'nope'",
        finished[2].error,
    ]
    assert finished[2].error.startswith("invalid JSON arguments for 'boom'")
    assert finished[1].kind == "unknown"
    tool_messages = [m for m in provider.requests[1].messages if m["role"] == "tool"]
    assert json.loads(tool_messages[0]["content"]) == {"error": "database is locked"}
    assert events[-1].message.content == "Sorry."


async def test_independent_tool_calls_run_concurrently() -> None:
    slow = EchoTool("slow", delay=0.2)
    provider = ScriptedProvider(Step(calls=[("slow", "{}")] * 4), Step(text="ok"))
    loop = asyncio.get_running_loop()
    started = loop.time()
    await collect(run_turn(provider, [SYSTEM], "go", settings(), functions=[slow]))
    assert loop.time() - started < 0.6  # four 0.2 s calls in parallel, not 0.8 s in a row


async def test_tool_timeout_becomes_an_error_message() -> None:
    slow = EchoTool("slow", delay=1.0)
    provider = ScriptedProvider(Step(calls=[("slow", "{}")]), Step(text="ok"))
    events = await collect(run_turn(provider, [SYSTEM], "go", settings(tool_timeout=0.05), functions=[slow]))
    (finished,) = [e for e in events if isinstance(e, ToolCallFinished)]
    assert finished.error == "'slow' timed out after 0.05 s"


async def test_model_failure_mid_stream_keeps_partial_and_fails() -> None:
    provider = ScriptedProvider(
        Step(text="abcdefghij", chunks=5, error=ProviderError("server went away", 502), error_after=2)
    )
    events = await collect(run_turn(provider, [SYSTEM], "go", settings()))
    added = [e for e in events if isinstance(e, AssistantMessageAdded)]
    assert added[0].message.content == "abcd" and added[0].message.interrupted
    assert isinstance(events[-1], TurnFailed)
    assert events[-1].error == "server went away" and events[-1].status == 502


async def test_cancel_mid_stream_saves_interrupted_partial() -> None:
    provider = ScriptedProvider(Step(text="one two three four five six", chunks=6, delay=0.05))
    seen: list = []

    async def consume() -> None:
        async for event in run_turn(provider, [SYSTEM], "go", settings()):
            seen.append(event)
            if isinstance(event, TextDelta):
                task.cancel()

    task = asyncio.ensure_future(consume())
    await asyncio.wait_for(asyncio.shield(task), 2)
    added = [e for e in seen if isinstance(e, AssistantMessageAdded)]
    assert len(added) == 1 and added[0].message.interrupted
    assert added[0].message.content == "one t"
    assert isinstance(seen[-1], TurnFinished) and seen[-1].message.interrupted


async def test_plugin_system_role_once_per_session_and_overrides() -> None:
    tool = EchoTool("plugin_candy")
    candy = PluginBinding(
        "candy",
        "Candy facts",
        tool,
        SelectorDirective.SEARCH_TERMS,
        ["Gobstopper"],
        PromptOverride(system_role="You sell candy.", model="big", temperature=1.5, max_tokens=7),
    )
    provider = ScriptedProvider(Step(text="A"), Step(text="B"))
    first = await collect(run_turn(provider, [SYSTEM], "A Gobstoper?", settings(), plugins=[candy]))
    selected = [e for e in first if isinstance(e, PluginSelected)]
    assert [(e.plugin, e.term) for e in selected] == [("candy", "Gobstopper")]
    (role,) = [e for e in first if isinstance(e, SystemRoleAdded)]
    request = provider.requests[0]
    assert (request.model, request.temperature, request.max_tokens) == ("big", 1.5, 7)
    assert "You sell candy." in request.messages[0]["content"]
    assert request.tools[0]["function"]["name"] == "plugin_candy"

    history = [
        SYSTEM,
        role.message,
        Message(Role.USER, "A Gobstoper?"),
        Message(Role.ASSISTANT, "A"),
    ]
    second = await collect(run_turn(provider, history, "and the price?", settings(), plugins=[candy]))
    assert not [e for e in second if isinstance(e, SystemRoleAdded)]
    assert [e.term for e in second if isinstance(e, PluginSelected)] == ["Gobstopper"]
    assert provider.requests[1].messages[0]["content"].count("You sell candy.") == 1


def test_request_messages_repairs_dangling_tool_calls() -> None:
    history = [
        SYSTEM,
        Message(Role.USER, "q"),
        Message(Role.ASSISTANT, None, tool_calls=[ToolCall("c1", "calculator", "{}")]),
        Message(Role.ASSISTANT, "", interrupted=True),
    ]
    out = request_messages(history, NOW)
    assert [m["role"] for m in out] == ["system", "user", "assistant", "tool", "assistant"]
    assert out[3]["tool_call_id"] == "c1"
