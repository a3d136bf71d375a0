"""Spawning the model worker process (see `providers.worker`).

Cheap to import (the standard library only), so the app spawns the worker first of all, before
Textual and the services are imported: the worker's import of the openai SDK takes longer than
the app's whole start-up, and a prompt sent right after start-up waits for it.
"""

from __future__ import annotations

import os
import subprocess
import sys


def spawn_worker() -> subprocess.Popen[bytes]:
    """Start `python -P -m smarter_tui.providers.worker` with pipes on its stdin and stdout."""
    # The worker imports this very package, wherever it was imported from, and nothing from the
    # current directory: `-m` alone would put that first on sys.path, so an `openai/` folder
    # (or a `json.py`) in the directory the user started the app from would be run instead.
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    path = os.pathsep.join(filter(None, (root, os.environ.get("PYTHONPATH"))))
    return subprocess.Popen(
        [sys.executable, "-P", "-m", "smarter_tui.providers.worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # the app owns the terminal; failures come back as messages
        env={**os.environ, "PYTHONPATH": path},
    )
