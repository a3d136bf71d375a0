"""Field descriptions: the one shipped file is current with the Smarter SDK, and lookups find the field."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

from smarter_tui.manifests.schema import field_description, nearest_field_description

ROOT = Path(__file__).resolve().parents[3]
SHIPPED = ROOT / "smarter_tui/manifests/sam_descriptions.json"


def load_generator() -> Any:
    """Import assets/schema/make_descriptions.py (a script, not a package module)."""
    script = ROOT / "assets/schema/make_descriptions.py"
    spec = importlib.util.spec_from_file_location("make_descriptions", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_descriptions_file_is_current_with_the_sdk() -> None:
    generator = load_generator()
    assert generator.TARGET == SHIPPED
    assert SHIPPED.read_text(encoding="utf-8") == generator.render(), (
        "run: python assets/schema/make_descriptions.py"
    )


def test_descriptions_are_one_line_with_the_type_at_the_end() -> None:
    kinds = json.loads(SHIPPED.read_text(encoding="utf-8"))["kinds"]
    max_tokens = kinds["Plugin"]["spec.prompt.maxTokens"]
    assert "\n" not in max_tokens and max_tokens.endswith("(int)") and "[int]" not in max_tokens


def found_path(kind: str, *path: str | int) -> str | None:
    """Return the key of the description found for `path` (None when there is none)."""
    found = nearest_field_description(kind, path)
    return found[0] if found else None


def test_lookups_find_the_field_its_parent_or_todays_spelling() -> None:
    found = nearest_field_description("SqlPlugin", ("spec", "sqlData", "parameters", 0, "name"))
    assert found is not None and found[0] == "spec.sqlData.parameters[].name" and found[1]
    # Inside a static plugin's free-form data: the data section's description.
    assert found_path("Plugin", "spec", "data", "staticData", "contact", 0) == "spec.data.staticData"
    # The seed-era flat LLMClient spelling finds today's nested field.
    assert found_path("LLMClient", "spec", "config", "defaultModel") == "spec.config.prompt.defaultModel"
    functions = nearest_field_description("LLMClient", ("spec", "functions", 0))
    assert functions is not None and "spec.extensions" in functions[1]  # our note: the former name
    assert found_path("Provider", "spec", "provider", "baseUrl") == "spec.provider.base_url"
    assert found_path("Secret", "spec", "config", "expirationDate") == "spec.config.expiration_date"
    assert found_path("NoSuchKind", "spec") is None
    # The exact lookup does not fall back to a parent.
    assert field_description("Plugin", ("spec", "data", "staticData", "contact")) is None
