"""The model-provider protocol: one streaming call in, text deltas and one final reply out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from smarter_tui.domain.messages import ToolCall, Usage


@dataclass(slots=True)
class ModelRequest:
    """One chat-completions call. `messages`/`tools` are already in OpenAI wire format."""

    model: str
    messages: list[dict[str, Any]]
    tools: list[dict[str, Any]] = field(default_factory=list)  # empty -> no tools offered
    temperature: float | None = None
    max_tokens: int | None = None
    stream: bool = True

    def to_json(self) -> dict[str, Any]:
        """Return the request body as JSON (what the debug view shows)."""
        body: dict[str, Any] = {"model": self.model, "messages": self.messages}
        if self.tools:
            body["tools"] = self.tools
        if self.temperature is not None:
            body["temperature"] = self.temperature
        if self.max_tokens is not None:
            body["max_tokens"] = self.max_tokens
        body["stream"] = self.stream
        return body


@dataclass(slots=True)
class TextChunk:
    """A streamed piece of assistant text."""

    text: str


@dataclass(slots=True)
class ModelReply:
    """The complete reply of one call; always the last item a provider yields."""

    content: str
    tool_calls: list[ToolCall] = field(default_factory=list)
    finish_reason: str | None = None
    usage: Usage = field(default_factory=Usage)
    model: str = ""
    response: dict[str, Any] = field(default_factory=dict)  # OpenAI chat.completion-shaped dict


class ModelProvider(Protocol):
    """A model backend. `complete` yields `TextChunk`s then exactly one `ModelReply`.

    Raises `ProviderError` (with a human message and HTTP status if any) when the call fails.
    Cancelling the consuming task must close the underlying stream promptly.
    """

    name: str
    offline: bool

    def complete(self, request: ModelRequest) -> AsyncIterator[TextChunk | ModelReply]: ...


@runtime_checkable
class ModelLister(Protocol):
    """A provider that can say which models it serves (an OpenAI-compatible `GET /models`)."""

    async def list_models(self) -> list[str]:
        """Return the model names, sorted. Raises `ProviderError` when the server cannot tell."""
        ...
