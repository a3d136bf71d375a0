"""The manifest editor's text area: YAML highlighting and line numbers, problem lines marked."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from rich.style import Style
from rich.text import Text
from textual.document._document import Document
from textual.document._document_navigator import DocumentNavigator
from textual.document._syntax_aware_document import SyntaxAwareDocument
from textual.document._wrapped_document import WrappedDocument
from textual.widgets import TextArea

if TYPE_CHECKING:
    from tree_sitter import Language, Query

#: How a line with a problem is marked (a tinted background keeps the syntax colours readable).
_MARKS = {
    "error": Style(bgcolor="#5a1e1e", underline=True),
    "warning": Style(bgcolor="#4a3f12"),
}

#: Rows whose highlights are computed together when one of them is first drawn.
HIGHLIGHT_BLOCK = 64

#: One highlight of a line: (start byte, end byte or None for the end of the line, capture name).
Highlight = tuple[int, int | None, str]


@cache
def yaml_highlighting() -> tuple[Language, Query] | None:
    """Return tree-sitter's YAML language and Textual's YAML highlight query, compiled once.

    None when tree-sitter or its YAML grammar is not installed (the text is then plain).
    Textual compiles the query for every document it makes (three per editor opened, ~8 ms each
    for this grammar); one compiled query serves every editor.
    """
    try:
        from textual._tree_sitter import get_language
        from tree_sitter import Query
    except ImportError:
        return None
    language = get_language("yaml")
    if language is None:
        return None
    return language, Query(language, TextArea._get_builtin_highlight_query("yaml"))


class _LazyHighlights(dict[int, list[Highlight]]):
    """Textual's per-row highlight map, filled a block of rows at a time when a row is drawn.

    Textual rebuilds the whole map (a query of the whole syntax tree) when a document is loaded
    and after every edit; on a 1,000-line manifest that is ~10 ms of each key press. Here an edit
    only empties the map and the rows on screen are queried when they are drawn. Within a row,
    highlights are in the query's capture order (later ones style over earlier ones: a key's
    `yaml.field` over its `string`), whatever part of the tree a block's query starts in.
    """

    def __init__(self, query: Callable[[int, int], dict[str, list[Any]]], order: dict[str, int]) -> None:
        super().__init__()
        self._query = query
        self._order = order

    def __bool__(self) -> bool:
        return True  # Textual skips highlighting when the map is empty: it is only not filled yet

    def __missing__(self, row: int) -> list[Highlight]:
        first = row - row % HIGHLIGHT_BLOCK
        end = first + HIGHLIGHT_BLOCK
        block: dict[int, list[Highlight]] = {index: [] for index in range(first, end)}
        captures = self._query(first, end)
        order = self._order
        for name in sorted(captures, key=lambda capture: order.get(capture, len(order))):
            for node in captures[name]:
                start_row, start_column = node.start_point
                end_row, end_column = node.end_point
                if start_row == end_row:
                    if start_row in block:
                        block[start_row].append((start_column, end_column, name))
                    continue
                if start_row in block:
                    block[start_row].append((start_column, None, name))
                for middle in range(max(start_row + 1, first), min(end_row, end)):
                    block[middle].append((0, None, name))
                if end_row in block:
                    block[end_row].append((0, end_column, name))
        self.update(block)
        return block[row]


class ManifestTextArea(TextArea):
    """A `TextArea.code_editor` for YAML whose lines with a validation problem are marked.

    `mark_problems({line_index: "error" | "warning"})` (0-based lines) replaces the marks.

    Opening a large text and typing in it cost less than in Textual's TextArea: the YAML
    highlight query is compiled once per process, a loaded text is parsed from its bytes and
    wrapped once, its height is not re-counted for every line drawn, and highlights are
    computed for the rows drawn (`_LazyHighlights`) instead of the whole text after each key
    press. What is drawn is the same (tests/ui/test_manifest_text_area.py).
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        self.problem_lines: dict[int, str] = {}
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

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

    def _set_document(self, text: str, language: str | None) -> None:
        """Make the document of `text` (Textual's `_set_document`, with the YAML query compiled once).

        Other languages (and YAML without tree-sitter) are Textual's own.
        """
        highlighting = yaml_highlighting() if language == "yaml" else None
        if highlighting is None:
            super()._set_document(text, language)
            return
        grammar, query = highlighting
        self._highlight_query = query
        self.document = _BytesParsedDocument(text, grammar)
        self.wrapped_document = _WrappedDocument(self.document, tab_width=self.indent_width)
        self.navigator = DocumentNavigator(self.wrapped_document)
        self._build_highlight_map()
        self.move_cursor((0, 0))
        self._rewrap_and_refresh_virtual_size()

    def _rewrap_and_refresh_virtual_size(self) -> None:
        """Re-wrap the text when the wrap width or tab width changed, then resize (as Textual does).

        Textual re-wraps every line on each call: a loaded text was wrapped when its
        `WrappedDocument` was made, then again here, then again on the first resize (~3 ms each
        for 1,000 lines). Edits keep the wrapping up to date (`wrap_range`), so a re-wrap at the
        same widths changes nothing.
        """
        wrapped = self.wrapped_document
        if (wrapped._width, wrapped._tab_width) != (self.wrap_width, self.indent_width):
            wrapped.wrap(self.wrap_width, tab_width=self.indent_width)
        self._line_cache.clear()
        self._refresh_size()

    def _build_highlight_map(self) -> None:
        """Forget the highlights (after a load or an edit): rows are highlighted when drawn."""
        self._line_cache.clear()
        query = self._highlight_query
        document = self.document
        if query is None or not hasattr(document, "query_syntax_tree"):
            super()._build_highlight_map()
            return
        order = _capture_order(query)

        def rows(first: int, end: int) -> dict[str, list[Any]]:
            captures: dict[str, list[Any]] = document.query_syntax_tree(query, (first, 0), (end, 0))
            return captures

        self._highlights = _LazyHighlights(rows, order)


def _capture_order(query: Query) -> dict[str, int]:
    """Return each capture name of a query with its index (the order highlights are applied in)."""
    return {query.capture_name(index): index for index in range(query.capture_count)}


class _WrappedDocument(WrappedDocument):
    """Textual's wrapped view of a document, whose height is counted once, not on every call.

    Textual sums the sections of every line for `height`, which it asks for each line it draws
    (a 1,000-line sum per line: half the cost of drawing a line of a 1,000-line manifest). The
    height is the number of visual rows, which `_offset_to_line_info` holds one entry per row of.
    """

    @property
    def height(self) -> int:
        """The height of the wrapped document (its number of visual rows)."""
        return len(self._offset_to_line_info)


class _BytesParsedDocument(SyntaxAwareDocument):
    """A syntax-aware document whose text is parsed from its UTF-8 bytes in one call.

    Textual parses a new document through a Python read callback (~14 ms for a 1,000-line
    manifest); the same bytes given at once take half that. Edits re-parse incrementally, as
    in Textual.
    """

    def __init__(self, text: str, language: Language) -> None:
        from tree_sitter import Parser

        Document.__init__(self, text)
        self.language = language
        self._parser = Parser(language)
        # The bytes Textual's read callback serves: every line followed by the newline.
        self._syntax_tree = self._parser.parse((self.text + self.newline).encode("utf-8"))
