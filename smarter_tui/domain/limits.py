"""Byte bounds on what tools return and what is echoed, with a note saying what was cut."""

from __future__ import annotations

#: A tool result handed to the model (and stored) is at most this many UTF-8 bytes.
MAX_TOOL_RESULT_BYTES = 1024 * 1024
#: One cell of a SQL result is at most this many bytes.
MAX_CELL_BYTES = 64 * 1024
#: The `⚙ name(args)` line shows at most this many characters of the arguments.
MAX_ECHO_CHARS = 200


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MiB" if n % (1024 * 1024) == 0 else f"{n // 1024} KiB"


def cut_bytes(text: str, limit: int) -> str:
    """Return the longest prefix of `text` whose UTF-8 form fits in `limit` bytes."""
    if len(text) <= limit // 4:  # fast path: 4 bytes per character at most
        return text
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", errors="ignore")


def cap_text(text: str, limit: int = MAX_TOOL_RESULT_BYTES) -> str:
    """Return `text`, or its first `limit` bytes plus a note the model can read."""
    kept = cut_bytes(text, limit)
    if kept is text or kept == text:
        return text
    total = len(text.encode("utf-8"))
    return f"{kept}\n[truncated: the result had {total:,} bytes; only the first {_size(limit)} is shown]"


def cap_cell(value: str, limit: int = MAX_CELL_BYTES) -> tuple[str, bool]:
    """Return (a cell value cut to `limit` bytes with a marker, whether it was cut)."""
    kept = cut_bytes(value, limit)
    if kept is value or kept == value:
        return value, False
    return f"{kept}…[cut at {_size(limit)} of {len(value.encode('utf-8')):,} bytes]", True


def short_echo(text: str, limit: int = MAX_ECHO_CHARS) -> str:
    """Return `text` for a one-line echo: at most `limit` characters, saying how long it was."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"
