"""The offline demo model's skills: one small planner/describer per tool family (SPEC §9).

A skill answers two questions about one offered tool: which calls does this prompt ask for
(`plan`, and `follow_up` once results are in), and how to say a call's result in a sentence
(`describe`). Built-in functions have one registry entry each (`FUNCTION_SKILLS`); plugin tools
get a skill from the shape of their schema (`plugin_skill`). Everything here is pure and
deterministic: no I/O, no clock except the `today` a turn is given.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from smarter_tui.domain.tools import ToolSpec
from smarter_tui.providers import offline_parsing as parse

Arguments = dict[str, Any]

_MAX_LIST_ITEMS = 20
_MAX_TEXT = 1500
#: At most this many calls of one plugin per round (one per value the prompt names).
_MAX_CALLS_PER_TOOL = 5


@dataclass(slots=True)
class Done:
    """A tool call already made for the current prompt, with its (parsed) result."""

    name: str
    args: Arguments
    data: Any  # the result parsed as JSON, else the text

    @property
    def error(self) -> str | None:
        """Return the error the tool reported, if its result is one."""
        data = self.data
        if isinstance(data, dict) and "error" in data and len(data) <= 2:
            return str(data["error"])
        if isinstance(data, str) and re.match(r"^\s*error\b", data, re.I):
            return data.strip()
        return None


@dataclass(slots=True)
class Turn:
    """What the skills see of one prompt: its text, the context, the tools and the results so far."""

    prompt: str
    system: str = ""
    today: date = field(default_factory=date.today)
    done: list[Done] = field(default_factory=list)
    rest: str = ""  # the prompt with what earlier skills consumed blanked out
    claimed: bool = False  # a skill earlier in the order already planned calls for this prompt

    def __post_init__(self) -> None:
        self.rest = self.rest or self.prompt

    def consume(self, spans: list[tuple[int, int]]) -> None:
        """Blank out parts of `rest` a skill has used, so later skills do not read them again."""
        self.rest = parse.remove_spans(self.rest, spans)


class Skill(Protocol):
    """Plans and describes the calls of one tool family."""

    #: A prompt this skill answers, offered by the fallback answer ("" for none).
    example: str

    def plan(self, turn: Turn, tool: ToolSpec) -> list[Arguments]:
        """Return the argument objects of the calls of `tool` this prompt asks for ([] for none)."""
        ...

    def follow_up(self, turn: Turn, tool: ToolSpec) -> list[Arguments]:
        """Return further calls of `tool` that the results in `turn.done` call for ([] for none)."""
        ...

    def describe(self, call: Done) -> str:
        """Return one paragraph about one successful call's result."""
        ...


class _Base:
    """Defaults: no follow-ups, results rendered as short Markdown."""

    example = ""

    def follow_up(self, turn: Turn, tool: ToolSpec) -> list[Arguments]:
        return []

    def describe(self, call: Done) -> str:
        return f"The {label(call.name)} returned:\n{render(call.data)}"


def properties(tool: ToolSpec) -> dict[str, Any]:
    """Return the JSON-schema properties of a tool's parameters."""
    props = (tool.parameters or {}).get("properties") or {}
    return props if isinstance(props, dict) else {}


def required(tool: ToolSpec) -> list[str]:
    """Return the names of a tool's required parameters."""
    names = (tool.parameters or {}).get("required") or []
    return [str(n) for n in names] if isinstance(names, list) else []


# -- built-in functions -----------------------------------------------------------------------


class RememberSkill(_Base):
    """`create_memory` for "remember that ...": the fact rewritten as "The User ..."."""

    example = "Remember that my favourite colour is green"

    def plan(self, turn: Turn, tool: ToolSpec) -> list[Arguments]:
        found = parse.find_remember(turn.rest)
        if found is None:
            return []
        turn.consume([(found.start, found.end)])
        return [{"memory": found.fact}]

    def describe(self, call: Done) -> str:
        memory = call.args.get("memory") or render(call.data)
        return f"I'll remember that: {str(memory).rstrip('.')}."


class RecallSkill(_Base):
    """`recall_memory` for questions about the user ("what is my ...", "what do you know about me")."""

    example = "What do you know about me?"

    def plan(self, turn: Turn, tool: ToolSpec) -> list[Arguments]:
        query = parse.find_recall(turn.rest)
        return [] if query is None else [{"query": query}]

    def describe(self, call: Done) -> str:
        items = _first_list(call.data)
        if not items:
            return 'I don\'t know anything about that yet. Tell me with "Remember that ...".'
        facts = "; ".join(str(i).rstrip(".") for i in items[:_MAX_LIST_ITEMS])
        return f"Here is what I know about you: {facts}."


