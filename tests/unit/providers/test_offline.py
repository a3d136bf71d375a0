"""OfflineProvider: deterministic tool choice and answers (SPEC §9)."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from typing import Any

import pytest

from smarter_tui.domain.models import ModelReply, ModelRequest, TextChunk
from smarter_tui.providers import OfflineProvider
from smarter_tui.providers.offline_parsing import (
    find_dates,
    find_expression,
    find_recall,
    find_remember,
    to_user_fact,
)
from tests.support.cpu import cpu_clock

TODAY = date(2025, 6, 1)


def tool(name: str, properties: dict[str, Any] | None = None, description: str = "",
         required: list[str] | None = None) -> dict[str, Any]:  # fmt: skip
    """Return an OpenAI tools[] item."""
    params: dict[str, Any] = {"type": "object", "properties": properties or {}}
    if required is not None:
        params["required"] = required
    return {
        "type": "function",
        "function": {"name": name, "description": description, "parameters": params},
    }


BUILTINS = [
    tool("calculator", {"expression": {"type": "string"}}, required=["expression"]),
    tool(
        "date_calculator",
        {
            "dates": {"type": "array", "items": {"type": "string"}},
            "operation": {"type": "string"},
            "date_format": {"type": "string", "enum": ["ISO", "US", "EU"]},
            "days": {"type": "integer"},
        },
        required=["dates", "operation"],
    ),
    tool("create_memory", {"memory": {"type": "string"}}, required=["memory"]),
    tool("recall_memory", {"query": {"type": "string"}}, required=["query"]),
    tool(
        "get_current_weather",
        {"location": {"type": "string"}, "unit": {"type": "string"}},
        required=["location"],
    ),
]
GOBSTOPPER = tool(
    "plugin_everlasting_gobstopper",
    {
        "inquiry_type": {
            "type": "string",
            "enum": ["contact", "coupon_codes", "biographical", "sales.promotions"],
        }
    },
    "Get information about the Everlasting Gobstopper candy",
    required=["inquiry_type"],
)
COURSES = tool(
    "plugin_course_search",
    {
        "max_price": {"type": "number"},
        "keyword": {"type": "string", "default": ""},
        "level": {"type": "string", "enum": ["beginner", "advanced"]},
    },
    "Search the course catalogue",
    required=["max_price", "keyword", "level"],
)
WEATHER_API = tool(
    "plugin_city_api",
    {"city": {"type": "string", "default": "Paris"}, "days": {"type": "integer"}},
    "Look up a city",
    required=["city", "days"],
)


def provider(**kwargs: Any) -> OfflineProvider:
    return OfflineProvider(today=lambda: TODAY, **kwargs)


async def run(
    prompt: str | None = None,
    tools: list[dict[str, Any]] | None = None,
    messages: list[dict[str, Any]] | None = None,
    p: OfflineProvider | None = None,
    **kwargs: Any,
) -> tuple[list[str], ModelReply]:
    """Call the provider; return the text chunks and the final reply."""
    msgs = messages if messages is not None else [{"role": "user", "content": prompt}]
    kwargs.setdefault("model", "")
    req = ModelRequest(messages=msgs, tools=BUILTINS if tools is None else tools, **kwargs)
    items = [i async for i in (p or provider()).complete(req)]
    assert isinstance(items[-1], ModelReply)
    assert all(isinstance(i, TextChunk) for i in items[:-1])
    return [i.text for i in items[:-1]], items[-1]


def calls(reply: ModelReply) -> list[tuple[str, dict[str, Any]]]:
    return [(c.name, json.loads(c.arguments)) for c in reply.tool_calls]


# -- parsing -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("What is 2**16 + 17?", "2**16 + 17"),
        ("Calculate (3 + 4) * 5.", "(3 + 4) * 5"),
        ("what is sqrt(16) * 3", "sqrt(16) * 3"),
        ("what is 12 times 7", "12 * 7"),
        ("what is 2^10", "2**10"),
        ("How much are 12 Gobstoppers at 2.50 each with 10% off?", "12 * 2.50 * (100 - 10) / 100"),
        ("What is 17% of 2350?", "17 * 2350 / 100"),
        ("3 pizzas at $12.50 each plus 8% tax", "3 * 12.50 * (100 + 8) / 100"),
        ("What is 1,000 + 2,500?", "1000 + 2500"),
        ("How many days ago was 29-Feb-1972?", None),
        ("remember my age is 42", None),
        ("show the top-3 items", None),
    ],
)
def test_find_expression(text: str, expected: str | None) -> None:
    assert find_expression(text) == expected


def test_find_dates_forms() -> None:
    text = "2024-01-01, 29-Feb-1972, Feb 29, 1972, 12/25/2020, 25.12.2020, 31/12/2020, 2023-02-30"
    assert [d.iso for d in find_dates(text)] == [
        "2024-01-01",
        "1972-02-29",
        "1972-02-29",
        "2020-12-25",
        "2020-12-25",
        "2020-12-31",
    ]


@pytest.mark.parametrize(
    ("fact", "expected"),
    [
        ("my favourite colour is green", "The User's favourite colour is green"),
        ("I live in Paris.", "The User lives in Paris"),
        ("I'm a vegetarian", "The User is a vegetarian"),
        ("I have two cats", "The User has two cats"),
    ],
)
def test_first_person_rewritten(fact: str, expected: str) -> None:
    assert to_user_fact(fact) == expected


def test_remember_versus_recall() -> None:
    assert find_remember("Do you remember my name?") is None
    assert find_recall("Do you remember my name?") == "name"
    assert find_recall("What is my favourite colour?") == "favourite colour"
    assert find_recall("What do you know about me?") == "User"
    assert find_recall("What is 2+2?") is None


# -- tool choice ---------------------------------------------------------------------------


async def test_calculator_call() -> None:
    chunks, reply = await run("What is 2**16 + 17?")
    assert chunks == []
    assert calls(reply) == [("calculator", {"expression": "2**16 + 17"})]
    assert reply.tool_calls[0].id == "call_offline_1"
    assert reply.finish_reason == "tool_calls"
    assert reply.response["choices"][0]["message"]["tool_calls"][0]["id"] == "call_offline_1"


async def test_days_ago() -> None:
    _, reply = await run("How many days ago was 29-Feb-1972?")
    assert calls(reply) == [
        (
            "date_calculator",
            {"dates": ["1972-02-29", "2025-06-01"], "operation": "difference", "date_format": "ISO"},
        )
    ]


async def test_days_between_two_dates() -> None:
    _, reply = await run("How many days between 2024-01-01 and 12/25/2024?")
    assert calls(reply) == [
        (
            "date_calculator",
            {"dates": ["2024-01-01", "2024-12-25"], "operation": "difference", "date_format": "ISO"},
        )
    ]


async def test_date_add_days() -> None:
    _, reply = await run("What date is 30 days after 2024-01-01?")
    assert calls(reply) == [
        (
            "date_calculator",
            {"dates": ["2024-01-01"], "operation": "add", "days": 30, "date_format": "ISO"},
        )
    ]


async def test_remember() -> None:
    _, reply = await run("Remember that my favourite colour is green.")
    assert calls(reply) == [("create_memory", {"memory": "The User's favourite colour is green"})]


async def test_recall() -> None:
    _, reply = await run("What do you know about me?")
    assert calls(reply) == [("recall_memory", {"query": "User"})]


async def test_weather() -> None:
    _, reply = await run("What's the weather in Paris today?")
    assert calls(reply) == [("get_current_weather", {"location": "Paris", "unit": "METRIC"})]


async def test_arithmetic_and_memory_in_one_reply() -> None:
    _, reply = await run("What is 6 * 7? Also remember that I like tea.")
    assert sorted(calls(reply)) == [
        ("calculator", {"expression": "6 * 7"}),
        ("create_memory", {"memory": "The User likes tea"}),
    ]
    assert [c.id for c in reply.tool_calls] == ["call_offline_1", "call_offline_2"]


async def test_only_offered_tools_are_called() -> None:
    _, reply = await run("What is 2 + 2?", tools=[BUILTINS[2]])
    assert reply.tool_calls == []
    assert "offline demo model" in reply.content


@pytest.mark.parametrize(
    ("prompt", "key"),
    [
        ("Do you have any coupon codes for the gobstopper?", "coupon_codes"),
        ("Any gobstopper promotions on sale?", "sales.promotions"),
        ("How do I contact the Gobstopper people?", "contact"),
        ("Tell me about the gobstopper", "biographical"),  # no key named: "about" asks for the story
        ("Who invented the Gobstopper?", "biographical"),
        ("How much is a gobstopper?", "contact"),  # no price key: the first one
    ],
)
async def test_static_plugin_inquiry_type(prompt: str, key: str) -> None:
    _, reply = await run(prompt, tools=[GOBSTOPPER])
    assert calls(reply) == [("plugin_everlasting_gobstopper", {"inquiry_type": key})]


async def test_static_plugin_not_called_without_shared_words() -> None:
    _, reply = await run("What is 2 + 2?", tools=[GOBSTOPPER, BUILTINS[0]])
    assert calls(reply) == [("calculator", {"expression": "2 + 2"})]


async def test_sql_plugin_parameters_filled() -> None:
    _, reply = await run("Find advanced Python courses under 500 dollars", tools=[COURSES])
    assert calls(reply) == [
        ("plugin_course_search", {"max_price": 500, "keyword": "Python", "level": "advanced"})
    ]


async def test_api_plugin_defaults_and_missing_values() -> None:
    # `days` is required and has no default: a prompt without a number does not call the plugin.
    _, reply = await run("look something up", tools=[WEATHER_API])
    assert calls(reply) == []
    _, reply = await run("look up the weather for 3 days", tools=[WEATHER_API])
    assert calls(reply) == [("plugin_city_api", {"city": "Paris", "days": 3})]  # city: its default
    _, reply = await run('look up "New York" for 3 days', tools=[WEATHER_API])
    assert calls(reply) == [("plugin_city_api", {"city": "New York", "days": 3})]


async def test_no_tool_matches() -> None:
    chunks, reply = await run("Hello!")
    assert reply.tool_calls == []
    assert reply.finish_reason == "stop"
    assert len(chunks) > 3
    assert "".join(chunks) == reply.content
    assert "offline demo model" in reply.content
    assert "calculator" in reply.content


# -- answers -------------------------------------------------------------------------------


def turn(prompt: str, results: list[tuple[str, dict[str, Any], Any]]) -> list[dict[str, Any]]:
    """Return a conversation: prompt, one assistant tool-call message, one tool message per call."""
    tool_calls = [
        {
            "id": f"call_offline_{n}",
            "type": "function",
            "function": {"name": name, "arguments": json.dumps(args)},
        }
        for n, (name, args, _) in enumerate(results, 1)
    ]
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": "You are helpful."},
        {"role": "user", "content": prompt},
        {"role": "assistant", "content": None, "tool_calls": tool_calls},
    ]
    for n, (name, _, result) in enumerate(results, 1):
        messages.append(
            {
                "role": "tool",
                "tool_call_id": f"call_offline_{n}",
                "name": name,
                "content": result if isinstance(result, str) else json.dumps(result),
            }
        )
    return messages


async def test_answer_from_calculator_result() -> None:
    msgs = turn("What is 2**16 + 17?", [("calculator", {"expression": "2**16 + 17"}, {"result": 65553})])
    chunks, reply = await run(messages=msgs)
    assert reply.tool_calls == []
    assert reply.finish_reason == "stop"
    assert reply.content == "2**16 + 17 = 65553."
    assert len(chunks) > 1 and "".join(chunks) == reply.content


async def test_answer_never_calls_tools_again() -> None:
    msgs = turn("What is 2 + 2?", [("calculator", {"expression": "2 + 2"}, {"result": 4})])
    msgs.append({"role": "user", "content": "x"})  # a later turn: fine to call tools again
    _, reply = await run(messages=msgs[:-1])
    assert reply.tool_calls == []


async def test_answer_from_several_results() -> None:
    msgs = turn(
        "...",
        [
            ("create_memory", {"memory": "The User likes tea"}, {"stored": True, "id": 1}),
            ("recall_memory", {"query": "User"}, ["The User likes tea", "The User lives in Paris"]),
            (
                "date_calculator",
                {"dates": ["1972-02-29", "2025-06-01"], "operation": "difference"},
                {
                    "from": "1972-02-29",
                    "to": "2025-06-01",
                    "days": 19451,
                    "breakdown": {"years": 53, "months": 3, "days": 3},
                },
            ),  # fmt: skip
            ("plugin_everlasting_gobstopper", {"inquiry_type": "coupon_codes"}, ["SAVE10", "FREE"]),
            ("calculator", {"expression": "1/0"}, {"error": "division by zero"}),
        ],
    )
    _, reply = await run(messages=msgs)
    text = reply.content
    assert "I'll remember that: The User likes tea." in text
    assert "Here is what I know about you: The User likes tea; The User lives in Paris." in text
    assert "There are 19,451 days between 1972-02-29 and 2025-06-01" in text
    assert "53 years, 3 months, 3 days" in text
    assert "- SAVE10" in text and "coupon codes" in text
    assert "The calculator tool did not work: division by zero" in text


async def test_answer_for_empty_recall() -> None:
    _, reply = await run(messages=turn("What is my name?", [("recall_memory", {"query": "name"}, [])]))
    assert "don't know anything about that yet" in reply.content


async def test_sql_rows_rendered() -> None:
    rows = [{"title": "Python 101", "price": 100}, {"title": "Advanced Python", "price": 400}]
    msgs = turn("courses", [("plugin_course_search", {"max_price": 500}, rows)])
    _, reply = await run(messages=msgs)
    assert "- title: Python 101, price: 100" in reply.content


# -- properties ----------------------------------------------------------------------------


async def test_usage_model_and_response_shape() -> None:
    _, reply = await run("Hello there", model="gpt-4o-mini")  # e.g. a plugin's model override
    assert reply.model == "offline-demo"  # the offline model answers as itself
    assert reply.usage.prompt_tokens == 2
    assert reply.usage.completion_tokens and reply.usage.completion_tokens > 10
    assert reply.usage.total_tokens == reply.usage.prompt_tokens + reply.usage.completion_tokens
    response = reply.response
    assert response["object"] == "chat.completion"
    assert response["model"] == "offline-demo"
    assert response["choices"][0]["message"]["content"] == reply.content
    _, named = await run("Hello there", p=provider(default_model="my-offline"))
    assert named.model == named.response["model"] == "my-offline"


async def test_deterministic() -> None:
    prompts = ["What is 2**16 + 17? Remember that I like tea.", "Hello", "How many days ago was 1990-05-01?"]
    for prompt in prompts:
        first_chunks, first = await run(prompt, tools=[*BUILTINS, GOBSTOPPER, COURSES])
        second_chunks, second = await run(prompt, tools=[*BUILTINS, GOBSTOPPER, COURSES])
        assert first_chunks == second_chunks
        assert (first.content, first.tool_calls, first.usage) == (
            second.content,
            second.tool_calls,
            second.usage,
        )
        assert first.response["id"] == second.response["id"]


async def test_non_streaming_yields_one_chunk() -> None:
    chunks, reply = await run("Hello", stream=False)
    assert chunks == [reply.content]


async def test_attributes() -> None:
    p = OfflineProvider()
    assert (p.name, p.offline) == ("offline", True)


async def test_fast() -> None:
    msgs = turn("What is 2 + 2?", [("calculator", {"expression": "2 + 2"}, {"result": 4})])
    with cpu_clock() as spent:  # CPU, not wall time: the machine may be loaded
        for _ in range(50):
            await run("What is 2 + 2?")
            await run(messages=msgs)
    assert spent[0] / 50 < 0.005


async def test_cancellation_with_chunk_delay() -> None:
    p = provider(chunk_delay=0.2)
    received: list[str] = []

    async def consume() -> None:
        async for item in p.complete(ModelRequest(model="", messages=[{"role": "user", "content": "Hi"}])):
            if isinstance(item, TextChunk):
                received.append(item.text)

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(received) == 1


async def test_optional_parameters_filled_only_when_the_prompt_has_a_value() -> None:
    tool = {
        "type": "function",
        "function": {
            "name": "plugin_course_search",
            "description": "Search the course catalogue",
            "parameters": {
                "type": "object",
                "properties": {
                    "max_price": {"type": "number"},
                    "keyword": {"type": "string", "default": ""},
                },
                "required": ["max_price"],
            },
        },
    }
    _, reply = await run("Which Python courses cost at most 500?", tools=[tool])
    assert calls(reply) == [("plugin_course_search", {"max_price": 500, "keyword": "Python"})]
    _, reply = await run("show me courses under 200", tools=[tool])
    assert calls(reply) == [("plugin_course_search", {"max_price": 200})]


# -- skills --------------------------------------------------------------------------------


def test_one_skill_per_builtin_function() -> None:
    from smarter_tui.domain.tools import BUILTIN_FUNCTIONS
    from smarter_tui.providers.offline_skills import FUNCTION_SKILLS

    assert sorted(FUNCTION_SKILLS) == sorted(BUILTIN_FUNCTIONS)
    assert all(skill.example for skill in FUNCTION_SKILLS.values())


@pytest.mark.parametrize(
    ("expression", "result", "answer"),
    [
        ("17 * 2350 / 100", 399.50000000000006, "17 * 2350 / 100 = 399.5."),  # no float noise
        ("12 * 2.50 * (100 - 10) / 100", 27.0, "12 * 2.50 * (100 - 10) / 100 = 27.00."),  # cents kept
        ("0.1 + 0.2", 0.30000000000000004, "0.1 + 0.2 = 0.3."),
    ],
)
async def test_calculator_answer_is_clean(expression: str, result: float, answer: str) -> None:
    _, reply = await run(messages=turn("?", [("calculator", {"expression": expression}, {"result": result})]))
    assert reply.content == answer


COURSE_DETAILS = tool(
    "plugin_course_details",
    {"course_code": {"type": "string", "description": "The course code, e.g. PY101."}},
    "Get one course by its code",
    required=["course_code"],
)


async def test_parameter_takes_only_values_shaped_like_its_example() -> None:
    _, reply = await run("Which Python courses are there?", tools=[COURSE_DETAILS])
    assert calls(reply) == []  # "Python" is no course code
    _, reply = await run("Details of PY101 please", tools=[COURSE_DETAILS])
    assert calls(reply) == [("plugin_course_details", {"course_code": "PY101"})]
    _, reply = await run("Compare PY101, SQL101 and JS101", tools=[COURSE_DETAILS])
    assert calls(reply) == [
        ("plugin_course_details", {"course_code": code}) for code in ("PY101", "SQL101", "JS101")
    ]


async def test_prices_looked_up_are_added_up_in_a_second_round() -> None:
    prompt = "What do PY101 and SQL101 cost together?"
    tools = [COURSE_DETAILS, BUILTINS[0]]
    _, first = await run(prompt, tools=tools)
    assert [name for name, _ in calls(first)] == ["plugin_course_details", "plugin_course_details"]
    msgs = turn(
        prompt,
        [
            ("plugin_course_details", {"course_code": "PY101"}, {"code": "PY101", "price": 199.0}),
            ("plugin_course_details", {"course_code": "SQL101"}, {"code": "SQL101", "price": 149.0}),
        ],
    )
    _, second = await run(messages=msgs, tools=tools)
    assert calls(second) == [("calculator", {"expression": "199 + 149"})]
    assert second.tool_calls[0].id == "call_offline_3"
    msgs += [
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [second.response["choices"][0]["message"]["tool_calls"][0]],
        },
        {
            "role": "tool",
            "tool_call_id": "call_offline_3",
            "name": "calculator",
            "content": '{"result": 348}',
        },
    ]
    _, answer = await run(messages=msgs, tools=tools)
    assert answer.tool_calls == []
    assert answer.content.endswith("199 + 149 = 348.")
    assert "price: 199" in answer.content and "price: 149" in answer.content


async def test_no_total_without_a_question_for_one() -> None:
    msgs = turn(
        "Show PY101 and SQL101",
        [
            ("plugin_course_details", {"course_code": "PY101"}, {"price": 199.0}),
            ("plugin_course_details", {"course_code": "SQL101"}, {"price": 149.0}),
        ],
    )
    _, reply = await run(messages=msgs, tools=[COURSE_DETAILS, BUILTINS[0]])
    assert reply.tool_calls == []


async def test_static_plugin_uses_the_system_prompt_for_the_topic() -> None:
    system = {"role": "system", "content": "You sell candy for the Willy Wonka Chocolate Factory."}
    messages = [system, {"role": "user", "content": "Who is Willy Wonka?"}]
    _, reply = await run(messages=messages, tools=[GOBSTOPPER])
    assert calls(reply) == [("plugin_everlasting_gobstopper", {"inquiry_type": "biographical"})]
    _, unrelated = await run(
        messages=[system, {"role": "user", "content": "Who is Ada Lovelace?"}], tools=[GOBSTOPPER]
    )
    assert calls(unrelated) == []


async def test_static_plugin_leaves_a_calculation_to_the_calculator() -> None:
    prompt = "How much are 12 Gobstoppers at 2.50 each with 10% off?"
    _, reply = await run(prompt, tools=[GOBSTOPPER, BUILTINS[0]])
    assert calls(reply) == [("calculator", {"expression": "12 * 2.50 * (100 - 10) / 100"})]
