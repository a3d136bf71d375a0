"""The plugin inspector: what a client's tools look like to the model, how they were used, and "try it"."""

from __future__ import annotations

import asyncio
import copy
import json
import time
from dataclasses import dataclass, field
from typing import Any

from smarter_tui.config.paths import data_dir
from smarter_tui.domain.errors import ManifestError, NotFoundError
from smarter_tui.domain.messages import Role
from smarter_tui.domain.records import KIND_GROUPS, CatalogueEntry, PluginSelectionRecord, ToolCallRecord
from smarter_tui.domain.tools import BUILTIN_FUNCTIONS, Tool
from smarter_tui.manifests.specs import ConnectedPluginSpec, connection_spec_of, plugin_spec_of
from smarter_tui.services.catalogue import CatalogueService
from smarter_tui.services.runtime import RuntimeBuilder, client_spec
from smarter_tui.storage import Database

#: Arguments "try it" starts from for the built-in functions (harmless, deterministic where possible).
FUNCTION_DEFAULTS: dict[str, dict[str, Any]] = {
    "calculator": {"expression": "2**10"},
    "date_calculator": {"dates": ["1972-02-29", "2024-02-29"], "operation": "difference"},
    "get_current_weather": {"location": "Lisbon", "unit": "METRIC"},
    "create_memory": {"memory": "The User tried the create_memory function in the plugin inspector."},
    "recall_memory": {"query": "User"},
}

#: A placeholder value per JSON-schema type, for parameters with no test value, default or enum.
_TYPE_PLACEHOLDERS: dict[str, Any] = {
    "string": "",
    "number": 0,
    "integer": 0,
    "boolean": False,
    "object": {},
    "array": [],
    "null": None,
}

#: How many recent messages are read to find the session's last user prompt.
_RECENT_MESSAGES = 50


@dataclass(slots=True)
class ToolView:
    """One plugin or built-in function attached to a client, as the inspector lists it."""

    name: str  # plugin (manifest) name or function name
    kind: str  # "Plugin" | "SqlPlugin" | "ApiPlugin" | "function"
    tool_name: str  # the name the model sees, e.g. "plugin_everlasting_gobstopper"
    description: str
    directive: str | None = None  # "always" | "search_terms" | "llm"; None for functions
    search_terms: list[str] = field(default_factory=list)
    error: str | None = None  # why the tool could not be built (e.g. a missing connection)

    @property
    def is_function(self) -> bool:
        """Return True for a built-in function."""
        return self.kind == "function"

    @property
    def selector(self) -> str:
        """Return a short human label of how the tool is offered ("built in", "always", "terms: a, b")."""
        if self.is_function:
            return "built in"
        if self.directive == "search_terms":
            return "terms: " + ", ".join(self.search_terms) if self.search_terms else "terms: (none)"
        return self.directive or "always"


@dataclass(slots=True)
class TryResult:
    """The outcome of running a tool once from the inspector."""

    arguments: dict[str, Any]
    result: str | None  # the text the model would have received (None when the tool raised)
    error: str | None  # the failure: an exception's message, or the tool's own {"error": ...}
    duration_ms: float

    @property
    def ok(self) -> bool:
        """Return True when the tool ran without an error."""
        return self.error is None


def _tool_reported_error(result: str) -> str | None:
    """Return the message of a result shaped like {"error": "..."} (how functions report failures)."""
    try:
        value = json.loads(result)
    except (ValueError, TypeError):
        return None
    if isinstance(value, dict) and "error" in value and "result" not in value and value["error"]:
        return str(value["error"])
    return None


def _placeholder(schema: dict[str, Any]) -> Any:
    """Return a sample value for one JSON-schema property: default, first enum value, or by type."""
    if "default" in schema:
        return schema["default"]
    enum = schema.get("enum")
    if enum:
        return enum[0]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    return _TYPE_PLACEHOLDERS.get(str(kind), "")


