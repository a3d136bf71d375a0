"""Typed, frozen specs of stored manifests: what services and plugins read at run time.

Built once per stored manifest from its validated data (`spec_of`), without pydantic, so that
start-up and chatting never import the models. Every camelCase key is read here and nowhere else.
Rows stored before today's shape (flat LLMClient, `functions`, camelCase Provider) read the same.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from smarter_tui.domain.records import CatalogueEntry

from .engines import engine_of

#: How many stored clients' specs `client_spec_of` keeps.
_SPEC_CACHE_SIZE = 128
_spec_cache: OrderedDict[tuple[str, int, datetime], LLMClientSpec] = OrderedDict()
_spec_lock = threading.Lock()


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _opt_str(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _lower_opt_str(value: Any) -> str | None:
    """Return the canonical (stripped, lowercase) form of an optional string written in any case."""
    text = _opt_str(value)
    return None if text is None else text.strip().lower()


def _first(mapping: Mapping[str, Any], *keys: str) -> Any:
    for key in keys:
        if mapping.get(key) is not None:
            return mapping[key]
    return None


@dataclass(frozen=True, slots=True)
class ParameterSpec:
    """One argument the model passes to a sql/api plugin."""

    name: str
    type: str = "string"
    description: str | None = None
    required: bool = False
    enum: tuple[Any, ...] | None = None
    default: Any = None
    items: Mapping[str, Any] | None = None  # for arrays: the items' JSON schema, when written


@dataclass(frozen=True, slots=True)
class SelectorSpec:
    """When a plugin is offered: directive (search_terms | always | llm) and its terms."""

    directive: str = "always"
    search_terms: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PromptSpec:
    """A plugin's overrides while selected (None: the client's own)."""

    provider: str | None = None
    system_role: str | None = None
    model: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None


#: The `metadata.pluginClass` of each plugin kind (the two must agree).
PLUGIN_CLASSES: dict[str, str] = {"Plugin": "static", "SqlPlugin": "sql", "ApiPlugin": "api"}


@dataclass(frozen=True, slots=True)
class PluginSpec:
    """What every plugin kind has."""

    kind: str  # Plugin | SqlPlugin | ApiPlugin
    name: str
    description: str | None
    version: str | None
    selector: SelectorSpec
    prompt: PromptSpec

    @property
    def plugin_class(self) -> str:
        """Return static, sql or api."""
        return PLUGIN_CLASSES[self.kind]

    @property
    def connection(self) -> str | None:
        """Return the name of the connection the plugin runs on (None for static plugins)."""
        return None


@dataclass(frozen=True, slots=True)
class StaticPluginSpec(PluginSpec):
    """A static plugin: the tool description and the data it answers from."""

    tool_description: str | None = None
    static_data: Any = None


@dataclass(frozen=True, slots=True)
class ConnectedPluginSpec(PluginSpec):
    """What a plugin that runs on a connection has: the connection, parameters, test values, limit."""

    connection_name: str = ""
    parameters: tuple[ParameterSpec, ...] = ()
    test_values: Mapping[str, Any] = field(default_factory=dict)
    limit: int = 100

    @property
    def connection(self) -> str | None:
        """Return the name of the connection (a SqlConnection or an ApiConnection)."""
        return self.connection_name or None


@dataclass(frozen=True, slots=True)
class SqlPluginSpec(ConnectedPluginSpec):
    """A SqlPlugin: the query (with its parameters, test values and row limit) on a SqlConnection."""

    query: str = ""


@dataclass(frozen=True, slots=True)
class ApiPluginSpec(ConnectedPluginSpec):
    """An ApiPlugin: endpoint, method, fixed query, headers and body on an ApiConnection."""

    endpoint: str = "/"
    method: str = "GET"
    url_params: tuple[tuple[str, Any], ...] = ()
    headers: tuple[tuple[str, Any], ...] = ()
    body: Any = None


@dataclass(frozen=True, slots=True)
class SqlConnectionSpec:
    """A database: engine (sqlite | postgresql | mysql, from dbEngine as written) and where it is.

    `database` is as written: a relative SQLite path is resolved against `base_dir` (the folder
    of the manifest file it was applied from; None: the data directory) when the plugin runs.
    """

    name: str
    engine: str
    db_engine: str
    database: str
    hostname: str | None = None
    port: int | None = None
    username: str | None = None
    password: str | None = None  # a Secret name
    timeout: float = 30.0
    base_dir: str | None = None


@dataclass(frozen=True, slots=True)
class ApiConnectionSpec:
    """An HTTP API: base URL and how to authenticate (none | basic | token with a Secret name)."""

    name: str
    base_url: str
    auth_method: str = "none"
    api_key: str | None = None
    timeout: float = 30.0


@dataclass(frozen=True, slots=True)
class ProviderSpec:
    """An OpenAI-compatible endpoint from a Provider manifest."""

    name: str
    base_url: str | None
    default_model: str | None
    api_key: str | None  # a Secret name


@dataclass(frozen=True, slots=True)
class LLMClientSpec:
    """An LLM client: provider, model, sampling, UI texts, tools and where it may be called from."""

    name: str
    description: str | None = None
    version: str | None = None
    provider: str | None = None
    default_model: str | None = None
    system_role: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    app_name: str | None = None
    app_assistant: str | None = None
    app_welcome_message: str | None = None
    app_example_prompts: tuple[str, ...] = ()
    app_placeholder: str | None = None
    app_info_url: str | None = None
    app_logo_url: str | None = None
    app_background_image_url: str | None = None
    app_file_attachment: bool = False
    allowed_origins: tuple[str, ...] = ()
    subdomain: str | None = None
    custom_domain: str | None = None
    deployed: bool = False
    extensions: tuple[str, ...] = ()  # built-in function names
    plugins: tuple[str, ...] = ()
    mcp_clients: tuple[str, ...] = ()
    guardrails: tuple[str, ...] = ()
    api_key: str | None = None
    styles: Mapping[str, Any] = field(default_factory=dict)


def _metadata(data: Mapping[str, Any]) -> Mapping[str, Any]:
    return _map(data.get("metadata"))


@dataclass(frozen=True, slots=True)
class MetadataSpec:
    """The `metadata` every manifest has: name, description, version, tags (and a plugin's class)."""

    name: str
    description: str | None = None
    version: str | None = None
    tags: tuple[str, ...] = ()
    plugin_class: str | None = None  # canonical: static, sql or api (written in any case)


def metadata_spec_of(data: Mapping[str, Any]) -> MetadataSpec:
    """Return the typed `metadata` of a stored manifest of any kind."""
    metadata = _metadata(data)
    description, version = metadata.get("description"), metadata.get("version")
    return MetadataSpec(
        name=str(metadata.get("name") or ""),
        description=None if description is None else str(description),
        version=None if version is None else str(version),
        tags=tuple(tag for tag in metadata.get("tags") or [] if isinstance(tag, str)),
        plugin_class=_lower_opt_str(metadata.get("pluginClass")),
    )


@dataclass(frozen=True, slots=True)
class SecretSpec:
    """A Secret as stored (its value is in the keyring, never here): name and expiry."""

    name: str
    expiration_date: str | None = None  # ISO date, as written


def secret_spec_of(data: Mapping[str, Any]) -> SecretSpec:
    """Return the typed spec of a stored Secret (today's `expiration_date`, or `expirationDate`)."""
    config = _map(_map(data.get("spec")).get("config"))
    return SecretSpec(
        name=str(_metadata(data).get("name") or ""),
        expiration_date=_opt_str(_first(config, "expiration_date", "expirationDate")),
    )


def _parameters(items: Any) -> tuple[ParameterSpec, ...]:
    found = []
    for item in items or []:
        item = _map(item)
        if not item.get("name"):
            continue
        enum = item.get("enum")
        found.append(
            ParameterSpec(
                name=str(item["name"]),
                type=str(item.get("type") or "string").strip().lower(),
                description=_opt_str(item.get("description")),
                required=bool(item.get("required")),
                enum=tuple(enum) if isinstance(enum, list) and enum else None,
                default=item.get("default"),
                items=item.get("items") if isinstance(item.get("items"), Mapping) else None,
            )
        )
    return tuple(found)


def _test_values(items: Any) -> dict[str, Any]:
    return {
        str(item["name"]): item.get("value")
        for item in items or []
        if isinstance(item, Mapping) and item.get("name")
    }


def _pairs(items: Any, key_field: str) -> tuple[tuple[str, Any], ...]:
    if isinstance(items, Mapping):
        return tuple((str(k), v) for k, v in items.items())
    return tuple(
        (str(item[key_field]), item.get("value"))
        for item in items or []
        if isinstance(item, Mapping) and item.get(key_field) is not None
    )


def _plugin_common(kind: str, data: Mapping[str, Any]) -> dict[str, Any]:
    metadata = _metadata(data)
    spec = _map(data.get("spec"))
    selector = _map(spec.get("selector"))
    prompt = _map(spec.get("prompt"))
    temperature = prompt.get("temperature")
    max_tokens = prompt.get("maxTokens")
    return {
        "kind": kind,
        "name": str(metadata.get("name") or ""),
        "description": _opt_str(metadata.get("description")),
        "version": _opt_str(metadata.get("version")),
        "selector": SelectorSpec(
            directive=str(selector.get("directive") or "always").strip().lower().replace("-", "_"),
            search_terms=tuple(str(t) for t in selector.get("searchTerms") or []),
        ),
        "prompt": PromptSpec(
            provider=_opt_str(prompt.get("provider")),
            system_role=_opt_str((prompt.get("systemRole") or "").strip()),
            model=_opt_str(prompt.get("model")),
            temperature=float(temperature) if temperature is not None else None,
            max_tokens=int(max_tokens) if max_tokens is not None else None,
        ),
    }


def plugin_spec_of(data: Mapping[str, Any]) -> PluginSpec:
    """Return the typed spec of a stored Plugin, SqlPlugin or ApiPlugin manifest.

    Raises ValueError for another kind.
    """
    kind = {"plugin": "Plugin", "sqlplugin": "SqlPlugin", "apiplugin": "ApiPlugin"}.get(
        str(data.get("kind") or "").replace("_", "").lower()
    )
    if kind is None:
        raise ValueError(f"'{data.get('kind')}' is not a plugin kind")
    common = _plugin_common(kind, data)
    spec = _map(data.get("spec"))
    if kind == "Plugin":
        static = _map(spec.get("data"))
        return StaticPluginSpec(
            **common,
            tool_description=_opt_str(static.get("description")),
            static_data=static.get("staticData"),
        )
    if kind == "SqlPlugin":
        sql = _map(spec.get("sqlData"))
        return SqlPluginSpec(
            **common,
            connection_name=str(spec.get("connection") or ""),
            query=str(sql.get("sqlQuery") or ""),
            parameters=_parameters(sql.get("parameters")),
            test_values=_test_values(sql.get("testValues")),
            limit=int(sql.get("limit") or 100),
        )
    api = _map(spec.get("apiData"))
    return ApiPluginSpec(
        **common,
        connection_name=str(spec.get("connection") or ""),
        endpoint=str(api.get("endpoint") or "/"),
        method=str(api.get("method") or "GET").strip().upper(),
        url_params=_pairs(api.get("urlParams"), "key"),
        headers=_pairs(api.get("headers"), "name"),
        body=api.get("body"),
        parameters=_parameters(api.get("parameters")),
        test_values=_test_values(api.get("testValues")),
        limit=int(api.get("limit") or 100),
    )


def sql_connection_spec_of(data: Mapping[str, Any], base_dir: str | None = None) -> SqlConnectionSpec:
    """Return the typed spec of a stored SqlConnection (`base_dir`: where relative paths start)."""
    settings = _map(_map(data.get("spec")).get("connection")) or _map(data.get("connection")) or data
    db_engine = str(settings.get("dbEngine") or "sqlite")
    port = settings.get("port")
    return SqlConnectionSpec(
        name=str(_metadata(data).get("name") or ""),
        engine=engine_of(db_engine) or db_engine,
        db_engine=db_engine,
        database=str(settings.get("database") or ""),
        hostname=_opt_str(settings.get("hostname")),
        port=int(port) if port else None,
        username=_opt_str(settings.get("username")),
        password=_opt_str(settings.get("password")),
        timeout=float(settings.get("timeout") or 30),
        base_dir=base_dir,
    )


def api_connection_spec_of(data: Mapping[str, Any]) -> ApiConnectionSpec:
    """Return the typed spec of a stored ApiConnection."""
    settings = _map(_map(data.get("spec")).get("connection")) or _map(data.get("connection")) or data
    return ApiConnectionSpec(
        name=str(_metadata(data).get("name") or ""),
        base_url=str(settings.get("baseUrl") or ""),
        auth_method=str(settings.get("authMethod") or "none").strip().lower(),
        api_key=_opt_str(settings.get("apiKey")),
        timeout=float(settings.get("timeout") or 30),
    )


def connection_spec_of(
    data: Mapping[str, Any], base_dir: str | None = None
) -> SqlConnectionSpec | ApiConnectionSpec:
    """Return the typed spec of a stored SqlConnection or ApiConnection."""
    if str(data.get("kind") or "").lower() == "apiconnection":
        return api_connection_spec_of(data)
    return sql_connection_spec_of(data, base_dir)


def provider_spec_of(data: Mapping[str, Any]) -> ProviderSpec:
    """Return the typed spec of a stored Provider (today's snake_case or the seed-era camelCase)."""
    settings = _map(_map(data.get("spec")).get("provider"))
    return ProviderSpec(
        name=str(_metadata(data).get("name") or settings.get("name") or ""),
        base_url=_opt_str(_first(settings, "base_url", "baseUrl")),
        default_model=_opt_str(_first(settings, "default_model", "defaultModel")),
        api_key=_opt_str(_first(settings, "api_key", "apiKey")),
    )


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(item) for item in value or [])


