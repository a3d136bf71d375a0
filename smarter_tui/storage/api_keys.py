"""ApiKeyStore: the names and salted hashes of the HTTP server's API keys."""

from __future__ import annotations

from datetime import datetime

import peewee

from smarter_tui.domain.errors import NotFoundError, RequestError
from smarter_tui.domain.records import ApiKeyRecord
from smarter_tui.storage.rows import ApiKeyRow, now_utc


def _record(row: ApiKeyRow) -> ApiKeyRecord:
    return ApiKeyRecord(
        id=row.id,
        name=row.name,
        key_hash=row.key_hash,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
    )


class ApiKeyStore:
    """API keys by name; only hashes are ever written."""

    def __init__(self, db: peewee.Database) -> None:
        """Use `db` for transactions."""
        self._db = db

    def add(self, name: str, key_hash: str) -> ApiKeyRecord:
        """Store a new key's hash under `name`; raise RequestError when the name is taken."""
        try:
            with self._db.atomic():
                row = ApiKeyRow.create(name=name, key_hash=key_hash, created_at=now_utc())
        except peewee.IntegrityError:
            raise RequestError(f"An API key named '{name}' already exists") from None
        return _record(row)

    def list(self) -> list[ApiKeyRecord]:
        """Return every key record, oldest first."""
        return [_record(r) for r in ApiKeyRow.select().order_by(ApiKeyRow.id)]

    def get(self, key_id: int) -> ApiKeyRecord | None:
        """Return the key record with this row id, or None."""
        row = ApiKeyRow.get_or_none(ApiKeyRow.id == key_id)
        return None if row is None else _record(row)

    def delete(self, name: str) -> None:
        """Delete the key called `name`; raise NotFoundError when there is none."""
        with self._db.atomic():
            deleted = ApiKeyRow.delete().where(ApiKeyRow.name == name).execute()
        if not deleted:
            raise NotFoundError(f"No API key named '{name}'")

    def touch(self, key_id: int, when: datetime | None = None) -> None:
        """Record that a key was used."""
        with self._db.atomic():
            ApiKeyRow.update(last_used_at=when or now_utc()).where(ApiKeyRow.id == key_id).execute()
