"""Plugin selection: always, llm, and search terms with substrings, words, CamelCase and typos."""

from __future__ import annotations

import pytest

from smarter_tui.domain.tools import PluginBinding, SelectorDirective, ToolSpec
from smarter_tui.orchestration.selection import select_plugins, term_refers_to, words


class _Noop:
    spec = ToolSpec("plugin_x", "x", {"type": "object", "properties": {}})

    async def run(self, arguments: dict) -> str:
        return "{}"


def _plugin(name: str, directive: SelectorDirective, terms: list[str] | None = None) -> PluginBinding:
    return PluginBinding(name, name, _Noop(), directive, terms or [])


@pytest.mark.parametrize(
    ("term", "text", "expected"),
    [
        ("Gobstopper", "tell me about the gobstopper please", True),  # substring, any case
        ("everlasting gobstopper", "Is the Gobstopper really everlasting?", True),  # every word
        ("Full Stack With Lawrence", "I love FullStackWithLawrence videos", True),  # CamelCase
        ("FullStackWithLawrence", "full stack with lawrence rocks", True),
        ("Gobstopper", "what is a Gobstoper?", True),  # 1 edit, 10 letters (<= 2 allowed)
        ("Gobstopper", "what is a Gbstper?", False),  # distance 3 > 2 allowed for long words
        ("weather", "weathr today", True),  # 7 letters, distance 1
        ("weather", "whether or not", False),  # distance 2 on a 7-letter term
        ("cat", "cut the rope", False),  # too short for fuzzy matching
        ("Python", "I like pythn", True),
        ("course", "a curse upon you", True),  # 6 letters, distance 1
        ("course details", "show me the course", False),  # not every word
        ("", "anything", False),
    ],
)
def test_term_refers_to(term: str, text: str, expected: bool) -> None:
    assert term_refers_to(term, text) is expected


def test_words_split_camel_case_and_digits() -> None:
    assert words("FullStackWithLawrence2, HTTPServer!") == [
        "full",
        "stack",
        "with",
        "lawrence",
        "2",
        "http",
        "server",
    ]


def test_select_plugins_directives_and_history() -> None:
    always = _plugin("always_on", SelectorDirective.ALWAYS)
    llm = _plugin("model_decides", SelectorDirective.LLM)
    candy = _plugin("gobstopper", SelectorDirective.SEARCH_TERMS, ["Gobstopper"])
    course = _plugin("courses", SelectorDirective.SEARCH_TERMS, ["course catalogue"])
    chosen = select_plugins([always, llm, candy, course], "how much is it?", ["Tell me of the Gobstoper"])
    assert [(p.name, why) for p, why in chosen] == [
        ("always_on", "always"),
        ("model_decides", "llm"),
        ("gobstopper", "Gobstopper"),
    ]
    assert select_plugins([course], "is there a course in the catalogue?", []) == [
        (course, "course catalogue")
    ]
