"""The model worker's wire format: one JSON object per line, both ways.

Parent to worker: `{"op": "open", "provider": N, "config": {...}}` (builds provider N and its
SDK client), `{"op": "complete", "id": R, "provider": N, "request": {...}}`,
`{"op": "models", "id": R, "provider": N}`, `{"op": "cancel", "id": R}`.
Worker to parent: `{"id": R, "chunk": TEXT}`, `{"id": R, "reply": {...}}`,
`{"id": R, "models": [...]}`, `{"id": R, "error": {"message": ..., "status": ...}}`, and
`{"id": R, "end": true}` after the last of them. The API key travels in "open" only, over the pipe.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from smarter_tui.domain.errors import ProviderError
from smarter_tui.domain.messages import ToolCall, Usage
from smarter_tui.domain.models import ModelReply, ModelRequest


def encode(message: dict[str, Any]) -> bytes:
    """Return one wire line."""
    return json.dumps(message, separators=(",", ":")).encode() + b"\n"


def decode(line: bytes) -> dict[str, Any]:
    """Return the message of one wire line."""
    message: dict[str, Any] = json.loads(line)
    return message


def request_to_wire(request: ModelRequest) -> dict[str, Any]:
    """Return a model request as JSON."""
    return {
        "model": request.model,
        "messages": request.messages,
        "tools": request.tools,
        "temperature": request.temperature,
        "max_tokens": request.max_tokens,
        "stream": request.stream,
    }


def request_from_wire(data: dict[str, Any]) -> ModelRequest:
    """Return the model request `request_to_wire` encoded."""
    return ModelRequest(**data)


def reply_to_wire(reply: ModelReply) -> dict[str, Any]:
    """Return a model reply as JSON."""
    return {
        "content": reply.content,
        "tool_calls": [asdict(call) for call in reply.tool_calls],
        "finish_reason": reply.finish_reason,
        "usage": asdict(reply.usage),
        "model": reply.model,
        "response": reply.response,
    }


def reply_from_wire(data: dict[str, Any]) -> ModelReply:
    """Return the model reply `reply_to_wire` encoded."""
    return ModelReply(
        content=data["content"],
        tool_calls=[ToolCall(**call) for call in data["tool_calls"]],
        finish_reason=data["finish_reason"],
        usage=Usage(**data["usage"]),
        model=data["model"],
        response=data["response"],
    )


def error_to_wire(error: ProviderError) -> dict[str, Any]:
    """Return a provider error as JSON (its message is already free of the API key)."""
    return {"message": error.message, "status": error.status}


def error_from_wire(data: dict[str, Any]) -> ProviderError:
    """Return the provider error `error_to_wire` encoded."""
    return ProviderError(data["message"], status=data["status"])
