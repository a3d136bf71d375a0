"""SQL placeholder helpers: find `{name}` placeholders and the ones written inside quotes."""

from __future__ import annotations

import re

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
# A single-quoted SQL string literal ('' is an escaped quote inside it).
_LITERAL = re.compile(r"'(?:[^']|'')*'")


def sql_placeholders(query: str) -> list[str]:
    """Return the distinct `{name}` placeholder names of `query`, in order of first appearance.

    Placeholders inside quotes (`'%{keyword}%'`) count too: they are bound as parameters as well.
    """
    names: list[str] = []
    for match in _PLACEHOLDER.finditer(query):
        if match.group(1) not in names:
            names.append(match.group(1))
    return names


def quoted_placeholders(query: str) -> list[tuple[str, str]]:
    """Return `(name, literal)` for each placeholder written inside a quoted SQL literal.

    Smarter pasted values into the SQL text, so its manifests write `'{keyword}'` or
    `'%{keyword}%'`; we bind values as parameters instead (see `smarter_tui.plugins.sql.translate_query`).
    """
    found: list[tuple[str, str]] = []
    for literal in _LITERAL.finditer(query):
        for match in _PLACEHOLDER.finditer(literal.group(0)):
            found.append((match.group(1), literal.group(0)))
    return found
