"""Mutated manifests: refused in one line with a line number, or accepted; never a crash or a blow-up.

Hypothesis mutates the bundled example manifests (hostile snippets spliced in, lines deleted,
duplicated or swapped, values replaced) and runs the loader in-process. Every outcome must be
either a list of manifests or a ManifestError whose every problem is one line naming a line
number; nothing else may escape (the CLI would exit 2), and no example may take more than 1 s of
CPU or grow the process by 200 MB. A handful of the nastiest files also go through `apply` in a
real subprocess (tests/e2e/test_hostile_manifests.py).
"""

from __future__ import annotations

import re
import resource
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smarter_tui.domain.errors import ManifestError
from smarter_tui.manifests.loader import load_text
from tests.support.cpu import cpu_clock

SEEDS = sorted((Path(__file__).parents[3] / "assets" / "manifests").glob("*.yaml"))
TEXTS = [p.read_text(encoding="utf-8") for p in SEEDS]
LINE = re.compile(r"\bline \d+")

_BOMB = "x: &a [l,l,l,l,l,l,l,l,l]\n" + "".join(
    f"x{i}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8)
)
SNIPPETS = [
    "&a ",
    "*a",
    "&a [*a]",
    "!!binary aGk=",
    "!!set {a, b}",
    "!!omap [a: 1]",
    "!!python/object:os.system x",
    "!custom x",
    "[" * 300 + "]" * 300,
    "{a: " * 150 + "}" * 150,
    _BOMB,
    "\x00",
    "\x1b]0;title\x07",
    "\x85",
    "\ufeff",
    "\t",
    "---\n",
    "...\n",
    ": ",
    "- ",
    "? [a, b]\n: c\n",
    "{",
    "]",
    "'",
    '"',
    "\\",
    "%YAML 1.1\n",
    "<<: *a\n",
    "1e9999",
    "-0x1F",
    "2024-02-30",
    "sk-proj-" + "A1b2C3d4" * 6,
    "AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q",
    "'; DROP TABLE items; --",
    "SELECT 1; DELETE FROM items",
    "ATTACH DATABASE 'x' AS y",
    "http://example.com:99999/",
    "http://exa mple.com/",
    "null",
    "~",
    "\n",
    "é" * 10,
]


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(TEXTS))
    for _ in range(draw(st.integers(1, 4))):
        lines = text.splitlines(keepends=True) or [""]
        op = draw(st.sampled_from(["insert", "delete", "duplicate", "swap", "replace_value", "truncate"]))
        at = draw(st.integers(0, len(lines) - 1))
        if op == "insert":
            column = draw(st.integers(0, len(lines[at])))
            snippet = draw(st.sampled_from(SNIPPETS) | st.text(max_size=8))
            lines[at] = lines[at][:column] + snippet + lines[at][column:]
        elif op == "delete":
            del lines[at]
        elif op == "duplicate":
            lines.insert(at, lines[at])
        elif op == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], lines[at]
        elif op == "replace_value" and ":" in lines[at]:
            key = lines[at].split(":", 1)[0]
            lines[at] = f"{key}: {draw(st.sampled_from(SNIPPETS))}\n"
        elif op == "truncate":
            lines = lines[: at + 1]
        text = "".join(lines)
    return text


_baseline_kb: list[int] = []  # max RSS once the loader is warm (models imported, seeds loaded)


def _grown_mb() -> float:
    if not _baseline_kb:
        for text in TEXTS:
            load_text(text, "seed.yaml")
        _baseline_kb.append(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - _baseline_kb[0]) / 1024


@settings(
    max_examples=150,
    deadline=None,  # CPU time is checked below: wall time flakes on a loaded machine
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)
@given(mutated())
def test_mutated_manifest_is_refused_in_one_line_or_accepted(text: str) -> None:
    _grown_mb()
    with cpu_clock() as spent:
        try:
            load_text(text, "mutated.yaml")
        except ManifestError as exc:
            assert exc.problems, "a ManifestError without problems"
            for problem in [exc.message, *exc.problems]:
                assert "\n" not in problem and "\r" not in problem, f"spills onto two lines: {problem!r}"
                assert LINE.search(problem), f"no line number: {problem!r}"
    assert spent[0] < 1.0, f"took {spent[0]:.2f} s of CPU"
    grown_mb = _grown_mb()
    assert grown_mb < 200, f"the process grew by {grown_mb:.0f} MB"