def client_spec_of(entry: CatalogueEntry) -> LLMClientSpec:
    """Return the spec of a stored LLMClient entry, parsed once per stored version of it.

    A config or a prompt reads the same client's spec several times; a stored entry's manifest
    changes only through a catalogue write, which sets a new `updated_at` (in any process), so
    (name, row id, updated_at) names one version. Entries not from the database (no id or no
    `updated_at`) are parsed every time.
    """
    if entry.id is None or entry.updated_at is None:
        return llmclient_spec_of(entry.manifest)
    key = (entry.name, entry.id, entry.updated_at)
    with _spec_lock:
        found = _spec_cache.get(key)
        if found is not None:
            _spec_cache.move_to_end(key)
            return found
    spec = llmclient_spec_of(entry.manifest)
    with _spec_lock:
        _spec_cache[key] = spec
        while len(_spec_cache) > _SPEC_CACHE_SIZE:
            _spec_cache.popitem(last=False)
    return spec


def llmclient_spec_of(data: Mapping[str, Any]) -> LLMClientSpec:
    """Return the typed spec of a stored LLMClient (nested today's shape, or a flat older row)."""
    metadata = _metadata(data)
    spec = _map(data.get("spec"))
    config = _map(spec.get("config"))
    prompt = _map(config.get("prompt")) if "prompt" in config else config
    styles = _map(config.get("styles")) if "prompt" in config else config
    domain = prompt.get("customDomain")
    if isinstance(domain, Mapping):
        domain = domain.get("domain_name")
    temperature = prompt.get("defaultTemperature")
    max_tokens = prompt.get("defaultMaxTokens")
    extensions = spec.get("extensions") if spec.get("extensions") is not None else spec.get("functions")
    return LLMClientSpec(
        name=str(metadata.get("name") or ""),
        description=_opt_str(metadata.get("description")),
        version=_opt_str(metadata.get("version")),
        provider=_opt_str(prompt.get("provider")),
        default_model=_opt_str(prompt.get("defaultModel")),
        system_role=_opt_str(prompt.get("defaultSystemRole")),
        temperature=float(temperature) if temperature is not None else None,
        max_tokens=int(max_tokens) if max_tokens is not None else None,
        app_name=_opt_str(prompt.get("appName")),
        app_assistant=_opt_str(prompt.get("appAssistant")),
        app_welcome_message=_opt_str(prompt.get("appWelcomeMessage")),
        app_example_prompts=_strings(prompt.get("appExamplePrompts")),
        app_placeholder=_opt_str(prompt.get("appPlaceholder")),
        app_info_url=_opt_str(prompt.get("appInfoUrl")),
        app_logo_url=_opt_str(styles.get("appLogoUrl")),
        app_background_image_url=_opt_str(styles.get("appBackgroundImageUrl")),
        app_file_attachment=bool(prompt.get("appFileAttachment")),
        allowed_origins=_strings(prompt.get("allowedOrigins")),
        subdomain=_opt_str(prompt.get("subdomain")),
        custom_domain=_opt_str(domain),
        deployed=bool(prompt.get("deployed")),
        extensions=_strings(extensions),
        plugins=_strings(spec.get("plugins")),
        mcp_clients=_strings(spec.get("mcpClients")),
        guardrails=_strings(spec.get("guardrails")),
        api_key=_opt_str(spec.get("apiKey")),
        styles=dict(_map(config.get("styles"))),
    )
