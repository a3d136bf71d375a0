"""One line under the prompt: model, the chat's own settings, turn tokens, tool rounds, session key."""

from __future__ import annotations

from textual.reactive import reactive
from textual.widgets import Static


class StatusLine(Static):
    """Renders the chat state; every field is reactive so updates are cheap."""

    model: reactive[str] = reactive("")
    chat_settings: reactive[str] = reactive("")  # this chat's own settings, e.g. "temp 0.3"
    offline: reactive[bool] = reactive(False)
    tokens: reactive[str] = reactive("")
    rounds: reactive[int] = reactive(0)
    session_key: reactive[str] = reactive("")
    state: reactive[str] = reactive("ready")

    def render(self) -> str:
        parts = [f"model {self.model}" + (" [offline demo]" if self.offline else "")]
        if self.chat_settings:
            parts.append(self.chat_settings)
        if self.tokens:
            parts.append(f"tokens {self.tokens}")
        parts.append(f"tool rounds {self.rounds}")
        parts.append(f"session {self.session_key[:8] or 'new'}")
        parts.append(self.state)
        return "  ·  ".join(parts)
