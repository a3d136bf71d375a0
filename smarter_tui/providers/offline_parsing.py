"""Prompt parsing for the offline demo model: expressions, dates, memories, places, word overlap.

Pure functions, stdlib only, deterministic: the offline provider builds tool arguments with them.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from datetime import date

# -- words ---------------------------------------------------------------------------------

STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "get",
        "got",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "let",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "out",
        "over",
        "own",
        "please",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "tell",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "us",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "show",
        "give",
        "find",
        "list",
        "info",
        "information",
        "know",
        "want",
        "like",
        "need",
        "much",
        "many",
    ]
)

#: Sentence-initial words that are not names (so never taken as a string argument).
_NOT_NAMES = STOPWORDS | frozenset(
    [
        "find",
        "show",
        "list",
        "get",
        "tell",
        "give",
        "search",
        "look",
        "what",
        "which",
        "who",
        "how",
        "where",
        "when",
        "is",
        "are",
        "do",
        "does",
        "can",
        "could",
        "would",
        "please",
        "i",
        "hi",
        "hello",
        "hey",
        "ok",
        "okay",
    ]
)


def split_words(text: str) -> list[str]:
    """Return the lower-case words of `text`, splitting snake_case, dotted keys and CamelCase."""
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text)
    return [w.lower() for w in re.findall(r"[A-Za-z0-9]+", text)]


def stem(word: str) -> str:
    """Return a crude stem of a lower-case word that makes plurals match their singulars."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def keywords(text: str) -> set[str]:
    """Return the stems of the meaningful (non stop-) words of `text`."""
    return {stem(w) for w in split_words(text) if w not in STOPWORDS and len(w) > 1}


def best_overlap(prompt: str, options: list[str]) -> tuple[str | None, int]:
    """Return the option sharing the most keywords with `prompt` (first on ties) and its score."""
    wanted = keywords(prompt)
    best, best_score = None, 0
    for option in options:
        score = len(wanted & keywords(option))
        if score > best_score:
            best, best_score = option, score
    return best, best_score


# -- arithmetic ----------------------------------------------------------------------------

_FUNCS = (
    "sqrt|cbrt|sin|cos|tan|asin|acos|atan|log10|log2|log|exp|abs|round|min|max|floor|ceil"
    "|factorial|hypot|pow|degrees|radians"
)
_TOKEN = rf"(?:\d+(?:\.\d+)?|\*\*|//|[-+*/%(),]|\b(?:math\.)?(?:{_FUNCS})\b|\bpi\b|\btau\b)"
_EXPRESSION = re.compile(rf"{_TOKEN}(?:\s*{_TOKEN})*")
_NUM = r"(\d+(?:\.\d+)?)"
_EACH = rf"\b{_NUM}\s+(?:[A-Za-z][\w-]*\s+){{0,3}}(?:at|for|@)\s+{_NUM}\s*(?:each|apiece|a piece|per \w+)\b"
_OFF = rf"(?:\s*,?\s*\b(?:with|less|minus|after|at)\b(?:\s+an?)?)?\s+{_NUM}\s*%\s*(?:off|discount)\b"
_ON_TOP = (
    rf"(?:\s*,?\s*\b(?:plus|with|and|including)\b(?:\s+an?)?)\s+{_NUM}\s*%\s*"
    r"(?:tax|vat|tip|service|sales tax)\b"
)
_WORD_OPERATORS: tuple[tuple[str, str], ...] = (
    (r"(?<=\d),(?=\d{3}\b)", ""),  # thousands separators
    (r"[$€£](?=\d)", ""),
    (r"\bsquare root of\s+(\d+(?:\.\d+)?)", r"sqrt(\1)"),
    (r"\bsquare root of\b", "sqrt"),
    # Word problems: "12 Gobstoppers at 2.50 each", "with 10% off", "plus 8% tax", "17% of 2350".
    # Percentages become "* (100 - p) / 100" so that 12 * 2.50 * (100 - 10) / 100 is exactly 27.
    (_EACH, r"\1 * \2"),
    (_OFF, r" * (100 - \1) / 100"),
    (_ON_TOP, r" * (100 + \1) / 100"),
    (rf"{_NUM}\s*%\s*of\s+{_NUM}", r"\1 * \2 / 100"),
    (r"(\d+(?:\.\d+)?)\s*%\s*of\b", r"\1/100*"),
    (r"\bto the power of\b|\braised to\b", "**"),
    (r"\bsquared\b", "**2"),
    (r"\bcubed\b", "**3"),
    (r"\bmultiplied by\b|\btimes\b", "*"),
    (r"\bdivided by\b", "/"),
    (r"\bplus\b", "+"),
    (r"\bminus\b", "-"),
    (r"\bmod(?:ulo)?\b", "%"),
    (r"(?<=\d)\s*[x×]\s*(?=\d)", " * "),
    (r"÷", "/"),
    (r"\^", "**"),
)
# Compiled once: the offline model reads every prompt with all of them.
_OPERATOR_REWRITES = tuple((re.compile(p, re.IGNORECASE), r) for p, r in _WORD_OPERATORS)
#: Only a prompt with a digit or one of these words can hold a calculation.
_MAY_CALCULATE = re.compile(r"\d|\b(?:pi|tau)\b", re.IGNORECASE)


