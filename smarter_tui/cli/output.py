"""Printing results as a table, JSON or YAML."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO


def to_json(value: Any) -> str:
    """Return pretty JSON (non-ASCII kept, datetimes as ISO strings)."""
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


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
