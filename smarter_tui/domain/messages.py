"""Chat messages and tool calls as plain, immutable-ish data."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

#: Values of `Message.excluded`.
SUPERSEDED = "superseded"
DELETED = "deleted"


class Role(StrEnum):
    """The four message roles of the OpenAI chat format, plus the stored failure of a turn."""

    SYSTEM = "system"
    USER = "user"
    ASSISTANT = "assistant"
    TOOL = "tool"
    #: Why a turn failed (connection, status, key), kept with the session so a reopened chat
    #: shows it again; never sent to a model. The HTTP API's name for it (SMARTER-API.md).
    ERROR = "smarter_error"


@dataclass(slots=True)
class ToolCall:
    """One call the model asked for: `arguments` is the raw JSON text the model produced."""

    id: str
    name: str
    arguments: str

    def to_openai(self) -> dict[str, Any]:
        """Return the OpenAI `tool_calls[]` item for this call."""
        return {
            "id": self.id,
            "type": "function",
            "function": {"name": self.name, "arguments": self.arguments},
        }


@dataclass(slots=True)
class Usage:
    """Token usage of one model call (None where the server did not report it)."""

    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None

    def __add__(self, other: Usage) -> Usage:
        def add(a: int | None, b: int | None) -> int | None:
            return None if a is None and b is None else (a or 0) + (b or 0)

        return Usage(
            add(self.prompt_tokens, other.prompt_tokens),
            add(self.completion_tokens, other.completion_tokens),
            add(self.total_tokens, other.total_tokens),
        )


@dataclass(slots=True)
class Message:
    """One message of a session, as stored and as sent to the model."""

    role: Role
    content: str | None = None
    tool_calls: list[ToolCall] = field(default_factory=list)
    tool_call_id: str | None = None
    name: str | None = None
    model: str | None = None
    usage: Usage | None = None
    interrupted: bool = False
    created_at: datetime | None = None
    position: int | None = None
    #: Why the message is left out of the context: "superseded" (an older branch, after a
    #: regenerate or an edited prompt) or "deleted" (by the user); None while it is in it.
    excluded: str | None = None

    def to_openai(self) -> dict[str, Any]:
        """Return the message as an OpenAI chat-completions request item."""
        out: dict[str, Any] = {"role": str(self.role), "content": self.content}
        if self.tool_calls:
            out["tool_calls"] = [c.to_openai() for c in self.tool_calls]
        if self.role is Role.TOOL:
            out["tool_call_id"] = self.tool_call_id
            if self.name:
                out["name"] = self.name
        return out

    def to_public(self) -> dict[str, Any]:
        """Return the message in the API/export shape (SPEC §8): OpenAI fields plus metadata."""
        out = self.to_openai()
        if self.role is Role.ASSISTANT and self.interrupted:
            out["interrupted"] = True
        if self.model:
            out["model"] = self.model
        if self.created_at:
            out["created_at"] = self.created_at.isoformat()
        if self.excluded:
            out["excluded"] = self.excluded
        return out


def parse_arguments(raw: str) -> dict[str, Any]:
    """Parse a tool call's JSON arguments; raise ValueError with a short reason when invalid."""
    if not raw or not raw.strip():
        return {}
    value = json.loads(raw)
    if not isinstance(value, dict):
        raise ValueError("arguments must be a JSON object")
    return value