def _is_calculation(candidate: str) -> bool:
    try:
        tree = ast.parse(candidate, mode="eval")
    except SyntaxError:
        return False
    nodes = list(ast.walk(tree))
    has_number = any(isinstance(n, ast.Constant) for n in nodes)
    has_work = any(isinstance(n, ast.BinOp | ast.Call) for n in nodes)
    return has_number and has_work and not isinstance(tree.body, ast.Tuple)


def _trim(candidate: str) -> str:
    candidate = candidate.strip().strip(",").strip()
    while candidate and candidate[-1] in "+-*/%(,":
        candidate = candidate[:-1].rstrip()
    while candidate and candidate[0] in "*/%),":
        candidate = candidate[1:].lstrip()
    # drop unbalanced parentheses at either end
    while candidate.count("(") > candidate.count(")") and candidate.startswith("("):
        candidate = candidate[1:].lstrip()
    while candidate.count(")") > candidate.count("(") and candidate.endswith(")"):
        candidate = candidate[:-1].rstrip()
    return candidate


def find_expression(text: str) -> str | None:
    """Return the longest arithmetic expression in `text` ("What is 2**16 + 17?" -> "2**16 + 17").

    Number words for operators ("plus", "times", "squared", "square root of") are rewritten
    first. A lone number (or a negative number) is not a calculation.
    """
    if not _MAY_CALCULATE.search(text):
        return None
    rewritten = text
    for pattern, replacement in _OPERATOR_REWRITES:
        rewritten = pattern.sub(replacement, rewritten)
    best: str | None = None
    for match in _EXPRESSION.finditer(rewritten):
        candidate = _trim(match.group(0))
        if candidate and _is_calculation(candidate) and (best is None or len(candidate) > len(best)):
            best = candidate
    return best


