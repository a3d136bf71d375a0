"""Provider configuration: the built-in providers, Provider manifests, and API key lookup."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from smarter_tui.domain.records import CatalogueEntry
from smarter_tui.manifests.specs import provider_spec_of

OFFLINE = "offline"


@dataclass(frozen=True, slots=True)
class ProviderConfig:
    """Where a provider lives and which secret holds its key (None: keyless)."""

    name: str
    base_url: str | None  # None for the offline provider
    default_model: str
    secret: str | None = None
    env: tuple[str, ...] = ()
    builtin: bool = False

    @property
    def offline(self) -> bool:
        """Return True for the built-in offline demo model."""
        return self.base_url is None


BUILTIN_PROVIDERS: dict[str, ProviderConfig] = {
    p.name: p
    for p in (
        ProviderConfig(
            "openai", "https://api.openai.com/v1", "gpt-4o-mini", "openai_api_key", ("OPENAI_API_KEY",), True
        ),
        ProviderConfig(
            "googleai",
            "https://generativelanguage.googleapis.com/v1beta/openai/",
            "gemini-2.0-flash",
            "googleai_api_key",
            ("GEMINI_API_KEY", "GOOGLE_API_KEY"),
            True,
        ),
        ProviderConfig("ollama", "http://127.0.0.1:11434/v1", "llama3.2", None, (), True),
        ProviderConfig(OFFLINE, None, "offline-demo", None, (), True),
    )
}


_BUILTIN_DESCRIPTIONS = {
    "openai": "OpenAI's API.",
    "googleai": "Google Gemini through its OpenAI-compatible endpoint.",
    "ollama": "Ollama on this machine (no API key).",
    OFFLINE: "The offline demo model (no network, no API key).",
}


def builtin_provider_entry(config: ProviderConfig) -> CatalogueEntry:
    """Return a built-in provider as a catalogue entry (`builtin` set) holding its Provider manifest.

    Applying a Provider manifest of the same name overrides the built-in one.
    """
    description = _BUILTIN_DESCRIPTIONS.get(config.name, "Built in.")
    manifest = {
        "apiVersion": "smarter.sh/v1",
        "kind": "Provider",
        "metadata": {
            "name": config.name,
            "description": description,
            "version": None,
            "tags": ["builtin"],
            "annotations": [],
        },
        "spec": {
            "provider": {
                key: value
                for key, value in (
                    ("name", config.name),
                    ("base_url", config.base_url),
                    ("api_key", config.secret),
                    ("default_model", config.default_model),
                )
                if value is not None
            }
        },
    }
    return CatalogueEntry(
        kind="Provider", name=config.name, manifest=manifest, description=description, builtin=True
    )


def model_for(provider: ProviderConfig, requested: str | None) -> str:
    """Return the model a client really talks to: its `defaultModel`, else the provider's.

    The offline provider has one model of its own, whatever the client asks for (a client
    switched to `offline` often still says `defaultModel: gpt-4o-mini`).
    """
    if provider.offline:
        return provider.default_model or BUILTIN_PROVIDERS[OFFLINE].default_model
    return requested or provider.default_model


def provider_from_manifest(data: Mapping[str, Any]) -> ProviderConfig:
    """Return the ProviderConfig of a stored Provider manifest."""
    spec = provider_spec_of(data)
    name = spec.name
    builtin = BUILTIN_PROVIDERS.get(name)
    return ProviderConfig(
        name=name,
        base_url=spec.base_url or (builtin.base_url if builtin else None),
        default_model=spec.default_model or (builtin.default_model if builtin else ""),
        secret=spec.api_key,
        env=builtin.env if builtin else (),
    )
