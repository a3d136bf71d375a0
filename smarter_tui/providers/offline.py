"""The offline demo model (SPEC §9): a deterministic local responder that drives the real tools.

No network, no key. For a prompt it calls the offered tools that fit, each tool family read by
one small skill (`offline_skills`: calculator for arithmetic and totals, date_calculator for
dates, create_memory / recall_memory, weather, static plugins by key, SQL/API plugins by their
parameters); a skill may ask for a follow-up call once results are in; then it streams an
answer composed from the results.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import time
from collections.abc import AsyncIterator, Callable
from datetime import date
from typing import Any

from smarter_tui.domain.messages import ToolCall, Usage
from smarter_tui.domain.models import ModelReply, ModelRequest, TextChunk
from smarter_tui.domain.tools import ToolSpec
from smarter_tui.providers.offline_skills import FUNCTION_SKILLS, Done, Skill, Turn, label, render, skill_for
from smarter_tui.providers.shapes import completion_dict

__all__ = ["OfflineProvider"]


class OfflineProvider:
    """The built-in offline demo model: deterministic, instant, no network (SPEC §9).

    `chunk_delay` (seconds) slows the word-by-word stream down for demos and cancellation
    tests; `today` fixes the date used for "how many days ago" questions.
    """

    DEFAULT_MODEL = "offline-demo"
    LABEL = "Offline demo model (no network, canned answers)"
    #: Tool rounds per prompt after which the model answers whatever follow-ups remain.
    MAX_ROUNDS = 3

    name = "offline"
    offline = True

    def __init__(
        self,
        chunk_delay: float = 0.0,
        default_model: str = DEFAULT_MODEL,
        today: Callable[[], date] | None = None,
    ) -> None:
        """Create the provider; nothing is loaded and nothing is contacted."""
        self.chunk_delay = chunk_delay
        self.default_model = default_model
        self._today = today or date.today

    def __repr__(self) -> str:
        return f"OfflineProvider(model={self.default_model!r}, chunk_delay={self.chunk_delay!r})"

    async def list_models(self) -> list[str]:
        """Return the offline model's own name (and the configured one, if a manifest renamed it)."""
        return sorted({self.DEFAULT_MODEL, self.default_model})

    async def complete(self, request: ModelRequest) -> AsyncIterator[TextChunk | ModelReply]:
        """Yield the answer word by word as `TextChunk`s, then one `ModelReply`.

        Never raises `ProviderError`. Each chunk awaits (`chunk_delay`, or a bare checkpoint) so
        that cancelling the consumer stops the stream.
        """
        text, calls = self.plan(request)
        pieces = _split_stream(text) if request.stream else ([text] if text else [])
        for piece in pieces:
            await asyncio.sleep(self.chunk_delay)
            yield TextChunk(piece)
        # The offline model answers as itself, whatever model the request (a client's
        # defaultModel, a plugin's prompt.model override) asked for.
        model = self.default_model
        prompt_words = sum(
            _count_words(_text_of(m))
            + sum(
                _count_words((c.get("function") or {}).get("arguments", ""))
                for c in m.get("tool_calls") or []
            )
            for m in request.messages
        )
        completion_words = _count_words(text) + sum(_count_words(c.arguments) for c in calls)
        usage = Usage(prompt_words, completion_words, prompt_words + completion_words)
        finish = "tool_calls" if calls else "stop"
        digest = hashlib.sha1(json.dumps(request.messages, sort_keys=True, default=str).encode()).hexdigest()[
            :24
        ]
        yield ModelReply(
            content=text,
            tool_calls=calls,
            finish_reason=finish,
            usage=usage,
            model=model,
            response=completion_dict(
                f"chatcmpl-offline-{digest}", int(time.time()), model, text, calls, finish, usage
            ),
        )

    # -- the decision ----------------------------------------------------------------------

    def plan(self, request: ModelRequest) -> tuple[str, list[ToolCall]]:
        """Return (answer text, tool calls) for `request`: exactly one of them is non-empty.

        First round: every offered tool's skill reads the prompt. Once results are in, the
        skills may ask for follow-up calls (e.g. add up two prices just looked up); when none
        do, or after `MAX_ROUNDS` rounds, the answer is composed from the results.
        """
        messages = request.messages
        last_user = max((i for i, m in enumerate(messages) if m.get("role") == "user"), default=-1)
        prompt = _text_of(messages[last_user]) if last_user >= 0 else ""
        tail = messages[last_user + 1 :]
        tools = _offered(request.tools)
        system = next((_text_of(m) for m in messages if m.get("role") == "system"), "")
        turn = Turn(prompt=prompt, system=system, today=self._today(), done=_done_calls(tail))
        rounds = sum(1 for m in tail if m.get("tool_calls"))
        if rounds == 0:
            wanted = _first_round(turn, tools)
        elif rounds < self.MAX_ROUNDS:
            wanted = _follow_ups(turn, tools)
        else:
            wanted = []
        first_id = 1 + sum(len(m.get("tool_calls") or []) for m in messages)
        calls = [
            ToolCall(f"call_offline_{first_id + n}", name, json.dumps(args, ensure_ascii=False))
            for n, (name, args) in enumerate(wanted)
        ]
        if calls:
            return "", calls
        if rounds:
            return _compose_answer(turn.done, tools), []
        return _fallback_answer(tools), []


# -- planning ------------------------------------------------------------------------------


