"""One turn: model rounds, concurrent tool calls, and the events they produce."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from smarter_tui.domain.errors import ProviderError
from smarter_tui.domain.events import (
    AssistantMessageAdded,
    ModelRequestSent,
    PluginSelected,
    RoundFinished,
    SystemRoleAdded,
    TextDelta,
    ToolCallFinished,
    ToolCallStarted,
    TurnEvent,
    TurnFailed,
    TurnFinished,
    UserMessageAdded,
)
from smarter_tui.domain.limits import cap_text
from smarter_tui.domain.messages import Message, Role, ToolCall, Usage, parse_arguments
from smarter_tui.domain.models import ModelProvider, ModelReply, ModelRequest, TextChunk
from smarter_tui.domain.tools import PluginBinding, Tool
from smarter_tui.orchestration.history import request_messages
from smarter_tui.orchestration.selection import select_plugins

DEFAULT_MAX_TOOL_ROUNDS = 8


@dataclass(slots=True)
class TurnSettings:
    """Model settings for a turn; selected plugins' prompt overrides are applied on top."""

    model: str
    temperature: float | None = None
    max_tokens: int | None = None
    max_tool_rounds: int = DEFAULT_MAX_TOOL_ROUNDS
    stream: bool = True
    tool_timeout: float = 60.0
    now: datetime | None = None  # stated in the system prompt; None -> the current local time


def _effective_settings(
    settings: TurnSettings, selected: Sequence[PluginBinding]
) -> tuple[str, float | None, int | None]:
    """Return (model, temperature, max_tokens): the last selected plugin's overrides win."""
    model, temperature, max_tokens = settings.model, settings.temperature, settings.max_tokens
    for plugin in selected:
        override = plugin.prompt
        model = override.model or model
        temperature = override.temperature if override.temperature is not None else temperature
        max_tokens = override.max_tokens or max_tokens
    return model, temperature, max_tokens


@dataclass(slots=True)
class _Target:
    """What a tool call resolves to: the tool (None when unknown), its source and kind."""

    tool: Tool | None
    source: str = ""
    kind: str = "unknown"


async def _run_tool(target: _Target, call: ToolCall, timeout: float) -> tuple[str, str | None, float]:
    """Run one call; return (result, error, duration ms). Failures go to the model, never raise."""
    started = time.perf_counter()
    result, error = "", None
    if target.tool is None:
        error = f"unknown tool {call.name!r}"
    else:
        try:
            result = await asyncio.wait_for(target.tool.run(parse_arguments(call.arguments)), timeout)
            result = cap_text(result)  # bounded for every tool: stored twice and sent to the model
        except ValueError as exc:
            error = f"invalid JSON arguments for {call.name!r}: {exc}"
        except TimeoutError:
            error = f"{call.name!r} timed out after {timeout:g} s"
        except Exception as exc:  # any tool failure becomes a tool message; the turn goes on
            error = str(exc) or type(exc).__name__
    return result, error, (time.perf_counter() - started) * 1000


def _interrupted(text: str, model: str) -> Message:
    """Return the assistant message saved when a turn stops early (cancel or model failure)."""
    return Message(role=Role.ASSISTANT, content=text, model=model, interrupted=True)


def _tool_message(call: ToolCall, result: str, error: str | None) -> Message:
    content = json.dumps({"error": error}) if error is not None else result
    return Message(role=Role.TOOL, content=content, tool_call_id=call.id, name=call.name)


