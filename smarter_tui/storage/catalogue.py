"""CatalogueStore: applied manifests by group and name, and the references between them."""

from __future__ import annotations

import builtins
import functools
import json
from collections.abc import Callable, Iterable

import peewee

from smarter_tui.domain.errors import DependencyError, NotFoundError
from smarter_tui.domain.records import KIND_GROUPS, CatalogueEntry
from smarter_tui.storage.compiled import Statement, slot
from smarter_tui.storage.convert import CATALOGUE_FIELDS, catalogue_entry, catalogue_entry_from_tuple
from smarter_tui.storage.rows import GROUP_ROWS, CatalogueRow, CatalogueVersionRow, ReferenceRow, now_utc

_KIND_BY_LOWER = {kind.lower(): group for kind, group in KIND_GROUPS.items()}


def _select(table: type[CatalogueRow]) -> peewee.ModelSelect[CatalogueRow]:
    return table.select(*(getattr(table, name) for name in CATALOGUE_FIELDS))


# The reads every config and prompt makes (a client, its provider, its plugins), compiled once.
def _statements(build: Callable[[type[CatalogueRow]], peewee.Query]) -> dict[str, Statement]:
    return {group: Statement(functools.partial(build, table)) for group, table in GROUP_ROWS.items()}


_BY_NAME = _statements(lambda t: _select(t).where(t.name == slot("name")))
_BY_ID = _statements(lambda t: _select(t).where(t.id == slot("id")))
_ALL = _statements(lambda t: _select(t).order_by(t.name))
_VERSION = Statement(
    lambda: CatalogueVersionRow.select(CatalogueVersionRow.version).where(CatalogueVersionRow.id == 1)
)


def resolve_group(group: str) -> str:
    """Return the canonical group for a group or kind name ("plugin", "SqlPlugin" -> "plugin").

    Raises ValueError for anything else.
    """
    key = group.strip().lower()
    if key in GROUP_ROWS:
        return key
    if key in _KIND_BY_LOWER:
        return _KIND_BY_LOWER[key]
    raise ValueError(f"unknown catalogue group {group!r}")


