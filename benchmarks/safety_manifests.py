"""Mutated manifests: tracebacks, hangs, time, memory, refusals without a line (issue 11 items 4-5).

Mutates the bundled example manifests (the same hostile snippets as the property test) with a
seeded random generator, loads each in-process and counts: anything but a ManifestError (a
traceback: exit 2 in the CLI), runs over 1 s, the slowest run, refusals without a line number or
spilling onto two lines. The nastiest files then go through `apply` in real subprocesses, whose
exit codes, stderr lines and peak RSS are reported. Targets: 0 / 0 / < 1 s / 0 / 0, RSS < 200 MB.

    python benchmarks/safety_manifests.py [--count 3000]
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from smarter_tui.domain.errors import ManifestError  # noqa: E402
from smarter_tui.manifests.loader import load_text  # noqa: E402
from tests.e2e.test_hostile_manifests import HOSTILE  # noqa: E402
from tests.unit.manifests.test_manifest_fuzz import SNIPPETS, TEXTS  # noqa: E402

LINE = re.compile(r"\bline \d+")


def mutate(rng: random.Random) -> str:
    text = rng.choice(TEXTS)
    for _ in range(rng.randint(1, 4)):
        lines = text.splitlines(keepends=True) or [""]
        at = rng.randrange(len(lines))
        op = rng.choice(["insert", "delete", "duplicate", "swap", "replace", "truncate"])
        if op == "insert":
            col = rng.randint(0, len(lines[at]))
            lines[at] = lines[at][:col] + rng.choice(SNIPPETS) + lines[at][col:]
        elif op == "delete":
            del lines[at]
        elif op == "duplicate":
            lines.insert(at, lines[at])
        elif op == "swap":
            other = rng.randrange(len(lines))
            lines[at], lines[other] = lines[other], lines[at]
        elif op == "replace" and ":" in lines[at]:
            lines[at] = lines[at].split(":", 1)[0] + ": " + rng.choice(SNIPPETS) + "\n"
        elif op == "truncate":
            lines = lines[: at + 1]
        text = "".join(lines)
    return text


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=3000)
    args = parser.parse_args()
    rng = random.Random(2865)
    tracebacks, hangs, no_line, two_lines, refused, accepted = 0, 0, 0, 0, 0, 0
    slowest = 0.0
    examples: list[str] = []
    for _ in range(args.count):
        text = mutate(rng)
        started = time.process_time()
        try:
            load_text(text, "mutated.yaml")
            accepted += 1
        except ManifestError as exc:
            refused += 1
            for problem in [exc.message, *exc.problems]:
                no_line += not LINE.search(problem)
                two_lines += "\n" in problem
        except Exception as exc:  # noqa: BLE001 - counted: this is what the benchmark looks for
            tracebacks += 1
            examples.append(f"{type(exc).__name__}: {exc}"[:120])
        spent = time.process_time() - started
        slowest = max(slowest, spent)
        hangs += spent > 1.0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"mutated manifests loaded in-process: {args.count} ({accepted} accepted, {refused} refused)")
    print(f"  tracebacks (non-manifest errors): {tracebacks:5d}   target 0  {examples[:3]}")
    print(f"  runs over 1 s CPU:                {hangs:5d}   target 0")
    print(f"  slowest run:                      {slowest:5.2f} s target < 1 s")
    print(f"  refusals without a line number:   {no_line:5d}   target 0")
    print(f"  refusals on more than one line:   {two_lines:5d}   target 0")
    print(f"  max RSS of this process:          {rss:5.0f} MB  target < 200 MB")
    folder = Path(tempfile.mkdtemp())
    print("\nhostile files through `apply` (subprocess):")
    for name, text in HOSTILE.items():
        path = folder / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "smarter_tui", "apply", "-f", str(path)],
            capture_output=True,
            text=True,
            env={"SMARTER_TUI_HOME": str(folder / "home"), "SMARTER_TUI_KEYRING": "file", "PATH": ""},
        )
        wall = time.monotonic() - started
        lines = done.stderr.strip().splitlines()
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(
            f"  {name:16} exit {done.returncode}  {len(lines)} line(s)  line no. "
            f"{'yes' if lines and LINE.search(lines[0]) else 'NO'}  {wall:5.2f} s wall  "
            f"children peak RSS so far {peak:.0f} MB"
        )


if __name__ == "__main__":
    main()
