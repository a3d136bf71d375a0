"""Static plugins: answer from the `staticData` of a `Plugin` manifest (SPEC §2.3)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from smarter_tui.domain.errors import ToolError
from smarter_tui.domain.tools import ToolKind, ToolSpec, plugin_tool_name
from smarter_tui.manifests.specs import StaticPluginSpec
from smarter_tui.plugins._common import to_json

#: At most this many keys are listed in the `inquiry_type` enum (others stay addressable).
MAX_ENUM = 50


def _keys(data: Any) -> list[str]:
    if isinstance(data, Mapping):
        return [str(key) for key in data]
    if isinstance(data, list):
        return [str(index) for index in range(len(data))]
    return []


def _listing(keys: list[str]) -> str:
    """Return the keys for an error message (the first MAX_ENUM, then a count)."""
    shown = ", ".join(keys[:MAX_ENUM])
    return shown if len(keys) <= MAX_ENUM else f"{shown} (and {len(keys) - MAX_ENUM} more)"


def _child(data: Any, key: str) -> tuple[bool, Any]:
    """Return (found, value) of one key or list index of `data`."""
    if isinstance(data, Mapping):
        for candidate, value in data.items():
            if str(candidate) == key:
                return True, value
        folded = key.casefold()
        for candidate, value in data.items():
            if str(candidate).casefold() == folded:
                return True, value
        return False, None
    if isinstance(data, list):
        try:
            index = int(key)
        except ValueError:
            return False, None
        if -len(data) <= index < len(data):
            return True, data[index]
    return False, None


class StaticPluginTool:
    """A `Plugin` (pluginClass static): one `inquiry_type` argument selects a part of the data."""

    def __init__(self, spec: StaticPluginSpec) -> None:
        """Build the tool from a static plugin's typed spec."""
        self.name = spec.name
        self.data: Any = spec.static_data
        description = spec.tool_description or spec.description or f"Information from the {self.name} plugin."
        keys = _keys(self.data)
        inquiry: dict[str, Any] = {
            "type": "string",
            "description": "Which part of the information to return. Nested parts can be "
            "addressed with a dotted path, e.g. 'section.subsection'.",
        }
        if keys:
            inquiry["enum"] = keys[:MAX_ENUM]
        self.spec = ToolSpec(
            name=plugin_tool_name(self.name),
            description=str(description),
            parameters={
                "type": "object",
                "properties": {"inquiry_type": inquiry},
                "required": ["inquiry_type"],
            },
            kind=ToolKind.PLUGIN,
            source=self.name,
        )

    def lookup(self, inquiry_type: str) -> Any:
        """Return the value at a key or dotted path; raises ToolError listing the valid keys."""
        keys = _keys(self.data)
        if not keys:
            return self.data
        found, value = _child(self.data, inquiry_type)
        if found:
            return value
        current: Any = self.data
        for part in inquiry_type.split("."):
            found, current = _child(current, part.strip())
            if not found:
                raise ToolError(f"unknown inquiry_type {inquiry_type!r}; valid keys: {_listing(keys)}")
        return current

    async def run(self, arguments: dict[str, Any]) -> str:
        """Return the selected part of the static data as JSON."""
        inquiry = (arguments or {}).get("inquiry_type")
        if inquiry is None or (isinstance(inquiry, str) and not inquiry.strip()):
            if not _keys(self.data):
                return to_json(self.data)
            raise ToolError(f"missing 'inquiry_type'; valid keys: {_listing(_keys(self.data))}")
        return to_json(self.lookup(str(inquiry).strip()))
