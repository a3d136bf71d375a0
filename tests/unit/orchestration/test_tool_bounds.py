"""Every tool result reaching the model (and the store) is bounded in bytes (issue 11 item 8)."""

from __future__ import annotations

from typing import Any

from smarter_tui.domain.events import ToolCallFinished
from smarter_tui.domain.limits import MAX_TOOL_RESULT_BYTES, cap_text, short_echo
from smarter_tui.domain.messages import Message, Role
from smarter_tui.domain.tools import ToolSpec
from smarter_tui.orchestration.loop import TurnSettings, run_turn
from tests.support.scripted import ScriptedProvider, Step


class _Huge:
    spec = ToolSpec("huge", "returns a lot", {"type": "object", "properties": {}}, source="huge")

    async def run(self, arguments: dict[str, Any]) -> str:
        return "é" * (3 * MAX_TOOL_RESULT_BYTES)


async def test_a_huge_tool_result_is_cut_with_a_note_for_the_model() -> None:
    provider = ScriptedProvider(Step(calls=[("huge", "{}")]), Step(text="ok"))
    events = [
        e
        async for e in run_turn(
            provider, [Message(Role.SYSTEM, "s")], "go", TurnSettings(model="m"), functions=[_Huge()]
        )
    ]
    (finished,) = [e for e in events if isinstance(e, ToolCallFinished)]
    assert len(finished.result.encode()) <= MAX_TOOL_RESULT_BYTES + 200
    assert finished.result.endswith("only the first 1 MiB is shown]")
    sent = provider.requests[1].messages[-1]["content"]
    assert sent == finished.message.content == finished.result


def test_cuts_respect_utf8_and_echoes_say_how_long() -> None:
    assert cap_text("short") == "short"
    cut = cap_text("€" * 10, 7)
    assert cut.startswith("€€\n[truncated: the result had 30 bytes")
    echo = short_echo("a" * 1_000_000)
    assert len(echo) < 250 and echo.endswith("… (1,000,000 characters)")
