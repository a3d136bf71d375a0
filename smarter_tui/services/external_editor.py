"""Open a text in the user's own editor ($VISUAL, then $EDITOR, then vi) and return what they saved."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path

from smarter_tui.domain.errors import SmarterError


def editor_command() -> list[str]:
    """Return the editor command line: $VISUAL, else $EDITOR (either may hold arguments), else vi."""
    command = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    return shlex.split(command)


def edit_text(text: str, name: str = "manifest", suffix: str = ".yaml") -> str:
    """Write `text` to a private temporary file, run the editor on it, and return the file's new text.

    Blocks until the editor exits (the TUI suspends itself around this call). Raises SmarterError
    when the editor cannot be started or exits with a failure status; the file is always removed.
    """
    command = editor_command()
    handle, raw_path = tempfile.mkstemp(prefix=f"smarter-{name}-", suffix=suffix)
    path = Path(raw_path)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        try:
            done = subprocess.run([*command, str(path)], check=False)
        except OSError as exc:
            raise SmarterError(f"Cannot start the editor {command[0]!r}: {exc.strerror}") from None
        if done.returncode != 0:
            raise SmarterError(f"The editor {command[0]!r} exited with status {done.returncode}")
        return path.read_text(encoding="utf-8")
    finally:
        path.unlink(missing_ok=True)
