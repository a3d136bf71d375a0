"""Helpers shared by the plugin tools: manifest access, parameter schemas, argument coercion."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from smarter_tui.domain.errors import ToolError
from smarter_tui.domain.tools import ToolKind, ToolSpec, plugin_tool_name

#: Resolves a secret NAME to its value, or None when it is not set.
SecretResolver = Callable[[str], "str | None"]

_JSON_TYPES = ("string", "number", "integer", "boolean", "object", "array", "null")


def section(mapping: Mapping[str, Any] | None, *keys: str) -> dict[str, Any]:
    """Return the nested mapping at `keys` (missing or null levels become `{}`)."""
    current: Any = mapping or {}
    for key in keys:
        current = current.get(key) if isinstance(current, Mapping) else None
        if current is None:
            return {}
    return dict(current) if isinstance(current, Mapping) else {}


def manifest_name(manifest: Mapping[str, Any]) -> str:
    """Return `metadata.name` of a manifest dict (empty string when absent)."""
    return str(section(manifest, "metadata").get("name") or "")


def connection_fields(connection: Mapping[str, Any] | None) -> dict[str, Any]:
    """Return the `spec.connection` mapping of a connection manifest.

    Accepts the whole manifest, its `spec`, or the inner mapping itself, so callers may pass
    whichever they hold.
    """
    if not connection:
        return {}
    if "spec" in connection:
        return section(connection, "spec", "connection")
    if isinstance(connection.get("connection"), Mapping):
        return dict(connection["connection"])
    return dict(connection)


def to_json(value: Any) -> str:
    """Serialise a tool result as JSON text (dates, decimals and bytes become strings)."""
    return json.dumps(value, ensure_ascii=False, default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


def parameters_schema(parameters: Sequence[Mapping[str, Any]] | None) -> dict[str, Any]:
    """Return the JSON schema object of a manifest parameter list (SPEC §2.2)."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    for param in parameters or []:
        name = str(param.get("name") or "")
        if not name:
            continue
        ptype = str(param.get("type") or "string")
        prop: dict[str, Any] = {"type": ptype if ptype in _JSON_TYPES else "string"}
        if param.get("description"):
            prop["description"] = str(param["description"])
        if param.get("enum"):
            prop["enum"] = list(param["enum"])
        if param.get("default") is not None:
            prop["default"] = param["default"]
        if prop["type"] == "array":
            prop["items"] = param.get("items") or {}
        properties[name] = prop
        if param.get("required"):
            required.append(name)
    return {"type": "object", "properties": properties, "required": required}


def plugin_spec(manifest: Mapping[str, Any], parameters: dict[str, Any], fallback: str) -> ToolSpec:
    """Return the ToolSpec of a plugin: `plugin_<name>`, its description (or `fallback`), schema."""
    name = manifest_name(manifest)
    description = section(manifest, "metadata").get("description") or fallback
    return ToolSpec(
        name=plugin_tool_name(name),
        description=str(description),
        parameters=parameters,
        kind=ToolKind.PLUGIN,
        source=name,
    )


def coerce_arguments(
    parameters: Sequence[Mapping[str, Any]] | None, arguments: Mapping[str, Any] | None
) -> dict[str, Any]:
    """Return one value per declared parameter, type-checked, with defaults filled in.

    Missing optional parameters take their `default` (or None); undeclared arguments are
    dropped. Raises ToolError naming the parameter on a missing required or ill-typed value.
    """
    if arguments is not None and not isinstance(arguments, Mapping):
        raise ToolError("arguments must be a JSON object")
    arguments = arguments or {}
    values: dict[str, Any] = {}
    for param in parameters or []:
        name = str(param.get("name") or "")
        if not name:
            continue
        raw = arguments.get(name)
        if raw is None:
            if param.get("required") and param.get("default") is None:
                raise ToolError(f"missing required argument '{name}'")
            values[name] = param.get("default")
            continue
        value = coerce_value(name, str(param.get("type") or "string"), raw)
        enum = param.get("enum")
        if enum and value not in enum:
            choices = ", ".join(str(choice) for choice in enum)
            raise ToolError(f"argument '{name}' must be one of: {choices}")
        values[name] = value
    return values


def coerce_value(name: str, ptype: str, value: Any) -> Any:
    """Return `value` converted to the JSON type `ptype`; raises ToolError when it cannot be."""
    bad = ToolError(f"argument '{name}' must be of type {ptype}, got {value!r:.60}")
    if ptype == "string":
        if isinstance(value, str):
            return value
        if isinstance(value, bool | int | float):
            return json.dumps(value) if isinstance(value, bool) else str(value)
        raise bad
    if ptype == "integer":
        if isinstance(value, bool):
            raise bad
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                try:
                    number = float(value.strip())
                except ValueError:
                    raise bad from None
                if number.is_integer():
                    return int(number)
        raise bad
    if ptype == "number":
        if isinstance(value, bool):
            raise bad
        if isinstance(value, int | float):
            if isinstance(value, float) and not math.isfinite(value):
                raise bad
            return value
        if isinstance(value, str):
            text = value.strip()
            try:
                return int(text)
            except ValueError:
                pass
            try:
                number = float(text)
            except ValueError:
                raise bad from None
            if math.isfinite(number):
                return number
        raise bad
    if ptype == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in _BOOL_WORDS:
            return _BOOL_WORDS[value.strip().lower()]
        raise bad
    if ptype in ("object", "array"):
        wanted = dict if ptype == "object" else list
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise bad from None
        if isinstance(value, wanted):
            return value
        raise bad
    if ptype == "null":
        return None
    return value


_BOOL_WORDS = {"true": True, "false": False, "yes": True, "no": False, "1": True, "0": False}


def missing_secret(name: str, purpose: str) -> ToolError:
    """Return the ToolError for an unset secret, telling the user how to set it."""
    return ToolError(f"{purpose} secret '{name}' is not set; run `smarter-tui keys set {name}`")
