"""Secret and Provider manifests (SPEC §2.6)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from pydantic import field_validator, model_validator

from .base import Manifest, ManifestModel
from .connections import check_http_url


class SecretConfig(ManifestModel):
    """`spec.config` of a Secret: the value goes to the OS keyring, never to the database."""

    value: str | None = None
    expiration_date: str | None = None

    @field_validator("expiration_date", mode="before")
    @classmethod
    def _date_to_text(cls, value: Any) -> Any:
        if isinstance(value, date | datetime):
            return value.isoformat()
        return value


class SecretSpec(ManifestModel):
    """`spec` of a Secret."""

    config: SecretConfig


class SecretManifest(Manifest):
    """kind Secret."""

    KIND: ClassVar[str] = "Secret"

    spec: SecretSpec


class ProviderSettings(ManifestModel):
    """`spec.provider`: an OpenAI-compatible endpoint."""

    base_url: str
    default_model: str | None = None
    api_key: str | None = None

    @model_validator(mode="after")
    def _check(self) -> ProviderSettings:
        self.base_url = check_http_url(self, self.base_url, "baseUrl")
        if self.api_key is not None:
            self.api_key = self.checked_secret_name(
                self.api_key, "apiKey", what="Secret name (not the key itself)"
            )
        return self


class ProviderSpec(ManifestModel):
    """`spec` of a Provider."""

    provider: ProviderSettings


class ProviderManifest(Manifest):
    """kind Provider."""

    KIND: ClassVar[str] = "Provider"

    spec: ProviderSpec