# -- dates ---------------------------------------------------------------------------------

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ymd", re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")),
    ("d-mon-y", re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?[-\s/.]+{_MONTH}[-\s/.,]+(\d{{4}})\b", re.I)),
    ("mon-d-y", re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I)),
    ("slash", re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")),
    ("dot", re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b")),
)


@dataclass(frozen=True, slots=True)
class FoundDate:
    """A date found in a prompt: its ISO form and where it was."""

    iso: str
    start: int
    end: int


def _make_date(kind: str, groups: tuple[str, ...]) -> date | None:
    try:
        if kind == "ymd":
            return date(int(groups[0]), int(groups[1]), int(groups[2]))
        if kind == "d-mon-y":
            return date(int(groups[2]), _MONTHS[groups[1][:3].lower()], int(groups[0]))
        if kind == "mon-d-y":
            return date(int(groups[2]), _MONTHS[groups[0][:3].lower()], int(groups[1]))
        first, second, year = int(groups[0]), int(groups[1]), int(groups[2])
        if kind == "dot" or first > 12:  # EU day-first; slashes are US month-first otherwise
            return date(year, second, first)
        return date(year, first, second)
    except (ValueError, KeyError):
        return None


def find_dates(text: str) -> list[FoundDate]:
    """Return the valid dates in `text` in order: ISO, 29-Feb-1972, Feb 29, 1972, US m/d/y, EU d.m.y."""
    found: list[FoundDate] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            if any(match.start() < e and s < match.end() for s, e in taken):
                continue
            value = _make_date(kind, match.groups())
            if value is not None:
                taken.append(match.span())
                found.append(FoundDate(value.isoformat(), match.start(), match.end()))
    return sorted(found, key=lambda d: d.start)


def remove_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """Return `text` with the given (start, end) spans blanked out."""
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + " " + text[end:]
    return text


# -- memories ------------------------------------------------------------------------------

_RECALL_QUESTION = re.compile(r"\b(?:do|did|can|will|would)\s+you\s+(?:still\s+)?remember\b", re.I)
_REMEMBER = re.compile(
    r"\b(?:remember|don't forget|do not forget|note)(?:\s+that)?\s*[:,]?\s+(.+?)(?:[.!?](?=\s|$)|$)",
    re.I | re.S,
)
_IRREGULAR_PAST = frozenset(
    ["was", "were", "had", "did", "went", "got", "made", "said", "saw", "came", "took", "knew", "thought"]
)
_NO_S_VERBS = frozenset(["can", "could", "will", "would", "shall", "should", "may", "might", "must"])


def _third_person(verb: str) -> str:
    low = verb.lower()
    if low in {"am", "'m"}:
        return "is"
    if low == "have":
        return "has"
    if low in {"do", "go"}:
        return verb + "es"
    if low in _NO_S_VERBS or low in _IRREGULAR_PAST or low.endswith(("ed", "s")):
        return verb
    if low.endswith("y") and len(low) > 2 and low[-2] not in "aeiou":
        return verb[:-1] + "ies"
    if low.endswith(("ch", "sh", "x", "z", "o")):
        return verb + "es"
    return verb + "s"


def to_user_fact(text: str) -> str:
    """Rewrite a first-person fact as "The User ...": "my favourite colour is green" ->
    "The User's favourite colour is green"."""
    fact = " ".join(text.strip().rstrip(".!?").split())
    rules: tuple[tuple[str, str], ...] = (
        (r"\bI am\b|\bI'm\b", "the User is"),
        (r"\bI have\b|\bI've\b", "the User has"),
        (r"\bI will\b|\bI'll\b", "the User will"),
        (r"\bI would\b|\bI'd\b", "the User would"),
        (r"\bmy\b", "the User's"),
        (r"\bmine\b", "the User's"),
        (r"\bmyself\b", "the User"),
        (r"\bme\b", "the User"),
    )
    for pattern, replacement in rules:
        fact = re.sub(pattern, replacement, fact, flags=re.I)
    fact = re.sub(r"\bI\s+([A-Za-z']+)", lambda m: "the User " + _third_person(m.group(1)), fact)
    fact = re.sub(r"\bI\b", "the User", fact)
    if not fact.lower().startswith("the user"):
        fact = "The User: " + fact
    return fact[0].upper() + fact[1:]


@dataclass(frozen=True, slots=True)
class Remember:
    """A "remember that ..." request: the fact rewritten, and where it was in the prompt."""

    fact: str
    start: int
    end: int


def find_remember(text: str) -> Remember | None:
    """Return the fact of "remember that ..." / "remember my ..." (not "do you remember ...?")."""
    if _RECALL_QUESTION.search(text):
        return None
    match = _REMEMBER.search(text)
    if match is None or not match.group(1).strip():
        return None
    return Remember(to_user_fact(match.group(1)), match.start(), match.end())


_RECALL_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"\bwhat(?:'s| is| are| was| were)\s+my\s+([^?.!]+)", re.I),
    re.compile(r"\b(?:do|did|can|will|would)\s+you\s+(?:still\s+)?remember\s+(?:my\s+)?([^?.!]*)", re.I),
    re.compile(r"\bwhat do you (?:know|remember) about (?:me|myself)\b()", re.I),
    re.compile(r"\b(?:who am i|about me|about myself|what did i tell you)\b()", re.I),
    re.compile(r"\bmy name\b()", re.I),
)


