"""Turn a stored LLM client into what a turn needs: a provider, tools, plugin bindings, settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from smarter_tui.config.paths import data_dir
from smarter_tui.config.secrets import SecretStore
from smarter_tui.domain.errors import MissingKeyError, NotFoundError
from smarter_tui.domain.models import ModelProvider
from smarter_tui.domain.records import CatalogueEntry, ChatSettings
from smarter_tui.domain.tools import MemoryBackend, PluginBinding, Tool
from smarter_tui.manifests.specs import (
    LLMClientSpec,
    client_spec_of,
    connection_spec_of,
    plugin_spec_of,
)
from smarter_tui.orchestration.history import DEFAULT_SYSTEM_ROLE
from smarter_tui.providers import make_provider
from smarter_tui.services.providers import (
    BUILTIN_PROVIDERS,
    ProviderConfig,
    model_for,
    provider_from_manifest,
)
from smarter_tui.storage import Database

if TYPE_CHECKING:
    from smarter_tui.orchestration.loop import TurnSettings

# The loop and the plugins (~25 ms of imports) are imported where a runtime is built, not here:
# listing the clients at start-up needs only their specs. `preload_turn()` imports them early.


def preload_turn() -> None:
    """Import what the first turn needs (the loop, the plugins); call from a background thread."""
    import smarter_tui.orchestration.loop
    import smarter_tui.plugins  # noqa: F401


@dataclass(slots=True)
class ClientRuntime:
    """Everything needed to run turns for one client."""

    client: CatalogueEntry
    provider_config: ProviderConfig
    provider: ModelProvider
    functions: list[Tool]
    plugins: list[PluginBinding]
    settings: TurnSettings


def client_spec(client: CatalogueEntry) -> LLMClientSpec:
    """Return the typed spec of a stored LLMClient (parsed once per stored version)."""
    return client_spec_of(client)


def system_role_of(client: CatalogueEntry) -> str:
    """Return the client's system prompt (a sensible default when the manifest leaves it null)."""
    return client_spec(client).system_role or DEFAULT_SYSTEM_ROLE


