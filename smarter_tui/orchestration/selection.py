"""Per-prompt plugin selection (SPEC §3): always, search terms (fuzzy), or left to the model."""

from __future__ import annotations

import re
from collections.abc import Iterable

from smarter_tui.domain.tools import PluginBinding, SelectorDirective

_WORD = re.compile(r"[A-Za-z0-9]+")
# Split CamelCase and letter/digit runs: "FullStackWithLawrence2" -> Full Stack With Lawrence 2
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


def words(text: str) -> list[str]:
    """Return the lower-case words of `text`, punctuation stripped and CamelCase split."""
    out: list[str] = []
    for token in _WORD.findall(text):
        out.extend(part.lower() for part in _CAMEL.findall(token))
    return out


def _within(a: str, b: str, limit: int) -> bool:
    """Return True when the Levenshtein distance of a and b is at most `limit` (early exit)."""
    if abs(len(a) - len(b)) > limit:
        return False
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
        if min(current) > limit:
            return False
        previous = current
    return previous[-1] <= limit


def _allowed_distance(word: str) -> int:
    """Edit distance tolerated for a one-word term: 1 for 4-7 letters, 2 for longer, 0 below."""
    if len(word) >= 8:
        return 2
    if len(word) >= 4:
        return 1
    return 0


class _Text:
    """A text prepared once for matching against many terms."""

    __slots__ = ("lower", "words", "word_set")

    def __init__(self, text: str) -> None:
        self.lower = text.lower()
        self.words = words(text)
        self.word_set = set(self.words)


def _refers(term: str, text: _Text) -> bool:
    needle = term.strip().lower()
    if not needle:
        return False
    if needle in text.lower:
        return True
    term_words = words(term)
    if term_words and all(w in text.word_set for w in term_words):
        return True
    if len(term_words) == 1:
        limit = _allowed_distance(term_words[0])
        if limit:
            return any(_within(term_words[0], w, limit) for w in text.word_set)
    return False


def term_refers_to(term: str, text: str) -> bool:
    """Return True when a search term refers to `text` (substring, every word, or near spelling)."""
    return _refers(term, _Text(text))


def select_plugins(
    plugins: Iterable[PluginBinding], prompt: str, earlier_prompts: Iterable[str] = ()
) -> list[tuple[PluginBinding, str]]:
    """Return the plugins offered for this prompt, each with why: matched term, "always" or "llm".

    Search terms are checked against the current prompt first, then earlier user messages.
    """
    texts: list[_Text] | None = None
    chosen: list[tuple[PluginBinding, str]] = []
    for plugin in plugins:
        if plugin.directive is SelectorDirective.ALWAYS:
            chosen.append((plugin, "always"))
        elif plugin.directive is SelectorDirective.LLM:
            # The model decides: the tool (name + description) is offered and it may call it or not.
            chosen.append((plugin, "llm"))
        else:
            if texts is None:
                texts = [_Text(prompt), *(_Text(p) for p in earlier_prompts)]
            term = next((t for text in texts for t in plugin.search_terms if _refers(t, text)), None)
            if term is not None:
                chosen.append((plugin, term))
    return chosen
