"""One line under the prompt: model, chat settings, tokens, tool rounds, session key, state."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static


class StatusLine(Static):
    """Renders the chat state; every field is reactive so updates are cheap.

    The state word (`ready`, `streaming…`, `interrupted`, `error`) is pinned to the right end and
    never cut: when the line is too long, the details on the left are shortened instead.
    """

    model: reactive[str] = reactive("")
    chat_settings: reactive[str] = reactive("")  # this chat's own settings, e.g. "temp 0.3"
    offline: reactive[bool] = reactive(False)
    tokens: reactive[str] = reactive("")
    rounds: reactive[int] = reactive(0)
    session_key: reactive[str] = reactive("")
    state: reactive[str] = reactive("ready")

    def details(self, level: int = 0) -> str:
        """Return the left part of the line (all but the state word); a higher `level` is shorter.

        0: everything with labels; 1: short labels; 2: without the round count; 3: without the
        token counts. The session key is never dropped (it is how a chat is found again).
        """
        session = self.session_key[:8] or "new"
        if level == 0:
            parts = [f"model {self.model}" + (" [offline demo]" if self.offline else "")]
            if self.chat_settings:
                parts.append(self.chat_settings)
            if self.tokens:
                parts.append(f"tokens {self.tokens}")
            parts.append(f"tool rounds {self.rounds}")
            parts.append(f"session {session}")
            return "  ·  ".join(parts)
        tokens = self.tokens.replace(" in / ", "→").replace(" out", " tok") if level < 3 else ""
        rounds = f"{self.rounds} rounds" if level < 2 else ""
        own = self.chat_settings if level < 2 else ""
        tail = " · ".join(p for p in (own, tokens, rounds, session) if p)
        return f"{self.model}{' (offline)' if self.offline else ''} · {tail}"

    def render(self) -> Text:
        width = self.content_size.width or 200
        state = self.state
        room = width - len(state) - 2
        if room < 2:
            return Text(state[:width])
        level = 0
        left = self.details(level)
        while len(left) > room and level < 3:
            level += 1
            left = self.details(level)
        if len(left) > room:  # cut the model name, keep the rest
            keep = left[left.index(" · ") :]
            model_room = room - len(keep) - 1
            left = (left[:model_room] + "…" + keep) if model_room > 3 else left[: room - 1] + "…"
        line = Text(left)
        line.append(" " * (width - len(left) - len(state)))
        line.append(state, style="bold" if state in ("error", "interrupted") else "")
        return line
