"""The HTTP API's read-only resources (SMARTER-API.md §6) with stable integer ids, in the SDK's shapes.

Ids are row ids: an LLM client's, plugin's, secret's, session's or tool call's id never changes
while it exists. A "plugin use" is a tool call of a plugin, so it shares the tool call's id.
Built-in functions ("extensions") are numbered by their place in BUILTIN_FUNCTIONS.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from smarter_tui import __version__
from smarter_tui.domain.errors import NotFoundError
from smarter_tui.domain.records import CatalogueEntry, SessionInfo, ToolCallRecord
from smarter_tui.domain.tools import BUILTIN_FUNCTIONS
from smarter_tui.manifests.specs import (
    PLUGIN_CLASSES,
    LLMClientSpec,
    client_spec_of,
    metadata_spec_of,
    secret_spec_of,
)
from smarter_tui.services.providers import BUILTIN_PROVIDERS, provider_from_manifest
from smarter_tui.storage import Database

#: The local user and account a key-holding caller is (`whoami`).
LOCAL_USER = {"id": 1, "username": "local", "first_name": None, "last_name": None, "email": None}
LOCAL_ACCOUNT = {"id": 1, "name": "local", "account_number": "0000-0000-0000", "is_default_account": True}


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _client(entry: CatalogueEntry) -> LLMClientSpec:
    return client_spec_of(entry)


def client_functions(entry: CatalogueEntry) -> list[str]:
    """Return the built-in functions an LLMClient offers (`spec.extensions`, or the older `functions`)."""
    return list(_client(entry).extensions)


def client_api_key(entry: CatalogueEntry) -> str | None:
    """Return the name of the API key a client's callers must present (`spec.apiKey`), or None."""
    return _client(entry).api_key


def allowed_origins(entry: CatalogueEntry) -> list[str]:
    """Return the browser origins a client allows (`spec.config.prompt.allowedOrigins`)."""
    return [origin.rstrip("/") for origin in _client(entry).allowed_origins]


def custom_domain(entry: CatalogueEntry) -> str | None:
    """Return a client's custom domain (lower case), or None."""
    value = _client(entry).custom_domain
    return value.strip().lower().rstrip(".") if value and value.strip() else None


def extension_id(name: str) -> int:
    """Return the stable id of a built-in function (its place in BUILTIN_FUNCTIONS, from 1)."""
    return BUILTIN_FUNCTIONS.index(name) + 1 if name in BUILTIN_FUNCTIONS else 0


