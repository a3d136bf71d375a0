"""Authoring manifests in the app: browse, validate text as it is typed, save (apply), examples, copies.

What the in-app editor needs, and the command line's `edit` can share: the user's own stored YAML
text, every problem of a text with its line, the field under a line and what it means, a diff
against the stored version, and edits of a client's text that keep its comments.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from smarter_tui.config.paths import assets_dir
from smarter_tui.config.secrets import SecretStore, mask
from smarter_tui.domain.errors import ManifestError, NotFoundError
from smarter_tui.domain.records import KIND_GROUPS, CatalogueEntry
from smarter_tui.services import yaml_edit
from smarter_tui.services.catalogue import Applied, CatalogueService, _references
from smarter_tui.services.field_docs import describe_field
from smarter_tui.services.providers import BUILTIN_PROVIDERS
from smarter_tui.storage import Database

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

# "FILE: document N (KIND NAME): FIELD (line L): MESSAGE", "FILE: document N: line L: MESSAGE",
# "FILE: line L, column C: YAML syntax error: MESSAGE" (manifests/loader.py and lines.py).
_PROBLEM = re.compile(
    r"^(?P<file>.*?): (?:document \d+(?: \([^)]*\))?: )?"
    r"(?:(?P<field>\S+) \(line (?P<line>\d+)\)|line (?P<line2>\d+)(?:, column \d+)?): (?P<message>.*)$",
    re.DOTALL,
)


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem of a manifest text: its 1-based line (0 when unknown), field path and message."""

    line: int
    field: str  # e.g. "spec.data.staticData"; "" for a YAML syntax error
    message: str
    severity: str = "error"  # "error" | "warning"
    text: str = ""  # the whole message as `validate` prints it

    @property
    def is_error(self) -> bool:
        """Return True for an error (a warning does not stop a save)."""
        return self.severity == "error"

    @classmethod
    def parse(cls, text: str, severity: str = "error") -> Problem:
        """Return the structured form of one loader message (line and field read from its text)."""
        matched = _PROBLEM.match(text)
        if matched is None:
            return cls(0, "", text, severity, text)
        line = int(matched.group("line") or matched.group("line2") or 0)
        return cls(line, matched.group("field") or "", matched.group("message"), severity, text)


@dataclass(slots=True)
class TextReport:
    """What validating a text found: problems by line, the manifests it holds, the field of each line."""

    problems: list[Problem] = field(default_factory=list)
    manifests: list[tuple[str, str]] = field(default_factory=list)  # (kind, name) when valid
    fields: dict[int, tuple[str, str]] = field(default_factory=dict)  # line -> (field path, description)

    @property
    def errors(self) -> list[Problem]:
        """Return the problems that stop a save."""
        return [p for p in self.problems if p.is_error]

    @property
    def ok(self) -> bool:
        """Return True when the text can be saved."""
        return not self.errors and bool(self.manifests)


