"""Typed events the tool-call loop emits; the UI renders them and the session service persists them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from smarter_tui.domain.messages import Message, ToolCall, Usage


@dataclass(slots=True)
class PluginSelected:
    """A plugin was offered for this prompt; `term` is the matched search term or "always"/"llm"."""

    plugin: str
    term: str
    prompt: str


@dataclass(slots=True)
class SystemRoleAdded:
    """A selected plugin's systemRole joined the session (once per session): persist `message`."""

    plugin: str
    message: Message


@dataclass(slots=True)
class UserMessageAdded:
    """The user's prompt, to be persisted before the first model call."""

    message: Message


@dataclass(slots=True)
class ModelRequestSent:
    """A model call is about to start (the request as JSON, for the debug view)."""

    round: int
    request: dict[str, Any]


@dataclass(slots=True)
class TextDelta:
    """A piece of assistant text as it streams in."""

    text: str


@dataclass(slots=True)
class AssistantMessageAdded:
    """A model call finished: its message (text and/or tool calls) is complete; persist it."""

    message: Message
    response: dict[str, Any] = field(default_factory=dict)  # chat.completion-shaped dict


@dataclass(slots=True)
class ToolCallStarted:
    """A tool call begins."""

    call: ToolCall
    source: str  # function or plugin name ("" when the tool is unknown)


@dataclass(slots=True)
class ToolCallFinished:
    """A tool call ended: `message` is the tool message for the model; `error` set on failure."""

    call: ToolCall
    source: str
    kind: str  # "function" | "plugin" | "unknown"
    result: str
    error: str | None
    duration_ms: float
    message: Message


@dataclass(slots=True)
class RoundFinished:
    """One model round with tool calls finished; `round` counts from 1."""

    round: int


@dataclass(slots=True)
class TurnFinished:
    """The turn ended normally (or was cancelled: `message.interrupted`)."""

    message: Message
    usage: Usage
    rounds: int
    response: dict[str, Any] = field(default_factory=dict)
    model: str = ""
    temperature: float | None = None
    max_tokens: int | None = None


@dataclass(slots=True)
class TurnFailed:
    """A model call failed; every earlier message of the turn is already persisted."""

    error: str
    status: int | None = None
    partial: Message | None = None  # partial assistant text, if any was streamed


@dataclass(slots=True)
class SessionStarted:
    """The session a front end's turn runs in exists now (a new chat's first prompt created it)."""

    session_key: str


@dataclass(slots=True)
class TurnEnded:
    """Always the last event a front end sees of a turn: how it ended, and the error to show.

    `state` is "ready", "interrupted" or "error"; `outcome` is the services' `TurnOutcome`
    (None when the turn ended before producing one: cancelled early, or an error raised).
    """

    session_key: str | None
    state: str
    error: str | None = None
    outcome: Any = None


TurnEvent = (
    PluginSelected
    | SystemRoleAdded
    | UserMessageAdded
    | ModelRequestSent
    | TextDelta
    | AssistantMessageAdded
    | ToolCallStarted
    | ToolCallFinished
    | RoundFinished
    | TurnFinished
    | TurnFailed
)
