"""The manifest editor: the user's own YAML, validated as they type, saved (applied) after a diff."""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import ActiveBinding, Screen
from textual.timer import Timer
from textual.widgets import OptionList, Static, TextArea
from textual.widgets.option_list import Option

from smarter_tui.domain.errors import SmarterError
from smarter_tui.ui.messages import CatalogueChanged
from smarter_tui.ui.screens.confirm_modal import ConfirmModal
from smarter_tui.ui.screens.delivery import deliver
from smarter_tui.ui.widgets.manifest_text_area import ManifestTextArea
from smarter_tui.ui.widgets.stable_footer import StableFooter

if TYPE_CHECKING:
    from smarter_tui.services.authoring import AuthoringService, ManifestProblem, ValidationReport
    from smarter_tui.services.inspector import TryResult

#: Seconds of quiet typing before the text is validated (in a worker: typing never waits for it).
VALIDATE_DELAY = 0.25


def _problem_label(problem: ManifestProblem) -> Text:
    """Return a problem as the list shows it: line, field and message."""
    style = "bold red" if problem.is_error else "yellow"
    where = f"line {problem.line}" if problem.line else "—"
    label = Text.assemble((f"{'✗' if problem.is_error else '!'} {where:>9}  ", style))
    if problem.field:
        label.append(problem.field, style="bold")
        label.append(": ")
    label.append(problem.message)
    return label


