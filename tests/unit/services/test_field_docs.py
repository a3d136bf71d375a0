"""Field descriptions: the shipped file is current with the Smarter SDK, and lookups find the field."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from smarter_tui.services.field_docs import describe_field

ROOT = Path(__file__).resolve().parents[3]


def load_generator() -> Any:
    """Import assets/schema/make_field_docs.py (a script, not a package module)."""
    script = ROOT / "assets/schema/make_field_docs.py"
    spec = importlib.util.spec_from_file_location("make_field_docs", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_field_docs_file_is_current_with_the_sdk() -> None:
    generator = load_generator()
    shipped = (ROOT / "assets/schema/field_docs.json").read_text(encoding="utf-8")
    assert shipped == generator.render(), "run: python assets/schema/make_field_docs.py"


def found_path(kind: str, *path: str | int) -> str | None:
    """Return the path of the description found for `path` (None when there is none)."""
    found = describe_field(kind, path)
    return found[0] if found else None


def test_lookups_find_the_field_its_parent_or_todays_spelling() -> None:
    found = describe_field("SqlPlugin", ("spec", "sqlData", "parameters", 0, "name"))
    assert found is not None and found[0] == "spec.sqlData.parameters[].name" and found[1]
    # Inside a static plugin's free-form data: the data section's description.
    assert found_path("Plugin", "spec", "data", "staticData", "contact", 0) == "spec.data.staticData"
    # The seed-era flat LLMClient spelling finds today's nested field.
    assert found_path("LLMClient", "spec", "config", "defaultModel") == "spec.config.prompt.defaultModel"
    assert found_path("LLMClient", "spec", "functions") == "spec.extensions"
    assert found_path("NoSuchKind", "spec") is None
