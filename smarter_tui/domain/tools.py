"""What a tool looks like to the loop: its schema, how it is selected, and how it runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable


class ToolKind(StrEnum):
    """Where a tool comes from."""

    FUNCTION = "function"  # built-in: calculator, date_calculator, weather, memory
    PLUGIN = "plugin"  # a Plugin/SqlPlugin/ApiPlugin manifest


@dataclass(slots=True)
class ToolSpec:
    """The exact function schema the model sees, plus where it comes from."""

    name: str  # e.g. "calculator" or "plugin_everlasting_gobstopper" (<= 64 chars)
    description: str
    parameters: dict[str, Any]  # JSON schema of the arguments object
    kind: ToolKind = ToolKind.FUNCTION
    source: str = ""  # function name or plugin (manifest) name

    def to_openai(self) -> dict[str, Any]:
        """Return the OpenAI `tools[]` item."""
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.parameters,
            },
        }


@runtime_checkable
class Tool(Protocol):
    """A callable tool. `run` returns the text handed back to the model (usually JSON).

    `run` raises `ToolError` (or any exception) on failure; the loop turns that into a tool message.
    """

    spec: ToolSpec

    async def run(self, arguments: dict[str, Any]) -> str: ...


class SelectorDirective(StrEnum):
    """How a plugin is chosen for a prompt (SPEC §3)."""

    ALWAYS = "always"
    SEARCH_TERMS = "search_terms"
    LLM = "llm"


@dataclass(slots=True)
class PromptOverride:
    """A plugin's `spec.prompt`: applied while the plugin is selected."""

    provider: str | None = None
    system_role: str | None = None
    model: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None


@dataclass(slots=True)
class PluginBinding:
    """A plugin attached to a client: its tool, its selector and its prompt overrides."""

    name: str
    description: str
    tool: Tool
    directive: SelectorDirective = SelectorDirective.ALWAYS
    search_terms: list[str] = field(default_factory=list)
    prompt: PromptOverride = field(default_factory=PromptOverride)


class MemoryBackend(Protocol):
    """Long-term memory shared across sessions (implemented by storage, injected by services)."""

    def add(self, text: str, session_key: str | None = None) -> int: ...

    def search(self, query: str, limit: int = 5) -> list[str]: ...


#: Names of the built-in functions a client may list in `spec.functions` (SPEC §5).
BUILTIN_FUNCTIONS: tuple[str, ...] = (
    "calculator",
    "date_calculator",
    "get_current_weather",
    "create_memory",
    "recall_memory",
)


def plugin_tool_name(plugin_name: str) -> str:
    """Return the stable tool name offered to the model for a plugin (64-char API limit)."""
    return f"plugin_{plugin_name}"[:64]
