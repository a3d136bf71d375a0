"""Registry: build_function, build_plugin, plugin_binding; package import stays cheap."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from smarter_tui.domain.tools import BUILTIN_FUNCTIONS, SelectorDirective, Tool, ToolKind
from smarter_tui.manifests.specs import api_connection_spec_of, plugin_spec_of, sql_connection_spec_of
from smarter_tui.plugins import (
    ApiPluginTool,
    SqlPluginTool,
    StaticPluginTool,
    WeatherTool,
    build_function,
    build_plugin,
    plugin_binding,
)

from .conftest import FakeMemory

STATIC_MANIFEST = {
    "apiVersion": "smarter.sh/v1",
    "kind": "Plugin",
    "metadata": {
        "name": "everlasting_gobstopper",
        "pluginClass": "static",
        "description": "Everlasting Gobstopper info",
    },  # fmt: skip
    "spec": {
        "selector": {
            "directive": "search_terms",
            "searchTerms": ["Gobstopper", "everlasting gobstopper"],
        },  # fmt: skip
        "prompt": {
            "provider": "openai",
            "systemRole": "You are a candy expert.",
            "model": "gpt-4o-mini",
            "temperature": 0.0,
            "maxTokens": 256,
        },  # fmt: skip
        "data": {"description": "Gobstopper facts", "staticData": {"a": 1}},
    },
}
STATIC = plugin_spec_of(STATIC_MANIFEST)


def test_build_every_function() -> None:
    memory = FakeMemory()
    for name in BUILTIN_FUNCTIONS:
        tool = build_function(name, memory=memory, session_key="k")
        assert isinstance(tool, Tool)
        assert tool.spec.name == name and tool.spec.source == name
        assert tool.spec.kind is ToolKind.FUNCTION
        assert tool.spec.parameters["type"] == "object"
        assert set(tool.spec.parameters["required"]) <= set(tool.spec.parameters["properties"])
        json.dumps(tool.spec.to_openai())


def test_build_function_errors_and_weather_urls() -> None:
    with pytest.raises(ValueError, match="unknown function 'teleport'"):
        build_function("teleport")
    with pytest.raises(ValueError, match="memory backend"):
        build_function("create_memory")
    weather = build_function("get_current_weather", weather_urls=("http://g", "http://f"))
    assert isinstance(weather, WeatherTool)
    assert (weather.geocoding_url, weather.forecast_url) == ("http://g", "http://f")


async def test_build_plugin_dispatch(tmp_path: Path) -> None:
    static = build_plugin(STATIC, None, lambda _n: None)
    assert isinstance(static, StaticPluginTool)
    assert json.loads(await static.run({"inquiry_type": "a"})) == 1
    sql_manifest = {"kind": "SqlPlugin", "metadata": {"name": "q"},
                    "spec": {"connection": "c", "sqlData": {"sqlQuery": "SELECT 1 AS one"}}}  # fmt: skip
    db = tmp_path / "x.db"
    import sqlite3

    sqlite3.connect(db).close()
    conn = {"kind": "SqlConnection", "metadata": {"name": "c"},
            "spec": {"connection": {"dbEngine": "sqlite", "database": "x.db"}}}  # fmt: skip
    # the connection's folder (where it was applied from) resolves its relative path
    sql = build_plugin(
        plugin_spec_of(sql_manifest), sql_connection_spec_of(conn, str(tmp_path)), lambda _n: None
    )
    assert isinstance(sql, SqlPluginTool)
    assert json.loads(await sql.run({})) == [{"one": 1}]
    api_manifest = {"kind": "apiplugin", "metadata": {"name": "a"},
                    "spec": {"connection": "c", "apiData": {"endpoint": "/x"}}}  # fmt: skip
    assert isinstance(build_plugin(plugin_spec_of(api_manifest), None, lambda _n: None), ApiPluginTool)
    with pytest.raises(ValueError, match="not a plugin kind"):
        plugin_spec_of({"kind": "SqlConnection", "metadata": {"name": "c"}})
    with pytest.raises(ValueError, match="needs a SqlConnection"):
        build_plugin(plugin_spec_of(sql_manifest), api_connection_spec_of(conn), lambda _n: None)


def test_plugin_binding() -> None:
    tool = build_plugin(STATIC, None, lambda _n: None)
    binding = plugin_binding(STATIC, tool)
    assert binding.name == "everlasting_gobstopper"
    assert binding.description == "Everlasting Gobstopper info"
    assert binding.tool is tool
    assert binding.directive is SelectorDirective.SEARCH_TERMS
    assert binding.search_terms == ["Gobstopper", "everlasting gobstopper"]
    assert binding.prompt.provider == "openai"
    assert binding.prompt.system_role == "You are a candy expert."
    assert binding.prompt.model == "gpt-4o-mini"
    assert binding.prompt.temperature == 0.0  # a real value, not "unset"
    assert binding.prompt.max_tokens == 256


def test_plugin_binding_defaults() -> None:
    manifest = {"kind": "Plugin", "metadata": {"name": "p", "description": None},
                "spec": {"selector": {"directive": "llm"}, "data": {"staticData": {}}}}  # fmt: skip
    spec = plugin_spec_of(manifest)
    binding = plugin_binding(spec, build_plugin(spec, None, lambda _n: None))
    assert binding.directive is SelectorDirective.LLM
    assert binding.search_terms == []
    assert binding.prompt.temperature is None and binding.prompt.system_role is None
    assert binding.description == "Information from the p plugin."


def test_package_import_is_cheap() -> None:
    code = "import sys, smarter_tui.plugins; print('httpx' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
