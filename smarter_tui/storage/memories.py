"""MemoryStore: long-term memories shared across sessions, found by full-text search (a MemoryBackend)."""

from __future__ import annotations

from datetime import datetime

import peewee

from smarter_tui.domain.errors import NotFoundError
from smarter_tui.storage import fulltext
from smarter_tui.storage.rows import MemoryRow, now_utc


class MemoryStore:
    """Facts the assistant stored with create_memory and finds with recall_memory."""

    def __init__(self, db: peewee.Database) -> None:
        """Use `db` for transactions and raw SQL."""
        self._db = db

    def add(self, text: str, session_key: str | None = None) -> int:
        """Store a memory and return its id; raise ValueError for blank text."""
        text = (text or "").strip()
        if not text:
            raise ValueError("a memory needs some text")
        with self._db.atomic():
            row = MemoryRow.create(
                text=text,
                session_key=session_key.lower() if session_key else None,
                created_at=now_utc(),
            )
        return int(row.id)

    def search(self, query: str, limit: int = 5) -> list[str]:
        """Return the texts of memories sharing any meaningful word with `query`, best (bm25) first.

        Stop words and one-letter words are ignored; a query with no words returns [].
        """
        return fulltext.search_memories(self._db, query or "", limit)

    def list(self, limit: int = 100) -> list[tuple[int, str, datetime]]:
        """Return (id, text, created_at) of the newest memories, newest first."""
        query = MemoryRow.select().order_by(MemoryRow.id.desc()).limit(limit)
        return [(int(r.id), r.text, r.created_at) for r in query]

    def delete(self, id: int) -> None:
        """Delete one memory; raise NotFoundError if there is none with that id."""
        with self._db.atomic():
            deleted = MemoryRow.delete().where(MemoryRow.id == id).execute()
        if not deleted:
            raise NotFoundError(f"no memory {id}")

    def count(self) -> int:
        """Return the number of memories."""
        return MemoryRow.select().count()
