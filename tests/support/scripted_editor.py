"""A scripted $EDITOR for `smarter-tui edit` tests: each run applies the next step of a script.

Usage: python scripted_editor.py FILE, with SCRIPTED_EDITOR_DIR holding steps.json (a list of
steps: {"replace": [old, new]}, {"prepend": text} or {"keep": true}) and a counter. Every run
saves what it was shown as seen-N.yaml in that folder, so a test can read the re-opened file.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def main() -> int:
    folder = Path(os.environ["SCRIPTED_EDITOR_DIR"])
    target = Path(sys.argv[-1])
    counter = folder / "count"
    run = int(counter.read_text()) if counter.exists() else 0
    counter.write_text(str(run + 1))
    steps = json.loads((folder / "steps.json").read_text())
    text = target.read_text(encoding="utf-8")
    (folder / f"seen-{run}.yaml").write_text(text, encoding="utf-8")
    if run >= len(steps):
        print(f"scripted editor: no step {run}", file=sys.stderr)
        return 3
    step = steps[run]
    if "replace" in step:
        old, new = step["replace"]
        if old not in text:
            print(f"scripted editor: {old!r} not found", file=sys.stderr)
            return 4
        text = text.replace(old, new, 1)
    if "prepend" in step:
        text = step["prepend"] + text
    target.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