def _offered(tools: list[dict[str, Any]]) -> dict[str, ToolSpec]:
    """Return the offered function schemas as ToolSpecs by name, in the order offered."""
    out: dict[str, ToolSpec] = {}
    for tool in tools:
        function = tool.get("function") if tool.get("type", "function") == "function" else None
        if isinstance(function, dict) and function.get("name"):
            name = str(function["name"])
            parameters = function.get("parameters")
            schema = parameters if isinstance(parameters, dict) else {}
            out[name] = ToolSpec(name, str(function.get("description") or ""), schema)
    return out


def _order(tools: dict[str, ToolSpec]) -> list[tuple[ToolSpec, Skill]]:
    """Return the offered tools the offline model can use, with their skills, in reading order.

    Built-in functions go in registry order (memories consume their part of the prompt first),
    then plugins in the order offered.
    """
    builtins = [(tools[name], skill) for name, skill in FUNCTION_SKILLS.items() if name in tools]
    plugins = [(tool, skill) for tool in tools.values() if tool.name not in FUNCTION_SKILLS
               if (skill := skill_for(tool)) is not None]  # fmt: skip
    return builtins + plugins


def _first_round(turn: Turn, tools: dict[str, ToolSpec]) -> list[tuple[str, dict[str, Any]]]:
    """Return the (tool name, arguments) pairs the prompt calls for, in a stable order."""
    chosen: list[tuple[str, dict[str, Any]]] = []
    for tool, skill in _order(tools):
        for args in skill.plan(turn, tool):
            chosen.append((tool.name, args))
        turn.claimed = bool(chosen)
    return chosen


def _follow_ups(turn: Turn, tools: dict[str, ToolSpec]) -> list[tuple[str, dict[str, Any]]]:
    """Return further calls the results so far call for (never one already made)."""
    wanted = [(tool.name, args) for tool, skill in _order(tools) for args in skill.follow_up(turn, tool)]
    if not wanted:
        return []
    made = {(d.name, json.dumps(d.args, sort_keys=True)) for d in turn.done}
    return [(name, args) for name, args in wanted if (name, json.dumps(args, sort_keys=True)) not in made]


def _done_calls(tail: list[dict[str, Any]]) -> list[Done]:
    """Return the tool calls made after the last user message, each with its result, in order."""
    calls: dict[str, tuple[str, dict[str, Any]]] = {}
    for message in tail:
        for call in message.get("tool_calls") or []:
            function = call.get("function") or {}
            try:
                args = json.loads(function.get("arguments") or "{}")
            except ValueError:
                args = {}
            calls[call.get("id", "")] = (function.get("name", ""), args if isinstance(args, dict) else {})
    done = []
    for message in tail:
        if message.get("role") != "tool":
            continue
        name, args = calls.get(message.get("tool_call_id") or "", (message.get("name") or "", {}))
        content = _text_of(message)
        try:
            data: Any = json.loads(content)
        except ValueError:
            data = content
        done.append(Done(name or message.get("name") or "tool", args, data))
    return done


# -- answers -------------------------------------------------------------------------------


def _compose_answer(done: list[Done], tools: dict[str, ToolSpec]) -> str:
    """Return a readable answer built from the tool results of this prompt."""
    parts: list[str] = []
    for call in done:
        error = call.error
        if error is not None:
            parts.append(f"The {label(call.name)} did not work: {error}")
            continue
        tool = tools.get(call.name) or ToolSpec(call.name, "", {})
        skill = skill_for(tool)
        if skill is None:
            parts.append(f"The {label(call.name)} returned:\n{render(call.data)}")
        else:
            parts.append(skill.describe(call))
    if not parts:
        return "I asked for some tools to run, but no results came back, so I cannot answer."
    return "\n\n".join(parts)


def _fallback_answer(tools: dict[str, ToolSpec]) -> str:
    """Return the friendly answer given when no offered tool fits the prompt."""
    text = (
        "I'm the offline demo model: I run on this machine with no network and no API key, "
        "so I can only answer by using the tools this assistant offers."
    )
    if tools:
        text += " Here I can use: " + ", ".join(tools) + "."
        examples = [f'"{FUNCTION_SKILLS[n].example}"' for n in tools if n in FUNCTION_SKILLS]
        plugins = [n for n in tools if n.startswith("plugin_")]
        if plugins:
            topic = plugins[0].removeprefix("plugin_").replace("_", " ")
            examples.append(f"a question about {topic}")
        if examples:
            text += " Try for example " + " or ".join(examples[:3]) + "."
    else:
        text += " No tools are offered in this conversation, so there is not much I can do."
    text += " For real answers, set an API key for a provider with `smarter-tui keys set PROVIDER`."
    return text


# -- text helpers --------------------------------------------------------------------------


def _text_of(message: dict[str, Any]) -> str:
    """Return a message's text content (joining the text parts of a multi-part content)."""
    content = message.get("content")
    if isinstance(content, list):
        return " ".join(str(part.get("text", "")) for part in content if isinstance(part, dict)).strip()
    return content if isinstance(content, str) else ""


def _split_stream(text: str) -> list[str]:
    """Split text into word-sized pieces (whitespace kept) whose concatenation is `text`."""
    return re.findall(r"\s*\S+\s*", text) or ([text] if text else [])


def _count_words(value: Any) -> int:
    """Count words in any JSON value: the offline stand-in for a token count."""
    if isinstance(value, str):
        return len(value.split())
    if isinstance(value, dict):
        return sum(_count_words(v) for v in value.values())
    if isinstance(value, list):
        return sum(_count_words(v) for v in value)
    return 0
