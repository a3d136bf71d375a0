"""One line under the prompt: model, token usage of the turn, tool rounds, short session key."""

from __future__ import annotations

from textual.reactive import reactive
from textual.widgets import Static


class StatusLine(Static):
    """Renders the chat state; every field is reactive so updates are cheap."""

    model: reactive[str] = reactive("")
    offline: reactive[bool] = reactive(False)
    tokens: reactive[str] = reactive("")
    rounds: reactive[int] = reactive(0)
    session_key: reactive[str] = reactive("")
    state: reactive[str] = reactive("ready")

    def render(self) -> str:
        parts = [f"model {self.model}" + (" [offline demo]" if self.offline else "")]
        if self.tokens:
            parts.append(f"tokens {self.tokens}")
        parts.append(f"tool rounds {self.rounds}")
        parts.append(f"session {self.session_key[:8] or 'new'}")
        parts.append(self.state)
        return "  ·  ".join(parts)
