"""Load manifests from YAML files or text: validate every document, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path as FilePath
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from smarter_tui.domain.errors import ManifestError
from smarter_tui.domain.records import KIND_GROUPS

from .base import Manifest, ManifestModel, Path
from .dump import manifest_data
from .kinds import MANIFEST_CLASSES, canonical_kind, valid_kinds_text
from .lines import RawDocument, YamlSyntaxError, parse_documents
from .problems import Problem, explain_all, shown


@dataclass(slots=True)
class LoadedManifest:
    """One validated document: canonical kind, name, model, storable data, warnings, origin."""

    kind: str
    name: str
    model: Manifest
    data: dict[str, Any]
    source_text: str
    warnings: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # the warnings, with their lines
    filename: str = "<string>"
    document_index: int = 1
    line: int = 1
    lines: dict[Path, int] = field(default_factory=dict)  # the line of every field written


def load_file(path: str | FilePath) -> list[LoadedManifest]:
    """Return the manifests of the YAML file at `path` (one or more documents).

    Raises ManifestError (with every problem) when the file is missing, unreadable, not YAML,
    or when any document is invalid: nothing is returned partially.
    """
    file_path = FilePath(path)
    try:
        text = file_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ManifestError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ManifestError(f"{path}: is a directory, expected a YAML file") from None
    except UnicodeDecodeError:
        raise ManifestError(f"{path}: not a UTF-8 text file") from None
    except OSError as exc:
        raise ManifestError(f"{path}: cannot be read ({exc.strerror})") from None
    return load_text(text, filename=str(path))


@dataclass(slots=True)
class CheckedText:
    """The outcome of checking a manifest text: its valid manifests and every problem found.

    `errors` and `warnings` are in text order; the text may be stored only when `errors` is empty.
    """

    manifests: list[LoadedManifest]
    errors: list[Problem]
    warnings: list[Problem]
    #: The parsed documents (data and the line of every field), empty when the text is not YAML:
    #: callers that need lines (field help, references) read them here instead of parsing again.
    documents: list[RawDocument] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        """Return True when no document has an error."""
        return not self.errors


def check_text(text: str, filename: str = "<string>") -> CheckedText:
    """Validate every document of YAML `text` and return all errors and warnings; never raises.

    A YAML syntax error is one error at its line. The manifests of invalid documents are left out.
    """
    try:
        documents = parse_documents(text, filename)
    except YamlSyntaxError as exc:
        return CheckedText([], [Problem(filename, 0, exc.line, (), exc.problem, column=exc.column)], [])
    loaded: list[LoadedManifest] = []
    problems: list[Problem] = []
    warnings: list[Problem] = []
    names: dict[tuple[str, str], int] = {}
    for document in documents:
        if document.data is None:
            continue
        result = _load_document(document, filename, problems)
        if result is None:
            continue
        key = (KIND_GROUPS[result.kind], result.name)
        if key in names:
            problems.append(
                _problem(
                    filename,
                    document,
                    result.kind,
                    result.name,
                    ("metadata", "name"),
                    f"{result.name!r} is already defined in document {names[key]}",
                )
            )
            continue
        names[key] = document.index
        loaded.append(result)
        warnings.extend(result.problems)
    return CheckedText(loaded, problems, warnings, documents)


def load_text(text: str, filename: str = "<string>") -> list[LoadedManifest]:
    """Return the manifests of YAML `text`; `filename` is used in messages.

    Empty documents are skipped. Raises ManifestError whose `problems` lists every problem as
    "FILE: document N (KIND NAME): FIELD.PATH (line L): what was expected; got what".
    """
    checked = check_text(text, filename)
    if checked.errors:
        raise refusal([str(problem) for problem in checked.errors])
    return checked.manifests


def refusal(problems: list[str]) -> ManifestError:
    """Return the error refusing a text: the first problem (and how many more) as its message."""
    message = problems[0]
    if len(problems) > 1:
        message += f" (and {len(problems) - 1} more problem(s))"
    return ManifestError(message, problems)


def _load_document(document: RawDocument, filename: str, problems: list[Problem]) -> LoadedManifest | None:
    """Validate one document; append problems and return None when it is invalid."""
    raw = document.data
    if not isinstance(raw, dict):
        problems.append(
            _problem(
                filename,
                document,
                None,
                None,
                (),
                "expected a mapping with apiVersion, kind, metadata and spec; got " + shown(raw),
            )
        )
        return None
    raw_kind = raw.get("kind")
    metadata = raw.get("metadata")
    raw_name = metadata.get("name") if isinstance(metadata, dict) else None
    name = raw_name if isinstance(raw_name, str) else None
    if raw_kind is None:
        problems.append(
            _problem(
                filename,
                document,
                None,
                name,
                ("kind",),
                f"required field is missing; expected one of {valid_kinds_text()}",
            )
        )
        return None
    try:
        kind = canonical_kind(str(raw_kind))
    except ManifestError:
        problems.append(
            _problem(
                filename,
                document,
                None,
                name,
                ("kind",),
                f"unknown kind {raw_kind!r}; expected one of {valid_kinds_text()}",
            )
        )
        return None
    try:
        model = MANIFEST_CLASSES[kind].model_validate(raw)
    except ValidationError as exc:
        for path, message in explain_all([dict(error) for error in exc.errors()]):
            problems.append(_problem(filename, document, kind, name, path, message))
        return None
    notes = [
        _problem(filename, document, kind, model.metadata.name, path, message, "warning")
        for path, message in _notes(model, ())
    ]
    notes += [
        _problem(
            filename,
            document,
            kind,
            model.metadata.name,
            path,
            "duplicate key: the last value is used",
            "warning",
        )
        for path in document.duplicate_keys
    ]
    return LoadedManifest(
        kind=kind,
        name=model.metadata.name,
        model=model,
        data=manifest_data(model),
        source_text=document.source_text,
        warnings=[str(note) for note in notes],
        problems=notes,
        filename=filename,
        document_index=document.index,
        line=document.line,
        lines=document.lines,
    )


def _notes(value: Any, path: Path) -> list[tuple[Path, str]]:
    """Collect the notes and unknown keys of every model below `value` with their full paths."""
    found: list[tuple[Path, str]] = []
    if isinstance(value, ManifestModel):
        found += [((*path, *sub), message) for sub, message in value.notes]
        found += [
            ((*path, key), "unknown key kept as given (Smarter declares no such field; no local effect)")
            for key in (value.model_extra or {})
        ]
        for name, info in type(value).model_fields.items():
            if isinstance(value, Manifest) and name == "status":
                continue
            found += _notes(getattr(value, name), (*path, info.alias or name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, BaseModel):
                found += _notes(item, (*path, index))
    return found


def _written_path(document: RawDocument, path: Path) -> Path:
    """Return `path` as the text wrote it: a flat LLMClient's spec.config.appName is validated as
    spec.config.prompt.appName, and spec.functions as spec.extensions."""
    if not path or path in document.lines:
        return path
    if path[:2] == ("spec", "config") and len(path) > 3 and path[2] in ("prompt", "styles"):
        flat = (*path[:2], *path[3:])
        if flat[:3] in document.lines:
            return flat
    if path[:2] == ("spec", "extensions") and ("spec", "functions") in document.lines:
        return ("spec", "functions", *path[2:])
    return path


def _problem(
    filename: str,
    document: RawDocument,
    kind: str | None,
    name: str | None,
    path: Path,
    message: str,
    severity: Literal["error", "warning"] = "error",
) -> Problem:
    """Return one problem or warning: file, document, kind and name, field path, line, message."""
    path = _written_path(document, path)
    line = document.line_of(path) if path else document.line
    return Problem(filename, document.index, line, path, message, kind, name, severity)
