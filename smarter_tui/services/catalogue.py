"""Apply, list, describe and delete manifests: the catalogue as the CLI, UI and API see it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from smarter_tui.config.secrets import SecretStore, mask
from smarter_tui.domain.errors import DependencyError, ManifestError, NotFoundError, SmarterError
from smarter_tui.domain.records import KIND_GROUPS, CatalogueEntry
from smarter_tui.services.providers import BUILTIN_PROVIDERS, builtin_provider_entry
from smarter_tui.storage import Database

# The manifests package (pydantic models) is imported where it is used, not at start-up:
# opening the app and chatting never needs it unless the examples are being seeded.

_MASKED = re.compile(r"^\*{4}.{0,4}$")
_MANIFEST_SUFFIXES = (".yaml", ".yml")
#: The largest Secret text whose value is masked in place (comments kept); larger ones are rewritten.
_EDIT_IN_PLACE_MAX = 256 * 1024


class ManifestLike(Protocol):
    """A validated manifest document: `LoadedManifest`, or one read back from the seed cache."""

    kind: str
    name: str
    data: dict[str, Any]
    source_text: str
    warnings: list[str]
    document_index: int  # where it is in its file, for messages
    line: int
    lines: dict[tuple[str | int, ...], int]


@dataclass(slots=True)
class Applied:
    """What `apply` did to one manifest."""

    kind: str
    name: str
    action: str  # "created" | "updated" | "unchanged"
    warnings: list[str] = field(default_factory=list)


def resolve_kind(kind: str) -> tuple[str, str | None]:
    """Return (group, canonical kind or None) for a kind typed by a user.

    "plugins" and "connections" mean every class of their group; "sqlplugins", "Chatbot",
    "llm_clients" and the like name one canonical kind. Raises ManifestError for unknown kinds.
    """
    word = re.sub(r"[-_\s]", "", kind.lower()).removesuffix("s")
    if word in ("plugin", "connection"):
        return word, None
    from smarter_tui.manifests import canonical_kind

    canonical = canonical_kind(kind)
    return KIND_GROUPS[canonical], canonical


def manifest_files(path: Path) -> list[Path]:
    """Return the manifest files at `path` (a file, or the *.yaml/*.yml files under a directory)."""
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix in _MANIFEST_SUFFIXES and p.is_file())
        if not files:
            raise ManifestError(f"{path}: no .yaml or .yml files found")
        return files
    if not path.exists():
        raise ManifestError(f"{path}: no such file or directory")
    return [path]


def _references(item: ManifestLike) -> list[tuple[str, str, tuple[str | int, ...]]]:
    """Return the (group, name, field path) targets a manifest must find in the catalogue."""
    from smarter_tui.manifests.specs import llmclient_spec_of, plugin_spec_of

    if item.kind == "LLMClient":
        plugins = llmclient_spec_of(item.data).plugins
        return [("plugin", name, ("spec", "plugins", i)) for i, name in enumerate(plugins)]
    if item.kind in ("SqlPlugin", "ApiPlugin"):
        connection = plugin_spec_of(item.data).connection
        return [("connection", connection, ("spec", "connection"))] if connection else []
    return []


def _missing_reference(item: ManifestLike, group: str, name: str, path: tuple[str | int, ...]) -> str:
    """Return the one-line refusal of a reference to nothing, with its document, field and line."""
    from smarter_tui.manifests.lines import line_of
    from smarter_tui.manifests.problems import Problem

    problem = Problem(
        filename="",
        document=item.document_index,
        line=line_of(item.lines, path, item.line),
        path=path,
        message=f"{group} {name!r} does not exist",
        kind=item.kind,
        name=item.name,
    )
    return problem.where()


def _relative_database(item: ManifestLike) -> bool:
    """Return True for a SqlConnection whose SQLite database path is relative (needs base_dir)."""
    if item.kind != "SqlConnection":
        return False
    from smarter_tui.manifests.specs import sql_connection_spec_of

    spec = sql_connection_spec_of(item.data)
    return spec.engine == "sqlite" and spec.database != ":memory:" and not Path(spec.database).is_absolute()


def value_unchanged(item: ManifestLike, secret_values: list[tuple[str, str]]) -> bool:
    """Return False when `item` is a Secret whose new value is about to be stored."""
    return not any(name == item.name for name, _ in secret_values) or item.kind != "Secret"


def _dump_yaml(data: dict[str, Any]) -> str:
    from smarter_tui.manifests import dump_yaml

    return dump_yaml(data)


class CatalogueService:
    """Manifests in and out of storage; secret values go to the keyring, never the database."""

    def __init__(self, db: Database, secrets: SecretStore) -> None:
        self.db = db
        self.secrets = secrets

    # -- apply -------------------------------------------------------------------------------
    def apply_paths(self, paths: Iterable[str | Path]) -> list[Applied]:
        """Validate and store every manifest under `paths`; all or nothing per file.

        Files are retried in passes so one may refer to another applied later in the same call.
        Raises ManifestError/NotFoundError/SmarterError naming the file on the first failure.
        """
        from smarter_tui.manifests import load_file

        files = [file for path in paths for file in manifest_files(Path(path).expanduser())]
        return self.apply_files([(file, load_file(file)) for file in files])

    def apply_files(self, loaded: Sequence[tuple[Path, Sequence[ManifestLike]]]) -> list[Applied]:
        """Store validated manifests file by file (each file in one transaction).

        Each file's folder is stored as the entries' base_dir: a relative SQLite path stays as
        written and is resolved against it at run time. Files whose references are not there
        yet are retried after the others; raises NotFoundError when none progress.
        """
        results: list[Applied] = []
        pending = list(loaded)
        while pending:
            failed: list[tuple[Path, Sequence[ManifestLike], NotFoundError]] = []
            for file, items in pending:
                try:
                    results.extend(self.apply_loaded(items, base_dir=str(file.parent.resolve())))
                except NotFoundError as exc:
                    failed.append((file, items, exc))
            if len(failed) == len(pending):
                first_file, _, first_error = failed[0]
                raise NotFoundError(f"{first_file}: {first_error.message}")
            pending = [(f, i) for f, i, _ in failed]
        return results

    def apply_loaded(self, items: Sequence[ManifestLike], base_dir: str | None = None) -> list[Applied]:
        """Store already-validated manifests of one file in one transaction.

        `base_dir` is the folder of the file (None, e.g. from the HTTP API: the data directory).
        """
        order = {"Secret": 0, "Provider": 0, "SqlConnection": 1, "ApiConnection": 1, "LLMClient": 3}
        results: list[Applied] = []
        secret_values: list[tuple[str, str]] = []
        with self.db.transaction():
            for item in sorted(items, key=lambda i: order.get(i.kind, 2)):
                data = json.loads(json.dumps(item.data))  # a private copy we may edit
                source_text = item.source_text
                if item.kind == "Secret":
                    value = self._take_secret_value(item.name, data)
                    if value is not None:
                        secret_values.append((item.name, value))
                    source_text = self._secret_text(item, data, value)
                group = KIND_GROUPS[item.kind]
                existing = self.db.catalogue.get(group, item.name)
                action = "created"
                if existing is not None:
                    # The model decides; the folder only where it changes what a relative
                    # SQLite path means. The user's text is stored again either way.
                    same = existing.manifest == data and (
                        existing.base_dir == base_dir or not _relative_database(item)
                    )
                    action = "unchanged" if same and value_unchanged(item, secret_values) else "updated"
                entry = CatalogueEntry(
                    kind=item.kind,
                    name=item.name,
                    manifest=data,
                    source_text=source_text,
                    description=(data.get("metadata") or {}).get("description"),
                    base_dir=base_dir,
                )
                references = _references(item)
                for target_group, target, path in references:
                    if self.db.catalogue.get(target_group, target) is None:  # named by its line
                        raise NotFoundError(_missing_reference(item, target_group, target, path))
                self.db.catalogue.put(entry, [(g, n) for g, n, _ in references])
                results.append(Applied(item.kind, item.name, action, list(item.warnings)))
            # Values go to the keyring last, inside the transaction: a keyring failure rolls back.
            for name, value in secret_values:
                self.secrets.set(name, value)
        return results

    def _secret_text(self, item: ManifestLike, data: dict[str, Any], value: str | None) -> str:
        """Return the text stored for a Secret: the user's own, the value masked; never the value.

        The value is replaced in place (comments and layout kept, as the editor shows them);
        when that cannot be done, the text is very large, or the value still appears anywhere
        in the text (e.g. in a comment), the manifest is written anew from its data instead.
        """
        from smarter_tui.services import yaml_edit

        known = value if value is not None else self.secrets.get(item.name)
        shown = mask(known) or "****"
        secret = value or known
        text = ""
        # ruamel.yaml's round trip is pure Python (seconds for an 8 MB description): only texts
        # of a size people write are edited in place.
        if len(item.source_text) <= _EDIT_IN_PLACE_MAX:
            try:
                text = yaml_edit.set_value(item.source_text, ("spec", "config", "value"), shown)
            except (ManifestError, ValueError, TypeError):
                text = ""
        if text and (not secret or secret not in text):
            return text
        rewritten = json.loads(json.dumps(data))
        rewritten.setdefault("spec", {}).setdefault("config", {})["value"] = shown
        return _dump_yaml(rewritten)

    def _take_secret_value(self, name: str, data: dict[str, Any]) -> str | None:
        """Remove the value from a Secret manifest; return it unless it is a masked placeholder."""
        config = data.setdefault("spec", {}).setdefault("config", {})
        value = config.pop("value", None)
        if value is None or (isinstance(value, str) and _MASKED.match(value)):
            if self.db.catalogue.get("secret", name) is None and not self.secrets.is_set(name):
                raise SmarterError(f"Secret '{name}' has no value (and none is stored yet)")
            return None
        return str(value)

    # -- read ------------------------------------------------------------------------------
    def version(self) -> int:
        """Return the catalogue version, which grows with every apply and delete (any process).

        A cheap read meant for polling: a running app compares it with the version it last saw
        and reads the clients again only when it changed.
        """
        return self.db.catalogue.version()

    def list(self, kind: str) -> list[CatalogueEntry]:
        """Return the manifests of a kind (plural/case-insensitive), sorted by name.

        Providers include the built-in ones (`builtin` set) that no stored manifest overrides.
        """
        group, canonical = resolve_kind(kind)
        entries = [e for e in self.db.catalogue.list(group) if canonical is None or e.kind == canonical]
        if group == "provider":
            stored = {e.name for e in entries}
            builtins = [builtin_provider_entry(p) for p in BUILTIN_PROVIDERS.values() if p.name not in stored]
            entries = sorted([*entries, *builtins], key=lambda e: e.name)
        return entries

    def get(self, kind: str, name: str) -> CatalogueEntry:
        """Return a stored manifest, else a built-in provider; raise NotFoundError naming what exists."""
        group, _ = resolve_kind(kind)
        entry = self.db.catalogue.get(group, name)
        if entry is None and group == "provider" and name in BUILTIN_PROVIDERS:
            return builtin_provider_entry(BUILTIN_PROVIDERS[name])
        if entry is None:
            names = ", ".join(e.name for e in self.list(group)) or "none"
            raise NotFoundError(f"No {group} named '{name}' (known: {names})")
        return entry

    def describe(self, kind: str, name: str, status: bool = True) -> dict[str, Any]:
        """Return the manifest in today's Smarter shape, as `apply` accepts it again.

        The official SDK's `SAM_MODELS[kind]` accepts it; `status` (read-only, ignored by apply)
        is complete for that model, or left out with `status=False`. A Secret's value is masked.
        """
        from smarter_tui.manifests.describe import canonical_data, status_of

        entry = self.get(kind, name)
        data = json.loads(json.dumps(entry.manifest))
        if entry.kind == "Secret":
            value = self.secrets.get(entry.name)
            data.setdefault("spec", {}).setdefault("config", {})["value"] = mask(value) or "****"
        if not entry.builtin:  # a built-in provider has no stored manifest to read again
            data = canonical_data(entry.kind, data)
        if status:
            group = KIND_GROUPS[entry.kind]
            dependants = [
                {"kind": self._kind_of(g, n), "name": n} for g, n in self.db.catalogue.dependants(group, name)
            ]
            data["status"] = status_of(entry, dependants)
            if entry.builtin:
                data["status"]["builtin"] = True
            if entry.kind == "Secret":
                data["status"]["stored"] = self.secrets.is_set(entry.name)
        return data

    def _kind_of(self, group: str, name: str) -> str:
        found = self.db.catalogue.get(group, name)
        return found.kind if found else group

    def source_text(self, kind: str, name: str) -> str:
        """Return the user's own YAML text of a stored manifest (comments and order kept).

        This is what an editor opens. A Secret's text never holds its value. Falls back to the
        `describe` YAML for an entry stored without text. Raises NotFoundError.
        """
        entry = self.get(kind, name)
        return entry.source_text or self.describe_yaml(kind, name)

    def describe_yaml(self, kind: str, name: str) -> str:
        """Return `describe` as YAML."""
        return _dump_yaml(self.describe(kind, name))

    # -- delete ----------------------------------------------------------------------------
    def delete(self, kind: str, name: str) -> None:
        """Delete a manifest; refuse (DependencyError) when others depend on it."""
        entry = self.get(kind, name)
        if entry.builtin:
            raise DependencyError(
                f"Provider '{name}' is built in and cannot be deleted (a Provider manifest named "
                f"'{name}' overrides it)"
            )
        group = KIND_GROUPS[entry.kind]
        self.db.catalogue.delete(group, name)
        if entry.kind == "Secret":
            self.secrets.delete(name)


# -- the manifest API (SMARTER-API.md §5): text in, documents out ----------------------------------
def apply_text(catalogue: CatalogueService, text: str, filename: str, base: Path) -> list[Applied]:
    """Validate and store the manifests of YAML (or JSON) `text`, all or nothing.

    Relative SQLite paths resolve against `base` (the data directory for the HTTP API). Raises
    ManifestError (every problem, named by `filename`, document, field and line) or NotFoundError.
    """
    from smarter_tui.manifests import load_text

    return catalogue.apply_files([(base / filename, load_text(text, filename=filename))])
