"""Loop overhead per tool round: the orchestration loop with no I/O (offline provider, pure tools).

Prints two figures:
- a whole offline turn (offline provider -> calculator -> offline answer), i.e. one tool round
  plus two model calls, with no persistence;
- the marginal cost of one more tool round, from a provider that asks for a no-op tool N times.
Run: python benchmarks/loop_overhead.py
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _stats import measure, report  # noqa: E402

from smarter_tui.domain.messages import Message, Role, ToolCall, Usage  # noqa: E402
from smarter_tui.domain.models import ModelReply, ModelRequest, TextChunk  # noqa: E402
from smarter_tui.domain.tools import ToolSpec  # noqa: E402
from smarter_tui.orchestration import TurnSettings, run_turn  # noqa: E402
from smarter_tui.plugins import build_function  # noqa: E402
from smarter_tui.providers import OfflineProvider  # noqa: E402

SYSTEM = [Message(role=Role.SYSTEM, content="You are a helpful assistant.")]


class NoopTool:
    """A tool that does nothing (so only the loop is measured)."""

    spec = ToolSpec("noop", "does nothing", {"type": "object", "properties": {}})

    async def run(self, arguments: dict[str, Any]) -> str:
        return "{}"


class RoundsProvider:
    """Asks for the no-op tool `rounds` times, then answers."""

    name = "rounds"
    offline = True

    def __init__(self, rounds: int) -> None:
        self.rounds = rounds

    async def complete(self, request: ModelRequest):  # type: ignore[no-untyped-def]
        done = sum(1 for m in request.messages if m["role"] == "tool")
        if done < self.rounds:
            yield ModelReply("", [ToolCall(f"c{done}", "noop", "{}")], "tool_calls", Usage())
        else:
            yield TextChunk("done")
            yield ModelReply("done", [], "stop", Usage())


async def drain(provider: Any, tools: list[Any], prompt: str, rounds: int = 8) -> int:
    settings = TurnSettings(model="m", max_tool_rounds=rounds)
    count = 0
    async for _ in run_turn(provider, SYSTEM, prompt, settings, tools):
        count += 1
    return count


def main() -> None:
    loop = asyncio.new_event_loop()
    offline = OfflineProvider()
    calculator = build_function("calculator")
    report(
        "offline turn with one calculator round (2 model calls + 1 tool)",
        measure(lambda: loop.run_until_complete(drain(offline, [calculator], "What is 2**16 + 17?")), 200),
        target_ms=2.0,
    )
    n = 50
    zero = measure(lambda: loop.run_until_complete(drain(RoundsProvider(0), [NoopTool()], "x", n)), 200)
    many = measure(lambda: loop.run_until_complete(drain(RoundsProvider(n), [NoopTool()], "x", n)), 50)
    per_round = [(m - z) / n for m, z in zip(sorted(many), sorted(zero), strict=False)]
    report(f"marginal loop overhead per tool round (no-op tool, {n} rounds)", per_round, target_ms=2.0)


if __name__ == "__main__":
    main()