class PluginInspector:
    """Read-only views of a client's plugins and functions, plus running one of them on demand."""

    def __init__(
        self, db: Database, runtimes: RuntimeBuilder, catalogue: CatalogueService | None = None
    ) -> None:
        """Build the inspector over the database and the runtime builder (which resolves connections)."""
        self.db = db
        self.runtimes = runtimes
        self.catalogue = catalogue or CatalogueService(db, runtimes.secrets)

    # -- lookup ------------------------------------------------------------------------------
    def _client_lists(self, client: str) -> tuple[list[str], list[str]]:
        """Return (plugin names, function names) attached to a client; NotFoundError if unknown."""
        spec = client_spec(self.runtimes.client(client))
        return list(spec.plugins), list(spec.extensions)

    def _is_plugin(self, name: str, client: str | None) -> bool:
        """Decide whether `name` means a plugin or a function (the client's lists win when given).

        Raises NotFoundError when it is neither a stored plugin nor a built-in function.
        """
        if client is not None:
            plugins, functions = self._client_lists(client)
            if name in plugins:
                return True
            if name in functions:
                return False
        if self.db.catalogue.get("plugin", name) is not None:
            return True
        if name in BUILTIN_FUNCTIONS:
            return False
        raise NotFoundError(f"No plugin or built-in function named {name!r}")

    def _function(self, name: str) -> Tool:
        """Return a built-in function tool bound to the shared memory store."""
        from smarter_tui.plugins import build_function

        return build_function(name, memory=self.db.memories, weather_urls=self.runtimes.weather_urls)

    def _tool(self, name: str, client: str | None) -> tuple[CatalogueEntry | None, Tool]:
        """Return (plugin entry or None for a function, tool). Raises NotFoundError."""
        if self._is_plugin(name, client):
            return self.runtimes.plugin_tool(name)
        return None, self._function(name)

    # -- views -------------------------------------------------------------------------------
    def attached(self, client: str) -> list[ToolView]:
        """Return the plugins (in manifest order) then the functions attached to `client`.

        A plugin whose tool cannot be built is still listed, with `error` saying why.
        Raises NotFoundError for an unknown client.
        """
        plugins, functions = self._client_lists(client)
        views: list[ToolView] = []
        for name in plugins:
            views.append(self._plugin_view(name))
        for name in functions:
            try:
                tool = self._function(name)
            except ValueError as exc:
                views.append(ToolView(name, "function", name, "", error=str(exc)))
                continue
            views.append(ToolView(name, "function", tool.spec.name, tool.spec.description))
        return views

    def _plugin_view(self, name: str) -> ToolView:
        """Return the view of one plugin (with `error` set when its tool cannot be built)."""
        entry = self.db.catalogue.get("plugin", name)
        if entry is None:
            return ToolView(name, "Plugin", f"plugin_{name}"[:64], "", error=f"No plugin named {name!r}")
        try:
            _, tool = self.runtimes.plugin_tool(name)
            from smarter_tui.plugins import plugin_binding

            binding = plugin_binding(plugin_spec_of(entry.manifest), tool)
        except (NotFoundError, ValueError) as exc:
            description = str(plugin_spec_of(entry.manifest).description or "")
            return ToolView(name, entry.kind, f"plugin_{name}"[:64], description, error=str(exc))
        return ToolView(
            name=name,
            kind=entry.kind,
            tool_name=tool.spec.name,
            description=binding.description,
            directive=str(binding.directive),
            search_terms=list(binding.search_terms),
        )

    def manifest_yaml(self, name: str, client: str | None = None) -> str:
        """Return a plugin's stored manifest as YAML (as `describe` prints it).

        For a built-in function, return a short YAML note saying it is built in, with its schema.
        Raises NotFoundError for an unknown name.
        """
        if self._is_plugin(name, client):
            return self.catalogue.describe_yaml("plugin", name)
        from smarter_tui.manifests import dump_yaml

        spec = self._function(name).spec
        note = {
            "kind": "Function",
            "metadata": {
                "name": name,
                "description": "A built-in function: it has no manifest. List it under an "
                "LLMClient's spec.extensions to attach it.",
            },
            "spec": {"toolName": spec.name, "description": spec.description, "parameters": spec.parameters},
        }
        return dump_yaml(note)

    def tool_schema(self, name: str, client: str | None = None) -> dict[str, Any]:
        """Return the exact OpenAI `tools[]` item the model is offered for `name`. Raises NotFoundError."""
        _, tool = self._tool(name, client)
        return tool.spec.to_openai()

    def usage(self, name: str, limit: int = 20) -> list[ToolCallRecord]:
        """Return the latest recorded calls of a plugin or function across sessions, newest first."""
        return self.db.sessions.tool_calls_by_source(name, limit)

    def default_arguments(self, name: str, client: str | None = None) -> dict[str, Any]:
        """Return sample arguments for "try it".

        Plugins use their `testValues`; any required parameter still missing gets its default,
        its first enum value (a static plugin's first `inquiry_type`) or a placeholder of its type.
        Functions use FUNCTION_DEFAULTS. Raises NotFoundError for an unknown name.
        """
        entry, tool = self._tool(name, client)
        if entry is None and name in FUNCTION_DEFAULTS:
            return copy.deepcopy(FUNCTION_DEFAULTS[name])
        return _sample_arguments(entry.manifest if entry is not None else None, tool)

    async def try_it(
        self,
        name: str,
        client: str | None = None,
        arguments: dict[str, Any] | None = None,
        *,
        timeout: float = 60.0,
    ) -> TryResult:
        """Run the real tool once with `arguments` (None: `default_arguments`) and return what happened.

        Tool failures (exceptions, timeouts, a result shaped {"error": ...}) come back in
        `TryResult.error`; nothing is recorded in any session. Raises NotFoundError only for an
        unknown name or client.
        """
        if arguments is None:
            arguments = self.default_arguments(name, client)
        try:
            _, tool = self._tool(name, client)
        except NotFoundError as exc:
            if self.db.catalogue.get("plugin", name) is None and name not in BUILTIN_FUNCTIONS:
                raise
            # The plugin exists but cannot be built (e.g. its connection is missing): a tool failure.
            return TryResult(arguments, None, exc.message, 0.0)
        return await _run(tool, arguments, timeout)

    async def try_text(
        self, text: str, arguments: dict[str, Any] | None = None, *, timeout: float = 60.0
    ) -> TryResult:
        """Run the plugin of an unsaved manifest text once (the editor's "Try it"); nothing is stored.

        `arguments` default to the text's `testValues` and placeholders for required parameters.
        Raises ManifestError when the text is invalid or is not a plugin, NotFoundError when the
        connection it names does not exist.
        """
        from smarter_tui.manifests import load_text

        items = [item for item in load_text(text, filename="<editor>") if KIND_GROUPS[item.kind] == "plugin"]
        if not items:
            raise ManifestError("Only a Plugin, SqlPlugin or ApiPlugin can be tried")
        manifest = items[0].data
        spec = plugin_spec_of(manifest)
        connection = None
        if spec.connection:
            found = self.db.catalogue.get("connection", spec.connection)
            if found is None:
                raise NotFoundError(f"The plugin uses connection {spec.connection!r}, which is missing")
            connection = connection_spec_of(found.manifest, found.base_dir or str(data_dir()))
        from smarter_tui.plugins import build_plugin

        tool = build_plugin(spec, connection, self.runtimes.resolve_secret)
        if arguments is None:
            arguments = _sample_arguments(manifest, tool)
        return await _run(tool, arguments, timeout)

    # -- selections --------------------------------------------------------------------------
    def selections(self, session_key: str) -> list[PluginSelectionRecord]:
        """Return every plugin selection of a session, oldest first. NotFoundError for an unknown key."""
        return self.db.sessions.selections(session_key)

    def last_selections(self, session_key: str) -> list[PluginSelectionRecord]:
        """Return the selections made for the session's last prompt (one per plugin, in order).

        Empty when the last prompt selected nothing (its text differs from the newest record's).
        NotFoundError for an unknown key.
        """
        records = self.selections(session_key)
        if not records:
            return []
        prompt = records[-1].prompt
        recent = self.db.sessions.messages(session_key, last=_RECENT_MESSAGES)
        last_user = next((m.content for m in reversed(recent) if m.role == Role.USER), None)
        if last_user is not None and last_user != prompt:
            return []
        run: list[PluginSelectionRecord] = []
        for record in reversed(records):
            if record.prompt != prompt:
                break
            run.append(record)
        seen: set[str] = set()
        latest: list[PluginSelectionRecord] = []
        for record in reversed(run):
            if record.plugin not in seen:
                seen.add(record.plugin)
                latest.append(record)
        return latest


