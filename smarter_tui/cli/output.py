"""Printing results as a table, JSON or YAML."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from smarter_tui.domain.terminal import json_safe, terminal_safe


def to_json(value: Any) -> str:
    """Return pretty JSON (non-ASCII kept except C1 controls, datetimes as ISO strings)."""
    return json_safe(json.dumps(value, indent=2, ensure_ascii=False, default=str))


class TerminalSafeStream:
    """A text stream that passes everything written through `terminal_safe` (stdout, stderr).

    The CLI installs it around both streams, so every surface — streamed answers, tool lines,
    tables of titles and descriptions, search snippets, exports, error messages — goes through
    the one filter on its way to the terminal.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(terminal_safe(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


#: Columns printed whole in every table, so their values can be copied (session keys).
UNCUT_COLUMNS = frozenset({"key"})


def table(rows: Sequence[dict[str, Any]], columns: Sequence[str], out: TextIO | None = None) -> None:
    """Print rows as an aligned plain-text table (long cells are cut with an ellipsis, keys never)."""
    out = out or sys.stdout
    if not rows:
        out.write("(none)\n")
        return

    def cell(value: Any, column: str) -> str:
        text = "" if value is None else str(value).replace("\n", " ")
        return text if len(text) <= 60 or column in UNCUT_COLUMNS else text[:59] + "…"

    cells = [[cell(row.get(c), c) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    out.write("  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip() + "\n")
    for row in cells:
        out.write("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() + "\n")
