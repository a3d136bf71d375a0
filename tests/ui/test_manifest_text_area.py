"""The editor's text area draws exactly what Textual's YAML `TextArea.code_editor` draws.

`ManifestTextArea` compiles the highlight query once, parses a loaded text from its bytes,
skips re-wraps at unchanged widths and highlights rows when they are drawn instead of the whole
text after each edit. These tests put it beside Textual's own text area, give both the same
texts and edits, and compare every drawn line (characters and styles).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.strip import Strip
from textual.widgets import TextArea

from smarter_tui.ui.widgets.manifest_text_area import HIGHLIGHT_BLOCK, ManifestTextArea, yaml_highlighting

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

from manifest_editor import big_manifest  # noqa: E402

EXAMPLES = sorted((ROOT / "assets" / "examples").glob("*.yaml"))
#: Multi-line scalars, quotes with escapes, flow collections, anchors, comments and a syntax error.
ODD_YAML = """\
# comment
key: |
  a block scalar
  spanning lines
quoted: "a \\"quote\\" and \\t tab"   # trailing comment
single: 'it''s'
flow: {a: 1, b: [x, y, "z"]}
anchor: &base {k: v}
alias: *base
tagged: !!str 12
broken: [unclosed
"""


class TwoAreas(App[None]):
    """Textual's text area and ours, the same size, side by side."""

    def compose(self) -> ComposeResult:
        yield TextArea.code_editor("", language="yaml", id="textual")
        yield ManifestTextArea.code_editor("", language="yaml", id="ours")

    CSS = "TextArea { width: 60; height: 30; } Screen { layout: horizontal; }"


def drawn(area: TextArea, rows: int) -> list[Strip]:
    """Return the lines `area` draws at its scroll position (cached or not, as Textual paints)."""
    return [area.render_line(y) for y in range(rows)]


async def assert_same_drawing(pilot: Pilot[None], theirs: TextArea, ours: TextArea) -> None:
    """Scroll both areas through the whole text and compare every line drawn."""
    assert ours.text == theirs.text
    assert ours.wrapped_document.height == theirs.wrapped_document.height
    lines = ours.document.line_count
    # The top, across the first highlight block's end, the middle and the end of the text.
    for top in sorted({0, HIGHLIGHT_BLOCK - 10, lines // 2, max(lines - 30, 0)}):
        for area in (theirs, ours):
            area.scroll_to(0, top, animate=False, immediate=True)
        await pilot.pause()
        for y, (expected, got) in enumerate(zip(drawn(theirs, 30), drawn(ours, 30), strict=True)):
            assert list(got) == list(expected), f"row {top + y} drawn differently"


def test_the_yaml_grammar_is_installed() -> None:
    """Without tree-sitter's YAML grammar the editor has no highlighting at all: fail loudly."""
    assert yaml_highlighting() is not None


@pytest.mark.parametrize(
    "text",
    [big_manifest(), ODD_YAML * 20, "---\n".join(path.read_text(encoding="utf-8") for path in EXAMPLES)],
    ids=["1000-lines", "odd-yaml", "every-example"],
)
async def test_drawn_like_textual_after_loading_and_editing(text: str) -> None:
    app = TwoAreas()
    async with app.run_test(size=(130, 32)) as pilot:
        theirs = app.query_one("#textual", TextArea)
        ours = app.query_one("#ours", ManifestTextArea)
        for area in (theirs, ours):
            area.cursor_blink = False
            area.load_text(text)
        app.set_focus(None)  # neither draws a cursor (only the focused one would)
        await pilot.pause()
        await assert_same_drawing(pilot, theirs, ours)

        # Edits: one that opens a quote (re-highlighting everything below it), new lines
        # (shifting rows across highlight blocks), a deletion, then undo.
        last = ours.document.line_count - 1
        edits = [
            lambda area: area.insert('"', (1, 0)),
            lambda area: area.insert("extra: [1, 2]\n  # note\n", (min(HIGHLIGHT_BLOCK - 1, last), 0)),
            lambda area: area.delete((2, 0), (min(5, last), 0)),
            lambda area: area.undo(),
        ]
        for edit in edits:
            for area in (theirs, ours):
                edit(area)
            await pilot.pause()
            await assert_same_drawing(pilot, theirs, ours)
