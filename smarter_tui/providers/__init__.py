"""Model backends behind the `ModelProvider` protocol: OpenAI-compatible servers and the offline demo.

Importing this package is cheap: `openai` is imported on the first real model call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # only named in annotations: importing the package stays free of the domain
    from smarter_tui.domain.models import ModelProvider
    from smarter_tui.providers.offline import OfflineProvider
    from smarter_tui.providers.openai_compat import OpenAICompatibleProvider

__all__ = ["OfflineProvider", "OpenAICompatibleProvider", "is_offline", "make_provider", "model_timeout"]


def __getattr__(name: str) -> Any:
    """Import a provider class when it is first named (the offline demo's skills and parsers are
    ~10 ms of start-up that a chat needs only at its first prompt, where warm-up imports them)."""
    if name == "OfflineProvider":
        from smarter_tui.providers.offline import OfflineProvider

        return OfflineProvider
    if name == "OpenAICompatibleProvider":
        from smarter_tui.providers.openai_compat import OpenAICompatibleProvider

        return OpenAICompatibleProvider
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: The default bound, in seconds, on one model call (every attempt and wait included).
DEFAULT_MODEL_TIMEOUT = 60.0


def model_timeout() -> float:
    """Return the model-call bound: SMARTER_TUI_MODEL_TIMEOUT when set to a positive number, else 60."""
    import os

    try:
        value = float(os.environ.get("SMARTER_TUI_MODEL_TIMEOUT") or DEFAULT_MODEL_TIMEOUT)
    except ValueError:
        return DEFAULT_MODEL_TIMEOUT
    return value if value > 0 else DEFAULT_MODEL_TIMEOUT


def is_offline(name: str, base_url: str | None) -> bool:
    """Return True when a configuration names the offline demo: "offline", or no URL or "offline" as URL."""
    return name == "offline" or base_url is None or base_url.strip().lower() == "offline"


def make_provider(
    name: str,
    base_url: str | None,
    api_key: str | None,
    default_model: str,
    timeout: float | None = None,
) -> ModelProvider:
    """Return the provider for a configuration: offline when `name` is "offline" or there is no URL.

    `base_url` None or "offline" selects the `OfflineProvider` too; anything else gets an
    `OpenAICompatibleProvider` (keyless when `api_key` is None). `timeout` bounds each model call
    (attempts and waits together); by default SMARTER_TUI_MODEL_TIMEOUT seconds, else 60.
    """
    if timeout is None:
        timeout = model_timeout()
    if base_url is None or is_offline(name, base_url):
        from smarter_tui.providers.offline import OfflineProvider

        return OfflineProvider(default_model=default_model or OfflineProvider.DEFAULT_MODEL)
    from smarter_tui.providers.openai_compat import OpenAICompatibleProvider

    return OpenAICompatibleProvider(
        name=name,
        base_url=base_url,
        api_key=api_key,
        default_model=default_model,
        timeout=timeout,
    )


def preload() -> None:
    """Import the SDK now (from a background thread) so the first real request is not delayed.

    Building a throwaway client also loads the SDK's lazily imported chat resources and the
    HTTP stack; nothing is sent.
    """
    from openai import AsyncOpenAI

    client = AsyncOpenAI(api_key="preload", base_url="http://127.0.0.1:9/v1")
    _ = client.chat.completions