class WeatherSkill(_Base):
    """`get_current_weather` for a weather question naming a place."""

    example = "What is the weather in Paris?"

    def plan(self, turn: Turn, tool: ToolSpec) -> list[Arguments]:
        place = parse.find_weather_place(turn.rest)
        if place is None:
            return []
        args: Arguments = {"location": place}
        if "unit" in properties(tool):
            fahrenheit = re.search(r"fahrenheit|°f|imperial|uscs", turn.rest, re.I)
            args["unit"] = "USCS" if fahrenheit else "METRIC"
        return [args]

    def describe(self, call: Done) -> str:
        data = call.data if isinstance(call.data, dict) else {}
        where = data.get("location")
        where = where if isinstance(where, dict) else {}
        place = ", ".join(str(where[k]) for k in ("name", "country") if where.get(k)) or str(
            call.args.get("location") or "there"
        )
        now = data.get("current")
        if not isinstance(now, dict):
            return f"The current weather in {place}:\n{render(call.data)}"
        units = data.get("units")
        units = units if isinstance(units, dict) else {}
        facts = []
        if now.get("temperature") is not None:
            facts.append(f"{number(now['temperature'])} {units.get('temperature', '')}".rstrip())
        if now.get("conditions"):
            facts.append(str(now["conditions"]).lower())
        if now.get("wind_speed") is not None:
            facts.append(f"wind {number(now['wind_speed'])} {units.get('wind_speed', '')}".rstrip())
        if now.get("humidity_percent") is not None:
            facts.append(f"humidity {number(now['humidity_percent'])}%")
        if not facts:
            return f"The current weather in {place}:\n{render(now)}"
        return f"The weather in {place} now: " + ", ".join(facts) + "."


class DateSkill(_Base):
    """`date_calculator` for prompts with dates: differences, add/subtract days, oldest, convert."""

    example = "How many days ago was 29-Feb-1972?"

    def plan(self, turn: Turn, tool: ToolSpec) -> list[Arguments]:
        dates = parse.find_dates(turn.rest)
        if not dates:
            return []
        text = turn.rest
        turn.consume([(d.start, d.end) for d in dates])
        return [self._arguments(text, turn.rest, [d.iso for d in dates], turn.today, tool)]

    @staticmethod
    def _arguments(text: str, without_dates: str, isos: list[str], today: date, tool: ToolSpec) -> Arguments:
        low = text.lower()
        days = re.search(r"(\d+)\s*days?\b", without_dates, re.I)
        has_format = "date_format" in properties(tool)
        args: Arguments
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
            if target and has_format:
                word = target.group(1)
                args["date_format"] = {"american": "US", "european": "EU"}.get(word, word.upper())
            return args
        else:
            if len(isos) == 1:  # "how many days ago / since / until X": X and today
                isos = [isos[0], today.isoformat()]
            args = {"dates": isos[:2], "operation": "difference"}
        if has_format:
            args["date_format"] = "ISO"
        return args

    def describe(self, call: Done) -> str:
        args, data = call.args, call.data
        dates = [str(d) for d in args.get("dates") or []]
        operation = str(args.get("operation") or "difference")
        if not isinstance(data, dict):
            return f"The date calculation gave: {render(data)}"
        if "days" in data and operation == "difference":
            start = data.get("from") or (dates[0] if dates else "")
            end = data.get("to") or (dates[1] if len(dates) > 1 else "")
            days = data["days"]
            count = f"{abs(days):,}" if isinstance(days, int) else number(days)
            text = (
                f"There are {count} days between {start} and {end}"
                if start and end
                else f"The difference is {count} days"
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
            start = dates[0] if dates else "that date"
            return f"{data.get('days')} days {direction} {start} is {data['result']}."
        if operation == "convert" and isinstance(data.get("dates"), list):
            return f"In {data.get('format', 'that')} format: " + ", ".join(map(str, data["dates"])) + "."
        return f"The date calculation gave:\n{render(data)}"


_TOTAL = re.compile(r"\b(together|in total|total|sum|combined|altogether|add up|both)\b", re.I)
_AMOUNT_KEYS = ("price", "cost", "amount", "total")


class ArithmeticSkill(_Base):
    """`calculator` for arithmetic in the prompt, and for totals of prices other tools returned."""

    example = "What is 2**16 + 17?"

    def plan(self, turn: Turn, tool: ToolSpec) -> list[Arguments]:
        expression = parse.find_expression(turn.rest)
        return [] if expression is None else [{"expression": expression}]

    def follow_up(self, turn: Turn, tool: ToolSpec) -> list[Arguments]:
        """Add up the prices of several looked-up items when the prompt asks what they cost together."""
        if any(d.name == tool.name for d in turn.done) or not _TOTAL.search(turn.prompt):
            return []
        amounts = [a for d in turn.done if d.error is None and (a := _amount(d.data)) is not None]
        if len(amounts) < 2:
            return []
        return [{"expression": " + ".join(number(a) for a in amounts)}]

    def describe(self, call: Done) -> str:
        data = call.data
        value = data.get("result") if isinstance(data, dict) else data
        if not isinstance(value, int | float | str) or isinstance(value, bool):
            return f"The calculator returned:\n{render(data)}"
        expression = str(call.args.get("expression") or "")
        shown = number(value)
        if isinstance(value, float) and re.search(r"\d\.\d\d(?!\d)", expression):
            shown = f"{value:,.2f}"  # an amount of money: keep the cents
        return f"{expression} = {shown}." if expression else f"The result is {shown}."


def _amount(data: Any) -> float | None:
    """Return the price-like number of one looked-up item (a JSON object), if it has one."""
    if not isinstance(data, dict):
        return None
    for key in _AMOUNT_KEYS:
        value = data.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    return None


#: One entry per built-in function, in the order the skills read a prompt: memories first
#: (they consume "remember that ..."), dates before arithmetic (a date is not a subtraction).
FUNCTION_SKILLS: Mapping[str, Skill] = {
    "create_memory": RememberSkill(),
    "recall_memory": RecallSkill(),
    "get_current_weather": WeatherSkill(),
    "date_calculator": DateSkill(),
    "calculator": ArithmeticSkill(),
}


# -- plugins ---------------------------------------------------------------------------------

#: Question words and the stems of the static keys that answer them (in order of preference).
_INTENTS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(r"\bhow much\b|\b(price|prices|cost|costs|expensive|cheap)\b", re.I), ("pric", "cost")),
    (re.compile(r"\b(coupon|coupons|voucher|vouchers|discount|discounts)\b", re.I), ("coupon", "discount")),
    (re.compile(r"\b(sale|sales|deal|deals|offer|offers|promotion|promotions)\b", re.I), ("promot", "sale")),
    (re.compile(r"\b(contact|email|e-mail|phone|call|reach|address)\b", re.I), ("contact",)),
    (
        re.compile(r"\b(who|whom|whose|invent\w*|founder|founded|creator|created)\b", re.I),
        ("biograph", "about", "history", "people", "team", "contact"),
    ),
    (
        re.compile(r"\b(about|what is|what's|tell me)\b", re.I),
        ("biograph", "about", "overview", "description"),
    ),
)


