"""The config object (SPEC §7): what a chat view is initialised from, built in a fixed number of queries."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from smarter_tui import __version__
from smarter_tui.domain.errors import RequestError
from smarter_tui.domain.messages import Message, Role
from smarter_tui.domain.records import CatalogueEntry, SessionInfo
from smarter_tui.manifests.specs import LLMClientSpec, plugin_spec_of
from smarter_tui.services.providers import ProviderConfig, model_for
from smarter_tui.services.resources import extension_id, plugin_resource
from smarter_tui.services.runtime import RuntimeBuilder, client_spec, system_role_of
from smarter_tui.services.sessions import SessionService
from smarter_tui.storage import Database

MAX_RETURNED_PLUGINS = 10
#: How many sessions' encoded chat histories the config service keeps (most recently used).
HISTORY_CACHE_SIZE = 16


class HistoryCache:
    """The chat history of recently configured sessions, encoded as JSON once.

    A config of a long session converted every stored message to its public shape and encoded
    it on every request (5,000 messages: hundreds of milliseconds). An entry is valid while the
    session's `updated_at` and `message_count` are unchanged: every write to a session's
    messages (append, update, replace, exclude) bumps `updated_at`, in any process sharing the
    database. Thread-safe: serve runs sync routes in a thread pool.
    """

    def __init__(self, size: int = HISTORY_CACHE_SIZE) -> None:
        self._size = size
        self._entries: OrderedDict[str, tuple[tuple[Any, int], Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, info: SessionInfo, load: Callable[[], list[Message]]) -> Any:
        """Return the session's history as an `orjson.Fragment`; `load()` gives its messages."""
        import orjson  # only serve asks for encoded documents

        version = (info.updated_at, info.message_count)
        with self._lock:
            found = self._entries.get(info.session_key)
            if found is not None and found[0] == version:
                self._entries.move_to_end(info.session_key)
                return found[1]
        fragment = orjson.Fragment(orjson.dumps([m.to_public() for m in load()]))
        with self._lock:
            self._entries[info.session_key] = (version, fragment)
            self._entries.move_to_end(info.session_key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return fragment


def plugin_summary(entry: CatalogueEntry) -> dict[str, Any]:
    """Return the short description of a plugin in the config object: the name, kind, class,
    description and version of its resource (`plugin_resource`), and its selector."""
    resource = plugin_resource(entry)
    selector = plugin_spec_of(entry.manifest).selector
    summary = {key: resource[key] for key in ("name", "kind", "plugin_class", "description", "version")}
    return {**summary, "selector": selector.directive, "search_terms": list(selector.search_terms)}


def _legacy(value: Any) -> Any:
    """Rename keys containing `llm_client` to `chatbot` for older clients, recursively."""
    if isinstance(value, dict):
        return {k.replace("llm_client", "chatbot"): _legacy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_legacy(v) for v in value]
    return value


class ConfigService:
    """Builds the config object for a client and session."""

    def __init__(self, db: Database, runtimes: RuntimeBuilder, sessions: SessionService) -> None:
        self.db = db
        self.runtimes = runtimes
        self.sessions = sessions
        self._histories = HistoryCache()

    def _chat_history(self, info: SessionInfo | None, new: list[Message], encoded: bool) -> Any:
        """Return a stored session's public messages, or those of a new one (`new`).

        `encoded`: a stored session's come as an `orjson.Fragment` from the history cache.
        """
        if info is None:
            return [m.to_public() for m in new]

        def load() -> list[Message]:
            assert info is not None
            return self.db.sessions.messages(info.session_key)

        return self._histories.get(info, load) if encoded else [m.to_public() for m in load()]

    def config(
        self,
        client: str,
        session_key: str | None = None,
        legacy: bool = False,
        create: bool = True,
        encoded: bool = False,
    ) -> dict[str, Any]:
        """Return the config object; a new session is created when no key is given and `create`.

        `encoded`: the chat history of a stored session is an `orjson.Fragment` (for serve).
        """
        entry = self.runtimes.client(client)
        spec = client_spec(entry)
        provider = self.runtimes.provider_config(spec.provider)
        info = self.sessions.session(session_key) if session_key else None
        store = self.db.sessions
        messages: list[Message] = []
        if info is not None:
            key: str | None = info.session_key
            calls = store.tool_calls(info.session_key)
            selections = store.selections(info.session_key)
        else:
            # A new session is only a key until its first prompt (SessionService.send) stores it.
            key = self.sessions.new_session_key() if create else None
            messages = [Message(role=Role.SYSTEM, content=system_role_of(entry))] if create else []
            calls, selections = [], []
        attached = set(spec.plugins)
        plugins = [p for p in self.db.catalogue.list("plugin") if p.name in attached]
        document: dict[str, Any] = {
            "session_key": key,
            "sandbox_mode": bool(info.sandbox) if info else False,
            "debug_mode": False,
            "llm_client": {
                "name": entry.name,
                **_chat_view(entry, spec, provider),
                "default_temperature": spec.temperature,
                "default_max_tokens": spec.max_tokens,
                "app_logo_url": spec.app_logo_url,
                "app_background_image_url": spec.app_background_image_url,
                "version": spec.version,
                "description": spec.description,
            },
            "history": {
                "chat_history": self._chat_history(info, messages, encoded and not legacy),
                "prompt_tool_call_history": [c.to_public() for c in calls],
                "prompt_plugin_usage_history": [c.to_public() for c in calls if c.kind == "plugin"],
                "plugin_selector_history": [
                    {
                        "plugin": s.plugin,
                        "term": s.term,
                        "prompt": s.prompt,
                        "created_at": s.created_at.isoformat() if s.created_at else None,
                    }
                    for s in selections
                ],
            },
            "meta_data": {
                "client_version": __version__,
                "database": self.db.location,
                "provider_base_url": provider.base_url or "offline",
                "offline": provider.offline,
                "functions": list(spec.extensions),
            },
            "plugins": {
                "meta_data": {
                    "total_plugins": len(plugins),
                    "plugins_returned": min(len(plugins), MAX_RETURNED_PLUGINS),
                },
                "plugins": [plugin_summary(p) for p in plugins[:MAX_RETURNED_PLUGINS]],
            },
        }
        return _legacy(document) if legacy else document

    def config_v2(
        self, client: str, session_key: str | None = None, verbose: bool = False, encoded: bool = False
    ) -> dict[str, Any]:
        """Return chat contract v2's config (the SDK's `PromptChatApiConfig`); a new session when no key.

        Not verbose: the client, the session's chat history and the counts of its plugins and
        extensions. Verbose adds those lists and the session's tool calls, plugin uses and plugin
        selections as rows with integer ids. A fixed number of queries however long the history.
        Raises NotFoundError for an unknown client or session, RequestError for a malformed key.
        """
        entry = self.runtimes.client(client)
        spec = client_spec(entry)
        provider = self.runtimes.provider_config(spec.provider)
        store = self.db.sessions
        info: SessionInfo | None = None
        if session_key:
            info = self.sessions.session(session_key)
            if info.client != entry.name:
                raise RequestError(f"Session {info.session_key[:12]}… belongs to client {info.client!r}")
            key = info.session_key
            messages: list[Message] = []
        else:
            # A new session is only a key until its first prompt (SessionService.send) stores it.
            key = self.sessions.new_session_key()
            messages = [Message(role=Role.SYSTEM, content=system_role_of(entry))]
        attached = list(spec.plugins)
        plugins = {p.name: p for p in self.db.catalogue.list("plugin")} if attached or verbose else {}
        functions = list(spec.extensions)
        history: dict[str, Any] = {"chat_history": self._chat_history(info, messages, encoded)}
        plugin_rows = [
            {"id": plugins[n].id, "llmclient": entry.id, "plugin_meta": plugin_resource(plugins[n])}
            for n in attached
            if n in plugins
        ]
        extension_rows = [
            {
                "id": extension_id(n),
                "llmclient": entry.id,
                "extension": extension_id(n),
                "name": n,
                "version": __version__,
                "enabled": True,
            }
            for n in functions
        ]
        if verbose:
            ids = {name: p.id for name, p in plugins.items()}
            calls = store.tool_calls(key) if info else []
            history["prompt_tool_call_history"] = [
                {
                    "id": c.id,
                    "created_at": c.created_at.isoformat() if c.created_at else None,
                    "prompt": info.id if info else None,
                    "plugin": ids.get(c.source) if c.kind == "plugin" else None,
                    "function_name": c.name,
                    "function_args": c.arguments,
                    "request": {"name": c.name, "arguments": c.arguments},
                    "response": {"result": c.result, "error": c.error},
                }
                for c in calls
            ]
            history["prompt_plugin_usage_history"] = [
                {
                    "id": c.id,
                    "prompt": info.id if info else None,
                    "plugin": ids[c.source],
                    "input_text": c.arguments,
                }
                for c in calls
                if c.kind == "plugin" and c.source in ids
            ]
            history["plugin_selector_history"] = [
                {
                    "id": s.id,
                    "created_at": s.created_at.isoformat() if s.created_at else None,
                    "plugin_selector": ids.get(s.plugin, 0),
                    "plugin": ids.get(s.plugin),
                    "search_term": s.term,
                    "messages": [{"role": "user", "content": s.prompt}],
                    "session_key": key,
                }
                for s in (store.selections(key) if info else [])
            ]
        meta: dict[str, Any] = {
            "ready": True,
            "is_valid": True,
            "is_deployed": spec.deployed,
            "is_authentication_required": spec.api_key is not None,
            "is_custom_domain": False,
        }
        if verbose:
            meta.update(
                client_version=__version__,
                provider_base_url=provider.base_url or "offline",
                offline=provider.offline,
                functions=functions,
            )
        return {
            "contract": 2,
            "session_key": key,
            "sandbox_mode": bool(info.sandbox) if info else False,
            "debug_mode": False,
            "meta_data": meta,
            "llmclient": {
                "id": entry.id,
                "name": entry.name,
                "url_llmclient": f"/api/v1/llm-clients/{entry.id}/prompt/",
                "version": spec.version,
                "deployed": spec.deployed,
                **_chat_view(entry, spec, provider),
                "styles": _styles(spec),
                "total_tools": len(functions) + len(plugin_rows),
            },
            "history": history,
            "plugins": {
                "meta_data": {
                    "total_plugins": len(plugin_rows),
                    "plugins_returned": min(len(plugin_rows), MAX_RETURNED_PLUGINS) if verbose else 0,
                },
                "plugins": plugin_rows[:MAX_RETURNED_PLUGINS] if verbose else [],
            },
            "extensions": {
                "meta_data": {
                    "total_extensions": len(extension_rows),
                    "extensions_returned": len(extension_rows) if verbose else 0,
                },
                "extensions": extension_rows if verbose else [],
            },
        }


def _chat_view(entry: CatalogueEntry, spec: LLMClientSpec, provider: ProviderConfig) -> dict[str, Any]:
    """Return the client fields both config contracts share: its model and what the chat shows."""
    return {
        "provider": provider.name,
        "default_model": model_for(provider, spec.default_model),
        "default_system_role": system_role_of(entry),
        "app_name": spec.app_name,
        "app_assistant": spec.app_assistant,
        "app_welcome_message": spec.app_welcome_message,
        "app_example_prompts": list(spec.app_example_prompts),
        "app_placeholder": spec.app_placeholder,
        "app_info_url": spec.app_info_url,
        "app_file_attachment": spec.app_file_attachment,
    }


def _styles(spec: LLMClientSpec) -> dict[str, Any]:
    """Return the chat UI styles in snake_case: nested `spec.config.styles`, else the flat app*Url keys."""
    out: dict[str, Any] = {
        "app_logo_url": spec.app_logo_url,
        "app_background_image_url": spec.app_background_image_url,
    }
    for key, value in spec.styles.items():
        if isinstance(value, dict):
            value = {_snake(k): v for k, v in value.items()}
        out.setdefault(_snake(key), value)
    return out


def _snake(key: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in key)
