"""Reading and writing the start-up caches' files (`code_cache`, `ui.css_cache`).

Both caches hold what the program runs or unpickles, so a file is read only when it belongs to
the user running the program, and written whole (a temporary file renamed over the old one) so a
reader never sees half a file. A failure either way only costs the cache.

Standard library only, and cheap to import: `code_cache` uses it before Textual is imported.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def read_owned(path: Path) -> bytes | None:
    """Return the bytes of `path`; None when it is missing, unreadable or another user's."""
    try:
        with path.open("rb") as file:
            if hasattr(os, "getuid") and os.fstat(file.fileno()).st_uid != os.getuid():
                return None  # what another user could have written is never run or unpickled
            return file.read()
    except OSError:
        return None


def write_whole(path: Path, data: bytes) -> bool:
    """Write `data` to `path` through a temporary file renamed over it; return whether it did.

    A read-only or full disk returns False and leaves no temporary file behind.
    """
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        return False
    return True