class ManifestEditorScreen(Screen[None]):
    """Edit one manifest's text: errors listed and marked on their lines, the field under the cursor
    explained, Ctrl+S saves (applies) after a diff, Ctrl+R reverts, Ctrl+O opens $EDITOR.

    `kind`/`name` name the stored manifest (None for a new text, e.g. from an example); `text`
    starts the editor on that text instead of the stored one. Services come from `app.services`.
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("f9", "next_error", "Next error", priority=True),
        Binding("ctrl+r", "revert", "Revert", priority=True),
        Binding("ctrl+t", "try_it", "Try it", priority=True),
        Binding("ctrl+o", "external_editor", "$EDITOR", priority=True),
        Binding("escape", "close", "Back", priority=True),  # before the text area takes it (unfocus)
    ]

    def __init__(self, kind: str | None, name: str | None, text: str | None = None) -> None:
        """Open the stored manifest `kind`/`name`, or `text` (a new or copied manifest)."""
        super().__init__()
        self.kind = kind
        self.manifest_name = name
        self.stored: str | None = None  # the stored text (None until loaded, "" for a new one)
        self.initial = text
        self.report: ValidationReport | None = None
        self.validated = 0  # the generation the report is about
        self.generation = 0  # bumped on each change of the text
        self._timer: Timer | None = None

    # -- layout --------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        """The title bar, the text, the field line, the problem list and the footer."""
        with Horizontal(id="editor-bar"):
            yield Static(self._title(), id="editor-title")
            yield Static("", id="editor-state")
        yield ManifestTextArea.code_editor("", language="yaml", id="editor-text")
        yield Static("", id="editor-field")
        yield OptionList(id="editor-problems")
        # With its keys in the first frame (their order does not depend on the focus, see
        # `active_bindings`), not rebuilt on each focus and screen change while the editor opens:
        # Textual's Footer, mounted after the first paint, took 9 layout passes to idle; now 4.
        yield StableFooter(keys_now=True)

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """The bindings the footer shows: the editor's, then the app's, in their declared order.

        Textual orders them by the focus chain: with the text focused the app's F7 (Copy answer)
        came first, with nothing focused last, so the footer could not be composed before the
        focus was set (a rebuild and 3 layout passes more to open the editor).
        """
        active = super().active_bindings
        declared = [b.action for b in (*self.BINDINGS, *self.app.BINDINGS) if isinstance(b, Binding)]

        def rank(item: tuple[str, ActiveBinding]) -> tuple[int, int]:
            action = item[1].binding.action
            return (item[1].node is not self, declared.index(action) if action in declared else len(declared))

        return dict(sorted(active.items(), key=rank))

    @property
    def area(self) -> ManifestTextArea:
        """The text area."""
        return self.query_one("#editor-text", ManifestTextArea)

    @property
    def authoring(self) -> AuthoringService:
        """The app's authoring service."""
        services: Any = getattr(self.app, "services")  # noqa: B009 - the host app injects it
        authoring: AuthoringService = services.authoring
        return authoring

    @property
    def modified(self) -> bool:
        """Return True when the text differs from the stored version."""
        return self.stored is not None and self.area.text != self.stored

    def _title(self) -> Text:
        if self.kind and self.manifest_name:
            return Text.assemble(("Editing ", "dim"), (self.kind, "bold"), " ", (self.manifest_name, "bold"))
        return Text.assemble(("New manifest ", "bold"), ("(not stored yet)", "dim"))

    def on_mount(self) -> None:
        """Load the text (in a worker) and put the cursor in it."""
        self.area.focus()
        if self.initial is not None:
            self._set_text(self.initial, stored="")
        elif self.kind and self.manifest_name:
            self._load(self.kind, self.manifest_name)

    def on_unmount(self) -> None:
        """Run a full garbage collection once the screen under the editor is drawn again.

        An editor's widgets, strips and caches (~15,000 objects for a 1,000-line text) are
        reference cycles that only full collections free; left to the collector, they came during
        the next opens (~20 ms pauses; benchmarks/manifest_editor.py). Right after the close the
        user waits for nothing: a fixed delay instead (0.2 s) fell into the next keystrokes or
        open when they came soon. Textual may still hold the closed screen for a moment (a message
        loop keeps its last message, whose sender it is): then a later collection frees it.
        """
        self.app.call_after_refresh(gc.collect)

    # -- loading and validating -----------------------------------------------------------------
    @work(thread=True, exclusive=True, group="editor-load")
    def _load(self, kind: str, name: str) -> None:
        try:
            text = self.authoring.text(kind, name)
        except SmarterError as exc:
            self.app.call_from_thread(self.notify, exc.message, title="Cannot open", severity="error")
            return
        deliver(self, self._set_text, text, text)

    def _set_text(self, text: str, stored: str | None = None) -> None:
        """Replace the editor's text (cursor at the top); `stored` also replaces the stored version."""
        if stored is not None:
            self.stored = stored
        self.area.load_text(text)
        self._changed()

    @on(TextArea.Changed, "#editor-text")
    def _text_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self._changed()

    def _changed(self) -> None:
        """Note a change and (re)start the debounce timer; validation itself runs in a worker."""
        self.generation += 1
        self._show_state()
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(VALIDATE_DELAY, self._validate_now)

    def _validate_now(self) -> None:
        self._validate(self.area.text, self.generation)

    @work(thread=True, exclusive=True, group="editor-validate")
    def _validate(self, text: str, generation: int) -> None:
        report = self.authoring.validate(text)
        deliver(self, self._show_report, report, generation)

    def _show_report(self, report: ValidationReport, generation: int) -> None:
        """Show a validation's problems (when it is about the latest text, or newer than what is shown)."""
        if generation < self.validated:
            return
        self.report, self.validated = report, generation
        self.area.mark_problems(
            {p.line - 1: ("error" if p.is_error else "warning") for p in reversed(report.problems) if p.line}
        )
        problems = self.query_one("#editor-problems", OptionList)
        problems.set_options(Option(_problem_label(p)) for p in report.problems)
        problems.display = bool(report.problems)
        self._show_state()
        self._show_field()

    def _show_state(self) -> None:
        """Write the state on the title bar: modified or not, errors, warnings, or valid."""
        parts: list[tuple[str, str]] = []
        if self.stored == "":
            parts.append(("new · ", "bold cyan"))
        elif self.modified:
            parts.append(("modified · ", "bold yellow"))
        report = self.report
        if report is None or self.validated != self.generation:
            parts.append(("checking…", "dim"))
        elif report.errors:
            count = len(report.errors)
            parts.append((f"{count} error{'s' if count > 1 else ''} (F9: next)", "bold red"))
        else:
            warnings = len(report.problems)
            note = f"valid · {warnings} warning(s)" if warnings else "valid"
            parts.append((note, "bold green"))
        self.query_one("#editor-state", Static).update(Text.assemble(*parts))

    @on(TextArea.SelectionChanged, "#editor-text")
    def _show_field(self, event: TextArea.SelectionChanged | None = None) -> None:
        """Show what the field under the cursor means (from the Smarter SDK's model)."""
        line = self.area.cursor_location[0] + 1
        field = self.query_one("#editor-field", Static)
        described = self.report.field_at(line) if self.report else None
        if described is None:
            field.update(Text("No field description for this line.", style="dim"))
            return
        path, description = described
        field.update(Text.assemble((path, "bold"), "  ", (description, "italic")))

    @on(OptionList.OptionSelected, "#editor-problems")
    def _problem_chosen(self, event: OptionList.OptionSelected) -> None:
        """Enter on a problem puts the cursor on its line."""
        event.stop()
        if self.report is not None and 0 <= event.option_index < len(self.report.problems):
            self._go_to(self.report.problems[event.option_index])

    def _go_to(self, problem: ManifestProblem) -> None:
        if problem.line:
            self.area.move_cursor((problem.line - 1, 0), center=True)
        self.area.focus()

    # -- actions --------------------------------------------------------------------------------
    def action_next_error(self) -> None:
        """Move the cursor to the next problem below it (wrapping to the first)."""
        if self.report is None or not self.report.problems:
            self.notify("No problems.", severity="information")
            return
        row = self.area.cursor_location[0] + 1
        located = [p for p in self.report.problems if p.line]
        following = [p for p in located if p.line > row] or located or self.report.problems
        problem = following[0]
        self.query_one("#editor-problems", OptionList).highlighted = self.report.problems.index(problem)
        self._go_to(problem)

    def action_save(self) -> None:
        """Validate, show the diff against the stored version, and apply when confirmed."""
        self._prepare_save(self.area.text)

    @work(thread=True, exclusive=True, group="editor-save")
    def _prepare_save(self, text: str) -> None:
        report = self.authoring.validate(text)
        if not report.ok:
            deliver(self, self._show_report, report, self.generation)
            first = report.errors[0] if report.errors else None
            detail = f"line {first.line}: {first.field} {first.message}".strip() if first else "no manifest"
            self.app.call_from_thread(
                self.notify, f"Not saved: {detail}", title="The manifest has errors", severity="error"
            )
            return
        diff = self.authoring.diff(self.kind, self.manifest_name, text)
        deliver(self, self._confirm_save, text, report, diff)

    def _confirm_save(self, text: str, report: ValidationReport, diff: str) -> None:
        if not diff:
            self.notify("No changes to save.")
            return
        names = ", ".join(f"{kind} {name}" for kind, name in report.manifests)
        modal = ConfirmModal(
            "Save (apply) this manifest?",
            f"Apply {names}. All or nothing: if any document fails, nothing is stored.",
            "Save",
            diff=diff,
        )

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self._save(text)

        self.app.push_screen(modal, answered)

    @work(thread=True, exclusive=True, group="editor-save")
    def _save(self, text: str) -> None:
        try:
            applied = self.authoring.save(text)
        except SmarterError as exc:
            problems = getattr(exc, "problems", [exc.message])
            self.app.call_from_thread(
                self.notify, "\n".join(problems[:5]), title="Not saved", severity="error"
            )
            return
        self.app.call_from_thread(self._announce_saved, applied)  # stored: said even if the editor closed
        deliver(self, self._saved, text, applied)

    def _announce_saved(self, applied: list[Any]) -> None:
        summary = ", ".join(f"{a.action} {a.kind} {a.name}" for a in applied)
        self.app.notify(summary, title="Saved")
        self.app.post_message(CatalogueChanged([(a.kind, a.name) for a in applied]))

    def _saved(self, text: str, applied: list[Any]) -> None:
        first = applied[0]
        self.kind, self.manifest_name = first.kind, first.name
        self.stored = text
        self.query_one("#editor-title", Static).update(self._title())
        self._show_state()

    def action_revert(self) -> None:
        """Go back to the stored text (after confirming when there are changes)."""
        if self.stored is None or not self.modified:
            self.notify("Nothing to revert.")
            return
        stored = self.stored if self.stored else (self.initial or "")
        modal = ConfirmModal(
            "Revert?", "Throw away your changes and go back to the stored text.", "Revert", danger=True
        )

        def answered(revert: bool | None) -> None:
            if revert:
                self._set_text(stored)

        self.app.push_screen(modal, answered)

    def action_try_it(self) -> None:
        """Run the plugin of the unsaved text once with its test values (nothing is stored)."""
        self._try(self.area.text)

    @work(thread=True, exclusive=True, group="editor-try")
    def _try(self, text: str) -> None:
        import asyncio

        services: Any = getattr(self.app, "services")  # noqa: B009 - the host app injects it
        try:
            result: TryResult = asyncio.run(services.inspector.try_text(text))
        except SmarterError as exc:
            self.app.call_from_thread(self.notify, exc.message, title="Try it", severity="error")
            return
        body = result.error if result.error is not None else (result.result or "")
        title = f"Try it: {'error' if result.error else 'result'} ({result.duration_ms:.1f} ms)"
        severity = "error" if result.error else "information"
        self.app.call_from_thread(self.notify, body[:600], title=title, severity=severity, timeout=12)

    def action_external_editor(self) -> None:
        """Edit the text in $VISUAL/$EDITOR (the app is suspended meanwhile); the result is validated."""
        from smarter_tui.services.external_editor import edit_text

        text = self.area.text
        try:
            try:
                with self.app.suspend():
                    edited = edit_text(text, self.manifest_name or "manifest")
            except SuspendNotSupported:  # headless (tests): there is no terminal to hand over
                edited = edit_text(text, self.manifest_name or "manifest")
        except SmarterError as exc:
            self.notify(exc.message, title="$EDITOR", severity="error")
            return
        if edited != text:
            self._set_text(edited)

    def action_close(self) -> None:
        """Leave the editor (asking first when there are unsaved changes)."""
        if not self.modified:
            self.dismiss(None)
            return
        modal = ConfirmModal(
            "Discard changes?", "The text has changes that are not saved.", "Discard", danger=True
        )

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(modal, answered)
