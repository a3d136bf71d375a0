"""Stored records handed out by the storage layer (never peewee objects)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(slots=True)
class CatalogueEntry:
    """One applied manifest: kind is the canonical kind name (e.g. "LLMClient", "SqlPlugin")."""

    kind: str
    name: str
    manifest: dict[str, Any]  # the validated manifest as plain data (camelCase keys, as in YAML)
    source_text: str = ""  # the original YAML document text, as applied
    description: str | None = None
    base_dir: str | None = None  # the folder it was applied from (None: the data directory)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    builtin: bool = False  # shipped with the program (the built-in providers), not applied
    id: int | None = None  # the stable row id the HTTP API exposes


@dataclass(slots=True)
class SessionInfo:
    """A session's summary row."""

    session_key: str
    client: str
    title: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    message_count: int = 0
    sandbox: bool = False
    id: int | None = None  # the stable row id the HTTP API exposes


@dataclass(slots=True)
class ToolCallRecord:
    """One executed tool call."""

    session_key: str
    name: str  # the tool name the model used
    source: str  # function or plugin name
    kind: str  # "function" | "plugin" | "unknown"
    arguments: str
    result: str | None
    error: str | None
    duration_ms: float
    tool_call_id: str | None = None
    created_at: datetime | None = None
    id: int | None = None  # the stable row id the HTTP API exposes
    session_id: int | None = None  # the session's row id

    def to_public(self) -> dict[str, Any]:
        """Return the call as JSON-ready data (exports, the config object, the API)."""
        return {
            "name": self.name,
            "source": self.source,
            "kind": self.kind,
            "arguments": self.arguments,
            "result": self.result,
            "error": self.error,
            "duration_ms": round(self.duration_ms, 2),
            "tool_call_id": self.tool_call_id,
            "created_at": self.created_at.isoformat() if self.created_at else None,
        }


@dataclass(slots=True)
class PluginSelectionRecord:
    """A plugin offered for a prompt, and why."""

    session_key: str
    plugin: str
    term: str
    prompt: str
    created_at: datetime | None = None
    id: int | None = None  # the stable row id the HTTP API exposes


@dataclass(slots=True)
class SearchHit:
    """A full-text hit over message content."""

    session_key: str
    position: int
    role: str
    snippet: str
    title: str | None = None
    client: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class ApiKeyRecord:
    """An API key of the HTTP server: its name and salted hash (never the key)."""

    id: int
    name: str
    key_hash: str
    created_at: datetime | None = None
    last_used_at: datetime | None = None


#: Canonical manifest kinds and the namespace ("group") their names live in.
KIND_GROUPS: dict[str, str] = {
    "LLMClient": "llmclient",
    "Plugin": "plugin",
    "SqlPlugin": "plugin",
    "ApiPlugin": "plugin",
    "SqlConnection": "connection",
    "ApiConnection": "connection",
    "Secret": "secret",
    "Provider": "provider",
}


@dataclass(slots=True)
class ChatSettings:
    """One chat's own settings over its client's (None: the client's value is used)."""

    provider: str | None = None
    model: str | None = None
    temperature: float | None = None
    system_prompt: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the values that are set (what is stored with the session)."""
        return {
            k: v
            for k, v in (
                ("provider", self.provider),
                ("model", self.model),
                ("temperature", self.temperature),
                ("system_prompt", self.system_prompt),
            )
            if v is not None
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ChatSettings:
        """Return the settings stored as `to_dict` wrote them (unknown keys are ignored)."""
        return cls(
            provider=data.get("provider"),
            model=data.get("model"),
            temperature=data.get("temperature"),
            system_prompt=data.get("system_prompt"),
        )
