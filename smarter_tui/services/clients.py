"""The LLM clients as a chat view lists them: names, provider, model, offline badge, key status."""

from __future__ import annotations

from dataclasses import dataclass, field

from smarter_tui.config.secrets import SecretStore
from smarter_tui.domain.errors import SmarterError
from smarter_tui.services.providers import model_for
from smarter_tui.services.runtime import RuntimeBuilder, client_spec
from smarter_tui.storage import Database


@dataclass(slots=True)
class ClientView:
    """What the client pane shows and what a new chat starts from."""

    name: str
    app_name: str
    assistant: str
    provider: str
    model: str
    offline: bool
    needs_key: bool  # the provider needs an API key and none is available
    key_name: str | None  # the secret to set when `needs_key`
    welcome: str
    examples: list[str] = field(default_factory=list)
    placeholder: str = "Ask me anything…"
    description: str | None = None
    problem: str | None = None  # e.g. an unknown provider: shown instead of failing the whole list


def list_clients(db: Database, runtimes: RuntimeBuilder, secrets: SecretStore) -> list[ClientView]:
    """Return every LLM client with its provider status, sorted by app name."""
    views = []
    for entry in db.catalogue.list("llmclient"):
        spec = client_spec(entry)
        problem = None
        try:
            provider = runtimes.provider_config(spec.provider)
            provider_name, offline = provider.name, provider.offline
            model = model_for(provider, spec.default_model)
            secret = provider.secret
            needs_key = bool(secret) and not offline and not secrets.is_set(secret or "", provider.env)
        except SmarterError as exc:
            provider_name, offline, secret, needs_key = str(spec.provider), False, None, False
            model = spec.default_model or ""
            problem = exc.message
        views.append(
            ClientView(
                name=entry.name,
                app_name=spec.app_name or entry.name.replace("_", " ").title(),
                assistant=spec.app_assistant or "Assistant",
                provider=provider_name,
                model=model,
                offline=offline,
                needs_key=needs_key,
                key_name=secret if needs_key else None,
                welcome=spec.app_welcome_message or "Hello! How can I help?",
                examples=list(spec.app_example_prompts),
                placeholder=spec.app_placeholder or "Ask me anything…",
                description=entry.description,
                problem=problem,
            )
        )
    return sorted(views, key=lambda v: v.app_name.lower())