def find_recall(text: str) -> str | None:
    """Return a memory query when the prompt asks about the user ("what is my X" -> "X")."""
    for pattern in _RECALL_PATTERNS:
        match = pattern.search(text)
        if match:
            query = " ".join(match.group(1).split()).strip(" ?")
            query = re.sub(r"^(?:that|the|about)\s+", "", query, flags=re.I)
            if not query or query.lower() in {"me", "myself", "anything", "everything"}:
                return "User"
            return query
    return None


# -- places --------------------------------------------------------------------------------

_WEATHER = re.compile(r"\b(weather|forecast|temperature|raining|rain|snowing|snow|sunny)\b", re.I)
_PLACE = re.compile(r"\b(?:in|at|for)\s+([^?.!,;]+)", re.I)
_PLACE_TAIL = re.compile(
    r"\s+(?:today|tomorrow|tonight|now|right now|this week|this weekend|please|in (?:celsius|fahrenheit)"
    r"|in (?:metric|imperial) units?)\b.*$",
    re.I,
)


def find_weather_place(text: str) -> str | None:
    """Return the place of a weather question ("weather in Paris today?" -> "Paris"), if any."""
    if not _WEATHER.search(text):
        return None
    for match in _PLACE.finditer(text):
        place = _PLACE_TAIL.sub("", match.group(1)).strip(" '\"")
        if place and place.lower() not in {"celsius", "fahrenheit", "metric", "imperial"}:
            place = re.sub(r"^the\s+", "", place, flags=re.I)
            return " ".join(w if w[:1].isupper() else w.capitalize() for w in place.split())
    return None


# -- values for generic parameters ---------------------------------------------------------

_EXAMPLE = re.compile(r"\b(?:e\.g\.|for example|such as|like)\s*,?\s*[\"'`]?([^\s,;:()\"'`]+)", re.I)


def example_value(description: str) -> str | None:
    """Return the example a parameter description gives ("The course code, e.g. PY101." -> "PY101")."""
    match = _EXAMPLE.search(description or "")
    if match is None:
        return None
    value = match.group(1).rstrip(".!?")
    return value or None


def value_shape(example: str) -> re.Pattern[str]:
    """Return a pattern for values shaped like `example`: runs of letters, digits, other characters.

    "PY101" -> letters then digits (so "SQL101" fits, "Python" does not); letter case is ignored.
    """
    parts: list[str] = []
    for run in re.findall(r"[A-Za-z]+|\d+|[^A-Za-z\d]+", example):
        part = "[A-Za-z]+" if run[0].isalpha() else r"\d+" if run[0].isdigit() else re.escape(run)
        if not parts or parts[-1] != part:
            parts.append(part)
    return re.compile("".join(parts) + r"\Z")


def find_numbers(text: str) -> list[float]:
    """Return the numbers of `text` in order (dates should be removed first)."""
    return [float(n) for n in re.findall(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.]*\d)", text)]


def find_names(text: str) -> list[str]:
    """Return quoted phrases, then capitalised words that look like names, in order."""
    quoted = [a or b for a, b in re.findall(r'"([^"]+)"|(?<!\w)\'([^\']+)\'(?!\w)', text)]
    names = [
        word
        for word in re.findall(r"\b[A-Z][\w+#-]*", re.sub(r'"[^"]*"', " ", text))
        if word.lower() not in _NOT_NAMES
    ]
    seen: list[str] = []
    for item in [*quoted, *names]:
        if item not in seen:
            seen.append(item)
    return seen
