"""The LLMClient manifest (formerly "Chatbot"): a named assistant configuration (SPEC §2.1)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, field_validator, model_validator

from smarter_tui.domain.tools import BUILTIN_FUNCTIONS

from .base import Manifest, ManifestModel, StrList, rule_error


class LLMClientConfig(ManifestModel):
    """`spec.config`: provider, model, sampling and the UI texts."""

    provider: str | None = None
    default_model: str | None = None
    default_system_role: str | None = None
    default_temperature: float | None = Field(0.5, ge=0, le=2)
    default_max_tokens: int | None = Field(2048, gt=0)
    app_name: str | None = None
    app_assistant: str | None = None
    app_welcome_message: str | None = None
    app_example_prompts: StrList = []
    app_placeholder: str | None = None
    app_info_url: str | None = None
    app_logo_url: str | None = None
    app_background_image_url: str | None = None
    app_file_attachment: bool = False
    subdomain: str | None = None
    custom_domain: str | None = None
    deployed: bool = False

    @model_validator(mode="after")
    def _check(self) -> LLMClientConfig:
        if self.provider is not None:
            self.provider = self.checked_name(self.provider, "provider", what="provider name")
        if self.default_temperature is not None:
            self.default_temperature = float(self.default_temperature)
        return self


class LLMClientSpec(ManifestModel):
    """`spec` of an LLMClient: config, built-in functions, plugin names, optional HTTP API key name."""

    api_key: str | None = None
    config: LLMClientConfig
    functions: StrList = []
    plugins: StrList = []

    @field_validator("functions")
    @classmethod
    def _known_functions(cls, names: list[str]) -> list[str]:
        for index, name in enumerate(names):
            if name.strip() not in BUILTIN_FUNCTIONS:
                raise rule_error(
                    f"unknown function {name!r}; expected one of {', '.join(BUILTIN_FUNCTIONS)}",
                    index,
                )
        return [name.strip() for name in names]

    @model_validator(mode="after")
    def _check(self) -> LLMClientSpec:
        functions: list[str] = []
        for index, name in enumerate(self.functions):
            if name in functions:
                self.note(f"duplicate function {name!r} ignored", "functions", index)
                continue
            functions.append(name)
        self.functions = functions
        self.plugins = self.checked_names(self.plugins, "plugins", "plugin name")
        if self.api_key is not None:
            self.api_key = self.checked_secret_name(self.api_key, "apiKey", what="API key name")
        return self


class LLMClientManifest(Manifest):
    """kind LLMClient (alias Chatbot)."""

    KIND: ClassVar[str] = "LLMClient"
    KIND_ALIASES: ClassVar[dict[str, str]] = {
        "Chatbot": "kind 'Chatbot' is the former name of 'LLMClient'; stored as LLMClient",
    }

    spec: LLMClientSpec