class RuntimeBuilder:
    """Builds ClientRuntimes from the catalogue; knows providers, keys and plugin construction."""

    def __init__(
        self,
        db: Database,
        secrets: SecretStore,
        provider_factory: Callable[..., ModelProvider] = make_provider,
        weather_urls: tuple[str, str] | None = None,
    ) -> None:
        self.db = db
        self.secrets = secrets
        self.provider_factory = provider_factory
        self.weather_urls = weather_urls
        # One provider (and so one HTTP connection pool) per configuration, reused across turns.
        self._providers: dict[tuple[str, str | None, str | None, str], ModelProvider] = {}

    def client(self, name: str) -> CatalogueEntry:
        """Return the LLMClient entry; raise NotFoundError naming the known clients."""
        entry = self.db.catalogue.get("llmclient", name)
        if entry is None:
            known = ", ".join(e.name for e in self.db.catalogue.list("llmclient")) or "none"
            raise NotFoundError(f"No LLM client named {name!r} (known: {known})")
        return entry

    def provider_config(self, name: str | None) -> ProviderConfig:
        """Return the configuration of a provider: a Provider manifest or a built-in one."""
        name = name or "openai"
        entry = self.db.catalogue.get("provider", name)
        if entry is not None:
            return provider_from_manifest(entry.manifest)
        if name in BUILTIN_PROVIDERS:
            return BUILTIN_PROVIDERS[name]
        raise NotFoundError(
            f"No provider named {name!r} (built in: {', '.join(BUILTIN_PROVIDERS)}; "
            "add one with a Provider manifest)"
        )

    def api_key(self, provider: ProviderConfig) -> str | None:
        """Return the provider's key, or None when it needs none. Raises MissingKeyError."""
        if provider.offline or provider.secret is None:
            return None
        key = self.secrets.get(provider.secret, provider.env)
        if key is None:
            env = f" or set {provider.env[0]}" if provider.env else ""
            raise MissingKeyError(
                f"Provider {provider.name!r} needs an API key: run `smarter-tui keys set "
                f"{provider.secret}`{env}"
            )
        return key

    def provider(self, config: ProviderConfig, model: str) -> ModelProvider:
        """Return the (cached) provider for a configuration and model. Raises MissingKeyError."""
        key = self.api_key(config)
        cache_key = (config.name, config.base_url, key, model)
        if cache_key not in self._providers:
            self._providers[cache_key] = self.provider_factory(config.name, config.base_url, key, model)
        return self._providers[cache_key]

    def resolve_secret(self, name: str) -> str | None:
        """Return a secret's value for plugins and connections (None when unset)."""
        return self.secrets.get(name)

    def _model_of(self, spec: LLMClientSpec, chat: ChatSettings) -> tuple[ProviderConfig, str]:
        """Return the provider and model a chat of a client uses (its own settings first)."""
        provider_config = self.provider_config(chat.provider or spec.provider)
        if chat.model and not provider_config.offline:
            return provider_config, chat.model
        if chat.provider:  # another provider: the client's model is probably not served there
            return provider_config, model_for(provider_config, None)
        return provider_config, model_for(provider_config, spec.default_model)

    def prepare(self, name: str) -> ModelProvider:
        """Build client `name`'s provider now (cached for its turns). Raises like `build`."""
        return self.provider(*self._model_of(client_spec(self.client(name)), ChatSettings()))

    def build(
        self,
        name: str,
        session_key: str | None,
        memory: MemoryBackend,
        overrides: ChatSettings | None = None,
    ) -> ClientRuntime:
        """Return the runtime of client `name`, with a chat's own `overrides` (provider, model,
        temperature) over the manifest's. Raises NotFoundError / MissingKeyError."""
        from smarter_tui.orchestration.loop import TurnSettings
        from smarter_tui.plugins import build_function

        client = self.client(name)
        spec = client_spec(client)
        chat = overrides or ChatSettings()
        provider_config, model = self._model_of(spec, chat)
        provider = self.provider(provider_config, model)
        functions = [
            build_function(fn, memory=memory, session_key=session_key, weather_urls=self.weather_urls)
            for fn in spec.extensions
        ]
        plugins = [self.plugin(plugin_name) for plugin_name in spec.plugins]
        settings = TurnSettings(
            model=model,
            temperature=chat.temperature if chat.temperature is not None else spec.temperature,
            max_tokens=spec.max_tokens,
        )
        return ClientRuntime(
            client=client,
            provider_config=provider_config,
            provider=provider,
            functions=functions,
            plugins=plugins,
            settings=settings,
        )

    def plugin_tool(self, name: str) -> tuple[CatalogueEntry, Tool]:
        """Return a plugin's entry and its tool (with its connection resolved)."""
        from smarter_tui.plugins import build_plugin

        entry = self.db.catalogue.get("plugin", name)
        if entry is None:
            raise NotFoundError(f"No plugin named {name!r}")
        spec = plugin_spec_of(entry.manifest)
        connection = None
        if spec.connection:
            found = self.db.catalogue.get("connection", spec.connection)
            if found is None:
                raise NotFoundError(f"Plugin {name!r} uses connection {spec.connection!r}, which is missing")
            # A relative SQLite path is resolved against the folder the connection was applied
            # from, or the data directory when it came through the API.
            connection = connection_spec_of(found.manifest, found.base_dir or str(data_dir()))
        return entry, build_plugin(spec, connection, self.resolve_secret)

    def plugin(self, name: str) -> PluginBinding:
        """Return the binding (tool + selector + prompt overrides) of a plugin."""
        from smarter_tui.plugins import plugin_binding

        entry, tool = self.plugin_tool(name)
        return plugin_binding(plugin_spec_of(entry.manifest), tool)