def _sample_arguments(manifest: dict[str, Any] | None, tool: Tool) -> dict[str, Any]:
    """Return a plugin's `testValues`, plus a placeholder for each required parameter still missing."""
    arguments: dict[str, Any] = {}
    if manifest is not None:
        spec = plugin_spec_of(manifest)
        if isinstance(spec, ConnectedPluginSpec):
            arguments.update(spec.test_values)
    schema = tool.spec.parameters or {}
    properties: dict[str, Any] = schema.get("properties") or {}
    for required in schema.get("required") or []:
        if required not in arguments:
            arguments[required] = _placeholder(properties.get(required) or {})
    return arguments


async def _run(tool: Tool, arguments: dict[str, Any], timeout: float) -> TryResult:
    """Run `tool` once; every failure (exception, timeout, {"error": ...}) comes back in the result."""
    started = time.perf_counter()
    result: str | None = None
    error: str | None = None
    try:
        result = await asyncio.wait_for(tool.run(dict(arguments)), timeout)
    except TimeoutError:
        error = f"timed out after {timeout:g} s"
    except Exception as exc:  # noqa: BLE001 - every tool failure is shown, never raised
        error = str(exc) or type(exc).__name__
    else:
        error = _tool_reported_error(result)
    duration_ms = (time.perf_counter() - started) * 1000.0
    return TryResult(arguments, result, error, duration_ms)
