"""What each manifest field means (from the Smarter SDK's models) and each kind's JSON Schema."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path as FilePath
from typing import TYPE_CHECKING, Any

from .base import Path

if TYPE_CHECKING:
    from .lines import RawDocument

#: The SDK's field descriptions, the one file of them: written by assets/schema/make_descriptions.py
#: from `smarter.models.sam.SAM_MODELS` (a test/dev dependency only, hence committed);
#: tests/unit/manifests/test_sam_descriptions.py checks it is current.
_DESCRIPTIONS_FILE = FilePath(__file__).with_name("sam_descriptions.json")
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

#: Fields we accept that the Smarter models do not declare, with what they mean here.
LOCAL_DESCRIPTIONS: dict[str, dict[str, str]] = {
    "LLMClient": {
        "spec.functions": "The built-in functions the client offers the model (the former name of "
        "spec.extensions): calculator, date_calculator, get_current_weather, create_memory, "
        "recall_memory.",
        "spec.extensions": "The built-in functions the client offers the model: calculator, "
        "date_calculator, get_current_weather, create_memory, recall_memory.",
        "spec.config.prompt.defaultTemperature": "The default temperature, 0..2 here (Smarter's "
        "models say 0..1; above 1 is accepted with a warning). 0.0 is a real value.",
    },
    "Plugin": {
        "spec.data.description": "The description of the tool offered to the model (falls back to "
        "metadata.description).",
    },
    "Provider": {
        "spec.provider.default_model": "The model used when a client names none (not a Smarter "
        "field: local providers need one).",
    },
    "Secret": {
        "spec.config.value": "The secret value: stored in the OS keyring on apply, never in the "
        "database; describe shows it masked (**** + the last 4 characters).",
    },
}

_SNAKE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


@cache
def _sdk_descriptions() -> dict[str, dict[str, str]]:
    data: dict[str, dict[str, str]] = json.loads(_DESCRIPTIONS_FILE.read_text(encoding="utf-8"))["kinds"]
    return data


def _key(path: Path) -> str:
    """Return the lookup key of a path: ("spec", "parameters", 1, "name") -> "spec.parameters[].name"."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += "[]"
        else:
            text += ("." if text else "") + part
    return text


def _candidates(kind: str, key: str, parts: tuple[str, ...]) -> list[str]:
    """Return the keys that may describe a path (its lookup `key`, its named `parts`), as written first."""
    keys = [key]
    if kind == "LLMClient":
        if parts[:1] == ("spec",) and parts[1:2] == ("functions",):
            keys.append("spec.extensions" + key[len("spec.functions") :])
        if parts[:2] == ("spec", "config") and len(parts) > 2 and parts[2] not in ("prompt", "styles"):
            rest = key[len("spec.config.") :]
            keys += [f"spec.config.prompt.{rest}", f"spec.config.styles.{rest}"]
    if kind == "Provider" or kind == "Secret":
        keys.append(_SNAKE.sub("_", key).lower())
    return keys


def field_description(kind: str, path: Path) -> str | None:
    """Return what the field at `path` of a `kind` manifest means, or None when nobody says.

    Descriptions come from the Smarter SDK's models; fields only we accept have our own.
    Flat LLMClient fields (spec.config.appName) find their nested description.
    """
    found = _described(kind, _key(path), tuple(p for p in path if isinstance(p, str)))
    return found[1] if found else None


def nearest_field_description(kind: str, path: Path) -> tuple[str, str] | None:
    """Return (dotted key, description) of the field at `path`, else of its nearest described parent.

    The key is the spelling that is described ("spec.config.prompt.defaultModel" for a flat
    client's spec.config.defaultModel); free-form data (a static plugin's keys) gets its
    section's description. None when no part of the path is described.
    """
    for end in range(len(path), 0, -1):
        part = path[:end]
        found = _described(kind, _key(part), tuple(p for p in part if isinstance(p, str)))
        if found is not None:
            return found
    return None


@cache
def _described(kind: str, key: str, parts: tuple[str, ...]) -> tuple[str, str] | None:
    """Return (key found, description) for the lookup key of a path (cached: the editor asks per line)."""
    sdk = _sdk_descriptions().get(kind, {})
    local = LOCAL_DESCRIPTIONS.get(kind, {})
    for candidate in _candidates(kind, key, parts):
        if candidate in local:
            return candidate, local[candidate]
        if candidate in sdk:
            return candidate, sdk[candidate]
    return None


def field_at(text: str, line: int) -> tuple[str | None, Path] | None:
    """Return (kind, path) of the field written on 1-based `line` of a YAML text, or None.

    The deepest key on that line wins; on a line with no key (a continuation, a list item of
    scalars) the nearest key above it in the same document. None for text that is not YAML.
    """
    from smarter_tui.domain.errors import ManifestError

    from .lines import parse_documents

    try:
        documents = parse_documents(text, "<editor>")
    except ManifestError:
        return None
    return field_in_documents(documents, line)


def field_in_documents(documents: Sequence[RawDocument], line: int) -> tuple[str | None, Path] | None:
    """Return (kind, path) of the field written on 1-based `line` of parsed documents (see `field_at`)."""
    from smarter_tui.domain.errors import ManifestError

    chosen = None
    for document in documents:
        if document.line <= line or chosen is None:
            chosen = document
    if chosen is None:
        return None
    best: Path | None = None
    best_line = 0
    for path, at in chosen.lines.items():
        if not path or at > line:
            continue
        if at > best_line or (at == best_line and best is not None and len(path) > len(best)):
            best, best_line = path, at
    if best is None:
        return None
    while best and isinstance(best[-1], int):
        best = best[:-1]
    raw_kind = chosen.data.get("kind") if isinstance(chosen.data, dict) else None
    kind: str | None = None
    if isinstance(raw_kind, str):
        from .kinds import canonical_kind

        try:
            kind = canonical_kind(raw_kind)
        except ManifestError:
            kind = None
    return kind, best


def json_schema(kind: str) -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of a canonical kind, by manifest field names.

    Field descriptions are the Smarter SDK's where it declares the field.
    """
    from .kinds import MANIFEST_CLASSES

    model = MANIFEST_CLASSES[kind]
    schema = model.model_json_schema(by_alias=True, mode="validation")
    _describe(schema, schema, kind, (), set())
    return {"$schema": JSON_SCHEMA_DIALECT, **schema, "title": kind}


def _describe(node: dict[str, Any], root: dict[str, Any], kind: str, path: Path, seen: set[str]) -> None:
    """Fill in `description` of every property from field_description (following $ref once each)."""
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        target = root.get("$defs", {}).get(name)
        if target is not None and name not in seen:
            _describe(target, root, kind, path, seen | {name})
        return
    for branch in node.get("anyOf", []) + node.get("allOf", []):
        _describe(branch, root, kind, path, seen)
    for name, child in (node.get("properties") or {}).items():
        text = field_description(kind, (*path, name))
        if text and "description" not in child:
            child["description"] = text
        _describe(child, root, kind, (*path, name), seen)
    items = node.get("items")
    if isinstance(items, dict):
        _describe(items, root, kind, (*path, 0), seen)
