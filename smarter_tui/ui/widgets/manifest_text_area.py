"""The manifest editor's text area: YAML highlighting and line numbers, problem lines marked."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widgets import TextArea

#: How a line with a problem is marked (a tinted background keeps the syntax colours readable).
_MARKS = {
    "error": Style(bgcolor="#5a1e1e", underline=True),
    "warning": Style(bgcolor="#4a3f12"),
}


class ManifestTextArea(TextArea):
    """A `TextArea.code_editor` whose lines with a validation problem are marked.

    `mark_problems({line_index: "error" | "warning"})` (0-based lines) replaces the marks.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.problem_lines: dict[int, str] = {}

    def mark_problems(self, lines: dict[int, str]) -> None:
        """Mark `lines` (0-based index -> severity) and redraw."""
        if lines == self.problem_lines:
            return
        self.problem_lines = dict(lines)
        # Rendered lines are cached by position, not by our marks: drop them so marks show at once.
        self._line_cache.clear()
        self.refresh()

    def get_line(self, line_index: int) -> Text:
        """Return the line's text, with the problem mark when it has one (Textual's styling hook)."""
        line = super().get_line(line_index)
        severity = self.problem_lines.get(line_index)
        if severity is not None:
            line.stylize(_MARKS[severity])
        return line
