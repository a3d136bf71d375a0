"""Turn function names and plugin manifests into tools, and plugins into domain bindings."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from smarter_tui.domain.tools import (
    BUILTIN_FUNCTIONS,
    MemoryBackend,
    PluginBinding,
    PromptOverride,
    SelectorDirective,
    Tool,
)
from smarter_tui.plugins._common import SecretResolver, manifest_name, section
from smarter_tui.plugins.api import ApiPluginTool
from smarter_tui.plugins.functions.calculator import CalculatorTool
from smarter_tui.plugins.functions.date_calculator import DateCalculatorTool
from smarter_tui.plugins.functions.memory import CreateMemoryTool, RecallMemoryTool
from smarter_tui.plugins.functions.weather import WeatherTool
from smarter_tui.plugins.sql import SqlPluginTool
from smarter_tui.plugins.static import StaticPluginTool

_PLUGIN_KINDS = {"plugin": "static", "sqlplugin": "sql", "apiplugin": "api"}


def build_function(
    name: str,
    *,
    memory: MemoryBackend | None = None,
    session_key: str | None = None,
    weather_urls: tuple[str, str] | None = None,
) -> Tool:
    """Return the built-in function tool called `name` (one of BUILTIN_FUNCTIONS).

    `weather_urls` is (geocoding URL, forecast URL). Raises ValueError for an unknown name, or
    for a memory function without a `memory` backend.
    """
    if name == "calculator":
        return CalculatorTool()
    if name == "date_calculator":
        return DateCalculatorTool()
    if name == "get_current_weather":
        return WeatherTool(*weather_urls) if weather_urls else WeatherTool()
    if name in ("create_memory", "recall_memory"):
        if memory is None:
            raise ValueError(f"the {name} function needs a memory backend")
        if name == "create_memory":
            return CreateMemoryTool(memory, session_key)
        return RecallMemoryTool(memory)
    raise ValueError(f"unknown function '{name}'; expected one of: {', '.join(BUILTIN_FUNCTIONS)}")


def build_plugin(
    manifest: Mapping[str, Any],
    connection: Mapping[str, Any] | None,
    resolve_secret: SecretResolver,
    base_dir: Path | None = None,
) -> Tool:
    """Return the tool of a Plugin, SqlPlugin or ApiPlugin manifest dict.

    `connection` is the resolved SqlConnection/ApiConnection manifest (None when it does not
    exist: the tool then answers each call with a tool error naming it). Raises ValueError for
    another kind.
    """
    kind = str(manifest.get("kind") or "").replace("_", "").lower()
    plugin_class = _PLUGIN_KINDS.get(kind)
    if plugin_class is None:
        raise ValueError(f"'{manifest.get('kind')}' is not a plugin kind")
    if plugin_class == "static":
        return StaticPluginTool(manifest)
    if plugin_class == "sql":
        return SqlPluginTool(manifest, connection, resolve_secret, base_dir)
    return ApiPluginTool(manifest, connection, resolve_secret)


def plugin_binding(manifest: Mapping[str, Any], tool: Tool) -> PluginBinding:
    """Return the PluginBinding (selector and prompt overrides) of a plugin manifest and its tool."""
    selector = section(manifest, "spec", "selector")
    prompt = section(manifest, "spec", "prompt")
    raw_directive = str(selector.get("directive") or "always").strip().lower()
    try:
        directive = SelectorDirective(raw_directive.replace("-", "_"))
    except ValueError:
        raise ValueError(f"unknown selector directive '{raw_directive}'") from None
    temperature = prompt.get("temperature")
    max_tokens = prompt.get("maxTokens")
    return PluginBinding(
        name=manifest_name(manifest),
        description=str(section(manifest, "metadata").get("description") or tool.spec.description),
        tool=tool,
        directive=directive,
        search_terms=[str(term) for term in selector.get("searchTerms") or []],
        prompt=PromptOverride(
            provider=prompt.get("provider") or None,
            system_role=prompt.get("systemRole") or None,
            model=prompt.get("model") or None,
            temperature=float(temperature) if temperature is not None else None,
            max_tokens=int(max_tokens) if max_tokens is not None else None,
        ),
    )
