"""Rewrite smarter_tui/manifests/sam_descriptions.json from the official SDK (`pip install smarter-api`).

The SDK is a test dependency only: the app reads the descriptions from this file, so that the
editor can say what a field means without importing the SDK (and its dependencies) at run time.
A test checks the file is current for the installed SDK.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

KINDS = (
    "LLMClient",
    "Plugin",
    "SqlPlugin",
    "ApiPlugin",
    "SqlConnection",
    "ApiConnection",
    "Secret",
    "Provider",
)
TARGET = Path(__file__).resolve().parents[2] / "smarter_tui" / "manifests" / "sam_descriptions.json"


def _resolve(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """Follow $ref and the one non-null branch of anyOf (Optional fields)."""
    while True:
        if "$ref" in node:
            node = defs[node["$ref"].rsplit("/", 1)[-1]]
            continue
        branches = [b for b in node.get("anyOf", []) if b.get("type") != "null"]
        if len(branches) == 1 and "properties" not in node:
            node = {**branches[0], **{k: v for k, v in node.items() if k != "anyOf"}}
            continue
        return node


def _walk(node: dict[str, Any], defs: dict[str, Any], path: str, out: dict[str, str], depth: int = 0) -> None:
    if depth > 12:
        return
    for name, child in (node.get("properties") or {}).items():
        child_path = f"{path}.{name}" if path else name
        text = (child.get("description") or "").strip()
        resolved = _resolve(child, defs)
        if not text:
            text = (resolved.get("description") or "").strip()
        if text:
            out[child_path] = " ".join(text.split())
        if resolved.get("type") == "array" and isinstance(resolved.get("items"), dict):
            _walk(_resolve(resolved["items"], defs), defs, child_path + "[]", out, depth + 1)
        elif "properties" in resolved:
            _walk(resolved, defs, child_path, out, depth + 1)


def build() -> dict[str, Any]:
    """Return {"sdk": version, "kinds": {kind: {field path: description}}} from the SDK."""
    from smarter.__version__ import __version__
    from smarter.models.sam import SAM_MODELS

    kinds: dict[str, dict[str, str]] = {}
    for kind in KINDS:
        schema = SAM_MODELS[kind].model_json_schema(by_alias=True)
        out: dict[str, str] = {}
        _walk(schema, schema.get("$defs", {}), "", out)
        kinds[kind] = dict(sorted(out.items()))
    return {"sdk": __version__, "kinds": kinds}


if __name__ == "__main__":
    TARGET.write_text(json.dumps(build(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {TARGET}")