class ResourceService:
    """Lists and reads for the REST API; each call runs a fixed number of queries."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- clients ---------------------------------------------------------------------------
    def client_entry(self, ref: str | int) -> CatalogueEntry:
        """Return an LLM client by integer id or name; raise NotFoundError."""
        text = str(ref).strip()
        if text.isdigit():
            entry = self.db.catalogue.get_by_id("llmclient", int(text)) if len(text) <= 18 else None
        else:
            entry = self.db.catalogue.get("llmclient", text)
        if entry is None:
            raise NotFoundError(f"No LLM client with id or name {text!r}")
        return entry

    def custom_domains(self) -> dict[str, str]:
        """Return {custom domain: client name} for the clients that have one."""
        found = {}
        for entry in self.db.catalogue.list("llmclient"):
            domain = custom_domain(entry)
            if domain:
                found[domain] = entry.name
        return found

    def clients(self) -> list[dict[str, Any]]:
        """Return every LLM client in the SDK's `LLMClient` shape."""
        plugin_ids = self._plugin_ids()
        return [self._client(e, plugin_ids) for e in self.db.catalogue.list("llmclient")]

    def client(self, ref: str | int) -> dict[str, Any]:
        """Return one LLM client in the SDK's `LLMClient` shape; raise NotFoundError."""
        return self._client(self.client_entry(ref), self._plugin_ids())

    def _plugin_ids(self) -> dict[str, int]:
        return {p.name: p.id or 0 for p in self.db.catalogue.list("plugin")}

    def _client(self, entry: CatalogueEntry, plugin_ids: dict[str, int]) -> dict[str, Any]:
        spec = _client(entry)
        extensions = self._extensions(entry)
        plugins = [{"id": plugin_ids[n], "name": n} for n in spec.plugins if n in plugin_ids]
        base = f"/api/v1/llm-clients/{entry.id}/"
        return {
            **_metadata_fields(entry),
            "provider": spec.provider,
            "default_model": spec.default_model,
            "default_system_role": spec.system_role,
            "deployed": spec.deployed,
            "custom_host": custom_domain(entry),
            "url_llmclient": base + "prompt/",
            "url_chat_config": base + "config/",
            "ready": True,
            "is_authentication_required": client_api_key(entry) is not None,
            "can_delete": not self.db.catalogue.dependants("llmclient", entry.name),
            "extensions": extensions,
            "plugins": plugins,
            "tools": [{"id": x["id"], "name": x["name"], "kind": "Extension"} for x in extensions]
            + [{"id": p["id"], "name": p["name"], "kind": "Plugin"} for p in plugins],
            "api_keys": [],
            "custom_domains": [],
        }

    def _extensions(self, entry: CatalogueEntry) -> list[dict[str, Any]]:
        return [
            {
                "id": extension_id(name),
                "name": name,
                "extension": extension_id(name),
                "llmclient": entry.id,
                "version": __version__,
                "enabled": True,
                "created_at": _time(entry.created_at),
                "updated_at": _time(entry.updated_at),
            }
            for name in client_functions(entry)
        ]

    def client_extensions(self, ref: str | int) -> list[dict[str, Any]]:
        """Return the built-in functions of a client in the SDK's `LLMClientExtension` shape."""
        return self._extensions(self.client_entry(ref))

    def client_plugins(self, ref: str | int) -> list[dict[str, Any]]:
        """Return the plugins of a client in the SDK's `LLMClientPlugin` shape."""
        entry = self.client_entry(ref)
        attached = _client(entry).plugins
        by_name = {p.name: p for p in self.db.catalogue.list("plugin")}
        return [
            {"id": by_name[n].id, "llmclient": entry.id, "plugin_meta": plugin_resource(by_name[n])}
            for n in attached
            if n in by_name
        ]

    def client_api_keys(self, ref: str | int) -> list[dict[str, Any]]:
        """Return the API key a client requires (by name, never the key) in `LLMClientApiKey` shape."""
        entry = self.client_entry(ref)
        wanted = client_api_key(entry)
        return [
            {"id": k.id, "llmclient": entry.id, "api_key": k.name, "created_at": _time(k.created_at)}
            for k in self.db.api_keys.list()
            if k.name == wanted
        ]

    # -- plugins, providers, secrets -------------------------------------------------------
    def plugins(self) -> list[dict[str, Any]]:
        """Return every plugin in the SDK's `Plugin` shape."""
        return [plugin_resource(p) for p in self.db.catalogue.list("plugin")]

    def plugin_manifest(self, plugin_id: int) -> CatalogueEntry:
        """Return a plugin's entry by id; raise NotFoundError."""
        entry = self.db.catalogue.get_by_id("plugin", plugin_id)
        if entry is None:
            raise NotFoundError(f"No plugin with id {plugin_id}")
        return entry

    def providers(self) -> list[dict[str, Any]]:
        """Return the built-in and applied providers in the SDK's `Provider` shape."""
        found: dict[str, dict[str, Any]] = {
            name: {"name": name, "description": "built in", "base_url": p.base_url, "is_active": True}
            for name, p in BUILTIN_PROVIDERS.items()
        }
        for entry in self.db.catalogue.list("provider"):
            config = provider_from_manifest(entry.manifest)
            found[entry.name] = {
                "name": entry.name,
                "description": entry.description,
                "base_url": config.base_url,
                "is_active": True,
                "id": entry.id,
            }
        return list(found.values())

    def provider(self, name: str) -> dict[str, Any]:
        """Return one provider; raise NotFoundError."""
        for provider in self.providers():
            if provider["name"] == name:
                return provider
        raise NotFoundError(f"No provider named {name!r}")

    def secrets(self) -> list[dict[str, Any]]:
        """Return the secrets' metadata in the SDK's `Secret` shape (never a value)."""
        rows = []
        for entry in self.db.catalogue.list("secret"):
            expires = secret_spec_of(entry.manifest).expiration_date
            rows.append({**_metadata_fields(entry), "expires_at": expires})
        return rows

    # -- history ---------------------------------------------------------------------------
    def sessions(self, limit: int = 1000) -> list[dict[str, Any]]:
        """Return sessions, newest activity first, in the SDK's `PromptSession` shape."""
        client_ids = {e.name: e.id for e in self.db.catalogue.list("llmclient")}
        return [session_resource(s, client_ids.get(s.client)) for s in self.db.sessions.list(limit=limit)]

    def session(self, session_id: int) -> dict[str, Any]:
        """Return one session by id; raise NotFoundError."""
        info = self.db.sessions.get_by_id(session_id)
        if info is None:
            raise NotFoundError(f"No session with id {session_id}")
        client = self.db.catalogue.get("llmclient", info.client)
        return session_resource(info, client.id if client else None)

    def tool_calls(self, call_id: int | None = None, limit: int = 1000) -> list[dict[str, Any]]:
        """Return tool calls, newest first, in the SDK's `PromptToolCall` shape."""
        plugin_ids = self._plugin_ids()
        calls = self.db.sessions.recent_tool_calls(limit=limit, call_id=call_id)
        return [tool_call_resource(c, plugin_ids) for c in calls]

    def tool_call(self, call_id: int) -> dict[str, Any]:
        """Return one tool call by id; raise NotFoundError."""
        found = self.tool_calls(call_id=call_id)
        if not found:
            raise NotFoundError(f"No tool call with id {call_id}")
        return found[0]

    def plugin_usage(self, use_id: int | None = None, limit: int = 1000) -> list[dict[str, Any]]:
        """Return plugin uses (tool calls of plugins), newest first, in `PromptPluginUsage` shape."""
        plugins = {p.name: p for p in self.db.catalogue.list("plugin")}
        calls = self.db.sessions.recent_tool_calls(kind="plugin", limit=limit, call_id=use_id)
        return [
            {
                "id": c.id,
                "prompt": c.session_id,
                "created_at": _time(c.created_at),
                "updated_at": _time(c.created_at),
                "plugin": plugin_resource(plugins[c.source]) if c.source in plugins else None,
                "input_text": c.arguments,
            }
            for c in calls
        ]

    def plugin_use(self, use_id: int) -> dict[str, Any]:
        """Return one plugin use by id; raise NotFoundError."""
        found = self.plugin_usage(use_id=use_id)
        if not found:
            raise NotFoundError(f"No plugin use with id {use_id}")
        return found[0]


