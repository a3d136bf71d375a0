"""The LLMClient manifest (formerly "Chatbot"): a named assistant configuration (SPEC §2.1).

Two shapes, one model: today's Smarter nests the settings (`spec.config.prompt`,
`spec.config.styles`, `spec.extensions`); the seed-era flat shape (`spec.config.appName`,
`spec.functions`) is accepted and read into the nested model, with one warning.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import AliasChoices, Field, field_validator, model_validator

from smarter_tui.domain.tools import BUILTIN_FUNCTIONS

from .base import Manifest, ManifestModel, StrList, rule_error

#: The settings of `spec.config.prompt` (Smarter's names).
PROMPT_FIELDS = frozenset(
    {
        "allowedOrigins",
        "appAssistant",
        "appExamplePrompts",
        "appFileAttachment",
        "appInfoUrl",
        "appName",
        "appPlaceholder",
        "appWelcomeMessage",
        "customDomain",
        "defaultMaxTokens",
        "defaultModel",
        "defaultSystemRole",
        "defaultTemperature",
        "deployed",
        "provider",
        "subdomain",
    }
)
#: The settings of `spec.config.styles` (Smarter's names).
STYLE_FIELDS = frozenset(
    {
        "appBackgroundImageSize",
        "appBackgroundImageUrl",
        "appLogoUrl",
        "assistantAvatarUrl",
        "borderRadius",
        "buttons",
        "conversationHeader",
        "fontFamily",
        "fontSize",
        "googleFont",
        "incomingMessage",
        "mainContainer",
        "messageInput",
        "messageList",
        "outgoingMessage",
        "typingIndicator",
        "userAvatarUrl",
    }
)
# Set by the before-validators, read (and removed) by the after-validators: which seed-era
# spellings the text used, so that the warning names them.
_FLAT_MARK = "__flat_keys__"
_FUNCTIONS_MARK = "__functions_key__"


class CustomDomain(ManifestModel):
    """`spec.config.prompt.customDomain`: Smarter's {domain_name, aws_hosted_zone_id}."""

    domain_name: str = Field(alias="domain_name")
    aws_hosted_zone_id: str = Field("", alias="aws_hosted_zone_id")


class LLMClientPrompt(ManifestModel):
    """`spec.config.prompt`: provider, model, sampling, the chat's texts and where it is published."""

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
    app_file_attachment: bool = False
    allowed_origins: list[str] | None = None
    subdomain: str | None = None
    custom_domain: CustomDomain | None = None
    deployed: bool = False

    @field_validator("custom_domain", mode="before")
    @classmethod
    def _domain_text(cls, value: Any) -> Any:
        # The seed era wrote a plain domain name; Smarter's model is an object.
        if isinstance(value, str):
            return {"domain_name": value.strip(), "aws_hosted_zone_id": ""} if value.strip() else None
        return value

    @model_validator(mode="after")
    def _check(self) -> LLMClientPrompt:
        if self.provider is not None:
            self.provider = self.checked_name(self.provider, "provider", what="provider name")
        if self.default_temperature is not None and self.default_temperature > 1:
            self.note(
                f"temperature {self.default_temperature} kept (0..2 here; Smarter's models allow 0..1)",
                "defaultTemperature",
            )
        return self


class StyleBox(ManifestModel):
    """One part of the chat's look in `spec.config.styles` (header, bubbles, input, ...): colours."""

    color: str | None = None
    background_color: str | None = None
    border_color: str | None = None
    link_color: str | None = None
    info_color: str | None = None
    editor_background_color: str | None = None
    placeholder_color: str | None = None


class LLMClientStyles(ManifestModel):
    """`spec.config.styles`: the chat's look (kept and shown again; a terminal uses little of it)."""

    app_background_image_size: Literal["cover", "contain", "auto"] | None = None
    app_background_image_url: str | None = None
    app_logo_url: str | None = None
    assistant_avatar_url: str | None = None
    user_avatar_url: str | None = None
    border_radius: str | None = None
    font_family: str | None = None
    font_size: str | None = None
    google_font: str | None = None
    buttons: StyleBox | None = None
    conversation_header: StyleBox | None = None
    incoming_message: StyleBox | None = None
    outgoing_message: StyleBox | None = None
    main_container: StyleBox | None = None
    message_input: StyleBox | None = None
    message_list: StyleBox | None = None
    typing_indicator: StyleBox | None = None


