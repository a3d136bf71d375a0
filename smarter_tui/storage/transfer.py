"""Database administration across engines: status, and copying one database into another.

`copy_database` moves everything a person keeps (catalogue with each entry's base_dir,
references, sessions with their messages, tool calls and plugin selections, memories, the API keys
of `serve`) from one database to another, SQLite or PostgreSQL either way, in short transactions
of CHUNK sessions. It is re-runnable: rows are matched on their natural keys (a catalogue entry by
name, a session by key, a message by session and position, an API key by name, tool calls,
selections and memories by all their columns), so a second run adds nothing. The destination
assigns its own ids. Neither database is bound to the stores' proxy.

Session leases are not copied: a lease names a process of the source's machine running a turn
right now and expires within seconds; in the destination it would only block that session's
turns until it expired (and a copy is taken of a database at rest).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smarter_tui.storage.convert import CATALOGUE_FIELDS
from smarter_tui.storage.database import _postgres, _sqlite, is_database_url, redact_url
from smarter_tui.storage.dialect import Executor
from smarter_tui.storage.migrations import CATALOGUE_TABLES, LATEST_VERSION, migrate, schema_version

#: Sessions copied per transaction.
CHUNK = 500
#: The tables whose row counts `status` reports and `copy_database` compares.
COUNTED_TABLES = (
    *CATALOGUE_TABLES.values(),
    "catalogue_references",
    "sessions",
    "messages",
    "tool_calls",
    "plugin_selections",
    "memories",
    "api_keys",
)

#: Every catalogue column but the row id (the destination numbers its own rows).
_CATALOGUE_COLUMNS = tuple(name for name in CATALOGUE_FIELDS if name != "id")
_SESSION_COLUMNS = (
    "session_key", "client", "title", "created_at", "updated_at", "sandbox", "message_count", "chat_settings",
)  # fmt: skip
_MESSAGE_COLUMNS = (
    "position", "role", "content", "tool_calls", "tool_call_id", "name", "model",
    "prompt_tokens", "completion_tokens", "total_tokens", "created_at", "interrupted", "excluded",
)  # fmt: skip
_TOOL_CALL_COLUMNS = (
    "message_position", "tool_call_id", "name", "source", "kind", "arguments", "result", "error",
    "duration_ms", "created_at",
)  # fmt: skip
_SELECTION_COLUMNS = ("plugin", "term", "prompt", "created_at")
_MEMORY_COLUMNS = ("text", "session_key", "created_at")
_API_KEY_COLUMNS = ("name", "key_hash", "created_at", "last_used_at")
#: Columns whose values are JSON (parsed by PostgreSQL's driver, text on SQLite) or booleans.
_JSON_COLUMNS = {"manifest_json", "tool_calls"}
_BOOL_COLUMNS = {"sandbox", "interrupted"}


@dataclass
class CopyReport:
    """Row counts of every table in the source and the destination after a copy."""

    source: str
    destination: str
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)  # table -> (source, destination)

    @property
    def complete(self) -> bool:
        """Return True when the destination holds at least as many rows as the source everywhere."""
        return all(dst >= src for src, dst in self.counts.values())


class _Side:
    """One database opened for administration: an Executor over its own connection."""

    def __init__(self, target: Path | str, password: str | None) -> None:
        self.postgres = is_database_url(target)
        self.location = redact_url(str(target)) if self.postgres else str(Path(target).expanduser())
        self._db = _postgres(str(target), password) if self.postgres else _sqlite(Path(self.location))
        self.x = Executor(self._db.connection())  # type: ignore[no-untyped-call]

    def close(self) -> None:
        self._db.close()

    def count(self, table: str) -> int:
        return int(self.x.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])

    def select(
        self, table: str, columns: tuple[str, ...], where: str = "", params: tuple[Any, ...] = ()
    ) -> list[Any]:
        return list(self.x.execute(f"SELECT {', '.join(columns)} FROM {table} {where}", params).fetchall())

    def begin(self) -> None:
        self.x.run("BEGIN")

    def commit(self) -> None:
        self.x.run("COMMIT")

    def rollback(self) -> None:
        self.x.run("ROLLBACK")


def _values(columns: tuple[str, ...], row: tuple[Any, ...], to_postgres: bool) -> tuple[Any, ...]:
    """Return a row's values fit for the destination engine (JSON as text, real booleans)."""
    out = []
    for column, value in zip(columns, row, strict=True):
        if column in _JSON_COLUMNS and value is not None and not isinstance(value, str):
            value = json.dumps(value, ensure_ascii=False)
        elif column in _BOOL_COLUMNS and value is not None:
            value = bool(value) if to_postgres else int(bool(value))
        out.append(value)
    return tuple(out)


