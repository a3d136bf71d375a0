"""The config object (SPEC §7): what a chat view is initialised from, built in a fixed number of queries."""

from __future__ import annotations

from typing import Any

from smarter_tui import __version__
from smarter_tui.domain.messages import Message, Role
from smarter_tui.domain.records import CatalogueEntry
from smarter_tui.services.providers import model_for
from smarter_tui.services.runtime import RuntimeBuilder, client_config, system_role_of
from smarter_tui.services.sessions import SessionService
from smarter_tui.storage import Database

MAX_RETURNED_PLUGINS = 10


def plugin_summary(entry: CatalogueEntry) -> dict[str, Any]:
    """Return the short description of a plugin used in listings and the config object."""
    metadata = entry.manifest.get("metadata") or {}
    selector = (entry.manifest.get("spec") or {}).get("selector") or {}
    return {
        "name": entry.name,
        "kind": entry.kind,
        "plugin_class": metadata.get("pluginClass"),
        "description": metadata.get("description"),
        "version": metadata.get("version"),
        "selector": selector.get("directive"),
        "search_terms": selector.get("searchTerms") or [],
    }


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

    def config(
        self, client: str, session_key: str | None = None, legacy: bool = False, create: bool = True
    ) -> dict[str, Any]:
        """Return the config object; a new session is created when no key is given and `create`."""
        entry = self.runtimes.client(client)
        config = client_config(entry)
        provider = self.runtimes.provider_config(config.get("provider"))
        info = self.sessions.session(session_key) if session_key else None
        store = self.db.sessions
        if info is not None:
            key: str | None = info.session_key
            messages = store.messages(info.session_key)
            calls = store.tool_calls(info.session_key)
            selections = store.selections(info.session_key)
        else:
            # A new session is only a key until its first prompt (SessionService.send) stores it.
            key = self.sessions.new_session_key() if create else None
            messages = [Message(role=Role.SYSTEM, content=system_role_of(entry))] if create else []
            calls, selections = [], []
        spec = entry.manifest.get("spec") or {}
        attached = list(spec.get("plugins") or [])
        plugins = [p for p in self.db.catalogue.list("plugin") if p.name in set(attached)]
        metadata = entry.manifest.get("metadata") or {}
        document: dict[str, Any] = {
            "session_key": key,
            "sandbox_mode": bool(info.sandbox) if info else False,
            "debug_mode": False,
            "llm_client": {
                "name": entry.name,
                "provider": provider.name,
                "default_model": model_for(provider, config.get("defaultModel")),
                "default_system_role": system_role_of(entry),
                "default_temperature": config.get("defaultTemperature"),
                "default_max_tokens": config.get("defaultMaxTokens"),
                "app_name": config.get("appName"),
                "app_assistant": config.get("appAssistant"),
                "app_welcome_message": config.get("appWelcomeMessage"),
                "app_example_prompts": config.get("appExamplePrompts") or [],
                "app_placeholder": config.get("appPlaceholder"),
                "app_info_url": config.get("appInfoUrl"),
                "app_logo_url": config.get("appLogoUrl"),
                "app_background_image_url": config.get("appBackgroundImageUrl"),
                "app_file_attachment": bool(config.get("appFileAttachment")),
                "version": metadata.get("version"),
                "description": metadata.get("description"),
            },
            "history": {
                "chat_history": [m.to_public() for m in messages],
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
                "database": str(self.db.path),
                "provider_base_url": provider.base_url or "offline",
                "offline": provider.offline,
                "functions": list(spec.get("functions") or []),
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
