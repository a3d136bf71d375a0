"""The offline demo model (SPEC §9): a deterministic local responder that drives the real tools.

No network, no key. For a prompt it calls the offered tools that fit (calculator for arithmetic,
date_calculator for dates, create_memory / recall_memory, weather, plugins by word overlap); once
tool results are in the conversation it streams an answer composed from them.
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
from smarter_tui.providers import offline_parsing as parse
from smarter_tui.providers.shapes import completion_dict

__all__ = ["OfflineProvider"]

_MAX_LIST_ITEMS = 20
_MAX_TEXT = 1500

_EXAMPLES = {
    "calculator": "What is 2**16 + 17?",
    "date_calculator": "How many days ago was 29-Feb-1972?",
    "create_memory": "Remember that my favourite colour is green",
    "recall_memory": "What do you know about me?",
    "get_current_weather": "What is the weather in Paris?",
}


class OfflineProvider:
    """The built-in offline demo model: deterministic, instant, no network (SPEC §9).

    `chunk_delay` (seconds) slows the word-by-word stream down for demos and cancellation
    tests; `today` fixes the date used for "how many days ago" questions.
    """

    DEFAULT_MODEL = "offline-demo"
    LABEL = "Offline demo model (no network, canned answers)"

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
        model = request.model or self.default_model
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
        """Return (answer text, tool calls) for `request`: exactly one of them is non-empty."""
        messages = request.messages
        last_user = max((i for i, m in enumerate(messages) if m.get("role") == "user"), default=-1)
        prompt = _text_of(messages[last_user]) if last_user >= 0 else ""
        tail = messages[last_user + 1 :]
        if any(m.get("role") == "tool" or m.get("tool_calls") for m in tail):
            # Tools already ran for this prompt: always answer, never loop.
            return _compose_answer(tail), []
        tools = _offered(request.tools)
        first_id = 1 + sum(len(m.get("tool_calls") or []) for m in messages)
        wanted = self._choose_tools(prompt, tools)
        calls = [
            ToolCall(f"call_offline_{first_id + n}", name, json.dumps(args, ensure_ascii=False))
            for n, (name, args) in enumerate(wanted)
        ]
        if calls:
            return "", calls
        return _fallback_answer(tools), []

    def _choose_tools(
        self, prompt: str, tools: dict[str, dict[str, Any]]
    ) -> list[tuple[str, dict[str, Any]]]:
        """Return the (tool name, arguments) pairs the prompt calls for, in a stable order."""
        chosen: list[tuple[str, dict[str, Any]]] = []
        rest = prompt  # what is left after a detector consumed its part

        remember = parse.find_remember(rest)
        if remember is not None and "create_memory" in tools:
            chosen.append(("create_memory", {"memory": remember.fact}))
            rest = parse.remove_spans(rest, [(remember.start, remember.end)])

        if "recall_memory" in tools:
            query = parse.find_recall(rest)
            if query is not None:
                chosen.append(("recall_memory", {"query": query}))

        if "get_current_weather" in tools:
            place = parse.find_weather_place(rest)
            if place is not None:
                args: dict[str, Any] = {"location": place}
                if "unit" in _properties(tools["get_current_weather"]):
                    fahrenheit = re.search(r"fahrenheit|°f|imperial|uscs", rest, re.I)
                    args["unit"] = "USCS" if fahrenheit else "METRIC"
                chosen.append(("get_current_weather", args))

        dates = parse.find_dates(rest)
        if dates and "date_calculator" in tools:
            chosen.append(("date_calculator", self._date_arguments(rest, dates, tools)))
        rest = parse.remove_spans(rest, [(d.start, d.end) for d in dates])

        if "calculator" in tools:
            expression = parse.find_expression(rest)
            if expression is not None:
                chosen.append(("calculator", {"expression": expression}))

        for name, function in tools.items():
            if name.startswith("plugin_"):
                args_or_none = _plugin_arguments(prompt, rest, name, function)
                if args_or_none is not None:
                    chosen.append((name, args_or_none))
        return chosen

    def _date_arguments(
        self, text: str, dates: list[parse.FoundDate], tools: dict[str, dict[str, Any]]
    ) -> dict[str, Any]:
        """Return date_calculator arguments: the ISO dates and the operation the prompt asks."""
        low = text.lower()
        isos = [d.iso for d in dates]
        without_dates = parse.remove_spans(text, [(d.start, d.end) for d in dates])
        days = re.search(r"(\d+)\s*days?\b", without_dates, re.I)
        args: dict[str, Any]
        if re.search(r"\b(oldest|earliest|first)\b", low) and len(isos) > 1:
            args = {"dates": isos, "operation": "oldest"}
        elif re.search(r"\b(newest|latest|most recent|last)\b", low) and len(isos) > 1:
            args = {"dates": isos, "operation": "newest"}
        elif days and re.search(r"\b(add|plus|after|from|later)\b", low):
            args = {"dates": isos[:1], "operation": "add", "days": int(days.group(1))}
        elif days and re.search(r"\b(subtract|minus|before|earlier)\b", low):
            args = {"dates": isos[:1], "operation": "subtract", "days": int(days.group(1))}
        elif re.search(r"\bconvert\b|\bin (us|eu|european|american|iso) (date )?format\b", low):
            args = {"dates": isos, "operation": "convert"}
            target = re.search(r"\b(us|american|eu|european|iso)\b", low)
            if target and "date_format" in _properties(tools["date_calculator"]):
                word = target.group(1)
                args["date_format"] = {"american": "US", "european": "EU"}.get(word, word.upper())
            return args
        else:
            if len(isos) == 1:  # "how many days ago / since / until X": X and today
                isos = [isos[0], self._today().isoformat()]
            args = {"dates": isos[:2], "operation": "difference"}
        if "date_format" in _properties(tools["date_calculator"]):
            args["date_format"] = "ISO"
        return args


# -- tools ---------------------------------------------------------------------------------


def _offered(tools: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Return the offered function schemas by name, in the order offered."""
    out: dict[str, dict[str, Any]] = {}
    for tool in tools:
        function = tool.get("function") if tool.get("type", "function") == "function" else None
        if isinstance(function, dict) and function.get("name"):
            out[function["name"]] = function
    return out


