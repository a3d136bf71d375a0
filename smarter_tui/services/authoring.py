"""Manifest authoring, the one service the editor, the CLI and the HTTP API share.

Module functions need no database (`validate`, `example-manifest` and `json-schema` run without
opening one): validate a text or files, every problem with its line; the commented example of a
kind; a kind's JSON Schema; what a field means. `AuthoringService` adds what needs the
catalogue: the user's stored text, browse, references to what is not stored, diff, save, copies,
attaching a plugin to a client by editing the client's text.

Everything returns plain data (dataclasses with `to_public()`, dicts, text); the pydantic models
are imported only when a function runs, never at start-up.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from smarter_tui.config.paths import assets_dir
from smarter_tui.config.secrets import SecretStore, mask
from smarter_tui.domain.errors import ManifestError, NotFoundError
from smarter_tui.domain.records import KIND_GROUPS, CatalogueEntry
from smarter_tui.services import yaml_edit
from smarter_tui.services.catalogue import Applied, CatalogueService, _references
from smarter_tui.services.providers import BUILTIN_PROVIDERS
from smarter_tui.storage import Database

if TYPE_CHECKING:
    from smarter_tui.manifests.lines import RawDocument
    from smarter_tui.manifests.loader import LoadedManifest

#: The browser's sections, in the order shown, with their titles.
GROUPS: dict[str, str] = {
    "llmclient": "Clients",
    "plugin": "Plugins",
    "connection": "Connections",
    "provider": "Providers",
    "secret": "Secrets",
}

#: The name the editor's text is validated under (it appears in every message).
EDITOR_FILENAME = "<editor>"


@dataclass(frozen=True, slots=True)
class ManifestProblem:
    """One error or warning of a manifest text, with the line an editor marks."""

    severity: Literal["error", "warning"]
    line: int  # 1-based (0: unknown)
    field: str  # "spec.sqlData.parameters[1].type"; "" when the problem is not about one field
    message: str  # what is wrong / expected, without the location
    document: int  # 1-based document of the text (0: the text is not YAML)
    kind: str | None = None
    name: str | None = None
    filename: str = EDITOR_FILENAME
    column: int | None = None
    text: str = ""  # the one-line form: "FILE: document N (KIND NAME): FIELD (line L): message"

    @property
    def is_error(self) -> bool:
        """Return True for an error (a warning does not stop a save)."""
        return self.severity == "error"

    def to_public(self) -> dict[str, Any]:
        """Return the problem as JSON-ready data."""
        return {
            "severity": self.severity,
            "line": self.line,
            "column": self.column,
            "field": self.field,
            "message": self.message,
            "document": self.document,
            "kind": self.kind,
            "name": self.name,
            "file": self.filename,
            "text": self.text,
        }


@dataclass(slots=True)
class ValidationReport:
    """Every problem of one or more manifest texts; `valid` when none is an error.

    `field_at(line)` is the field written on a line and what it means (the editor's field help;
    known for texts validated by `AuthoringService.validate`).
    """

    errors: list[ManifestProblem] = field(default_factory=list)
    warnings: list[ManifestProblem] = field(default_factory=list)
    manifests: list[tuple[str, str]] = field(default_factory=list)  # (kind, name) of valid documents
    #: line -> (canonical kind, the deepest field path written on it). Descriptions are looked up
    #: when asked for: one per cursor move, instead of one per line on every re-validation
    #: (half the CPU time of re-validating a 1,000-line manifest).
    field_paths: dict[int, tuple[str, tuple[str | int, ...]]] = field(default_factory=dict)

    def field_at(self, line: int) -> tuple[str, str] | None:
        """Return (described field, description) of the field on 1-based `line`, or None."""
        from smarter_tui.manifests.schema import nearest_field_description

        found = self.field_paths.get(line)
        return nearest_field_description(*found) if found else None

    @property
    def valid(self) -> bool:
        """Return True when there is no error (warnings allowed)."""
        return not self.errors

    @property
    def ok(self) -> bool:
        """Return True when the text can be saved: no error and at least one manifest."""
        return not self.errors and bool(self.manifests)

    @property
    def problems(self) -> list[ManifestProblem]:
        """Return errors and warnings together, by file and line (an error before a warning)."""
        return sorted([*self.errors, *self.warnings], key=lambda p: (p.filename, p.line, not p.is_error))

    def to_public(self) -> dict[str, Any]:
        """Return the report as JSON-ready data: {"valid", "errors", "warnings", "manifests"}."""
        return {
            "valid": self.valid,
            "errors": [p.to_public() for p in self.errors],
            "warnings": [p.to_public() for p in self.warnings],
            "manifests": [{"kind": k, "name": n} for k, n in self.manifests],
        }


def _problem(problem: Any) -> ManifestProblem:
    return ManifestProblem(
        severity=problem.severity,
        line=problem.line,
        field=problem.field,
        message=problem.message,
        document=problem.document,
        kind=problem.kind,
        name=problem.name,
        filename=problem.filename,
        column=problem.column,
        text=str(problem),
    )


@dataclass(slots=True)
class _Checked:
    """A report with what it was made from: the valid manifests and the parsed documents.

    Shared by every caller that asks about the same text (`_check` keeps the last one): the
    report is copied before a caller adds to it, the rest is only read.
    """

    report: ValidationReport
    loaded: list[LoadedManifest]
    documents: list[RawDocument]


#: The last text checked, its filename and the result. The editor asks about one text several
#: times (validate after typing, the field under the cursor, save after the diff): each parse of
#: a 1,000-line manifest is ~10 ms of CPU. One (text, filename, result) tuple, replaced whole, so
#: the editor's worker threads can share it without a lock.
_last_checked: tuple[str, str, _Checked] | None = None


def _check(text: str, filename: str) -> _Checked:
    """Parse and validate `text` (every document), or return the result kept for the same text."""
    global _last_checked
    last = _last_checked
    if last is not None and last[1] == filename and last[0] == text:
        return last[2]
    from smarter_tui.manifests.loader import check_text

    checked = check_text(text, filename)
    report = ValidationReport(
        errors=[_problem(p) for p in checked.errors],
        warnings=[_problem(p) for p in checked.warnings],
        manifests=[(m.kind, m.name) for m in checked.manifests],
    )
    result = _Checked(report, checked.manifests, checked.documents)
    _last_checked = (text, filename, result)
    return result


def _report(checked: _Checked) -> ValidationReport:
    """Return a copy of a checked text's report that the caller may add to."""
    report = checked.report
    return ValidationReport(list(report.errors), list(report.warnings), list(report.manifests))


