"""Apply-time checks of values that would only fail when used: SQL text, base URLs, Secret names.

Each check returns None when the value is fine, else a one-line problem that never repeats a
value that looks like a key. Manifest models call them from their validators, so a manifest that
would break at run time is refused at apply, with its file and line.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

#: PRAGMAs that only read the schema; allowed as a whole query (`PRAGMA table_info(items)`).
READ_ONLY_PRAGMAS = frozenset(
    {
        "table_info",
        "table_xinfo",
        "table_list",
        "index_list",
        "index_info",
        "index_xinfo",
        "foreign_key_list",
        "collation_list",
        "function_list",
        "pragma_list",
    }
)
_READ_ONLY_STARTS = ("select", "with", "values")
#: Statements that change data or the schema, or reach other files, if they lead a query.
_WRITES = frozenset(
    {
        "insert", "update", "delete", "replace", "merge", "upsert", "create", "drop", "alter",
        "truncate", "attach", "detach", "vacuum", "reindex", "analyze", "grant", "revoke", "call",
        "copy", "lock", "begin", "commit", "rollback", "savepoint", "release", "set", "load",
        "do", "execute", "prepare",
    }
)  # fmt: skip
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")

# Known API key shapes (OpenAI, Google, Anthropic, GitHub, GitLab, Slack, AWS, Hugging Face, Stripe, Groq).
_KEY_SHAPES = re.compile(
    r"^(sk-[A-Za-z0-9_-]{16,}|AIza[0-9A-Za-z_-]{20,}|sk-ant-[A-Za-z0-9_-]{16,}|gh[pousr]_[A-Za-z0-9]{20,}"
    r"|glpat-[A-Za-z0-9_-]{16,}|xox[abposr]-[A-Za-z0-9-]{10,}|A[KS]IA[0-9A-Z]{16}|hf_[A-Za-z0-9]{20,}"
    r"|[rs]k_(live|test)_[A-Za-z0-9]{16,}|gsk_[A-Za-z0-9]{20,}|eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]+)"
)


def _tokens(query: str) -> tuple[list[tuple[str, int]], str | None]:
    """Split SQL into (token, paren depth) outside literals and comments, or return a problem.

    Tokens are words (lower-cased) and ';'. Handles '...', "...", `...`, [...], -- and /* */.
    """
    out: list[tuple[str, int]] = []
    depth = 0
    i, n = 0, len(query)
    closers = {"'": "'", '"': '"', "`": "`", "[": "]"}
    while i < n:
        char = query[i]
        if char in closers:
            close = closers[char]
            j = i + 1
            while True:
                end = query.find(close, j)
                if end < 0:
                    return out, f"the SQL query has an unterminated {char}{'…' + close}"
                if close != "]" and query.startswith(close * 2, end):
                    j = end + 2
                    continue
                break
            out.append(("literal", depth))
            i = end + 1
        elif query.startswith("--", i):
            end = query.find("\n", i)
            i = n if end < 0 else end + 1
        elif query.startswith("/*", i):
            end = query.find("*/", i + 2)
            if end < 0:
                return out, "the SQL query has an unterminated /* comment"
            i = end + 2
        elif char == "(":
            depth += 1
            i += 1
        elif char == ")":
            depth -= 1
            i += 1
        elif char == ";":
            out.append((";", depth))
            i += 1
        elif char.isalpha() or char == "_":
            match = _WORD.match(query, i)
            assert match is not None
            out.append((match.group(0).lower(), depth))
            i = match.end()
        else:
            i += 1
    return out, None


def sql_query_problem(query: str) -> str | None:
    """Return why `query` cannot be a plugin's read-only query, or None when it can.

    A plugin query is one statement: SELECT, WITH ... SELECT, VALUES, or a schema-reading PRAGMA
    (`PRAGMA table_info(t)`). Several statements, writes, ATTACH/PRAGMA/VACUUM INTO, an
    unterminated quote or comment, and a query that is only a comment are refused.
    """
    tokens, problem = _tokens(query)
    if problem:
        return problem
    words = [t for t in tokens if t[0] != ";"]
    if not words:
        return "the SQL query is empty (only whitespace or comments)"
    last_word = max(i for i, t in enumerate(tokens) if t[0] != ";")
    if any(t[0] == ";" for t in tokens[:last_word]):
        return "the SQL query holds more than one statement; a plugin runs exactly one"
    first = words[0][0]
    if first == "pragma":
        name = words[1][0] if len(words) > 1 else ""
        if name in READ_ONLY_PRAGMAS and len(words) <= 4:
            return None
        return (
            "PRAGMA is refused except the schema-reading ones (" + ", ".join(sorted(READ_ONLY_PRAGMAS)) + ")"
        )
    if first not in _READ_ONLY_STARTS:
        what = first.upper() if first in _WRITES else repr(first)
        return f"the SQL query starts with {what}; a plugin query must be read-only (SELECT, WITH or VALUES)"
    for word, depth in words[1:]:
        if word in ("attach", "detach", "vacuum", "pragma"):
            return f"the SQL query contains {word.upper()}; a plugin query must be read-only"
        if first == "with" and depth == 0 and word in ("insert", "update", "delete", "replace", "merge"):
            return f"the SQL query's WITH leads to {word.upper()}; a plugin query must be read-only"
    return None


def base_url_problem(value: str) -> str | None:
    """Return why `value` is not a usable http(s) base URL, or None when it is.

    Refused: other schemes, no host, whitespace or control characters anywhere, a port that is
    not 1-65535, user info (credentials belong in a Secret).
    """
    if any(c.isspace() or ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in value):
        return "the URL contains spaces or control characters"
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return "expected an http:// or https:// URL"
    try:
        port = parts.port
    except ValueError:
        return "the URL's port is not a number from 1 to 65535"
    if port is not None and not 1 <= port <= 65535:
        return "the URL's port is not a number from 1 to 65535"
    if parts.username is not None or parts.password is not None:
        return "the URL holds a user name or password; put credentials in a Secret"
    if not parts.hostname:
        return "expected an http:// or https:// URL"
    return None


def looks_like_key(value: str) -> bool:
    """Return True when `value` looks like a credential (a known key shape, or a long random token)."""
    text = value.strip()
    if _KEY_SHAPES.match(text):
        return True
    if len(text) < 32 or not re.fullmatch(r"[A-Za-z0-9_\-.+/=]+", text):
        return False
    classes = sum(bool(re.search(p, text)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]"))
    return classes == 3 and not re.fullmatch(r"[a-z0-9_]+", text)


def secret_name_problem(value: str) -> str | None:
    """Return a problem (without the value) when a Secret-name field holds what looks like a key."""
    if looks_like_key(value):
        return (
            "this looks like an API key or password, not the name of a Secret (the value is not "
            "shown or stored); store it with `smarter-tui keys set NAME` and write NAME here"
        )
    return None
