"""The manifest browser: every stored manifest by kind, its state and dependants, filtered by name."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from smarter_tui.domain.errors import SmarterError
from smarter_tui.ui.messages import CatalogueChanged
from smarter_tui.ui.screens.choice_modal import ChoiceModal
from smarter_tui.ui.screens.confirm_modal import ConfirmModal
from smarter_tui.ui.screens.delivery import deliver
from smarter_tui.ui.screens.manifest_editor_screen import ManifestEditorScreen
from smarter_tui.ui.widgets.stable_footer import StableFooter

if TYPE_CHECKING:
    from smarter_tui.services.authoring import AuthoringService, ManifestSummary


def _state(summary: ManifestSummary) -> Text:
    """Return the state cell: valid, or the number of errors; warnings counted."""
    if not summary.valid:
        count = len(summary.problems) - len(summary.warnings)
        return Text(f"✗ {count} error(s)", style="bold red")
    if summary.warnings:
        return Text(f"✓ valid · {len(summary.warnings)} warning(s)", style="yellow")
    return Text("✓ valid", style="green")


class ManifestBrowserScreen(Screen[None]):
    """Browse the catalogue: Enter edits, n creates from an example, c copies, d deletes.

    Reads `app.services.authoring` in workers; reloads whenever it comes back to the front.
    """

    AUTO_FOCUS = "#browser-table"

    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("slash", "focus_filter", "Filter"),
        Binding("enter", "edit", "Edit", show=True),
        Binding("n", "new", "New from example"),
        Binding("c", "duplicate", "Duplicate"),
        Binding("d,delete", "delete", "Delete"),
    ]

    def __init__(self) -> None:
        """Build the screen; the list loads on mount."""
        super().__init__()
        self.summaries: list[ManifestSummary] = []
        self.shown: list[ManifestSummary] = []

    def compose(self) -> ComposeResult:
        """The title bar with the filter, the table, the highlighted manifest's details, the footer."""
        with Horizontal(id="browser-bar"):
            yield Static(Text("Manifests", style="bold"), id="browser-heading")
            yield Input(placeholder="Filter by name (/)", id="browser-filter")
        yield DataTable(id="browser-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="browser-detail")
        yield StableFooter()  # not rebuilt when the editor covers the browser and uncovers it

    @property
    def authoring(self) -> AuthoringService:
        """The app's authoring service."""
        services: Any = getattr(self.app, "services")  # noqa: B009 - the host app injects it
        authoring: AuthoringService = services.authoring
        return authoring

    @property
    def table(self) -> DataTable[Any]:
        """The manifest table."""
        return self.query_one("#browser-table", DataTable)

    @property
    def current(self) -> ManifestSummary | None:
        """The highlighted manifest, if any."""
        row = self.table.cursor_row
        return self.shown[row] if self.shown and 0 <= row < len(self.shown) else None

    def on_mount(self) -> None:
        """Set up the columns and load the catalogue."""
        self.table.add_columns("Group", "Kind", "Name", "State", "Used by", "Uses")
        self.reload()

    def on_screen_resume(self) -> None:
        """Reload when coming back (e.g. from the editor, after a save)."""
        if self.summaries:
            self.reload()

    # -- loading and filtering ------------------------------------------------------------------
    def reload(self, select: tuple[str, str] | None = None) -> None:
        """Load the catalogue in a worker, keeping (or moving to) the highlighted manifest."""
        current = self.current
        self._load(select or ((current.group, current.name) if current else None))

    @work(thread=True, exclusive=True, group="browser-load")
    def _load(self, select: tuple[str, str] | None) -> None:
        try:
            summaries = self.authoring.browse()
        except SmarterError as exc:
            self.app.call_from_thread(self.notify, exc.message, title="Manifests", severity="error")
            return
        deliver(self, self._loaded, summaries, select)

    def _loaded(self, summaries: list[ManifestSummary], select: tuple[str, str] | None) -> None:
        self.summaries = summaries
        self._fill(select)

    def _fill(self, select: tuple[str, str] | None = None) -> None:
        """Show the manifests whose name (or kind) contains the filter text."""
        from smarter_tui.services.authoring import GROUPS

        needle = self.query_one("#browser-filter", Input).value.strip().lower()
        self.shown = [
            s for s in self.summaries if not needle or needle in s.name.lower() or needle in s.kind.lower()
        ]
        table = self.table
        table.clear()
        for summary in self.shown:
            table.add_row(
                Text(GROUPS[summary.group], style="bold"),
                summary.kind,
                summary.name,
                _state(summary),
                ", ".join(summary.used_by) or Text("—", style="dim"),
                ", ".join(summary.uses) or Text("—", style="dim"),
            )
        total = len(self.summaries)
        heading = f"Manifests · {len(self.shown)} of {total}" if needle else f"Manifests · {total}"
        self.query_one("#browser-heading", Static).update(Text(heading, style="bold"))
        if select is not None:
            for row, summary in enumerate(self.shown):
                if (summary.group, summary.name) == select:
                    table.move_cursor(row=row)
                    break
        self._show_detail()

    @on(Input.Changed, "#browser-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._fill()

    @on(Input.Submitted, "#browser-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.table.focus()

    @on(DataTable.RowHighlighted, "#browser-table")
    def _show_detail(self, event: DataTable.RowHighlighted | None = None) -> None:
        """Show the highlighted manifest's description and every problem of its stored text."""
        summary = self.current
        detail = self.query_one("#browser-detail", Static)
        if summary is None:
            detail.update(Text("No manifest matches." if self.summaries else "Loading…", style="dim"))
            return
        text = Text.assemble((f"{summary.kind} {summary.name}", "bold"), "  ", summary.description or "")
        for problem in summary.problems:
            style = "red" if problem.is_error else "yellow"
            where = f"line {problem.line}: " if problem.line else ""
            text.append(f"\n{where}{problem.field + ': ' if problem.field else ''}{problem.message}", style)
        detail.update(text)

    @on(DataTable.RowSelected, "#browser-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    # -- actions --------------------------------------------------------------------------------
    def action_back(self) -> None:
        """Close the browser."""
        self.dismiss(None)

    def action_focus_filter(self) -> None:
        """Put the cursor in the filter."""
        self.query_one("#browser-filter", Input).focus()

    def action_edit(self) -> None:
        """Open the highlighted manifest in the editor."""
        summary = self.current
        if summary is not None:
            self.app.push_screen(ManifestEditorScreen(summary.kind, summary.name))

    def action_new(self) -> None:
        """Choose a kind, then open its commented example in the editor (stored only on save)."""
        current = self.current
        modal = ChoiceModal(
            "New manifest from an example",
            "Choose a kind: its commented example opens in the editor (stored when you save).",
            self.authoring.kinds(),
            current.kind if current else None,
        )
        self.app.push_screen(modal, self._kind_chosen)

    def _kind_chosen(self, kind: str | None) -> None:
        if kind:
            self._open_new(kind)

    @work(thread=True, exclusive=True, group="browser-new")
    def _open_new(self, kind: str) -> None:
        text = self.authoring.example(kind)
        self.app.call_from_thread(self.app.push_screen, ManifestEditorScreen(None, None, text))

    def action_duplicate(self) -> None:
        """Open a copy of the highlighted manifest (a free name, its comments kept) in the editor."""
        summary = self.current
        if summary is not None:
            self._duplicate(summary.kind, summary.name)

    @work(thread=True, exclusive=True, group="browser-new")
    def _duplicate(self, kind: str, name: str) -> None:
        try:
            _, text = self.authoring.duplicate(kind, name)
        except SmarterError as exc:
            self.app.call_from_thread(self.notify, exc.message, title="Duplicate", severity="error")
            return
        self.app.call_from_thread(self.app.push_screen, ManifestEditorScreen(None, None, text))

    def action_delete(self) -> None:
        """Delete the highlighted manifest after confirming (refused while others use it)."""
        summary = self.current
        if summary is None:
            return
        if summary.used_by:
            self.notify(
                f"{summary.kind} {summary.name} is used by {', '.join(summary.used_by)}: "
                "detach it from them first.",
                title="Cannot delete",
                severity="error",
            )
            return
        modal = ConfirmModal(
            f"Delete {summary.kind} {summary.name}?",
            "The manifest is removed for good.",
            "Delete",
            danger=True,
        )

        def answered(delete: bool | None) -> None:
            if delete:
                self._delete(summary.kind, summary.name)

        self.app.push_screen(modal, answered)

    @work(thread=True, exclusive=True, group="browser-delete")
    def _delete(self, kind: str, name: str) -> None:
        try:
            self.authoring.delete(kind, name)
        except SmarterError as exc:  # e.g. a client started using it meanwhile: the dependants are named
            self.app.call_from_thread(self.notify, exc.message, title="Cannot delete", severity="error")
            return
        self.app.call_from_thread(self.notify, f"Deleted {kind} {name}.")
        self.app.call_from_thread(self.app.post_message, CatalogueChanged([(kind, name)]))
        deliver(self, self.reload)
