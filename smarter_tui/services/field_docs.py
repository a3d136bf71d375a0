"""What each manifest field means: the Smarter SDK's field descriptions, looked up by field path.

The descriptions come from the SDK's JSON Schema, extracted into `assets/schema/field_docs.json`
by `assets/schema/make_field_docs.py` (the SDK itself takes seconds to import, so the app never
does). Paths are dotted, list items written `[]`: `spec.sqlData.parameters[].name`.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence

from smarter_tui.config.paths import assets_dir

#: Seed-era (flat) spellings and where today's Smarter model keeps the same field.
_MOVED = {
    "spec.config.": ("spec.config.prompt.", "spec.config.styles."),
    "spec.functions": ("spec.extensions",),
    "spec.provider.baseUrl": ("spec.provider.base_url",),
    "spec.provider.apiKey": ("spec.provider.api_key",),
    "spec.config.expirationDate": ("spec.config.expiration_date",),
}


@functools.cache
def _docs() -> dict[str, dict[str, str]]:
    """Return {kind: {dotted path: description}} (read once)."""
    path = assets_dir() / "schema" / "field_docs.json"
    docs: dict[str, dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))
    return docs


def dotted(path: Sequence[str | int]) -> str:
    """Return a field path as a lookup key: ("spec", "parameters", 2, "name") -> "spec.parameters[].name"."""
    text = ""
    for part in path:
        text += "[]" if isinstance(part, int) else ("." if text else "") + str(part)
    return text


def _candidates(key: str) -> list[str]:
    """Return `key` and its today's-shape spellings."""
    found = [key]
    for old, new in _MOVED.items():
        if key.startswith(old):
            found += [replacement + key[len(old) :] for replacement in new]
    return found


def describe_field(kind: str, path: Sequence[str | int]) -> tuple[str, str] | None:
    """Return (field path, description) for `path` in a manifest of `kind`, or None.

    When the field itself has no description (e.g. a key inside a static plugin's data), the
    nearest described parent's is returned, with that parent's path.
    """
    docs = _docs().get(kind)
    if not docs:
        return None
    for end in range(len(path), 0, -1):
        for key in _candidates(dotted(path[:end])):
            if key in docs:
                return key, docs[key]
    return None
