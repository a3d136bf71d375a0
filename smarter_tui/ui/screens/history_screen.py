"""The history browser: every saved session, full-text search, open, rename, delete and export."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static

from smarter_tui.domain.errors import SmarterError
from smarter_tui.domain.messages import Message
from smarter_tui.domain.records import SearchHit, SessionInfo
from smarter_tui.ui.screens.confirm_modal import ConfirmModal
from smarter_tui.ui.screens.delivery import deliver
from smarter_tui.ui.screens.rename_modal import RenameModal
from smarter_tui.ui.widgets.session_preview import SessionPreview
from smarter_tui.ui.widgets.session_table import SessionTable
from smarter_tui.ui.widgets.stable_footer import StableFooter

if TYPE_CHECKING:
    from smarter_tui.services.history import HistoryService

#: Sessions fetched per page; more are fetched when the cursor or the view nears the end.
PAGE_SIZE = 200
#: Sessions shown for a search (the best hit of each).
SEARCH_LIMIT = 100
#: Messages shown in the preview of the highlighted session.
PREVIEW_MESSAGES = 8
#: Seconds of quiet before the preview loads (cursor moves) or a typed query runs.
PREVIEW_DELAY = 0.12
SEARCH_DELAY = 0.3

ExportFormat = Literal["markdown", "json"]


def _human(what: str, exc: BaseException) -> str:
    """Return a one-line message for a failed action (domain errors already carry one)."""
    if isinstance(exc, SmarterError):
        return exc.message
    return f"{what}: {exc}" if str(exc) else f"{what} ({type(exc).__name__})"


class HistoryScreen(Screen[str | None]):
    """Browse saved sessions; dismisses with the session key to open, or None (Escape).

    Reads through the history service it is given. All database work runs in thread workers; results
    cross back with `call_from_thread`. Sessions load a page at a time, newest activity first.
    """

    DEFAULT_CSS = """
    HistoryScreen {
        layout: vertical;
    }
    HistoryScreen #history-bar {
        height: 1;
        padding: 0 1;
        background: $panel;
    }
    HistoryScreen #history-heading {
        width: auto;
        text-style: bold;
        color: $text-accent;
        margin-right: 2;
    }
    HistoryScreen #history-status {
        width: 1fr;
        color: $text-muted;
    }
    HistoryScreen #history-search {
        margin: 0 0;
    }
    HistoryScreen #history-body {
        height: 1fr;
    }
    """

    AUTO_FOCUS = "#history-table"

    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("slash", "focus_search", "Search"),
        Binding("r", "rename", "Rename"),
        Binding("d", "delete", "Delete"),
        Binding("m", "export('markdown')", "Export MD"),
        Binding("j", "export('json')", "Export JSON"),
    ]

    def __init__(
        self,
        history: HistoryService,
        page_size: int = PAGE_SIZE,
        *,
        name: str | None = None,
        id: str | None = None,  # noqa: A002
        classes: str | None = None,
    ) -> None:
        """Build the screen over the history service; `page_size` sessions are fetched at a time."""
        super().__init__(name=name, id=id, classes=classes)
        self.history = history
        self.page_size = max(1, page_size)
        #: The query whose results are on screen ("" = the session list, None = nothing yet).
        self.shown_query: str | None = None
        self._request = 0  # bumped for every list/search request; stale answers are dropped
        self._loaded = 0  # sessions fetched so far in list mode (the next page's offset)
        self._total = 0  # sessions in the database, as last counted
        self._loading = False
        self._footer_mounted = False
        # Whether the footer shows the session actions enabled. Assumed at first, so the common
        # case (rows arrive) needs no footer refresh, which recomposes it and delays the first paint.
        self._selected = True
        self._search_timer: Timer | None = None
        self._preview_timer: Timer | None = None

    # -- composition --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        """Title bar, search input, the table beside the preview, and the footer."""
        with Horizontal(id="history-bar"):
            yield Static("History", id="history-heading")
            yield Static("Loading sessions…", id="history-status")
        yield Input(placeholder="Search message text (/), Enter to search, Esc to clear", id="history-search")
        with Horizontal(id="history-body"):
            yield SessionTable(id="history-table")
            yield SessionPreview(id="history-preview")
        # The footer is mounted after the first rows are painted: composing and laying out its
        # keys would otherwise delay the first paint by tens of milliseconds.

    def on_mount(self) -> None:
        """Fetch the first page (AUTO_FOCUS has put the focus on the table)."""
        self._reload_list()

    # -- helpers ------------------------------------------------------------------------------

    @property
    def table(self) -> SessionTable:
        """Return the session table."""
        return self.query_one("#history-table", SessionTable)

    @property
    def search_input(self) -> Input:
        """Return the search input."""
        return self.query_one("#history-search", Input)

    @property
    def preview(self) -> SessionPreview:
        """Return the preview pane."""
        return self.query_one("#history-preview", SessionPreview)

    def _set_status(self, text: str) -> None:
        self.query_one("#history-status", Static).update(Text(text))

    def _list_status(self) -> None:
        if not self._total:
            self._set_status("No saved sessions yet")
            return
        noun = "session" if self._total == 1 else "sessions"
        shown = self.table.row_count
        more = f"{shown:,} of {self._total:,} {noun}" if shown < self._total else f"{self._total:,} {noun}"
        self._set_status(f"{more} · newest first")

    def _fail(self, what: str, exc: BaseException) -> None:
        self.app.notify(_human(what, exc), title=what, severity="error", timeout=8)

    def _fail_from_thread(self, what: str, exc: BaseException) -> None:
        """From a worker thread: report a failure (even if this screen has closed meanwhile)."""
        self.app.call_from_thread(self._fail, what, exc)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Dim session actions in the footer while no session is highlighted."""
        if action in {"rename", "delete", "export"}:
            return True if self._selected else None
        return True

    # -- loading the list ---------------------------------------------------------------------

    def _reload_list(self) -> None:
        self._request += 1
        self._loading = True
        self._load_page(self._request, 0, True)

    @work(thread=True, exclusive=True, group="history-rows")
    def _load_page(self, request: int, offset: int, replace: bool) -> None:
        """Fetch a page of sessions (and the total when replacing) and show it."""
        try:
            if replace:  # the first page comes with the total, in one query
                sessions, total = self.history.page(limit=self.page_size, offset=offset)
            else:
                sessions, total = self.history.list(limit=self.page_size, offset=offset), None
        except Exception as exc:  # noqa: BLE001  (any failure becomes a notification, never a crash)
            deliver(self, self._page_failed, request, exc)
            return
        deliver(self, self._show_page, request, sessions, total, replace)

    def _ensure_footer(self) -> None:
        if not self._footer_mounted:
            self._footer_mounted = True
            self.call_after_refresh(self.call_later, self._mount_footer)

    async def _mount_footer(self) -> None:
        # StableFooter: Textual's Footer rebuilds all its keys each time a dialog covers or
        # uncovers the browser, though they stay the same.
        await self.mount(StableFooter())
        self.refresh_bindings()  # a new Footer shows nothing until bindings are published

    def _page_failed(self, request: int, exc: BaseException) -> None:
        self._ensure_footer()
        if request == self._request:
            self._loading = False
            self._set_status("Could not load sessions")
        self._fail("Could not load sessions", exc)

    def _show_page(self, request: int, sessions: list[SessionInfo], total: int | None, replace: bool) -> None:
        if request != self._request:
            return
        self._loading = False
        self.table.show_sessions(sessions, replace=replace)
        self._loaded = (0 if replace else self._loaded) + len(sessions)
        if total is not None:
            self._total = total
        if len(sessions) < self.page_size:  # the end: never ask again for this listing
            self._total = max(self._loaded, self.table.row_count)
        self.shown_query = ""
        self._list_status()
        self._ensure_footer()
        if replace:
            self._schedule_preview()
        self._refresh_actions()

    @on(SessionTable.NearEnd)
    def _load_more(self) -> None:
        if self.shown_query != "" or self._loading or self._loaded >= self._total:
            return
        self._loading = True
        self._load_page(self._request, self._loaded, False)

    # -- search -------------------------------------------------------------------------------

    @on(Input.Changed, "#history-search")
    def _query_changed(self, event: Input.Changed) -> None:
        self._stop_search_timer()
        query = event.value.strip()
        if not query:
            if self.shown_query:
                self._reload_list()
            return
        self._search_timer = self.set_timer(SEARCH_DELAY, lambda: self._start_search(query))

    @on(Input.Submitted, "#history-search")
    def _query_submitted(self, event: Input.Submitted) -> None:
        self._stop_search_timer()
        query = event.value.strip()
        if query:
            self._start_search(query)
        elif self.shown_query:
            self._reload_list()
        self.table.focus()

    def _stop_search_timer(self) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
            self._search_timer = None

    def _start_search(self, query: str) -> None:
        self._search_timer = None
        self._request += 1
        self._loading = False
        self._set_status(f"Searching for “{query}”…")
        self._search(self._request, query)

    @work(thread=True, exclusive=True, group="history-rows")
    def _search(self, request: int, query: str) -> None:
        """Run a full-text search and show one row per matching session."""
        try:
            hits = self.history.search_sessions(query, limit=SEARCH_LIMIT)
        except Exception as exc:  # noqa: BLE001
            self._fail_from_thread("Search failed", exc)
            return
        deliver(self, self._show_hits, request, query, hits)

    def _show_hits(self, request: int, query: str, hits: list[SearchHit]) -> None:
        if request != self._request:
            return
        count = self.table.show_hits(hits)
        self.shown_query = query
        if count:
            more = "+" if count >= SEARCH_LIMIT else ""
            noun = "session mentions" if count == 1 else "sessions mention"
            self._set_status(f"{count}{more} {noun} “{query}” · Esc returns to the list")
        else:
            self._set_status(f"No session mentions “{query}” · Esc returns to the list")
        self._schedule_preview()
        self._refresh_actions()

    # -- preview ------------------------------------------------------------------------------

    @on(DataTable.RowHighlighted, "#history-table")
    def _row_highlighted(self) -> None:
        self._schedule_preview()
        self._refresh_actions()

    def _refresh_actions(self) -> None:
        """Re-check the session actions when a session became selected or unselected."""
        # Only then: the footer recomposes on every refresh, which would slow down the cursor.
        selected = self.table.current_key is not None
        if selected != self._selected:
            self._selected = selected
            self.refresh_bindings()

    def _schedule_preview(self) -> None:
        if self._preview_timer is not None:
            self._preview_timer.stop()
        self._preview_timer = self.set_timer(PREVIEW_DELAY, self._preview_current)

    def _preview_current(self) -> None:
        self._preview_timer = None
        key = self.table.current_key
        if key is None:
            empty = "No saved sessions yet." if self.shown_query == "" else "Nothing found."
            self.preview.show_text(empty)
            return
        self._load_preview(key)

    @work(thread=True, exclusive=True, group="history-preview")
    def _load_preview(self, key: str) -> None:
        """Fetch the last messages of a session for the preview."""
        try:
            messages = self.history.messages(key, last=PREVIEW_MESSAGES)
        except Exception as exc:  # noqa: BLE001
            deliver(self, self._preview_failed, key, exc)
            return
        deliver(self, self._show_preview, key, messages)

    def _show_preview(self, key: str, messages: list[Message]) -> None:
        if self.table.current_key == key:
            self.preview.show(self.table.title_of(key), messages)

    def _preview_failed(self, key: str, exc: BaseException) -> None:
        if self.table.current_key == key:
            self.preview.show_text(_human("Could not read the session", exc))

    # -- actions ------------------------------------------------------------------------------

    @on(DataTable.RowSelected, "#history-table")
    def action_open(self) -> None:
        """Close the browser with the highlighted session's key (the app opens it in the chat)."""
        key = self.table.current_key
        if key is not None:
            self.dismiss(key)

    def action_back(self) -> None:
        """Clear the search (back to the list) if there is one, else close with None."""
        field = self.search_input
        if field.value or self.shown_query:
            self._stop_search_timer()
            with field.prevent(Input.Changed):
                field.value = ""
            if self.shown_query != "":
                self._reload_list()
            self.table.focus()
            return
        self.dismiss(None)

    def action_focus_search(self) -> None:
        """Move the focus to the search input."""
        self.search_input.focus()

    def _current(self) -> str | None:
        key = self.table.current_key
        if key is None:
            self.notify("No session is selected.", severity="warning")
        return key

    def action_rename(self) -> None:
        """Ask for a new title for the highlighted session and save it."""
        key = self._current()
        if key is None:
            return

        def renamed(title: str | None) -> None:
            if title and title != self.table.title_of(key):
                self._rename(key, title)

        self.app.push_screen(RenameModal(self.table.title_of(key)), renamed)

    @work(thread=True, group="history-edit")
    def _rename(self, key: str, title: str) -> None:
        """Save a session's new title."""
        try:
            self.history.rename(key, title)
        except Exception as exc:  # noqa: BLE001
            self._fail_from_thread("Could not rename the session", exc)
            return
        deliver(self, self._renamed, key, title)

    def _renamed(self, key: str, title: str) -> None:
        self.table.set_title(key, title)
        if self.table.current_key == key:
            self._schedule_preview()
        self.notify(f"Renamed to “{title}”")

    def action_delete(self) -> None:
        """Ask for confirmation, then delete the highlighted session."""
        key = self._current()
        if key is None:
            return
        title = self.table.title_of(key) or "Untitled session"

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._delete(key, title)

        message = f"“{title}” and everything recorded in it will be deleted. This cannot be undone."
        self.app.push_screen(ConfirmModal("Delete this session?", message, "Delete", danger=True), confirmed)

    @work(thread=True, group="history-edit")
    def _delete(self, key: str, title: str) -> None:
        """Delete a session."""
        try:
            self.history.delete(key)
        except Exception as exc:  # noqa: BLE001
            self._fail_from_thread("Could not delete the session", exc)
            return
        deliver(self, self._deleted, key, title)

    def _deleted(self, key: str, title: str) -> None:
        if self.table.remove_session(key) and self.shown_query == "":
            self._loaded = max(0, self._loaded - 1)
            self._total = max(0, self._total - 1)
            self._list_status()
        self._schedule_preview()
        self._refresh_actions()
        self.notify(f"Deleted “{title}”")

    def action_export(self, fmt: ExportFormat) -> None:
        """Export the highlighted session to the data directory's exports/ folder."""
        key = self._current()
        if key is not None:
            self._export(key, fmt)

    @work(thread=True, group="history-edit")
    def _export(self, key: str, fmt: ExportFormat) -> None:
        """Write the export file and report its path."""
        try:
            path = self.history.export_to_file(key, fmt)
        except Exception as exc:  # noqa: BLE001
            self._fail_from_thread("Export failed", exc)
            return
        label = "Markdown" if fmt == "markdown" else "JSON"
        self.app.call_from_thread(self.app.notify, str(path), title=f"Exported {label}", timeout=10)