def _metadata_fields(entry: CatalogueEntry) -> dict[str, Any]:
    metadata = metadata_spec_of(entry.manifest)
    return {
        "id": entry.id,
        "name": entry.name,
        "description": metadata.description,
        "version": metadata.version,
        "tags": list(metadata.tags),
        "annotations": [],
        "created_at": _time(entry.created_at),
        "updated_at": _time(entry.updated_at),
    }


def plugin_resource(entry: CatalogueEntry) -> dict[str, Any]:
    """Return a plugin in the SDK's `Plugin` shape (also the config object's `plugin_meta`)."""
    return {**_metadata_fields(entry), "plugin_class": PLUGIN_CLASSES.get(entry.kind), "kind": entry.kind}


def session_resource(info: SessionInfo, client_id: int | None) -> dict[str, Any]:
    """Return a session in the SDK's `PromptSession` shape."""
    return {
        "id": info.id,
        "session_key": info.session_key,
        "name": info.title,
        "description": None,
        "llmclient": client_id,
        "created_at": _time(info.created_at),
        "updated_at": _time(info.updated_at),
        "message_count": info.message_count,
    }


def tool_call_resource(call: ToolCallRecord, plugin_ids: dict[str, int]) -> dict[str, Any]:
    """Return a tool call in the SDK's `PromptToolCall` shape (`prompt` is the session's id)."""
    return {
        "id": call.id,
        "prompt": call.session_id,
        "created_at": _time(call.created_at),
        "updated_at": _time(call.created_at),
        "plugin": plugin_ids.get(call.source) if call.kind == "plugin" else None,
        "function_name": call.name,
        "function_args": call.arguments,
        "request": {"name": call.name, "arguments": call.arguments},
        "response": {"result": call.result, "error": call.error, "duration_ms": round(call.duration_ms, 2)},
        "session_key": call.session_key,
    }


def whoami() -> dict[str, Any]:
    """Return the SDK's `WhoAmI`: a local install has one user and one account."""
    return {"user": dict(LOCAL_USER), "account": dict(LOCAL_ACCOUNT), "environment": "local"}


def version_info() -> dict[str, Any]:
    """Return the SDK's `PlatformVersion`: this program's version and its main packages'."""
    from importlib.metadata import PackageNotFoundError, version

    packages: dict[str, str | None] = {}
    for name in ("smarter-tui", "fastapi", "uvicorn", "peewee", "openai", "pydantic"):
        try:
            packages[name] = version(name)
        except PackageNotFoundError:
            packages[name] = None
    return {"api": {"version": __version__, "python": packages}, "cli": {"version": __version__}}


def kinds() -> list[dict[str, Any]]:
    """Return the kinds this install serves, in the SDK's `KindInfo` shape (none is deployable)."""
    from smarter_tui.domain.records import KIND_GROUPS

    return [
        {
            "Singular": kind.lower(),
            "Plural": kind.lower() + "s",
            "APIKind": kind,
            "Display": kind,
            "DisplayPlural": kind + "s",
            "Deployable": False,
        }
        for kind in KIND_GROUPS
    ]
