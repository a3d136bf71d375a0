"""A table of saved sessions (or of search hits), one row per session, keyed by session key."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Literal

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey

from smarter_tui.domain.records import SearchHit, SessionInfo
from smarter_tui.domain.terminal import terminal_safe

#: Post NearEnd when the cursor or the view comes within this many rows of the last loaded row.
NEAR_END_ROWS = 25
#: Marks storage puts around matched words in search snippets.
HIGHLIGHT_OPEN, HIGHLIGHT_CLOSE = "«", "»"

CLIENT_WIDTH, WHEN_WIDTH, COUNT_WIDTH, SEARCH_TITLE_WIDTH = 18, 16, 5, 28
MIN_FLEX_WIDTH = 20
SCROLLBAR_WIDTH = 2

Mode = Literal["list", "search"]


def format_when(moment: datetime | None) -> str:
    """Return a timestamp as local 'YYYY-MM-DD HH:MM' (empty for None)."""
    if moment is None:
        return ""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def highlight_snippet(snippet: str) -> Text:
    """Return a search snippet as Rich text, the words between « » in bold and underlined."""
    text = Text(no_wrap=True, overflow="ellipsis")
    rest = " ".join(terminal_safe(snippet).split())
    while rest:
        start = rest.find(HIGHLIGHT_OPEN)
        end = rest.find(HIGHLIGHT_CLOSE, start + 1) if start >= 0 else -1
        if start < 0 or end < 0:
            text.append(rest.replace(HIGHLIGHT_OPEN, "").replace(HIGHLIGHT_CLOSE, ""))
            break
        text.append(rest[:start])
        text.append(rest[start + 1 : end], style="bold underline")
        rest = rest[end + 1 :]
    return text


class SessionTable(DataTable[str | Text]):
    """Sessions newest first (list mode) or the best hit per session (search mode).

    Row keys are session keys. Posts `SessionTable.NearEnd` when the cursor or the scroll position
    approaches the last row, so the owner can load the next page.
    """

    DEFAULT_CSS = """
    SessionTable {
        height: 1fr;
        width: 1fr;
    }
    """

    BINDINGS = [
        Binding("enter", "select_cursor", "Open", show=True),
        # Rows never scroll sideways here, so Home/End go to the first/last row.
        Binding("home", "scroll_top", "First", show=False),
        Binding("end", "scroll_bottom", "Last", show=False),
    ]

    class NearEnd(Message):
        """The cursor or the view is close to the last loaded row."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:  # noqa: A002
        """Build an empty row-cursor table in list mode."""
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=True)
        self.mode: Mode = "list"
        self._titles: dict[str, str | None] = {}

    def on_mount(self) -> None:
        """Start with the list-mode columns."""
        self._set_columns("list")

    def _set_columns(self, mode: Mode) -> None:
        self.clear(columns=True)
        self._titles.clear()
        self.mode = mode
        if mode == "list":
            self.add_column("Title", width=self._flexible_width(), key="title")
            self.add_column("Client", width=CLIENT_WIDTH, key="client")
            self.add_column("Last activity", width=WHEN_WIDTH, key="when")
            self.add_column(Text("Msgs", justify="right"), width=COUNT_WIDTH, key="count")
        else:
            self.add_column("Title", width=SEARCH_TITLE_WIDTH, key="title")
            self.add_column("Match", width=self._flexible_width(), key="match")

    def _flexible_width(self) -> int:
        """Return the width of the one column that takes the space the fixed columns leave."""
        fixed = (CLIENT_WIDTH + WHEN_WIDTH + COUNT_WIDTH) if self.mode == "list" else SEARCH_TITLE_WIDTH
        columns = 4 if self.mode == "list" else 2
        spare = self.size.width - SCROLLBAR_WIDTH - fixed - 2 * self.cell_padding * columns
        return max(MIN_FLEX_WIDTH, spare)

    def on_resize(self) -> None:
        """Give the flexible column (title, or match when searching) the width left over."""
        key = "title" if self.mode == "list" else "match"
        column = self.columns.get(ColumnKey(key))
        width = self._flexible_width()
        if column is not None and column.width != width:
            column.width = width
            # DataTable has no public "resize a column"; these two make it re-measure and repaint.
            self._require_update_dimensions = True
            self._clear_caches()
            self.refresh()

    # -- filling ------------------------------------------------------------------------------

    def show_sessions(self, sessions: Iterable[SessionInfo], *, replace: bool) -> int:
        """Show sessions in list mode (appending unless `replace`); return the rows added.

        Sessions already shown are skipped, so overlapping pages never duplicate a row.
        """
        if replace or self.mode != "list":
            self._set_columns("list")
        added = 0
        for info in sessions:
            if info.session_key in self._titles:
                continue
            self._titles[info.session_key] = info.title
            self.add_row(
                _title_cell(info.title),
                info.client,
                format_when(info.updated_at),
                Text(f"{info.message_count:,}", justify="right"),
                key=info.session_key,
            )
            added += 1
        return added

    def show_hits(self, hits: Iterable[SearchHit]) -> int:
        """Replace the rows with search hits (one per session); return how many are shown."""
        self._set_columns("search")
        for hit in hits:
            if hit.session_key in self._titles:
                continue
            self._titles[hit.session_key] = hit.title
            self.add_row(_title_cell(hit.title), highlight_snippet(hit.snippet), key=hit.session_key)
        return self.row_count

    # -- reading and editing rows ---------------------------------------------------------------

    @property
    def current_key(self) -> str | None:
        """Return the session key of the highlighted row (None when the table is empty)."""
        if not self.row_count or not self.is_valid_row_index(self.cursor_row):
            return None
        row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return row_key.value

    def title_of(self, key: str) -> str | None:
        """Return the title shown for a session (None when untitled or absent)."""
        return self._titles.get(key)

    def set_title(self, key: str, title: str) -> None:
        """Show a new title for a session, if it is in the table."""
        if key in self._titles:
            self._titles[key] = title
            self.update_cell(key, "title", _title_cell(title))

    def remove_session(self, key: str) -> bool:
        """Remove a session's row; return False if it was not shown."""
        if key not in self._titles:
            return False
        del self._titles[key]
        self.remove_row(key)
        return True

    def keys(self) -> list[str]:
        """Return the session keys shown, top to bottom."""
        return [row.key.value for row in self.ordered_rows if row.key.value is not None]

    # -- paging -------------------------------------------------------------------------------

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Report when the cursor nears the last row (the event still bubbles to the owner)."""
        if event.data_table is self:
            self._check_near_end()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        """Keep DataTable's behaviour, then report when the view nears the last row."""
        super().watch_scroll_y(old_value, new_value)
        if new_value >= self.max_scroll_y - NEAR_END_ROWS:
            self._check_near_end(force=True)

    def _check_near_end(self, force: bool = False) -> None:
        near = force or self.cursor_row >= self.row_count - NEAR_END_ROWS
        if self.mode == "list" and self.row_count and near:
            self.post_message(self.NearEnd())


def _title_cell(title: str | None) -> str | Text:
    if title:
        return Text(terminal_safe(title), no_wrap=True, overflow="ellipsis")
    return Text("Untitled session", style="italic dim")
