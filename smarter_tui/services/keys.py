"""API keys and secret values: set, delete and list what the keyring holds, never showing values."""

from __future__ import annotations

from dataclasses import dataclass

from smarter_tui.config.secrets import SecretStore
from smarter_tui.domain.errors import RequestError
from smarter_tui.domain.records import CatalogueEntry
from smarter_tui.manifests.specs import ApiConnectionSpec, connection_spec_of
from smarter_tui.services.providers import BUILTIN_PROVIDERS, provider_from_manifest
from smarter_tui.storage import Database


@dataclass(slots=True)
class KeyStatus:
    """A secret name, what uses it, and whether a value is available (never the value)."""

    name: str
    used_by: str
    stored: bool


class KeyService:
    """Manages secret values by name; a provider name stands for its key's secret."""

    def __init__(self, db: Database, secrets: SecretStore) -> None:
        self.db = db
        self.secrets = secrets

    def secret_name(self, name: str) -> str:
        """Return the secret behind `name`: a provider's key secret, or `name` itself."""
        entry = self.db.catalogue.get("provider", name)
        provider = provider_from_manifest(entry.manifest) if entry else BUILTIN_PROVIDERS.get(name)
        if provider is not None:
            if provider.secret is None:
                raise RequestError(f"Provider {name!r} needs no API key")
            return provider.secret
        return name

    def set(self, name: str, value: str) -> str:
        """Store a value under `name` (or the provider's secret); return the secret name used."""
        if not value.strip():
            raise RequestError("The value is empty")
        secret = self.secret_name(name)
        self.secrets.set(secret, value.strip())
        return secret

    def delete(self, name: str) -> bool:
        """Delete the stored value; return False when none was stored."""
        return self.secrets.delete(self.secret_name(name))

    def list(self) -> list[KeyStatus]:
        """Return every secret name known from providers, connections and Secret manifests."""
        found: dict[str, str] = {}
        for provider in BUILTIN_PROVIDERS.values():
            if provider.secret:
                found.setdefault(provider.secret, f"provider {provider.name}")
        entry: CatalogueEntry
        for entry in self.db.catalogue.list("provider"):
            config = provider_from_manifest(entry.manifest)
            if config.secret:
                found[config.secret] = f"provider {entry.name}"
        for entry in self.db.catalogue.list("connection"):
            connection = connection_spec_of(entry.manifest)
            secret = connection.api_key if isinstance(connection, ApiConnectionSpec) else connection.password
            if secret:
                found[secret] = f"connection {entry.name}"
        for entry in self.db.catalogue.list("secret"):
            found.setdefault(entry.name, "secret")
        envs = {p.secret: p.env for p in BUILTIN_PROVIDERS.values() if p.secret}
        return [
            KeyStatus(name, used_by, self.secrets.is_set(name, envs.get(name, ())))
            for name, used_by in sorted(found.items())
        ]
