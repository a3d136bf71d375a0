"""Manifest authoring as plain service functions: validate text, examples, JSON Schema, field help.

Used by the CLI (`validate`, `example-manifest`, `json-schema`, `edit`), the in-app editor and the
HTTP API. Everything returns plain data (dataclasses with `to_public()`, dicts, text); the
pydantic models are imported only when a function runs, never at start-up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from smarter_tui.config.paths import assets_dir
from smarter_tui.domain.errors import ManifestError


@dataclass(frozen=True, slots=True)
class ManifestProblem:
    """One error or warning of a manifest text, with the line an editor marks."""

    severity: Literal["error", "warning"]
    line: int  # 1-based
    field: str  # "spec.sqlData.parameters[1].type"; "" when the problem is not about one field
    message: str  # what is wrong / expected, without the location
    document: int  # 1-based document of the text (0: the text is not YAML)
    kind: str | None = None
    name: str | None = None
    filename: str = "<editor>"
    column: int | None = None
    text: str = ""  # the one-line form: "FILE: document N (KIND NAME): FIELD (line L): message"

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


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """Every problem of one or more manifest texts; `valid` when none is an error."""

    errors: list[ManifestProblem] = field(default_factory=list)
    warnings: list[ManifestProblem] = field(default_factory=list)
    manifests: list[tuple[str, str]] = field(default_factory=list)  # (kind, name) of valid documents

    @property
    def valid(self) -> bool:
        """Return True when there is no error (warnings allowed)."""
        return not self.errors

    @property
    def problems(self) -> list[ManifestProblem]:
        """Return errors and warnings together, by line."""
        return sorted([*self.errors, *self.warnings], key=lambda p: (p.filename, p.line))

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


def validate_text(text: str, filename: str = "<editor>") -> ValidationReport:
    """Validate every document of a YAML text; return all its errors and warnings with lines.

    Never raises for bad input: a YAML syntax error is one error at its line. Stores nothing.
    """
    from smarter_tui.manifests.loader import check_text

    checked = check_text(text, filename)
    return ValidationReport(
        errors=[_problem(p) for p in checked.errors],
        warnings=[_problem(p) for p in checked.warnings],
        manifests=[(m.kind, m.name) for m in checked.manifests],
    )


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
    """Return a valid, commented example manifest of `kind` (any accepted spelling) as YAML text."""
    canonical = canonical_kind(kind)
    return (examples_dir() / f"{canonical}.yaml").read_text(encoding="utf-8")


def json_schema(kind: str) -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of `kind`, with the Smarter SDK's field descriptions."""
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

    None when the text is not YAML (yet) or the line holds no field.
    """
    from smarter_tui.manifests.problems import format_path
    from smarter_tui.manifests.schema import field_at

    found = field_at(text, line)
    if found is None:
        return None
    kind, path = found
    description = field_description(kind, path) if kind else None
    return FieldHelp(kind, format_path(path), description)
