"""A scripted in-process model provider for loop tests (no network)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from smarter_tui.domain.errors import ProviderError
from smarter_tui.domain.messages import ToolCall, Usage
from smarter_tui.domain.models import ModelReply, ModelRequest, TextChunk


@dataclass
class Step:
    """One scripted model call: text (streamed in `chunks` pieces), tool calls, or an error."""

    text: str = ""
    calls: list[tuple[str, str]] = field(default_factory=list)  # (name, arguments JSON)
    error: ProviderError | None = None
    error_after: int = 0  # chunks streamed before the error
    delay: float = 0.0
    chunks: int = 3


class ScriptedProvider:
    """Replays `Step`s in order and records every request it received."""

    name = "scripted"
    offline = True

    def __init__(self, *steps: Step) -> None:
        self.steps = list(steps)
        self.requests: list[ModelRequest] = []

    async def complete(self, request: ModelRequest) -> AsyncIterator[TextChunk | ModelReply]:
        """Yield the next step's chunks then its reply (or raise its error)."""
        self.requests.append(request)
        step = self.steps.pop(0)
        size = max(1, -(-len(step.text) // step.chunks)) if step.text else 1
        pieces = [step.text[i : i + size] for i in range(0, len(step.text), size)]
        for index, piece in enumerate(pieces):
            if step.error and index == step.error_after:
                raise step.error
            if step.delay:
                await asyncio.sleep(step.delay)
            yield TextChunk(piece)
        if step.error:
            raise step.error
        calls = [ToolCall(f"call_{i}", n, a) for i, (n, a) in enumerate(step.calls, 1)]
        yield ModelReply(
            content=step.text,
            tool_calls=calls,
            finish_reason="tool_calls" if calls else "stop",
            usage=Usage(10, 5, 15),
            model=request.model,
            response={"object": "chat.completion", "model": request.model},
        )