def _properties(function: dict[str, Any]) -> dict[str, Any]:
    """Return the JSON-schema properties of a function's parameters."""
    props = (function.get("parameters") or {}).get("properties") or {}
    return props if isinstance(props, dict) else {}


def _plugin_arguments(prompt: str, rest: str, name: str, function: dict[str, Any]) -> dict[str, Any] | None:
    """Return arguments for a plugin tool, or None when the static plugin does not fit the prompt.

    A static plugin (an `inquiry_type` enum) is called when the prompt shares a word with the
    tool's name, description or keys; the key with the best word overlap wins (else the first).
    Other plugins are called whenever offered (the selector already chose them), with required
    parameters filled from the prompt.
    """
    props = _properties(function)
    inquiry = props.get("inquiry_type")
    if isinstance(inquiry, dict) and isinstance(inquiry.get("enum"), list) and inquiry["enum"]:
        keys = [str(k) for k in inquiry["enum"]]
        vocabulary = parse.keywords(
            " ".join([name.removeprefix("plugin_"), function.get("description") or "", *keys])
        )
        if not parse.keywords(prompt) & vocabulary:
            return None
        best, _score = parse.best_overlap(prompt, keys)
        return {"inquiry_type": best or keys[0]}

    required = (function.get("parameters") or {}).get("required") or []
    numbers = parse.find_numbers(rest)
    names = parse.find_names(rest)
    args: dict[str, Any] = {}
    for param in [p for p in props if p in required]:
        schema = props[param] if isinstance(props[param], dict) else {}
        args[param] = _fill(prompt, schema, numbers, names)
    # Optional parameters only when the prompt still offers a value for them ("Python courses").
    for param in [p for p in props if p not in required]:
        schema = props[param] if isinstance(props[param], dict) else {}
        kind = schema.get("type", "string")
        if (kind == "string" and names and not schema.get("enum")) or (
            kind in ("number", "integer") and numbers
        ):
            args[param] = _fill(prompt, schema, numbers, names)
    return args