def _stems(text: str) -> set[str]:
    return parse.keywords(text)


def _overlap(words: set[str], option: str) -> int:
    """Return how many of `words` an option names (plural-insensitive; a shared 5-letter start counts)."""
    option_words = _stems(option)
    return sum(
        1 for w in words if w in option_words or (len(w) >= 5 and any(o[:5] == w[:5] for o in option_words))
    )


class StaticPluginSkill(_Base):
    """A static plugin: one `inquiry_type` enum; the key that answers the prompt is chosen.

    A key the prompt names wins. Otherwise, when no other skill took the prompt and it is on
    the plugin's topic (its name, description, keys, or the system prompt, which a selected
    plugin extends), the question word decides ("who" -> a biography, "how much" -> prices).
    """

    def __init__(self, enum: list[str]) -> None:
        self.keys = enum

    def plan(self, turn: Turn, tool: ToolSpec) -> list[Arguments]:
        words = _stems(turn.prompt)
        scores = [_overlap(words, key) for key in self.keys]
        if max(scores, default=0) > 0:
            return [{"inquiry_type": self.keys[scores.index(max(scores))]}]
        if turn.claimed:
            return []
        topic = _stems(" ".join([tool.name.removeprefix("plugin_"), tool.description, turn.system]))
        topic |= _stems(" ".join(self.keys))
        if not words & topic:
            return []
        for pattern, stems in _INTENTS:
            if pattern.search(turn.prompt):
                for stem in stems:
                    key = next((k for k in self.keys if stem in k.lower()), None)
                    if key is not None:
                        return [{"inquiry_type": key}]
        return [{"inquiry_type": self.keys[0]}]

    def describe(self, call: Done) -> str:
        return describe_plugin(call)