def validate_text(text: str, filename: str = EDITOR_FILENAME) -> ValidationReport:
    """Validate every document of a YAML (or JSON) text; return all its errors and warnings with lines.

    Never raises for bad input: a YAML syntax error is one error at its line. Stores nothing
    and reads no catalogue (references to other manifests are `AuthoringService.validate`'s).
    """
    return _report(_check(text, filename))


def validate_paths(paths: Iterable[str | Path]) -> ValidationReport:
    """Validate every manifest file under `paths` (files or folders); one report for all.

    Raises ManifestError only when a path does not exist or holds no manifest file.
    """
    from smarter_tui.services.catalogue import manifest_files

    errors: list[ManifestProblem] = []
    warnings: list[ManifestProblem] = []
    manifests: list[tuple[str, str]] = []
    for path in paths:
        for file in manifest_files(Path(path).expanduser()):
            try:
                text = file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                reason = "not a UTF-8 text file" if isinstance(exc, UnicodeDecodeError) else str(exc)
                message = f"cannot be read: {reason}"
                errors.append(ManifestProblem("error", 1, "", message, 0, filename=str(file), text=message))
                continue
            report = validate_text(text, str(file))
            errors += report.errors
            warnings += report.warnings
            manifests += report.manifests
    return ValidationReport(errors, warnings, manifests)


def canonical_kind(kind: str) -> str:
    """Return the canonical kind of a typed kind ("sqlplugins" -> "SqlPlugin"); raises ManifestError."""
    from smarter_tui.manifests.kinds import canonical_kind as canonical

    return canonical(kind)