def _fill(prompt: str, schema: dict[str, Any], numbers: list[float], names: list[str]) -> Any:
    """Return a value for one required parameter, consuming numbers/names found in the prompt."""
    kind = schema.get("type", "string")
    default = schema.get("default")
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        best, _ = parse.best_overlap(prompt, [str(v) for v in enum])
        if best is not None:
            return next(v for v in enum if str(v) == best)
        return default if default in enum else enum[0]
    if kind in ("number", "integer"):
        if numbers:
            value = numbers.pop(0)
            return int(value) if kind == "integer" or value.is_integer() else value
        return default if default is not None else 0
    if kind == "boolean":
        return bool(default) if default is not None else False
    if kind == "array":
        return default if isinstance(default, list) else []
    if kind == "object":
        return default if isinstance(default, dict) else {}
    if names:
        return names.pop(0)
    return default if default is not None else ""


# -- answers -------------------------------------------------------------------------------


def _compose_answer(tail: list[dict[str, Any]]) -> str:
    """Return a readable answer built from the tool results after the last user message."""
    calls: dict[str, tuple[str, dict[str, Any]]] = {}
    for message in tail:
        for call in message.get("tool_calls") or []:
            function = call.get("function") or {}
            try:
                args = json.loads(function.get("arguments") or "{}")
            except ValueError:
                args = {}
            calls[call.get("id", "")] = (function.get("name", ""), args if isinstance(args, dict) else {})
    parts: list[str] = []
    for message in tail:
        if message.get("role") != "tool":
            continue
        name, args = calls.get(message.get("tool_call_id") or "", (message.get("name") or "", {}))
        name = name or message.get("name") or "tool"
        parts.append(_describe_result(name, args, _text_of(message)))
    if not parts:
        return "I asked for some tools to run, but no results came back, so I cannot answer."
    return "\n\n".join(parts)


def _describe_result(name: str, args: dict[str, Any], content: str) -> str:
    """Return one paragraph about one tool's result."""
    try:
        data: Any = json.loads(content)
    except ValueError:
        data = content
    if isinstance(data, dict) and "error" in data and len(data) <= 2:
        return f"The {_label(name)} did not work: {data['error']}"
    if isinstance(data, str) and re.match(r"^\s*error\b", data, re.I):
        return f"The {_label(name)} did not work: {data.strip()}"

    if name == "calculator":
        if isinstance(data, dict) and "result" in data:
            return f"The result is {_number(data['result'])}."
        if isinstance(data, int | float | str):
            return f"The result is {_number(data)}."
        return f"The calculator returned:\n{_render(data)}"
    if name == "date_calculator":
        return _describe_dates(args, data)
    if name == "create_memory":
        memory = args.get("memory") or _render(data)
        return f"I'll remember that: {str(memory).rstrip('.')}."
    if name == "recall_memory":
        items = _first_list(data)
        if not items:
            return 'I don\'t know anything about that yet. Tell me with "Remember that ...".'
        facts = "; ".join(str(i).rstrip(".") for i in items[:_MAX_LIST_ITEMS])
        return f"Here is what I know about you: {facts}."
    if name == "get_current_weather":
        place = args.get("location") or "there"
        current = data.get("current", data) if isinstance(data, dict) else data
        return f"The current weather in {place}:\n{_render(current)}"
    if name.startswith("plugin_"):
        topic = name.removeprefix("plugin_").replace("_", " ")
        inquiry = args.get("inquiry_type")
        if inquiry:
            topic += f" ({str(inquiry).replace('_', ' ')})"
        return f"Here is what I found about {topic}:\n{_render(data)}"
    return f"The {_label(name)} returned:\n{_render(data)}"