class ParameterPluginSkill(_Base):
    """A SQL or API plugin: its parameters are filled from the prompt's numbers and names.

    A required parameter the prompt gives no value for (and that has no default) means the
    plugin is not what the prompt asks for: it is not called. A parameter whose description
    gives an example ("e.g. PY101") only takes values of that shape. When the prompt names
    several values for the one required text parameter, the plugin is called once per value.
    """

    def plan(self, turn: Turn, tool: ToolSpec) -> list[Arguments]:
        props = properties(tool)
        needed = required(tool)
        numbers = parse.find_numbers(turn.rest)
        names = parse.find_names(turn.rest)
        args: Arguments = {}
        several: tuple[str, list[str]] | None = None
        for param in [p for p in props if p in needed] + [p for p in props if p not in needed]:
            schema = props[param] if isinstance(props[param], dict) else {}
            is_required = param in needed
            candidates = _candidates(schema, names)
            options = list(candidates)  # _value takes the first one
            value = _value(turn.prompt, schema, numbers, candidates, is_required)
            if isinstance(value, str) and value in names:
                names.remove(value)  # one name fills one parameter
            if value is _MISSING:
                if is_required:
                    return []
                continue
            if is_required and schema.get("type", "string") == "string" and len(options) > 1:
                several = (param, options)
            args[param] = value
        if several is not None and re.search(r"\band\b|,|&", turn.prompt):
            param, values = several
            return [{**args, param: v} for v in values[:_MAX_CALLS_PER_TOOL]]
        return [args]

    def describe(self, call: Done) -> str:
        return describe_plugin(call)


def describe_plugin(call: Done) -> str:
    """Return a paragraph about any plugin's result, naming what was asked (key or text values).

    It needs only the call: the last model call of a turn may be made with no tools offered.
    """
    topic = call.name.removeprefix("plugin_").replace("_", " ")
    named = [str(v).replace("_", " ") for v in call.args.values() if isinstance(v, str) and v]
    if named:
        topic += f" ({', '.join(named)})"
    return f"Here is what I found about {topic}:\n{render(call.data)}"


_MISSING = object()


def _candidates(schema: dict[str, Any], names: list[str]) -> list[str]:
    """Return the names in the prompt that fit a text parameter (its example's shape, if any)."""
    if schema.get("type", "string") != "string" or schema.get("enum"):
        return []
    example = parse.example_value(str(schema.get("description") or ""))
    if example is None:
        return list(names)
    shape = parse.value_shape(example)
    return [n for n in names if shape.match(n)]


def _value(prompt: str, schema: dict[str, Any], numbers: list[float], names: list[str], needed: bool) -> Any:
    """Return a value for one parameter (consuming a number or name), or _MISSING."""
    kind = schema.get("type", "string")
    default = schema.get("default")
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        best, _ = parse.best_overlap(prompt, [str(v) for v in enum])
        if best is not None:
            return next(v for v in enum if str(v) == best)
        if not needed:
            return _MISSING
        return default if default in enum else enum[0]
    if kind in ("number", "integer"):
        if numbers:
            value = numbers.pop(0)
            return int(value) if kind == "integer" or value.is_integer() else value
        return default if needed and default is not None else _MISSING
    if kind == "string":
        if names:
            return names.pop(0)
        return default if needed and default is not None else _MISSING
    if not needed:
        return _MISSING
    if kind == "boolean":
        return bool(default) if default is not None else False
    if kind == "array":
        return default if isinstance(default, list) else []
    if kind == "object":
        return default if isinstance(default, dict) else {}
    return default if default is not None else _MISSING


def plugin_skill(tool: ToolSpec) -> Skill:
    """Return the skill for a plugin tool, chosen by the shape of its schema."""
    inquiry = properties(tool).get("inquiry_type")
    if isinstance(inquiry, dict) and isinstance(inquiry.get("enum"), list) and inquiry["enum"]:
        return StaticPluginSkill([str(k) for k in inquiry["enum"]])
    return ParameterPluginSkill()


def skill_for(tool: ToolSpec) -> Skill | None:
    """Return the skill that handles an offered tool (None for a tool the offline model ignores)."""
    if tool.name in FUNCTION_SKILLS:
        return FUNCTION_SKILLS[tool.name]
    if tool.name.startswith("plugin_"):
        return plugin_skill(tool)
    return None


# -- rendering -------------------------------------------------------------------------------


def label(name: str) -> str:
    """Return a readable tool name ("plugin_course_search" -> "course search plugin")."""
    if name.startswith("plugin_"):
        return name.removeprefix("plugin_").replace("_", " ") + " plugin"
    return name.replace("_", " ") + " tool"


def number(value: Any) -> str:
    """Format a number without a useless ".0" or float noise (399.50000000000006 -> 399.5)."""
    if isinstance(value, float):
        clean = float(f"{value:.12g}")
        if clean.is_integer() and abs(clean) < 1e15:
            return str(int(clean))
        return str(clean)
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
    return number(value)


def render(data: Any) -> str:
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
    return number(data)
