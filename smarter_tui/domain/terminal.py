"""One filter for every string bound for a terminal: data must never drive the terminal.

`terminal_safe` turns every control character except tab and newline — C0 (ESC included, so no
CSI/OSC/DCS sequence survives: the title-setting `ESC]0;…BEL` and clipboard-writing
`ESC]52;…BEL` become plain text), DEL and C1 (U+0080-U+009F, whose 8-bit CSI/OSC forms some
terminals obey) — into a visible, inert `\\xNN`. The text stays readable and nothing is lost; a
Windows line end becomes a newline. `json_safe` escapes C1 in JSON text (json.dumps escapes C0).
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_C1 = re.compile(r"[\x7f-\x9f]")


def _shown(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group(0)):02x}"


def terminal_safe(text: str) -> str:
    """Return `text` with every control character but tab and newline made visible and inert."""
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(_shown, text.replace("\r\n", "\n"))


def json_safe(json_text: str) -> str:
    """Return JSON text with DEL and C1 characters written as \\u escapes (the same JSON value)."""
    return _C1.sub(lambda m: f"\\u{ord(m.group(0)):04x}", json_text)