async def run_turn(
    provider: ModelProvider,
    history: Sequence[Message],
    prompt: str,
    settings: TurnSettings,
    functions: Sequence[Tool] = (),
    plugins: Sequence[PluginBinding] = (),
) -> AsyncIterator[TurnEvent]:
    """Run one turn and yield its events in order; the caller persists them as they arrive.

    `history` is the session's stored messages (system prompt first). Model failures end the turn
    with `TurnFailed`; tool failures become tool messages. If the consuming task is cancelled while
    the model streams, the partial answer is yielded as an interrupted message and the turn ends.
    """
    earlier = [m.content or "" for m in history if m.role is Role.USER]
    selection = select_plugins(plugins, prompt, earlier)
    applied_roles = {m.name for m in history if m.role is Role.SYSTEM and m.name}
    added_roles: list[Message] = []
    for plugin, term in selection:
        yield PluginSelected(plugin=plugin.name, term=term, prompt=prompt)
        role = plugin.prompt.system_role
        if role and plugin.name not in applied_roles:
            applied_roles.add(plugin.name)
            message = Message(role=Role.SYSTEM, content=role, name=plugin.name)
            added_roles.append(message)
            yield SystemRoleAdded(plugin=plugin.name, message=message)

    user = Message(role=Role.USER, content=prompt)
    yield UserMessageAdded(message=user)

    tools: dict[str, _Target] = {}
    for fn in functions:
        tools[fn.spec.name] = _Target(fn, fn.spec.source or fn.spec.name, "function")
    for plugin, _ in selection:
        tools[plugin.tool.spec.name] = _Target(plugin.tool, plugin.name, "plugin")
    tool_schemas = [t.tool.spec.to_openai() for t in tools.values() if t.tool is not None]

    model, temperature, max_tokens = _effective_settings(settings, [p for p, _ in selection])
    messages = request_messages([*history, *added_roles, user], settings.now)
    usage = Usage()
    rounds = 0
    while True:
        offer_tools = bool(tool_schemas) and rounds < settings.max_tool_rounds
        request = ModelRequest(
            model=model,
            messages=list(messages),  # a snapshot: the running list grows after this call
            tools=tool_schemas if offer_tools else [],
            temperature=temperature,
            max_tokens=max_tokens,
            stream=settings.stream,
        )
        yield ModelRequestSent(round=rounds + 1, request=request.to_json())
        parts: list[str] = []
        reply: ModelReply | None = None
        try:
            async for item in provider.complete(request):
                if isinstance(item, TextChunk):
                    parts.append(item.text)
                    yield TextDelta(text=item.text)
                else:
                    reply = item
        except asyncio.CancelledError:
            # Keep what arrived: the partial answer is saved, marked interrupted, and the turn ends.
            partial = _interrupted("".join(parts), model)
            yield AssistantMessageAdded(message=partial)
            yield TurnFinished(
                partial, usage, rounds, model=model, temperature=temperature, max_tokens=max_tokens
            )
            return
        except ProviderError as exc:
            partial_message = None
            if parts:
                partial_message = _interrupted("".join(parts), model)
                yield AssistantMessageAdded(message=partial_message)
            yield TurnFailed(error=exc.message, status=exc.status, partial=partial_message)
            return
        if reply is None:
            yield TurnFailed(error=f"The provider {provider.name!r} returned no reply.")
            return

        usage = usage + reply.usage
        calls = reply.tool_calls if offer_tools else []
        answer = Message(
            role=Role.ASSISTANT,
            content=reply.content or None if calls else reply.content,
            tool_calls=list(calls),
            model=reply.model or model,
            usage=reply.usage,
        )
        yield AssistantMessageAdded(message=answer, response=reply.response)
        messages.append(answer.to_openai())
        if not calls:
            yield TurnFinished(
                answer,
                usage,
                rounds,
                response=reply.response,
                model=answer.model or model,
                temperature=temperature,
                max_tokens=max_tokens,
            )
            return

        rounds += 1
        targets = [tools.get(call.name) or _Target(None) for call in calls]
        for call, target in zip(calls, targets, strict=True):
            yield ToolCallStarted(call=call, source=target.source)
        tasks = [
            asyncio.ensure_future(_run_tool(target, call, settings.tool_timeout))
            for call, target in zip(calls, targets, strict=True)
        ]
        try:
            outcomes = await asyncio.gather(*tasks)
        except asyncio.CancelledError:
            for task in tasks:
                task.cancel()
            # Answer every call so the stored history stays a valid conversation, then stop.
            outcomes = [("", "cancelled by the user", 0.0)] * len(calls)
            cancelled = True
        else:
            cancelled = False
        for call, target, (result, error, duration_ms) in zip(calls, targets, outcomes, strict=True):
            message = _tool_message(call, result, error)
            messages.append(message.to_openai())
            yield ToolCallFinished(
                call=call,
                source=target.source,
                kind=target.kind,
                result=result,
                error=error,
                duration_ms=duration_ms,
                message=message,
            )
        if cancelled:
            partial = _interrupted("", model)
            yield AssistantMessageAdded(message=partial)
            yield TurnFinished(
                partial, usage, rounds, model=model, temperature=temperature, max_tokens=max_tokens
            )
            return
        yield RoundFinished(round=rounds)
