"""Turn pydantic validation errors into readable problems: field path + what was expected."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from .base import Path
from .checks import looks_like_key


@dataclass(frozen=True, slots=True)
class Problem:
    """One error or warning of a manifest text: where it is (document, field path, line) and what.

    `str(problem)` is the one-line form the CLI prints:
    "FILE: document N (KIND NAME): FIELD.PATH (line L): message".
    """

    filename: str
    document: int  # 1-based document of the file (0 when the file itself is unreadable)
    line: int  # 1-based line of the field (or of the document when there is no field)
    path: Path
    message: str
    kind: str | None = None
    name: str | None = None
    severity: Literal["error", "warning"] = "error"
    column: int | None = None  # 1-based, for YAML syntax errors

    @property
    def field(self) -> str:
        """Return the field path as text, e.g. "spec.sqlData.parameters[1].type" ("" for none)."""
        return format_path(self.path) if self.path else ""

    def __str__(self) -> str:
        return f"{self.filename}: {self.where()}"

    def where(self) -> str:
        """Return the one-line form without the file name (for a caller that adds it)."""
        if self.document == 0:
            column = f", column {self.column}" if self.column else ""
            return f"line {self.line}{column}: {self.message}"
        label = " ".join(part for part in (self.kind, self.name) if part)
        head = f"document {self.document}" + (f" ({label})" if label else "")
        where = f"{self.field} (line {self.line})" if self.path else f"line {self.line}"
        return f"{head}: {where}: {self.message}"


_EXPECTED = {
    "string_type": "expected a string",
    "int_type": "expected an integer",
    "int_parsing": "expected an integer",
    "int_from_float": "expected a whole number",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "list_type": "expected a list",
    "dict_type": "expected a mapping",
    "model_type": "expected a mapping",
    "model_attributes_type": "expected a mapping",
}


def format_path(path: Path) -> str:
    """Return `path` as text: ("spec", "parameters", 1, "type") -> "spec.parameters[1].type"."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text or "(document)"


def shown(value: Any) -> str:
    """Return a short rendering of an offending value for a message."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null"
    if isinstance(value, str) and looks_like_key(value):
        return "a value that looks like a key (not shown)"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


#: How pydantic names the members of a union in an error's location (not field names).
_UNION_TAG = re.compile(r"^(str|int|float|bool|none|[A-Z]\w*|(list|dict|literal|function-\w+)\[.*\])$")


def explain_all(errors: list[dict[str, Any]]) -> list[tuple[Path, str]]:
    """Return (field path, message) of pydantic errors, one per field: a value that fits no
    member of a union ("a string, a number or true/false") gives one message, not one per member."""
    merged: dict[Path, list[str]] = {}
    for error in errors:
        loc = [part for part in error["loc"] if isinstance(part, str | int)]
        tagged = False
        while loc and isinstance(loc[-1], str) and _UNION_TAG.match(loc[-1]):
            loc.pop()
            tagged = True
        path, message = explain({**error, "loc": tuple(loc)})
        if tagged:
            message = message.split("; got ")[0].removeprefix("expected ")
            got = shown(error.get("input"))
            merged.setdefault(path, []).append(message + "\0" + got)
        else:
            merged.setdefault(path, []).append(message)
    found: list[tuple[Path, str]] = []
    for path, messages in merged.items():
        union = [m for m in messages if "\0" in m]
        found += [(path, m) for m in messages if "\0" not in m]
        if union:
            wanted = list(dict.fromkeys(m.split("\0")[0] for m in union))
            got = union[0].split("\0")[1]
            text = ", ".join(wanted[:-1]) + (" or " if len(wanted) > 1 else "") + wanted[-1]
            found.append((path, f"expected {text}; got {got}"))
    return found


def explain(error: dict[str, Any]) -> tuple[Path, str]:
    """Return the field path and a readable message of one pydantic error dict."""
    loc: Path = tuple(part for part in error["loc"] if isinstance(part, str | int))
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "manifest_rule":
        return (*loc, *ctx.get("subpath", ())), str(ctx.get("message", error["msg"]))
    if kind == "missing":
        return loc, "required field is missing"
    got = "; got " + shown(error.get("input"))
    if kind == "literal_error":
        options = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return loc, f"expected one of {', '.join(options)}" + got
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        words = {
            "greater_than": "greater than",
            "greater_than_equal": "at least",
            "less_than": "less than",
            "less_than_equal": "at most",
        }[kind]
        bound = next(iter(ctx.values()), "?")
        if isinstance(bound, float) and bound.is_integer():
            bound = int(bound)
        return loc, f"expected a number {words} {bound}" + got
    if kind in _EXPECTED:
        return loc, _EXPECTED[kind] + got
    message = str(error.get("msg", "invalid value"))
    return loc, message[:1].lower() + message[1:] + got