class LLMClientConfig(ManifestModel):
    """`spec.config`: `prompt` (what the client is and does) and `styles` (its look)."""

    prompt: LLMClientPrompt = Field(default_factory=lambda: LLMClientPrompt.model_validate({}))
    styles: LLMClientStyles | None = None

    @model_validator(mode="before")
    @classmethod
    def _nest_flat_settings(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        flat = [key for key in data if key in PROMPT_FIELDS or key in STYLE_FIELDS]
        if not flat:
            return data
        data = dict(data)
        prompt = dict(data.get("prompt") or {}) if isinstance(data.get("prompt") or {}, dict) else None
        styles = dict(data.get("styles") or {}) if isinstance(data.get("styles") or {}, dict) else None
        if prompt is None or styles is None:
            return data  # let the type errors speak
        for key in flat:
            value = data.pop(key)
            target = prompt if key in PROMPT_FIELDS else styles
            target.setdefault(key, value)  # the nested form wins when both are written
        data["prompt"] = prompt
        if styles:
            data["styles"] = styles
        data[_FLAT_MARK] = flat
        return data

    @model_validator(mode="after")
    def _note_flat(self) -> LLMClientConfig:
        flat = (self.model_extra or {}).pop(_FLAT_MARK, None)
        if flat:
            styled = [key for key in flat if key in STYLE_FIELDS]
            where = "spec.config.prompt" + (f" ({', '.join(styled)}: spec.config.styles)" if styled else "")
            self.note(f"seed-era flat shape read as today's nested one: Smarter writes these under {where}")
        return self


class LLMClientSpec(ManifestModel):
    """`spec` of an LLMClient: config, built-in functions, plugins, MCP clients, guardrails, API key."""

    api_key: str | None = None
    config: LLMClientConfig
    # Today's Smarter lists the built-in tools as `extensions`; the seed era called them `functions`.
    extensions: StrList = Field([], validation_alias=AliasChoices("extensions", "functions"))
    plugins: StrList = []
    mcp_clients: list[str] | None = None
    guardrails: list[str] | None = None

    @model_validator(mode="before")
    @classmethod
    def _merge_functions(cls, data: Any) -> Any:
        if isinstance(data, dict) and "functions" in data:
            data = dict(data)
            functions = data.pop("functions")
            extensions = data.get("extensions")
            if isinstance(extensions, list) and isinstance(functions, list):
                data["extensions"] = [*extensions, *functions]
            elif extensions is None:
                data["extensions"] = functions
            data[_FUNCTIONS_MARK] = True
        return data

    @field_validator("extensions")
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
        if (self.model_extra or {}).pop(_FUNCTIONS_MARK, None):
            self.note("'functions' is the former name of 'extensions'; stored as extensions", "functions")
        functions: list[str] = []
        for index, name in enumerate(self.extensions):
            if name in functions:
                self.note(f"duplicate function {name!r} ignored", "extensions", index)
                continue
            functions.append(name)
        self.extensions = functions
        self.plugins = self.checked_names(self.plugins, "plugins", "plugin name")
        if self.api_key is not None:
            self.api_key = self.checked_secret_name(self.api_key, "apiKey", what="API key name")
        for field in ("mcp_clients", "guardrails"):
            if getattr(self, field):
                alias = "mcpClients" if field == "mcp_clients" else field
                self.note(f"{alias} accepted and kept; they are not run locally yet", alias)
        return self


class LLMClientManifest(Manifest):
    """kind LLMClient (alias Chatbot)."""

    KIND: ClassVar[str] = "LLMClient"
    KIND_ALIASES: ClassVar[dict[str, str]] = {
        "Chatbot": "kind 'Chatbot' is the former name of 'LLMClient'; stored as LLMClient",
    }

    spec: LLMClientSpec
