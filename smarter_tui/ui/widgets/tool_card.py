"""A compact, collapsible card for one tool call: name, arguments, result or error, duration."""

from __future__ import annotations

import json

from textual.widgets import Collapsible, Static

from smarter_tui.domain.limits import cap_text
from smarter_tui.domain.terminal import terminal_safe

#: A card shows at most this much of the arguments and of the result (the whole is stored).
CARD_BYTES = 16 * 1024


def _pretty(text: str | None) -> str:
    if not text:
        return ""
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text


class ToolCard(Collapsible):
    """Collapsed by default; the title says what ran and how it went."""

    def __init__(self, call_id: str, name: str, arguments: str, source: str = "") -> None:
        self.call_id = call_id
        self.tool_name = name
        self.source = source
        self.arguments = arguments
        self.result: str | None = None
        self.error: str | None = None
        self._body = Static(self._body_text(), markup=False, classes="tool-body")
        super().__init__(self._body, title=self._heading("running…"), collapsed=True, classes="tool-card")

    def _heading(self, state: str) -> str:
        return terminal_safe(f"⚙ {self.source or self.tool_name} · {state}")

    def _body_text(self) -> str:
        parts = [f"arguments:\n{_pretty(cap_text(self.arguments, CARD_BYTES)) or '{}'}"]
        if self.error is not None:
            parts.append(f"error: {self.error}")
        elif self.result is not None:
            parts.append(f"result:\n{_pretty(cap_text(self.result, CARD_BYTES))}")
        return terminal_safe("\n\n".join(parts))

    def finish(self, result: str | None, error: str | None, duration_ms: float | None) -> None:
        """Show the outcome of the call."""
        self.result, self.error = result, error
        timing = f"{duration_ms:.0f} ms" if duration_ms is not None else "done"
        self.title = self._heading(f"error · {timing}" if error else timing)
        self.set_class(error is not None, "failed")
        self._body.update(self._body_text())