class CatalogueStore:
    """Providers, secrets (metadata only), connections, plugins and LLM clients."""

    def __init__(self, db: peewee.Database) -> None:
        """Use `db` for transactions."""
        self._db = db

    def _row(self, group: str, name: str) -> CatalogueRow | None:
        table = GROUP_ROWS[resolve_group(group)]
        return table.get_or_none(table.name == name)

    def put(self, entry: CatalogueEntry, references: Iterable[tuple[str, str]] = ()) -> CatalogueEntry:
        """Insert or update the entry by (group, name) and replace its references; return it stored.

        Raises ValueError for an unknown kind, NotFoundError naming a missing reference target.
        """
        if entry.kind not in KIND_GROUPS:
            raise ValueError(f"unknown kind {entry.kind!r}")
        group = KIND_GROUPS[entry.kind]
        table = GROUP_ROWS[group]
        wanted = builtins.list(dict.fromkeys((resolve_group(g), n) for g, n in references))
        manifest_json = json.dumps(entry.manifest, ensure_ascii=False, default=str)
        with self._db.atomic():
            for to_group, to_name in wanted:
                if (to_group, to_name) == (group, entry.name):
                    continue
                if self._row(to_group, to_name) is None:
                    raise NotFoundError(f"{to_group} {to_name!r} does not exist")
            now = now_utc()
            row = table.get_or_none(table.name == entry.name)
            if row is None:
                # Another process may be creating the same name right now (two people applying,
                # two processes seeding a fresh team database): a plain INSERT would then fail on
                # PostgreSQL's unique index. Claim the name with an insert that yields to the
                # other one (waiting for its commit), and update whichever row is there.
                table.insert(
                    name=entry.name, kind=entry.kind, created_at=now, updated_at=now
                ).on_conflict_ignore().execute()
                row = table.get(table.name == entry.name)
            row.kind = entry.kind
            row.description = entry.description
            row.manifest_json = manifest_json
            row.source_text = entry.source_text or ""
            row.base_dir = entry.base_dir
            row.updated_at = now
            row.save()
            self._bump()
            ReferenceRow.delete().where(
                (ReferenceRow.from_group == group) & (ReferenceRow.from_name == entry.name)
            ).execute()
            if wanted:
                ReferenceRow.insert_many(
                    [
                        {"from_group": group, "from_name": entry.name, "to_group": g, "to_name": n}
                        for g, n in wanted
                    ]
                ).execute()
            return catalogue_entry(row)

    def _bump(self) -> None:
        """Count one more catalogue write (called inside the write's transaction).

        An upsert, so a counter row that went missing (a truncated table) comes back; the
        `ON CONFLICT ... DO UPDATE` is the same on SQLite and PostgreSQL.
        """
        row = CatalogueVersionRow
        row.insert(id=1, version=1).on_conflict(
            conflict_target=[row.id], update={row.version: row.version + 1}
        ).execute()

    def version(self) -> int:
        """Return the catalogue version: it grows with every put and delete, in any process.

        One primary-key read, cheap enough to poll; equal versions mean nothing was written.
        """
        row = _VERSION.one(self._db)
        return int(row[0] or 0) if row else 0

    def get(self, group: str, name: str) -> CatalogueEntry | None:
        """Return the entry of `group` (or a kind name) called `name`, or None."""
        found = _BY_NAME[resolve_group(group)].one(self._db, name=name)
        return None if found is None else catalogue_entry_from_tuple(found)

    def get_by_id(self, group: str, entry_id: int) -> CatalogueEntry | None:
        """Return the entry of `group` whose row id is `entry_id`, or None."""
        found = _BY_ID[resolve_group(group)].one(self._db, id=entry_id)
        return None if found is None else catalogue_entry_from_tuple(found)

    def list(self, group: str) -> list[CatalogueEntry]:
        """Return every entry of a group, sorted by name."""
        return [catalogue_entry_from_tuple(r) for r in _ALL[resolve_group(group)].all(self._db)]

    def references(self, group: str, name: str) -> builtins.list[tuple[str, str]]:
        """Return the (group, name) targets the entry refers to, sorted."""
        group = resolve_group(group)
        query = (
            ReferenceRow.select(ReferenceRow.to_group, ReferenceRow.to_name)
            .where((ReferenceRow.from_group == group) & (ReferenceRow.from_name == name))
            .order_by(ReferenceRow.to_group, ReferenceRow.to_name)
        )
        return [(r.to_group, r.to_name) for r in query]

    def dependants(self, group: str, name: str) -> builtins.list[tuple[str, str]]:
        """Return the (group, name) entries that refer to this one, sorted."""
        group = resolve_group(group)
        query = (
            ReferenceRow.select(ReferenceRow.from_group, ReferenceRow.from_name)
            .where((ReferenceRow.to_group == group) & (ReferenceRow.to_name == name))
            .order_by(ReferenceRow.from_group, ReferenceRow.from_name)
        )
        return [(r.from_group, r.from_name) for r in query]

    def delete(self, group: str, name: str) -> None:
        """Delete the entry and its own references.

        Raises NotFoundError if absent, DependencyError naming every dependant if referenced.
        """
        group = resolve_group(group)
        table = GROUP_ROWS[group]
        with self._db.atomic():
            if self._row(group, name) is None:
                raise NotFoundError(f"{group} {name!r} does not exist")
            users = self.dependants(group, name)
            if users:
                listed = ", ".join(f"{g} {n!r}" for g, n in users)
                raise DependencyError(f"{group} {name!r} is used by {listed}")
            table.delete().where(table.name == name).execute()
            self._bump()
            ReferenceRow.delete().where(
                (ReferenceRow.from_group == group) & (ReferenceRow.from_name == name)
            ).execute()

    def count(self, group: str) -> int:
        """Return the number of entries in a group."""
        return GROUP_ROWS[resolve_group(group)].select().count()

    def is_empty(self) -> bool:
        """Return True when no group holds any entry."""
        return not any(table.select().exists() for table in GROUP_ROWS.values())
