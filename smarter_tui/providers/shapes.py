"""The OpenAI chat.completion dict shape every provider reports as `ModelReply.response`."""

from __future__ import annotations

from typing import Any

from smarter_tui.domain.messages import ToolCall, Usage


def completion_dict(
    completion_id: str,
    created: int,
    model: str,
    content: str,
    tool_calls: list[ToolCall],
    finish_reason: str | None,
    usage: Usage,
) -> dict[str, Any]:
    """Return an OpenAI chat.completion-shaped dict for one assistant reply."""
    message: dict[str, Any] = {
        "role": "assistant",
        "content": content if (content or not tool_calls) else None,
        "tool_calls": [c.to_openai() for c in tool_calls] or None,
    }
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish_reason}],
        "usage": {
            "prompt_tokens": usage.prompt_tokens,
            "completion_tokens": usage.completion_tokens,
            "total_tokens": usage.total_tokens,
        },
    }
