"""Helpers shared by the plugin tools: parameter schemas, argument coercion, JSON results."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from smarter_tui.domain.errors import ToolError
from smarter_tui.domain.tools import ToolKind, ToolSpec, plugin_tool_name
from smarter_tui.manifests.specs import ParameterSpec, PluginSpec

#: Resolves a secret NAME to its value, or None when it is not set.
SecretResolver = Callable[[str], "str | None"]

_JSON_TYPES = ("string", "number", "integer", "boolean", "object", "array", "null")


def to_json(value: Any) -> str:
    """Serialise a tool result as JSON text (dates, decimals and bytes become strings)."""
    return json.dumps(value, ensure_ascii=False, default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


def parameters_schema(parameters: Sequence[ParameterSpec]) -> dict[str, Any]:
    """Return the JSON schema object of a plugin's parameters (SPEC §2.2)."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    for param in parameters:
        prop: dict[str, Any] = {"type": param.type if param.type in _JSON_TYPES else "string"}
        if param.description:
            prop["description"] = param.description
        if param.enum:
            prop["enum"] = list(param.enum)
        if param.default is not None:
            prop["default"] = param.default
        if prop["type"] == "array":
            prop["items"] = dict(param.items or {})
        properties[param.name] = prop
        if param.required:
            required.append(param.name)
    return {"type": "object", "properties": properties, "required": required}


def plugin_spec(spec: PluginSpec, parameters: dict[str, Any], fallback: str) -> ToolSpec:
    """Return the ToolSpec of a plugin: `plugin_<name>`, its description (or `fallback`), schema."""
    return ToolSpec(
        name=plugin_tool_name(spec.name),
        description=spec.description or fallback,
        parameters=parameters,
        kind=ToolKind.PLUGIN,
        source=spec.name,
    )


def coerce_arguments(
    parameters: Sequence[ParameterSpec], arguments: Mapping[str, Any] | None
) -> dict[str, Any]:
    """Return one value per declared parameter, type-checked, with defaults filled in.

    Missing optional parameters take their `default` (or None); undeclared arguments are
    dropped. Raises ToolError naming the parameter on a missing required or ill-typed value.
    """
    if arguments is not None and not isinstance(arguments, Mapping):
        raise ToolError("arguments must be a JSON object")
    arguments = arguments or {}
    values: dict[str, Any] = {}
    for param in parameters:
        raw = arguments.get(param.name)
        if raw is None:
            if param.required and param.default is None:
                raise ToolError(f"missing required argument {param.name!r}")
            values[param.name] = param.default
            continue
        value = coerce_value(param.name, param.type, raw)
        if param.enum and value not in param.enum:
            choices = ", ".join(str(choice) for choice in param.enum)
            raise ToolError(f"argument {param.name!r} must be one of: {choices}")
        values[param.name] = value
    return values


def coerce_value(name: str, ptype: str, value: Any) -> Any:
    """Return `value` converted to the JSON type `ptype`; raises ToolError when it cannot be."""
    bad = ToolError(f"argument {name!r} must be of type {ptype}, got {value!r:.60}")
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
    return ToolError(f"{purpose} secret {name!r} is not set; run `smarter-tui keys set {name}`")