def _describe_dates(args: dict[str, Any], data: Any) -> str:
    """Return a sentence for a date_calculator result (difference, add/subtract, oldest, ...)."""
    dates = [str(d) for d in args.get("dates") or []]
    operation = str(args.get("operation") or "difference")
    if not isinstance(data, dict):
        return f"The date calculation gave: {_render(data)}"
    if "days" in data and operation == "difference":
        start = data.get("from") or (dates[0] if dates else "")
        end = data.get("to") or (dates[1] if len(dates) > 1 else "")
        days = data["days"]
        count = f"{abs(days):,}" if isinstance(days, int) else _number(days)
        text = (
            f"There are {count} days between {start} and {end}"
            if start and end
            else (f"The difference is {count} days")
        )
        parts = data.get("breakdown")
        if isinstance(parts, dict) and (parts.get("years") or parts.get("months")):
            pieces = [
                f"{parts[unit]} {unit if parts[unit] != 1 else unit[:-1]}"
                for unit in ("years", "months", "days")
                if isinstance(parts.get(unit), int) and parts[unit]
            ]
            if pieces:
                text += " (" + ", ".join(pieces) + ")"
        return text + "."
    if operation in ("oldest", "newest") and operation in data:
        return f"The {operation} date is {data[operation]}."
    if operation in ("add", "subtract") and "result" in data:
        direction = "after" if operation == "add" else "before"
        return (
            f"{data.get('days')} days {direction} {dates[0] if dates else 'that date'} is {data['result']}."
        )
    if operation == "convert" and isinstance(data.get("dates"), list):
        return f"In {data.get('format', 'that')} format: " + ", ".join(map(str, data["dates"])) + "."
    return f"The date calculation gave:\n{_render(data)}"


def _label(name: str) -> str:
    """Return a readable tool name ("plugin_course_search" -> "course search plugin")."""
    if name.startswith("plugin_"):
        return name.removeprefix("plugin_").replace("_", " ") + " plugin"
    return name.replace("_", " ") + " tool"


def _number(value: Any) -> str:
    """Format a number without a useless ".0"."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _first_list(data: Any) -> list[Any]:
    """Return `data` if it is a list, else the first list value of a dict, else []."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for value in data.values():
            if isinstance(value, list):
                return value
    if isinstance(data, str) and data.strip():
        return [data.strip()]
    return []


def _scalar(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return _number(value)


def _render(data: Any) -> str:
    """Return JSON-ish data as short readable Markdown lines."""
    if isinstance(data, str):
        text = data.strip()
        return text if len(text) <= _MAX_TEXT else text[:_MAX_TEXT] + " …"
    if isinstance(data, dict):
        lines = [f"- {key}: {_scalar(value)}" for key, value in list(data.items())[:_MAX_LIST_ITEMS]]
        return "\n".join(lines) or "(nothing)"
    if isinstance(data, list):
        if not data:
            return "(nothing)"
        lines = []
        for item in data[:_MAX_LIST_ITEMS]:
            if isinstance(item, dict):
                lines.append("- " + ", ".join(f"{k}: {_scalar(v)}" for k, v in item.items()))
            else:
                lines.append(f"- {_scalar(item)}")
        if len(data) > _MAX_LIST_ITEMS:
            lines.append(f"- … and {len(data) - _MAX_LIST_ITEMS} more")
        return "\n".join(lines)
    return _number(data)


def _fallback_answer(tools: dict[str, dict[str, Any]]) -> str:
    """Return the friendly answer given when no offered tool fits the prompt."""
    text = (
        "I'm the offline demo model: I run on this machine with no network and no API key, "
        "so I can only answer by using the tools this assistant offers."
    )
    if tools:
        text += " Here I can use: " + ", ".join(tools) + "."
        examples = [f'"{_EXAMPLES[n]}"' for n in tools if n in _EXAMPLES]
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