@dataclass(slots=True)
class ManifestSummary:
    """One stored manifest as the browser lists it."""

    kind: str
    group: str
    name: str
    description: str | None
    used_by: list[str]  # dependants, e.g. ["llmclient shop_assistant"]
    uses: list[str]  # what it refers to, e.g. ["connection catalogue_db"]
    problems: list[Problem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        """Return True when the stored text validates (warnings allowed)."""
        return not any(p.is_error for p in self.problems)

    @property
    def warnings(self) -> list[Problem]:
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
        from smarter_tui.manifests import load_text

        summaries: list[ManifestSummary] = []
        for group in GROUPS:
            for entry in self.db.catalogue.list(group):
                problems: list[Problem] = []
                try:
                    loaded = load_text(self.stored_text(entry), filename=entry.name)
                    problems = [Problem.parse(w, "warning") for item in loaded for w in item.warnings]
                except ManifestError as exc:
                    problems = [Problem.parse(p) for p in exc.problems]
                summaries.append(
                    ManifestSummary(
                        kind=entry.kind,
                        group=group,
                        name=entry.name,
                        description=entry.description,
                        used_by=[f"{g} {n}" for g, n in self.db.catalogue.dependants(group, entry.name)],
                        uses=[f"{g} {n}" for g, n in self.db.catalogue.references(group, entry.name)],
                        problems=problems,
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
    def validate(self, text: str) -> TextReport:
        """Return every problem of `text` with its line, and the field (and its meaning) of each line.

        Never raises for bad input: a YAML syntax error, a schema error or a reference to a
        missing plugin, connection or provider is a Problem.
        """
        from smarter_tui.manifests import canonical_kind, load_text
        from smarter_tui.manifests.lines import parse_documents

        report = TextReport()
        try:
            documents = parse_documents(text, EDITOR_FILENAME)
        except ManifestError as exc:
            report.problems = [Problem.parse(p) for p in exc.problems]
            return report
        kinds: dict[int, str] = {}
        for document in documents:
            raw_kind = document.data.get("kind") if isinstance(document.data, dict) else None
            try:
                kind = canonical_kind(str(raw_kind))
            except ManifestError:
                continue
            kinds[document.index] = kind
            for line, path in _deepest_paths(document.lines).items():
                described = describe_field(kind, path)
                if described is not None:
                    report.fields[line] = described
        if not any(document.data is not None for document in documents):
            report.problems.append(Problem(1, "", "The text holds no manifest", text="no manifest"))
            return report
        try:
            loaded = load_text(text, filename=EDITOR_FILENAME)
        except ManifestError as exc:
            report.problems = [Problem.parse(p) for p in exc.problems]
            return report
        by_index = {document.index: document for document in documents}
        defined = {(KIND_GROUPS[item.kind], item.name) for item in loaded}
        for item in loaded:
            report.manifests.append((item.kind, item.name))
            report.problems += [Problem.parse(w, "warning") for w in item.warnings]
            report.problems += self._missing_references(item, by_index[item.document_index], defined)
        report.problems.sort(key=lambda p: (p.line, not p.is_error))
        return report

    def _missing_references(self, item: Any, document: Any, defined: set[tuple[str, str]]) -> list[Problem]:
        """Return a problem for each plugin, connection or provider the manifest names that is missing."""
        found: list[Problem] = []
        spec = item.data.get("spec") or {}
        plugins = [str(p) for p in spec.get("plugins") or []]
        for group, target in _references(item):
            if (group, target) in defined or self.db.catalogue.get(group, target) is not None:
                continue
            path: tuple[str | int, ...] = (
                ("spec", "plugins", plugins.index(target)) if group == "plugin" else ("spec", "connection")
            )
            known = ", ".join(e.name for e in self.db.catalogue.list(group)) or "none"
            found.append(_located(document, path, f"no {group} named {target!r} (known: {known})"))
        if item.kind == "LLMClient":
            config = spec.get("config") or {}
            provider = config.get("provider") or (config.get("prompt") or {}).get("provider")
            if (
                provider
                and provider not in BUILTIN_PROVIDERS
                and ("provider", provider) not in defined
                and self.db.catalogue.get("provider", provider) is None
            ):
                builtin = ", ".join(BUILTIN_PROVIDERS)
                message = f"no provider named {provider!r} (built in: {builtin})"
                found.append(_located(document, ("spec", "config", "provider"), message))
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
        """
        from smarter_tui.manifests import load_text

        return self.catalogue.apply_loaded(load_text(text, filename=EDITOR_FILENAME))

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
        """Return a valid, commented example manifest of `kind`, named so it creates a new one."""
        from smarter_tui.manifests import canonical_kind

        canonical = canonical_kind(kind)
        text = (assets_dir() / "examples" / f"{canonical}.yaml").read_text(encoding="utf-8")
        base = yaml_edit.value_at(text, ("metadata", "name"))
        name = self.free_name(canonical, str(base))
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


def _located(document: Any, path: tuple[str | int, ...], message: str) -> Problem:
    """Return an error at `path` of a parsed document, with the line the path is written on."""
    from smarter_tui.manifests.problems import format_path

    line = document.line_of(path)
    where = format_path(path)
    return Problem(line, where, message, text=f"{EDITOR_FILENAME}: {where} (line {line}): {message}")