def examples_dir() -> Path:
    """Return the folder of the commented example manifest of each kind."""
    return assets_dir() / "examples"


def example_manifest(kind: str) -> str:
    """Return a valid, commented example manifest of `kind` (any accepted spelling) as YAML text.

    Raises ManifestError for an unknown kind or a group word ("plugins") naming no single kind.
    """
    canonical = canonical_kind(kind)
    return (examples_dir() / f"{canonical}.yaml").read_text(encoding="utf-8")


def example_data(kind: str) -> dict[str, Any]:
    """Return `example_manifest(kind)` as data (what the HTTP API sends); raises ManifestError."""
    from smarter_tui.manifests import load_text

    (example,) = load_text(example_manifest(kind), filename=f"{canonical_kind(kind)}.yaml")
    return example.data


def json_schema(kind: str) -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of `kind`, with the Smarter SDK's field descriptions.

    Raises ManifestError for an unknown kind.
    """
    from smarter_tui.manifests.schema import json_schema as schema_of

    return schema_of(canonical_kind(kind))


def field_description(kind: str, path: Iterable[str | int]) -> str | None:
    """Return what a field of a `kind` manifest means (the Smarter SDK's description), or None."""
    from smarter_tui.manifests.schema import field_description as describe

    try:
        canonical = canonical_kind(kind)
    except ManifestError:
        return None
    return describe(canonical, tuple(path))


@dataclass(frozen=True, slots=True)
class FieldHelp:
    """The field under an editor's cursor and what it means."""

    kind: str | None
    field: str  # "spec.sqlData.sqlQuery"
    description: str | None


def field_help(text: str, line: int) -> FieldHelp | None:
    """Return the field written on 1-based `line` of a manifest text and its description.

    None when the text is not YAML (yet) or the line holds no field. The text is parsed only
    when it is not the one last validated (the editor validates before it asks).
    """
    from smarter_tui.manifests.problems import format_path
    from smarter_tui.manifests.schema import field_in_documents

    found = field_in_documents(_check(text, EDITOR_FILENAME).documents, line)
    if found is None:
        return None
    kind, path = found
    description = field_description(kind, path) if kind else None
    return FieldHelp(kind, format_path(path), description)


@dataclass(slots=True)
class ManifestSummary:
    """One stored manifest as the browser lists it."""

    kind: str
    group: str
    name: str
    description: str | None
    used_by: list[str]  # dependants, e.g. ["llmclient shop_assistant"]
    uses: list[str]  # what it refers to, e.g. ["connection catalogue_db"]
    problems: list[ManifestProblem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        """Return True when the stored text validates (warnings allowed)."""
        return not any(p.is_error for p in self.problems)

    @property
    def warnings(self) -> list[ManifestProblem]:
        """Return the warnings of the stored text."""
        return [p for p in self.problems if not p.is_error]


def _deepest_paths(lines: dict[Any, int]) -> dict[int, tuple[str | int, ...]]:
    """Return, per line, the longest field path starting on it (the field the line is about)."""
    by_line: dict[int, tuple[str | int, ...]] = {}
    for path, line in lines.items():
        if len(path) >= len(by_line.get(line, ())):
            by_line[line] = path
    return by_line


class AuthoringService:
    """The editor's view of the catalogue; saving goes through `CatalogueService.apply_loaded`."""

    def __init__(self, db: Database, secrets: SecretStore, catalogue: CatalogueService) -> None:
        self.db = db
        self.secrets = secrets
        self.catalogue = catalogue

    # -- browse -----------------------------------------------------------------------------
    def browse(self) -> list[ManifestSummary]:
        """Return every stored manifest, by group (clients first) then name, with its state."""
        summaries: list[ManifestSummary] = []
        for group in GROUPS:
            for entry in self.db.catalogue.list(group):
                summaries.append(
                    ManifestSummary(
                        kind=entry.kind,
                        group=group,
                        name=entry.name,
                        description=entry.description,
                        used_by=[f"{g} {n}" for g, n in self.db.catalogue.dependants(group, entry.name)],
                        uses=[f"{g} {n}" for g, n in self.db.catalogue.references(group, entry.name)],
                        problems=validate_text(self.stored_text(entry), entry.name).problems,
                    )
                )
        return summaries

    def names(self, group: str) -> list[str]:
        """Return the names stored in a group ("plugin", "llmclient", ...), sorted."""
        return [entry.name for entry in self.db.catalogue.list(group)]

    # -- the user's text ----------------------------------------------------------------------
    def stored_text(self, entry: CatalogueEntry) -> str:
        """Return the user's stored YAML text of an entry (a dump of the model when none was kept)."""
        from smarter_tui.manifests import dump_yaml

        return entry.source_text or dump_yaml(entry.manifest)

    def text(self, kind: str, name: str) -> str:
        """Return the text the editor opens for a manifest: the user's own, comments kept.

        A Secret's value is never stored in the text: it is shown masked (`****` + last 4), and
        saving the mask unchanged keeps the stored value. Raises NotFoundError.
        """
        entry = self.catalogue.get(kind, name)
        text = self.stored_text(entry)
        if entry.kind == "Secret":
            value = self.secrets.get(entry.name)
            if value:
                text = yaml_edit.set_value(text, ("spec", "config", "value"), mask(value))
        return text

    # -- validate -----------------------------------------------------------------------------
    def validate(self, text: str, filename: str = EDITOR_FILENAME) -> ValidationReport:
        """Return every problem of `text` with its line, and the field (and its meaning) of each line.

        Never raises for bad input: a YAML syntax error, a schema error or a reference to a
        missing plugin, connection or provider is a problem. The text is parsed once.
        """
        checked = _check(text, filename)
        report = _report(checked)
        for document in checked.documents:
            raw_kind = document.data.get("kind") if isinstance(document.data, dict) else None
            try:
                kind = canonical_kind(str(raw_kind))
            except ManifestError:
                continue
            for line, path in _deepest_paths(document.lines).items():
                report.field_paths[line] = (kind, path)
        if not report.errors and not any(document.data is not None for document in checked.documents):
            message = "The text holds no manifest"
            report.errors.append(ManifestProblem("error", 1, "", message, 0, filename=filename, text=message))
            return report
        if report.errors:
            return report
        by_index = {document.index: document for document in checked.documents}
        defined = {(KIND_GROUPS[item.kind], item.name) for item in checked.loaded}
        for item in checked.loaded:
            report.errors += self._missing_references(item, by_index[item.document_index], defined)
        return report

    def _missing_references(
        self, item: LoadedManifest, document: RawDocument, defined: set[tuple[str, str]]
    ) -> list[ManifestProblem]:
        """Return a problem for each plugin, connection or provider the manifest names that is missing."""
        from smarter_tui.manifests.specs import llmclient_spec_of

        found: list[ManifestProblem] = []
        provider: str | None = None
        if item.kind == "LLMClient":
            provider = llmclient_spec_of(item.data).provider
        for group, target, path in _references(item):
            if (group, target) in defined or self.db.catalogue.get(group, target) is not None:
                continue
            known = ", ".join(e.name for e in self.db.catalogue.list(group)) or "none"
            found.append(_located(item, document, path, f"no {group} named {target!r} (known: {known})"))
        if (
            provider
            and provider not in BUILTIN_PROVIDERS
            and ("provider", provider) not in defined
            and self.db.catalogue.get("provider", provider) is None
        ):
            builtin = ", ".join(BUILTIN_PROVIDERS)
            message = f"no provider named {provider!r} (built in: {builtin})"
            where: tuple[str, ...] = ("spec", "config", "provider")
            if where not in document.lines:
                where = ("spec", "config", "prompt", "provider")
            found.append(_located(item, document, where, message))
        return found

    # -- save -------------------------------------------------------------------------------
    def diff(self, kind: str | None, name: str | None, text: str) -> str:
        """Return a unified diff from the stored text (empty for a new manifest) to `text`."""
        stored = ""
        if kind and name:
            try:
                stored = self.text(kind, name)
            except NotFoundError:
                stored = ""
        lines = difflib.unified_diff(
            stored.splitlines(keepends=True),
            text.splitlines(keepends=True),
            fromfile=f"stored/{name}" if stored else "/dev/null",
            tofile=f"edited/{name or 'new'}",
        )
        return "".join(line if line.endswith("\n") else line + "\n" for line in lines)

    def save(self, text: str) -> list[Applied]:
        """Validate `text` and store every manifest in it, all or nothing (like `apply` of a file).

        Raises ManifestError (every problem, with lines) when the text is invalid and
        NotFoundError when it names a plugin or connection that does not exist; nothing is stored.
        The text is parsed only when it is not the one last validated (the editor validates it
        before showing the diff).
        """
        from smarter_tui.manifests.loader import refusal

        checked = _check(text, EDITOR_FILENAME)
        if checked.report.errors:
            raise refusal([problem.text for problem in checked.report.errors])
        return self.catalogue.apply_loaded(checked.loaded, base_dir=self._base_dir(checked.loaded))

    def _base_dir(self, loaded: Sequence[LoadedManifest]) -> str | None:
        """Return the folder the stored manifests of a text were applied from, else None.

        A relative SQLite path keeps resolving against the manifest's own folder after an edit
        in the app, as after `apply -f` or `edit`; a manifest new to the catalogue has no folder
        (None: the data directory, as for the HTTP API).
        """
        for item in loaded:
            entry = self.db.catalogue.get(KIND_GROUPS[item.kind], item.name)
            if entry is not None and entry.base_dir:
                return entry.base_dir
        return None

    def delete(self, kind: str, name: str) -> None:
        """Delete a manifest; DependencyError names every dependant when others use it."""
        self.catalogue.delete(kind, name)

    # -- new texts ----------------------------------------------------------------------------
    def kinds(self) -> list[str]:
        """Return the kinds that have an example, in the browser's order."""
        return sorted(KIND_GROUPS, key=lambda kind: (list(GROUPS).index(KIND_GROUPS[kind]), kind))

    def free_name(self, kind: str, base: str) -> str:
        """Return `base`, or `base_2`, `base_3`, ... whichever no manifest of the kind's group has."""
        group = KIND_GROUPS[kind]
        name, number = base, 1
        while self.db.catalogue.get(group, name) is not None:
            number += 1
            name = f"{base[:46]}_{number}"
        return name

    def example(self, kind: str) -> str:
        """Return `example_manifest(kind)`, renamed when needed so that saving it creates a new one."""
        text = example_manifest(kind)
        base = yaml_edit.value_at(text, ("metadata", "name"))
        name = self.free_name(canonical_kind(kind), str(base))
        return text if name == base else yaml_edit.set_value(text, ("metadata", "name"), name)

    def duplicate(self, kind: str, name: str) -> tuple[str, str]:
        """Return (new name, text) of a copy of a stored manifest, its own comments kept (not stored)."""
        entry = self.catalogue.get(kind, name)
        new_name = self.free_name(entry.kind, f"{entry.name[:45]}_copy")
        return new_name, yaml_edit.set_value(self.text(kind, name), ("metadata", "name"), new_name)

    # -- clients and plugins ------------------------------------------------------------------
    def set_attached(self, client: str, plugin: str, attached: bool) -> list[Applied]:
        """Attach (or detach) a plugin to a client by editing the client's own text, and save it.

        The client's comments and layout are kept. Raises NotFoundError for an unknown client or
        (when attaching) plugin.
        """
        if attached and self.db.catalogue.get("plugin", plugin) is None:
            raise NotFoundError(f"No plugin named '{plugin}'")
        text = self.text("llmclient", client)
        change = yaml_edit.add_to_list if attached else yaml_edit.remove_from_list
        return self.save(change(text, ("spec", "plugins"), plugin))


def _located(
    item: LoadedManifest, document: RawDocument, path: Sequence[str | int], message: str
) -> ManifestProblem:
    """Return an error at `path` of a parsed document, with the line the path is written on."""
    from smarter_tui.manifests.problems import Problem

    where = tuple(path)
    problem = Problem(
        item.filename, document.index, document.line_of(where), where, message, item.kind, item.name
    )
    return _problem(problem)
