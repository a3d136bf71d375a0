"""StaticPluginTool: enum of keys, dotted paths, unknown keys."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from smarter_tui.domain.errors import ToolError
from smarter_tui.domain.tools import ToolKind
from smarter_tui.manifests.specs import StaticPluginSpec, plugin_spec_of
from smarter_tui.plugins.static import MAX_ENUM, StaticPluginTool

DATA = {
    "contact": [{"name": "Willy Wonka", "email": "willy@example.com"}],
    "coupon_codes": ["SAVE10", "GOBSTOP"],
    "biographical": "An everlasting candy.",
    "sales_promotions": {"spring": "20% off", "summer": {"beach": "free sample"}},
    "launched": dt.date(1971, 6, 30),
    "dotted.key": "kept as is",
}


def static_manifest(data: Any, description: str | None = "Gobstopper facts") -> StaticPluginSpec:
    """Return the typed spec of a static Plugin manifest dict."""
    spec_data: dict[str, Any] = {"staticData": data}
    if description:
        spec_data["description"] = description
    spec = plugin_spec_of(
        {
            "apiVersion": "smarter.sh/v1",
            "kind": "Plugin",
            "metadata": {
                "name": "everlasting_gobstopper",
                "pluginClass": "static",
                "description": "Metadata description",
            },  # fmt: skip
            "spec": {"selector": {"directive": "always"}, "data": spec_data},
        }
    )
    assert isinstance(spec, StaticPluginSpec)
    return spec


async def ask(tool: StaticPluginTool, inquiry: Any) -> Any:
    """Run and parse."""
    return json.loads(await tool.run({"inquiry_type": inquiry}))


def test_spec() -> None:
    tool = StaticPluginTool(static_manifest(DATA))
    assert tool.spec.name == "plugin_everlasting_gobstopper"
    assert tool.spec.kind is ToolKind.PLUGIN and tool.spec.source == "everlasting_gobstopper"
    assert tool.spec.description == "Gobstopper facts"
    params = tool.spec.parameters
    assert params["type"] == "object" and params["required"] == ["inquiry_type"]
    assert params["properties"]["inquiry_type"]["type"] == "string"
    assert params["properties"]["inquiry_type"]["enum"] == list(DATA)


def test_description_fallback() -> None:
    tool = StaticPluginTool(static_manifest(DATA, description=None))
    assert tool.spec.description == "Metadata description"


async def test_values_as_json() -> None:
    tool = StaticPluginTool(static_manifest(DATA))
    assert await ask(tool, "coupon_codes") == ["SAVE10", "GOBSTOP"]
    assert await ask(tool, "biographical") == "An everlasting candy."
    assert await ask(tool, "launched") == "1971-06-30"
    assert await ask(tool, "dotted.key") == "kept as is"
    assert await ask(tool, "Coupon_Codes") == ["SAVE10", "GOBSTOP"]


async def test_dotted_paths() -> None:
    tool = StaticPluginTool(static_manifest(DATA))
    assert await ask(tool, "sales_promotions.spring") == "20% off"
    assert await ask(tool, "sales_promotions.summer.beach") == "free sample"
    assert await ask(tool, "contact.0.email") == "willy@example.com"


@pytest.mark.parametrize("inquiry", ["prices", "sales_promotions.winter", "contact.5", ""])
async def test_unknown_key_lists_valid_keys(inquiry: str) -> None:
    tool = StaticPluginTool(static_manifest(DATA))
    with pytest.raises(ToolError, match="valid keys: contact, coupon_codes, biographical"):
        await tool.run({"inquiry_type": inquiry})


async def test_list_data_uses_indexes() -> None:
    tool = StaticPluginTool(static_manifest(["first", {"a": 1}]))
    assert tool.spec.parameters["properties"]["inquiry_type"]["enum"] == ["0", "1"]
    assert await ask(tool, "1.a") == 1
    assert await ask(tool, 0) == "first"


async def test_enum_capped() -> None:
    data = {f"key_{i}": i for i in range(80)}
    tool = StaticPluginTool(static_manifest(data))
    assert len(tool.spec.parameters["properties"]["inquiry_type"]["enum"]) == MAX_ENUM
    assert await ask(tool, "key_79") == 79
    with pytest.raises(ToolError, match=r"key_49 \(and 30 more\)$"):
        await tool.run({"inquiry_type": "nope"})


async def test_scalar_data() -> None:
    tool = StaticPluginTool(static_manifest("just text"))
    assert "enum" not in tool.spec.parameters["properties"]["inquiry_type"]
    assert await ask(tool, "anything") == "just text"
