"""Running `smarter-tui` in a subprocess against a temporary data directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class Result:
    """A finished CLI process."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


class Cli:
    """Runs the real command line (`python -m smarter_tui`) with SMARTER_TUI_HOME set."""

    def __init__(self, home: Path, env: dict[str, str] | None = None) -> None:
        self.home = home
        self.env = {
            **os.environ,
            "SMARTER_TUI_HOME": str(home),
            "SMARTER_TUI_KEYRING": "file",
            "PYTHONIOENCODING": "utf-8",
            **(env or {}),
        }

    def __call__(self, *args: str, stdin: str | None = None, timeout: float = 60) -> Result:
        proc = subprocess.run(
            [sys.executable, "-m", "smarter_tui", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=self.env,
            timeout=timeout,
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)
