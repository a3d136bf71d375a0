"""Turn function names and plugin manifests into tools, and plugins into domain bindings."""

from __future__ import annotations

from pathlib import Path

from smarter_tui.domain.tools import (
    BUILTIN_FUNCTIONS,
    MemoryBackend,
    PluginBinding,
    PromptOverride,
    SelectorDirective,
    Tool,
)
from smarter_tui.manifests.specs import (
    ApiConnectionSpec,
    ApiPluginSpec,
    PluginSpec,
    SqlConnectionSpec,
    SqlPluginSpec,
    StaticPluginSpec,
)
from smarter_tui.plugins._common import SecretResolver
from smarter_tui.plugins.api import ApiPluginTool
from smarter_tui.plugins.functions.calculator import CalculatorTool
from smarter_tui.plugins.functions.date_calculator import DateCalculatorTool
from smarter_tui.plugins.functions.memory import CreateMemoryTool, RecallMemoryTool
from smarter_tui.plugins.functions.weather import WeatherTool
from smarter_tui.plugins.sql import SqlPluginTool
from smarter_tui.plugins.static import StaticPluginTool


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
    raise ValueError(f"unknown function {name!r}; expected one of: {', '.join(BUILTIN_FUNCTIONS)}")


def build_plugin(
    spec: PluginSpec,
    connection: SqlConnectionSpec | ApiConnectionSpec | None,
    resolve_secret: SecretResolver,
    base_dir: Path | None = None,
) -> Tool:
    """Return the tool of a static, SQL or API plugin from its typed spec.

    `connection` is the resolved connection's spec (None when it does not exist: the tool then
    answers each call with a tool error naming it). Raises ValueError for a connection of the
    wrong kind.
    """
    if isinstance(spec, StaticPluginSpec):
        return StaticPluginTool(spec)
    if isinstance(spec, SqlPluginSpec):
        if connection is not None and not isinstance(connection, SqlConnectionSpec):
            raise ValueError(f"plugin {spec.name!r} needs a SqlConnection, not an ApiConnection")
        return SqlPluginTool(spec, connection, resolve_secret, base_dir)
    if isinstance(spec, ApiPluginSpec):
        if connection is not None and not isinstance(connection, ApiConnectionSpec):
            raise ValueError(f"plugin {spec.name!r} needs an ApiConnection, not a SqlConnection")
        return ApiPluginTool(spec, connection, resolve_secret)
    raise ValueError(f"{spec.kind!r} is not a plugin kind")


def plugin_binding(spec: PluginSpec, tool: Tool) -> PluginBinding:
    """Return the PluginBinding (selector and prompt overrides) of a plugin's spec and its tool."""
    try:
        directive = SelectorDirective(spec.selector.directive)
    except ValueError:
        raise ValueError(f"unknown selector directive {spec.selector.directive!r}") from None
    return PluginBinding(
        name=spec.name,
        description=spec.description or tool.spec.description,
        tool=tool,
        directive=directive,
        search_terms=list(spec.selector.search_terms),
        prompt=PromptOverride(
            provider=spec.prompt.provider,
            system_role=spec.prompt.system_role,
            model=spec.prompt.model,
            temperature=spec.prompt.temperature,
            max_tokens=spec.prompt.max_tokens,
        ),
    )