def _placeholders(n: int) -> str:
    return ", ".join("?" * n)


def _insert(table: str, columns: tuple[str, ...], tail: str = "") -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({_placeholders(len(columns))}) {tail}"


def status(target: Path | str, password: str | None = None) -> dict[str, Any]:
    """Return engine, location (no password), schema versions and row counts of a database."""
    side = _Side(target, password)
    try:
        version = schema_version(side.x)
        counts = {t: side.count(t) for t in COUNTED_TABLES if side.x.table_exists(t)}
        return {
            "engine": "postgresql" if side.postgres else "sqlite",
            "location": side.location,
            "schema_version": version,
            "latest_version": LATEST_VERSION,
            "counts": counts,
        }
    finally:
        side.close()


def migrate_database(target: Path | str, password: str | None = None) -> tuple[int, int]:
    """Apply pending migrations; return the schema version (before, after)."""
    side = _Side(target, password)
    try:
        before = schema_version(side.x)
        return before, migrate(side.x)
    finally:
        side.close()


def copy_database(
    source: Path | str,
    destination: Path | str,
    source_password: str | None = None,
    destination_password: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> CopyReport:
    """Copy everything from `source` into `destination` (both migrated first); return the counts.

    `progress(done, total)` is called after each chunk of sessions.
    """
    src = _Side(source, source_password)
    try:
        dst = _Side(destination, destination_password)
        try:
            migrate(src.x)
            migrate(dst.x)
            _copy_catalogue(src, dst)
            _copy_sessions(src, dst, progress)
            _copy_memories(src, dst)
            _copy_api_keys(src, dst)
            if dst.postgres:
                dst.x.run("ANALYZE")  # fresh planner statistics for the bulk of new rows
            report = CopyReport(src.location, dst.location)
            for table in COUNTED_TABLES:
                report.counts[table] = (src.count(table), dst.count(table))
            return report
        finally:
            dst.close()
    finally:
        src.close()


def _copy_catalogue(src: _Side, dst: _Side) -> None:
    dst.begin()
    try:
        for table in CATALOGUE_TABLES.values():
            rows = src.select(table, _CATALOGUE_COLUMNS, "ORDER BY id")
            updates = ", ".join(f"{c} = excluded.{c}" for c in _CATALOGUE_COLUMNS if c != "name")
            dst.x.executemany(
                f"INSERT INTO {table} ({', '.join(_CATALOGUE_COLUMNS)}) "
                f"VALUES ({_placeholders(len(_CATALOGUE_COLUMNS))}) "
                f"ON CONFLICT (name) DO UPDATE SET {updates}",
                [_values(_CATALOGUE_COLUMNS, r, dst.postgres) for r in rows],
            )
        columns = ("from_group", "from_name", "to_group", "to_name")
        dst.x.executemany(
            f"INSERT INTO catalogue_references ({', '.join(columns)}) VALUES ({_placeholders(4)}) "
            "ON CONFLICT DO NOTHING",
            src.select("catalogue_references", columns, "ORDER BY id"),
        )
        # Like every catalogue write: apps running on the destination see the copied manifests.
        dst.x.run(
            "INSERT INTO catalogue_version (id, version) VALUES (1, 1) "
            "ON CONFLICT (id) DO UPDATE SET version = catalogue_version.version + 1"
        )
        dst.commit()
    except BaseException:
        dst.rollback()
        raise


def _copy_sessions(src: _Side, dst: _Side, progress: Callable[[int, int], None] | None) -> None:
    total = src.count("sessions")
    done = 0
    last_id = 0
    while True:
        chunk = src.select(
            "sessions", ("id", *_SESSION_COLUMNS), "WHERE id > ? ORDER BY id LIMIT ?", (last_id, CHUNK)
        )
        if not chunk:
            return
        last_id = chunk[-1][0]
        dst.begin()
        try:
            _copy_session_chunk(src, dst, chunk)
            dst.commit()
        except BaseException:
            dst.rollback()
            raise
        done += len(chunk)
        if progress is not None:
            progress(done, total)


def _in(ids: list[Any]) -> str:
    return f"({_placeholders(len(ids))})"


def _copy_session_chunk(src: _Side, dst: _Side, chunk: list[Any]) -> None:
    dst.x.executemany(
        _insert("sessions", _SESSION_COLUMNS, "ON CONFLICT (session_key) DO NOTHING"),
        [_values(_SESSION_COLUMNS, tuple(r[1:]), dst.postgres) for r in chunk],
    )
    keys = [r[1] for r in chunk]
    dest_ids = dict(
        dst.x.execute(
            f"SELECT session_key, id FROM sessions WHERE session_key IN {_in(keys)}", keys
        ).fetchall()
    )
    id_map = {r[0]: dest_ids[r[1]] for r in chunk}  # source id -> destination id
    src_ids = list(id_map)
    where = f"WHERE session_id IN {_in(src_ids)} ORDER BY id"

    messages = src.select("messages", ("session_id", *_MESSAGE_COLUMNS), where, tuple(src_ids))
    dst.x.executemany(
        f"INSERT INTO messages (session_id, {', '.join(_MESSAGE_COLUMNS)}) "
        f"VALUES ({_placeholders(len(_MESSAGE_COLUMNS) + 1)}) ON CONFLICT (session_id, position) DO NOTHING",
        [(id_map[r[0]], *_values(_MESSAGE_COLUMNS, tuple(r[1:]), dst.postgres)) for r in messages],
    )
    for table, columns in (("tool_calls", _TOOL_CALL_COLUMNS), ("plugin_selections", _SELECTION_COLUMNS)):
        _copy_new_rows(src, dst, table, columns, id_map)
    dst_ids = list(id_map.values())
    dst.x.execute(
        "UPDATE sessions SET message_count = "
        "(SELECT COUNT(*) FROM messages WHERE messages.session_id = sessions.id) "
        f"WHERE id IN {_in(dst_ids)}",
        dst_ids,
    )


def _copy_new_rows(
    src: _Side, dst: _Side, table: str, columns: tuple[str, ...], id_map: dict[int, int]
) -> None:
    """Copy a session-owned table without a natural key: rows equal in every column are skipped."""
    src_ids, dst_ids = list(id_map), list(id_map.values())
    rows = src.select(
        table, ("session_id", *columns), f"WHERE session_id IN {_in(src_ids)} ORDER BY id", tuple(src_ids)
    )
    if not rows:
        return
    present = {
        tuple(r)
        for r in dst.select(
            table, ("session_id", *columns), f"WHERE session_id IN {_in(dst_ids)}", tuple(dst_ids)
        )
    }
    new = []
    for row in rows:
        values = (id_map[row[0]], *_values(columns, tuple(row[1:]), dst.postgres))
        if values not in present:
            present.add(values)
            new.append(values)
    dst.x.executemany(
        f"INSERT INTO {table} (session_id, {', '.join(columns)}) VALUES ({_placeholders(len(columns) + 1)})",
        new,
    )


def _copy_memories(src: _Side, dst: _Side) -> None:
    present = set(map(tuple, dst.select("memories", _MEMORY_COLUMNS)))
    new = [
        tuple(r) for r in src.select("memories", _MEMORY_COLUMNS, "ORDER BY id") if tuple(r) not in present
    ]
    dst.begin()
    try:
        dst.x.executemany(
            f"INSERT INTO memories ({', '.join(_MEMORY_COLUMNS)}) VALUES ({_placeholders(3)})", new
        )
        dst.commit()
    except BaseException:
        dst.rollback()
        raise


def _copy_api_keys(src: _Side, dst: _Side) -> None:
    """Copy the API keys (salted hashes) by name; a key the destination already has stays as it is.

    Unlike a catalogue entry, a same-named key in the team database is not overwritten: that
    would silently revoke a key other people use.
    """
    dst.begin()
    try:
        dst.x.executemany(
            _insert("api_keys", _API_KEY_COLUMNS, "ON CONFLICT (name) DO NOTHING"),
            src.select("api_keys", _API_KEY_COLUMNS, "ORDER BY id"),
        )
        dst.commit()
    except BaseException:
        dst.rollback()
        raise
