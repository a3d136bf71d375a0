"""Turning stored history into the message list of a model request."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from smarter_tui.domain.messages import Message, Role

DEFAULT_SYSTEM_ROLE = (
    "You are a helpful assistant. Answer clearly and concisely; use the tools you are offered "
    "when they help, and say so when you do not know."
)


def request_messages(history: Sequence[Message], now: datetime | None = None) -> list[dict[str, Any]]:
    """Return OpenAI-format messages for `history`, with the current date/time in the system prompt.

    Plugin system roles (system messages after the first) are merged into the system prompt. An
    assistant tool call left without an answer (a crash or cancel mid-turn) gets a synthetic tool
    error so the request stays valid for every OpenAI-compatible server.
    """
    stamp = (now or datetime.now().astimezone()).strftime("%A %Y-%m-%d %H:%M %Z").strip()
    system_parts: list[str] = []
    body: list[dict[str, Any]] = []
    pending: dict[str, str] = {}  # tool_call_id -> tool name, awaiting a tool message
    for message in history:
        if message.role is Role.ERROR:  # shown to the user, not part of the conversation
            continue
        if message.role is Role.SYSTEM:
            if message.content:
                system_parts.append(message.content)
            continue
        if message.role is not Role.TOOL and pending:
            body.extend(_missing_results(pending))
        if message.role is Role.TOOL:
            pending.pop(message.tool_call_id or "", None)
        body.append(message.to_openai())
        for call in message.tool_calls:
            pending[call.id] = call.name
    if pending:
        body.extend(_missing_results(pending))
    if not system_parts:
        system_parts.append(DEFAULT_SYSTEM_ROLE)
    system_parts.append(f"The current date and time is {stamp}.")
    return [{"role": "system", "content": "\n\n".join(system_parts)}, *body]


def _missing_results(pending: dict[str, str]) -> list[dict[str, Any]]:
    out = [
        {
            "role": "tool",
            "tool_call_id": call_id,
            "name": name,
            "content": json.dumps({"error": "no result: the turn was interrupted"}),
        }
        for call_id, name in pending.items()
    ]
    pending.clear()
    return out
