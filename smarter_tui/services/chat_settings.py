"""Per-chat settings: switch provider and model, edit the system prompt and temperature of one chat.

They are stored with the session (JSON in `sessions.chat_settings`), used from its next turn,
and never change the client's manifest. The model list comes from the provider itself (an
OpenAI-compatible `GET /models`; the offline model names its own), through the providers layer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from smarter_tui.domain.errors import RequestError
from smarter_tui.domain.models import ModelLister
from smarter_tui.domain.records import ChatSettings
from smarter_tui.services.providers import BUILTIN_PROVIDERS
from smarter_tui.services.runtime import RuntimeBuilder, client_spec, system_role_of
from smarter_tui.services.sessions import SessionService
from smarter_tui.storage import Database

#: The temperature range OpenAI-compatible servers accept.
TEMPERATURE_RANGE = (0.0, 2.0)


@dataclass(frozen=True, slots=True)
class EffectiveChat:
    """What the next turn of a chat uses, and which of it is the chat's own (`own`)."""

    provider: str
    model: str
    temperature: float | None
    system_prompt: str
    offline: bool
    own: ChatSettings

    @property
    def customised(self) -> bool:
        """Return True when the chat overrides any of its client's settings."""
        return bool(self.own.to_dict())


class ChatSettingsService:
    """Reads, validates and stores per-chat settings."""

    def __init__(self, db: Database, runtimes: RuntimeBuilder, sessions: SessionService) -> None:
        self.db = db
        self.runtimes = runtimes
        self.sessions = sessions

    def providers(self) -> list[str]:
        """Return the provider names a chat can switch to: the built-ins and the Provider manifests."""
        names = set(BUILTIN_PROVIDERS) | {e.name for e in self.db.catalogue.list("provider")}
        return sorted(names)

    def effective(self, client: str, session_key: str | None = None) -> EffectiveChat:
        """Return what the next turn of this chat uses. Raises NotFoundError for an unknown client."""
        entry = self.runtimes.client(client)
        spec = client_spec(entry)
        own = self.sessions.chat_settings(session_key)
        provider = self.runtimes.provider_config(own.provider or spec.provider)
        if own.model:
            model = own.model
        elif own.provider:
            model = provider.default_model
        else:
            model = spec.default_model or provider.default_model
        temperature = spec.temperature if own.temperature is None else own.temperature
        return EffectiveChat(
            provider=provider.name,
            model=model,
            temperature=temperature,
            system_prompt=own.system_prompt or system_role_of(entry),
            offline=provider.offline,
            own=own,
        )

    def validate(self, settings: ChatSettings) -> ChatSettings:
        """Return the settings cleaned (blank text = the client's value). Raises RequestError."""
        provider = (settings.provider or "").strip() or None
        if provider is not None:
            self.runtimes.provider_config(provider)  # NotFoundError names the known ones
        model = (settings.model or "").strip() or None
        prompt = settings.system_prompt.strip() if settings.system_prompt else None
        temperature = settings.temperature
        if temperature is not None:
            low, high = TEMPERATURE_RANGE
            if not isinstance(temperature, int | float) or math.isnan(temperature):
                raise RequestError(f"The temperature must be a number from {low:g} to {high:g}")
            if not low <= float(temperature) <= high:
                raise RequestError(f"The temperature must be from {low:g} to {high:g}, not {temperature:g}")
            temperature = float(temperature)
        return ChatSettings(provider, model, temperature, prompt or None)

    def save(self, client: str, session_key: str | None, settings: ChatSettings) -> str:
        """Store a chat's settings and return its session key.

        A chat with no session yet gets its key now; the settings wait for its first prompt,
        which creates the session and uses them. Values equal to the client's own are not
        stored as overrides. Raises RequestError / NotFoundError for bad values or an unknown
        client or session.
        """
        cleaned = self.validate(settings)
        base = self.effective(client)
        if cleaned.system_prompt == base.system_prompt:
            cleaned.system_prompt = None
        if cleaned.provider == base.provider and cleaned.model in (None, base.model):
            cleaned.provider = None
        if cleaned.provider is None and cleaned.model == base.model:
            cleaned.model = None
        if cleaned.temperature is not None and cleaned.temperature == base.temperature:
            cleaned.temperature = None
        key = session_key.lower() if session_key else self.sessions.new_session_key()
        info = self.db.sessions.get(key)
        if info is not None and info.client != client:
            raise RequestError(f"Session {key[:12]}… belongs to client {info.client!r}, not {client!r}")
        self.sessions.set_chat_settings(key, cleaned)
        return key

    async def models(self, provider: str) -> list[str]:
        """Return the models `provider` serves, from the provider itself ([] if it cannot list them).

        Raises MissingKeyError when the provider needs a key that is not set, ProviderError
        when the server cannot be reached or refuses.
        """
        config = self.runtimes.provider_config(provider)
        backend = self.runtimes.provider(config, config.default_model)
        if not isinstance(backend, ModelLister):
            return []
        return await backend.list_models()
