"""Secret and Provider manifests (SPEC §2.6)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from pydantic import AliasChoices, Field, field_validator, model_validator

from .base import Manifest, ManifestModel, rule_error
from .connections import check_http_url


class SecretConfig(ManifestModel):
    """`spec.config` of a Secret: the value goes to the OS keyring, never to the database."""

    value: str | None = None
    # Today's Smarter spells it expiration_date; the seed-era camelCase is accepted too.
    expiration_date: str | None = Field(
        None,
        alias="expiration_date",
        validation_alias=AliasChoices("expiration_date", "expirationDate"),
    )

    @field_validator("expiration_date", mode="before")
    @classmethod
    def _date_to_text(cls, value: Any) -> Any:
        if isinstance(value, date | datetime):
            return value.isoformat()
        return value

    @model_validator(mode="after")
    def _check(self) -> SecretConfig:
        if self.expiration_date is not None:
            text = self.expiration_date.strip()
            try:
                datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                raise rule_error(
                    f"expected a date such as 2027-12-31 (or a date and time); got {text!r}",
                    "expiration_date",
                ) from None
        return self


class SecretSpec(ManifestModel):
    """`spec` of a Secret."""

    config: SecretConfig


class SecretManifest(Manifest):
    """kind Secret."""

    KIND: ClassVar[str] = "Secret"

    spec: SecretSpec


def _snake(name: str) -> Any:
    """Return the Field of a Provider setting: today's snake_case name, camelCase accepted."""
    from pydantic.alias_generators import to_camel

    return Field(None, alias=name, validation_alias=AliasChoices(name, to_camel(name)))


class ProviderSettings(ManifestModel):
    """`spec.provider`: an OpenAI-compatible endpoint, in today's Smarter spelling (snake_case).

    The seed-era camelCase (baseUrl, apiKey, defaultModel) is accepted too.
    """

    name: str | None = None
    base_url: str = Field(alias="base_url", validation_alias=AliasChoices("base_url", "baseUrl"))
    api_key: str | None = _snake("api_key")
    default_model: str | None = _snake("default_model")
    connectivity_test_path: str | None = _snake("connectivity_test_path")
    contact_email: str | None = _snake("contact_email")
    description: str | None = None
    docs_url: str | None = _snake("docs_url")
    logo: str | None = None
    privacy_policy_url: str | None = _snake("privacy_policy_url")
    support_email: str | None = _snake("support_email")
    terms_of_service_url: str | None = _snake("terms_of_service_url")
    website_url: str | None = _snake("website_url")

    @model_validator(mode="after")
    def _check(self) -> ProviderSettings:
        self.base_url = check_http_url(self, self.base_url, "base_url")
        if self.api_key is not None:
            self.api_key = self.checked_secret_name(
                self.api_key, "api_key", what="Secret name (not the key itself)"
            )
        return self


class ProviderSpec(ManifestModel):
    """`spec` of a Provider."""

    provider: ProviderSettings


class ProviderManifest(Manifest):
    """kind Provider."""

    KIND: ClassVar[str] = "Provider"

    spec: ProviderSpec

    @model_validator(mode="after")
    def _default_name(self) -> ProviderManifest:
        # Smarter's model requires spec.provider.name: it is the manifest's name unless given.
        if self.spec.provider.name is None:
            self.spec.provider.name = self.metadata.name
        return self
