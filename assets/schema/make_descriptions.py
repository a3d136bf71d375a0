"""Rewrite smarter_tui/manifests/sam_descriptions.json: each kind's field descriptions, from the Smarter SDK.

The editor shows the description of the field under the cursor, and `json-schema KIND` carries
them. The SDK (`smarter-api`, a test/dev dependency only) takes seconds to import, so its
descriptions are extracted once, here, from the JSON Schema of its typed models
(`smarter.models.sam.SAM_MODELS`) into the committed JSON file the app reads;
`tests/unit/manifests/test_sam_descriptions.py` checks the file is current.
Run: .venv/bin/python assets/schema/make_descriptions.py
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

#: Our kinds, each with the SDK model that describes it (same names).
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
_TAG = re.compile(r"^[\w.]+\[([^\]]*)\]\.?$")  # "Plugin.spec.prompt.maxTokens[int]." -> "int"


def tidy(description: str) -> str:
    """Return a description on one line: a leading "Name[type]." paragraph becomes "(type)"."""
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", description.strip()) if p.strip()]
    if paragraphs and (tag := _TAG.match(paragraphs[0])):
        paragraphs = paragraphs[1:]
        if paragraphs:
            paragraphs[-1] += f" ({tag.group(1)})"
    return " ".join(paragraphs)


def walk(
    schema: dict[str, Any], defs: dict[str, Any], path: str, out: dict[str, str], depth: int = 0
) -> None:
    """Record the description of every property below `schema` under its dotted path ("[]" = list item)."""
    if depth > 16:
        return
    if "$ref" in schema:
        target = defs[schema["$ref"].rsplit("/", 1)[-1]]
        walk({**target, **{k: v for k, v in schema.items() if k != "$ref"}}, defs, path, out, depth + 1)
        return
    description = schema.get("description")
    if description and path and path not in out:
        out[path] = tidy(description)
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key) or []:
            walk(sub, defs, path, out, depth + 1)
    for name, sub in (schema.get("properties") or {}).items():
        walk(sub, defs, f"{path}.{name}" if path else name, out, depth + 1)
    if isinstance(schema.get("items"), dict):
        walk(schema["items"], defs, path + "[]", out, depth + 1)


def build() -> dict[str, Any]:
    """Return {"sdk": version, "kinds": {kind: {dotted path: description}}} from the installed SDK."""
    from smarter.__version__ import __version__
    from smarter.models.sam import SAM_MODELS

    kinds: dict[str, dict[str, str]] = {}
    for kind in KINDS:
        schema = SAM_MODELS[kind].model_json_schema(by_alias=True)
        out: dict[str, str] = {}
        walk(schema, schema.get("$defs") or {}, "", out)
        kinds[kind] = dict(sorted(out.items()))
    return {"sdk": __version__, "kinds": kinds}


def render() -> str:
    """Return the file's text."""
    return json.dumps(build(), indent=1, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    TARGET.write_text(render(), encoding="utf-8")
    print(f"wrote {TARGET}", file=sys.stderr)
