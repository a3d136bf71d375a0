"""SessionStore: sessions, their messages, tool calls, plugin selections, and history search."""

from __future__ import annotations

import builtins
import json
import re
import secrets
from collections.abc import Iterable
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from itertools import islice
from typing import Any

import peewee

from smarter_tui.domain.errors import NotFoundError, RequestError
from smarter_tui.domain.messages import Message, Role
from smarter_tui.domain.records import (
    PluginSelectionRecord,
    SearchHit,
    SessionInfo,
    ToolCallRecord,
)
from smarter_tui.storage import convert, fulltext
from smarter_tui.storage.compiled import Statement, slot
from smarter_tui.storage.rows import (
    MessageRow,
    PluginSelectionRow,
    SessionCountRow,
    SessionRow,
    ToolCallRow,
    now_utc,
    to_utc_text,
)

SESSION_KEY = re.compile(r"^[a-fA-F0-9]{64}$")
TITLE_LENGTH = 80
#: Marks around matched words in SearchHit.snippet (plain text, safe in Rich/Textual markup).
HIGHLIGHT = ("«", "»")
_MESSAGE_COLUMNS = (
    "session_id, position, role, content, tool_calls, tool_call_id, name, model, "
    "prompt_tokens, completion_tokens, total_tokens, created_at, interrupted, excluded"
)


# The statements of a config and of a turn, compiled once (see `compiled`): each is run with its
# `slot` values given as peewee would have converted them (timestamps as UTC text).
_SESSION = Statement(
    lambda: SessionRow.select(*convert.SESSION_FIELDS).where(SessionRow.session_key == slot("key"))
)
_SESSION_ID = Statement(lambda: SessionRow.select(SessionRow.id).where(SessionRow.session_key == slot("key")))
_CHAT_SETTINGS = Statement(
    lambda: SessionRow.select(SessionRow.chat_settings).where(SessionRow.session_key == slot("key"))
)
_CREATE = Statement(
    lambda: SessionRow.insert(
        session_key=slot("key"),
        client=slot("client"),
        title=slot("title"),
        created_at=slot("now"),
        updated_at=slot("now"),
        sandbox=slot("sandbox"),
        message_count=0,
    ).returning(SessionRow.id)
)


def _touch_statement(count: bool, title: bool) -> Statement:
    """The UPDATE of a session's row before a message write (see `SessionStore._touch`)."""

    def build() -> peewee.Query:
        changes: dict[peewee.Field, Any] = {SessionRow.updated_at: slot("now")}
        if count:
            changes[SessionRow.message_count] = SessionRow.message_count + 1
        if title:
            changes[SessionRow.title] = peewee.fn.COALESCE(SessionRow.title, slot("title"))
        query = SessionRow.update(changes).where(SessionRow.session_key == slot("key"))
        return query.returning(SessionRow.id)

    return Statement(build)


_TOUCH = _touch_statement(count=False, title=False)
_TOUCH_COUNT = _touch_statement(count=True, title=False)
_TOUCH_COUNT_TITLE = _touch_statement(count=True, title=True)
#: The columns of a message a write sets (`convert.message_columns`), filled by name.
_MESSAGE_VALUES = (
    "role",
    "content",
    "tool_calls",
    "tool_call_id",
    "name",
    "model",
    "prompt_tokens",
    "completion_tokens",
    "total_tokens",
    "interrupted",
    "excluded",
)
_APPEND = Statement(
    lambda: MessageRow.insert(
        session=slot("session"),
        position=MessageRow.select(peewee.fn.COALESCE(peewee.fn.MAX(MessageRow.position) + 1, 0)).where(
            MessageRow.session == slot("session")
        ),
        created_at=slot("created_at"),
        **{name: slot(name) for name in _MESSAGE_VALUES},
    ).returning(*convert.MESSAGE_FIELDS)
)
_REPLACE = Statement(
    lambda: (
        MessageRow.update({getattr(MessageRow, name): slot(name) for name in _MESSAGE_VALUES})
        .where((MessageRow.session == slot("session")) & (MessageRow.position == slot("position")))
        .returning(*convert.MESSAGE_FIELDS)
    )
)


def _of_session(model: type[peewee.Model]) -> peewee.Expression:
    """`model.session` is the session whose key is the `key` slot (a subquery: one statement)."""
    session = SessionRow.select(SessionRow.id).where(SessionRow.session_key == slot("key"))
    return model.session == session  # type: ignore[attr-defined, no-any-return]


def _messages_statement(context_only: bool, last: bool) -> Statement:
    def build() -> peewee.Query:
        query = MessageRow.select(*convert.MESSAGE_FIELDS).where(_of_session(MessageRow))
        if context_only:
            query = query.where(MessageRow.excluded.is_null())
        if last:
            return query.order_by(MessageRow.position.desc()).limit(slot("limit"))
        return query.order_by(MessageRow.position)

    return Statement(build)


_MESSAGES = {(c, n): _messages_statement(c, n) for c in (False, True) for n in (False, True)}


def _insert_for_session(model: type[peewee.Model], names: tuple[str, ...], returning: Any) -> Statement:
    """INSERT ... SELECT a row of `model` into the session of the `key` slot, its values the slots
    `names`: one statement, which inserts nothing for an unknown session."""

    def build() -> peewee.Query:
        fields = [getattr(model, name) for name in names]
        source = SessionRow.select(SessionRow.id, *(slot(name) for name in names)).where(
            SessionRow.session_key == slot("key")
        )
        return model.insert_from(source, [model.session, *fields]).returning(*returning)  # type: ignore[attr-defined, no-any-return]

    return Statement(build)


_TOOL_CALL_VALUES = (
    "tool_call_id",
    "name",
    "source",
    "kind",
    "arguments",
    "result",
    "error",
    "duration_ms",
    "created_at",
)
_RECORD_TOOL_CALL = _insert_for_session(ToolCallRow, _TOOL_CALL_VALUES, convert.TOOL_CALL_FIELDS)
_TOOL_CALLS = Statement(
    lambda: (
        ToolCallRow.select(*convert.TOOL_CALL_FIELDS).where(_of_session(ToolCallRow)).order_by(ToolCallRow.id)
    )
)
_RECORD_SELECTION = _insert_for_session(
    PluginSelectionRow, ("plugin", "term", "prompt", "created_at"), convert.SELECTION_FIELDS
)
_SELECTIONS = Statement(
    lambda: (
        PluginSelectionRow.select(*convert.SELECTION_FIELDS)
        .where(_of_session(PluginSelectionRow))
        .order_by(PluginSelectionRow.id)
    )
)


def normalise_key(key: str) -> str:
    """Return a session key in lowercase; raise RequestError if it is not 64 hex characters."""
    if not isinstance(key, str) or not SESSION_KEY.match(key):
        raise RequestError(f"invalid session key {key!r}: expected 64 hexadecimal characters")
    return key.lower()


def title_from(text: str | None) -> str | None:
    """Return a session title from a prompt: its first non-blank line, at most 80 characters."""
    for line in (text or "").splitlines():
        line = " ".join(line.split())
        if line:
            return line if len(line) <= TITLE_LENGTH else line[: TITLE_LENGTH - 1] + "…"
    return None


class SessionStore:
    """Prompt sessions and everything recorded in them."""

    def __init__(self, db: peewee.Database) -> None:
        """Use `db` for transactions and raw SQL."""
        self._db = db

    # -- sessions ---------------------------------------------------------------------------

    @staticmethod
    def _key(key: str) -> str:
        """Return the stored form of a session key; NotFoundError for one that cannot exist."""
        try:
            return normalise_key(key)
        except RequestError:
            raise NotFoundError(f"no session {key!r}") from None

    def _touch(self, statement: Statement, key: str, **values: Any) -> int:
        """Run one of the `_TOUCH*` updates of a session's row in the caller's transaction; return its id.

        The UPDATE takes the row's write lock until commit and RETURNING finds the session in the
        same statement. Raises NotFoundError for an unknown session.
        """
        found = statement.one(self._db, key=key, **values)
        if found is None:
            raise NotFoundError(f"no session {key}")
        return int(found[0])

    def _check_exists(self, key: str) -> None:
        """Raise NotFoundError unless session `key` (normalised) exists."""
        if _SESSION_ID.one(self._db, key=key) is None:
            raise NotFoundError(f"no session {key}")

    def _write(self) -> AbstractContextManager[Any]:
        """Return the transaction of a write of several statements: its own, or the caller's.

        Inside a caller's transaction no savepoint is made (two round trips less on
        PostgreSQL): the write raises before changing anything or fails the caller's
        transaction with it, which rolls back as a whole.
        """
        return nullcontext() if self._db.in_transaction() else self._db.atomic()

    def _session(self, key: str) -> SessionRow:
        key = self._key(key)
        row = SessionRow.get_or_none(SessionRow.session_key == key)
        if row is None:
            raise NotFoundError(f"no session {key}")
        return row

    def create(
        self,
        client: str,
        session_key: str | None = None,
        title: str | None = None,
        sandbox: bool = False,
    ) -> SessionInfo:
        """Create and return a session; the key is random unless given.

        Raises RequestError for a malformed key or one already in use.
        """
        key = normalise_key(session_key) if session_key else secrets.token_hex(32)
        now = now_utc()
        try:
            with self._db.atomic():  # a savepoint inside a caller's: a duplicate leaves it usable
                found = _CREATE.one(
                    self._db, key=key, client=client, title=title, now=to_utc_text(now), sandbox=sandbox
                )
        except peewee.IntegrityError:
            raise RequestError(f"session {key} already exists") from None
        assert found is not None  # RETURNING gives the new row's id
        return SessionInfo(key, client, title, now, now, 0, sandbox, id=int(found[0]))

    def get(self, key: str) -> SessionInfo | None:
        """Return the session with this key (any case), or None."""
        try:
            key = self._key(key)
        except NotFoundError:
            return None
        found = _SESSION.one(self._db, key=key)
        return None if found is None else convert.session_info_from_tuple(found)

    def keys_with_prefix(self, prefix: str, limit: int = 11) -> builtins.list[str]:
        """Return up to `limit` session keys starting with the lower-case hex `prefix`, sorted.

        One range scan of the unique index on session_key (`key >= prefix AND key < next`),
        the same SQL on SQLite and PostgreSQL; a LIKE would not use the index everywhere.
        """
        prefix = prefix.lower()
        if not re.fullmatch(r"[0-9a-f]+", prefix):
            return []  # only hex can match
        query = SessionRow.select(SessionRow.session_key).where(SessionRow.session_key >= prefix)
        if prefix.strip("f"):  # "ffff" has no upper bound: every key above it starts with it
            upper = format(int(prefix, 16) + 1, f"0{len(prefix)}x")
            query = query.where(SessionRow.session_key < upper)
        rows = self._raw_rows(query.order_by(SessionRow.session_key).limit(limit))
        # The range holds exactly the keys with the prefix; the check guards odd collations.
        return [row[0] for row in rows if str(row[0]).startswith(prefix)]

    def get_by_id(self, session_id: int) -> SessionInfo | None:
        """Return the session with this row id, or None."""
        row = SessionRow.get_or_none(SessionRow.id == session_id)
        return None if row is None else convert.session_info(row)

    def _listing(self, limit: int, offset: int, client: str | None) -> peewee.ModelSelect[SessionRow]:
        query = SessionRow.select()
        if client is not None:
            query = query.where(SessionRow.client == client)
        return query.order_by(SessionRow.updated_at.desc(), SessionRow.id.desc()).limit(limit).offset(offset)

    @staticmethod
    def _total(client: str | None) -> peewee.ModelSelect[SessionCountRow]:
        # The per-client counts the triggers of migration 10 keep, not a count of session rows
        # (a scan of every row on PostgreSQL).
        query = SessionCountRow.select(peewee.fn.COALESCE(peewee.fn.SUM(SessionCountRow.sessions), 0))
        return query if client is None else query.where(SessionCountRow.client == client)

    def list(self, limit: int = 100, offset: int = 0, client: str | None = None) -> list[SessionInfo]:
        """Return sessions, most recently active first, optionally of one client only."""
        return [convert.session_info(r) for r in self._listing(limit, offset, client)]

    def count(self, client: str | None = None) -> int:
        """Return the number of sessions (of one client if given)."""
        return int(self._total(client).scalar())

    def page(
        self, limit: int = 100, offset: int = 0, client: str | None = None
    ) -> tuple[builtins.list[SessionInfo], int]:
        """Return `list(limit, offset, client)` and `count(client)` together, in one statement.

        The history browser shows both: one round trip instead of two (on PostgreSQL each wakes
        the server process, which is what costs most on a loaded machine). A page past the end
        counts apart.
        """
        rows = builtins.list(
            self._listing(limit, offset, client).select_extend(self._total(client).alias("total"))
        )
        if not rows:
            return [], self.count(client)
        return [convert.session_info(r) for r in rows], int(rows[0].total)  # type: ignore[attr-defined]

    def rename(self, key: str, title: str | None) -> SessionInfo:
        """Set a session's title and return the session; raise NotFoundError if absent."""
        row = self._session(key)
        row.title = title
        row.save(only=[SessionRow.title])
        return convert.session_info(row)

    def delete(self, key: str) -> None:
        """Delete a session with its messages, tool calls and selections; NotFoundError if absent."""
        row = self._session(key)
        with self._db.atomic():
            SessionRow.delete().where(SessionRow.id == row.id).execute()

    # -- messages ---------------------------------------------------------------------------

    def append_message(self, key: str, message: Message) -> Message:
        """Store a message at the session's next position, committed at once; return the stored copy.

        Bumps the session's updated_at and titles an untitled session from its first user message.
        Raises NotFoundError for an unknown session.
        """
        key = self._key(key)
        columns = convert.message_columns(message)
        with self._write():
            now = to_utc_text(now_utc())
            # Updating the session row first takes its write lock (a row lock on PostgreSQL, the
            # database's on SQLite) until commit, so concurrent appenders to one session queue
            # here and each reads the position the previous one wrote. RETURNING finds the
            # session in the same statement (one round trip less per message on PostgreSQL).
            if message.role is Role.USER:
                title = title_from(message.content)
                session_id = self._touch(_TOUCH_COUNT_TITLE, key, now=now, title=title)
            else:
                session_id = self._touch(_TOUCH_COUNT, key, now=now)
            # The next position is a subquery of the INSERT, a statement after the lock was
            # taken (so it sees the previous appender's row), and RETURNING gives the stored
            # message back: two statements a message.
            stored = _APPEND.one(self._db, columns, session=session_id, created_at=now)
        assert stored is not None  # an INSERT ... VALUES always inserts its row
        return convert.message_from_tuple(stored)

    def update_message(
        self,
        key: str,
        position: int,
        content: str | None = None,
        interrupted: bool | None = None,
    ) -> Message:
        """Change a stored message's content and/or interrupted flag; return the stored copy.

        Raises NotFoundError for an unknown session or position.
        """
        with self._db.atomic():
            session = self._session(key)
            row = MessageRow.get_or_none(
                (MessageRow.session == session.id) & (MessageRow.position == position)
            )
            if row is None:
                raise NotFoundError(f"session {session.session_key} has no message {position}")
            if content is not None:
                row.content = content
            if interrupted is not None:
                row.interrupted = interrupted
            row.save()
            SessionRow.update(updated_at=now_utc()).where(SessionRow.id == session.id).execute()
        return convert.message(row)

    def replace_message(self, key: str, position: int, message: Message) -> Message:
        """Overwrite every column of a stored message (a streamed answer as it grows); return it.

        Raises NotFoundError for an unknown session or position.
        """
        key = self._key(key)
        with self._db.atomic():
            # The session's row first (its lock, its id), as append_message does.
            session_id = self._touch(_TOUCH, key, now=to_utc_text(now_utc()))
            columns = convert.message_columns(message)
            stored = _REPLACE.one(self._db, columns, session=session_id, position=position)
            if stored is None:
                raise NotFoundError(f"session {key} has no message {position}")
        return convert.message_from_tuple(stored)

    def messages(
        self, key: str, last: int | None = None, context_only: bool = False
    ) -> builtins.list[Message]:
        """Return a session's messages in position order (only the last `last` if given).

        With `context_only`, messages flagged `excluded` (a superseded branch, a deleted
        message) are left out: what the model sees. Raises NotFoundError for an unknown session.
        """
        key = self._key(key)
        if last is not None and last <= 0:
            self._check_exists(key)
            return []
        # The session is found by a subquery of the same statement (one round trip, not two);
        # only an empty result needs a second look, to tell an unknown session from an empty one.
        if last is None:
            rows = _MESSAGES[context_only, False].all(self._db, key=key)
        else:
            rows = _MESSAGES[context_only, True].all(self._db, key=key, limit=int(last))
            rows.reverse()
        if not rows:
            self._check_exists(key)
        return [convert.message_from_tuple(r) for r in rows]

    def context_count(self, key: str) -> int:
        """Return the number of a session's messages in the context (not excluded)."""
        session = self._session(key)
        query = MessageRow.select().where((MessageRow.session == session.id) & MessageRow.excluded.is_null())
        return int(query.count())

    def exclude_messages(self, key: str, positions: Iterable[int], reason: str) -> int:
        """Flag messages as left out of the context (`reason`: "superseded" or "deleted").

        Already excluded messages keep their first reason. Returns how many were flagged;
        raises NotFoundError for an unknown session.
        """
        wanted = builtins.list(positions)
        if not wanted:
            return 0
        with self._db.atomic():
            session = self._session(key)
            changed = (
                MessageRow.update(excluded=reason)
                .where(
                    (MessageRow.session == session.id)
                    & MessageRow.position.in_(wanted)
                    & MessageRow.excluded.is_null()
                )
                .execute()
            )
            SessionRow.update(updated_at=now_utc()).where(SessionRow.id == session.id).execute()
        return int(changed)

    def chat_settings(self, key: str) -> dict[str, Any]:
        """Return a session's own settings (model, provider, ...) as stored; {} when none."""
        key = self._key(key)
        found = _CHAT_SETTINGS.one(self._db, key=key)
        if found is None:
            raise NotFoundError(f"no session {key}")
        return dict(json.loads(found[0])) if found[0] else {}

    def set_chat_settings(self, key: str, settings: dict[str, Any]) -> None:
        """Store a session's own settings (an empty mapping clears them)."""
        row = self._session(key)
        row.chat_settings = json.dumps(settings, sort_keys=True) if settings else None
        row.save(only=[SessionRow.chat_settings])

    def _raw_rows(self, query: peewee.Query) -> builtins.list[tuple[Any, ...]]:
        """Run a select and return plain driver tuples (no per-field peewee conversion).

        Long histories are read on every config call and chat open; peewee's row processing
        was most of that time. The converters in `convert` handle the raw column values.
        """
        sql, params = query.sql()
        cursor = self._db.execute_sql(sql, params)  # type: ignore[no-untyped-call]
        return builtins.list(cursor.fetchall())

    def message_count(self, key: str) -> int:
        """Return the number of messages in a session; NotFoundError if absent."""
        return self._session(key).message_count

    # -- tool calls and plugin selections ---------------------------------------------------

    def record_tool_call(self, rec: ToolCallRecord) -> ToolCallRecord:
        """Store an executed tool call and return it with created_at set; NotFoundError if no session."""
        key = self._key(rec.session_key)
        found = _RECORD_TOOL_CALL.one(
            self._db,
            key=key,
            tool_call_id=rec.tool_call_id,
            name=rec.name,
            source=rec.source,
            kind=rec.kind,
            arguments=rec.arguments or "",
            result=rec.result,
            error=rec.error,
            duration_ms=float(rec.duration_ms or 0.0),
            created_at=to_utc_text(rec.created_at or now_utc()),
        )
        if found is None:  # INSERT ... SELECT found no session row
            raise NotFoundError(f"no session {key}")
        return convert.tool_call_from_tuple(found, key)

    def tool_calls(self, key: str) -> builtins.list[ToolCallRecord]:
        """Return a session's tool calls in the order they were recorded."""
        key = self._key(key)
        rows = _TOOL_CALLS.all(self._db, key=key)
        if not rows:
            self._check_exists(key)
        return [convert.tool_call_from_tuple(r, key) for r in rows]

    def recent_tool_calls(
        self, kind: str | None = None, limit: int = 1000, call_id: int | None = None
    ) -> builtins.list[ToolCallRecord]:
        """Return tool calls across all sessions, newest first (of one kind, or the one with `call_id`)."""
        query = ToolCallRow.select(*convert.TOOL_CALL_FIELDS, SessionRow.session_key).join(SessionRow)
        if kind is not None:
            query = query.where(ToolCallRow.kind == kind)
        if call_id is not None:
            query = query.where(ToolCallRow.id == call_id)
        query = query.order_by(ToolCallRow.id.desc()).limit(limit)
        return [convert.tool_call_from_tuple(r[:-1], r[-1]) for r in self._raw_rows(query)]

    def tool_calls_by_source(self, source: str, limit: int = 50) -> builtins.list[ToolCallRecord]:
        """Return the latest calls of one plugin or function across all sessions, newest first."""
        query = (
            ToolCallRow.select(ToolCallRow, SessionRow.session_key)
            .join(SessionRow)
            .where(ToolCallRow.source == source)
            .order_by(ToolCallRow.created_at.desc(), ToolCallRow.id.desc())
            .limit(limit)
        )
        return [convert.tool_call_record(r, r.session.session_key) for r in query]

    def record_selection(self, rec: PluginSelectionRecord) -> PluginSelectionRecord:
        """Store a plugin selection and return it with created_at set; NotFoundError if no session."""
        key = self._key(rec.session_key)
        found = _RECORD_SELECTION.one(
            self._db,
            key=key,
            plugin=rec.plugin,
            term=rec.term or "",
            prompt=rec.prompt or "",
            created_at=to_utc_text(rec.created_at or now_utc()),
        )
        if found is None:  # INSERT ... SELECT found no session row
            raise NotFoundError(f"no session {key}")
        return convert.selection_from_tuple(found, key)

    def selections(self, key: str) -> builtins.list[PluginSelectionRecord]:
        """Return a session's plugin selections in the order they were recorded."""
        key = self._key(key)
        rows = _SELECTIONS.all(self._db, key=key)
        if not rows:
            self._check_exists(key)
        return [convert.selection_from_tuple(r, key) for r in rows]

    # -- search -----------------------------------------------------------------------------

    def search(self, query: str, limit: int = 50) -> builtins.list[SearchHit]:
        """Return messages containing every word of `query` (last word as a prefix), best first.

        Any user text is safe: it is reduced to quoted word tokens; no words means no hits.
        """
        rows = fulltext.search_messages(self._db, query or "", HIGHLIGHT, limit)
        return [
            SearchHit(
                session_key=key,
                position=position,
                role=role,
                snippet=snippet or "",
                title=title,
                client=client,
                extra={"score": float(score)},
            )
            for key, position, role, snippet, title, client, score in rows
        ]

    # -- bulk -------------------------------------------------------------------------------

    def bulk_import(
        self, sessions: Iterable[tuple[SessionInfo, builtins.list[Message]]], batch: int = 500
    ) -> int:
        """Insert many sessions with their messages in one transaction; return the session count.

        Meant for benchmark data: keys must be new, timestamps default to now, positions to the
        list order. Raises RequestError for a malformed or duplicate key (nothing is kept then).
        """
        total = 0
        items = iter(sessions)
        with self._db.atomic():
            while chunk := builtins.list(islice(items, batch)):
                total += self._import_chunk(chunk)
        return total

    def _executemany(self, sql: str, rows: builtins.list[tuple[Any, ...]]) -> None:
        """Run one `?`-placeholder statement over many rows on the current connection."""
        if fulltext.is_postgres(self._db):
            sql = sql.replace("?", "%s")
        cursor = self._db.cursor()  # type: ignore[no-untyped-call]
        try:
            cursor.executemany(sql, rows)
        finally:
            cursor.close()

    def _import_chunk(self, chunk: builtins.list[tuple[SessionInfo, builtins.list[Message]]]) -> int:
        now = to_utc_text(now_utc())

        def stamp(value: datetime | None) -> str:
            return to_utc_text(value) if value else now

        session_rows = []
        for info, msgs in chunk:
            key = normalise_key(info.session_key)
            title = info.title
            if title is None:
                first = next((m for m in msgs if m.role is Role.USER), None)
                title = title_from(first.content) if first else None
            session_rows.append(
                (
                    key,
                    info.client,
                    title,
                    stamp(info.created_at),
                    stamp(info.updated_at or info.created_at),
                    bool(info.sandbox),
                    len(msgs),
                )
            )
        keys = [r[0] for r in session_rows]
        if len(set(keys)) < len(keys) or SessionRow.select().where(SessionRow.session_key.in_(keys)).exists():
            raise RequestError("bulk import: a session key already exists")
        self._executemany(
            "INSERT INTO sessions (session_key, client, title, created_at, updated_at, sandbox, "
            "message_count) VALUES (?, ?, ?, ?, ?, ?, ?)",
            session_rows,
        )
        query = SessionRow.select(SessionRow.session_key, SessionRow.id).where(
            SessionRow.session_key.in_(keys)
        )
        ids: dict[str, int] = {row.session_key: row.id for row in query}
        message_rows = []
        for (info, msgs), key in zip(chunk, keys, strict=True):
            for index, msg in enumerate(msgs):
                cols = convert.message_columns(msg)
                message_rows.append(
                    (
                        ids[key],
                        index if msg.position is None else msg.position,
                        cols["role"],
                        cols["content"],
                        cols["tool_calls"],
                        cols["tool_call_id"],
                        cols["name"],
                        cols["model"],
                        cols["prompt_tokens"],
                        cols["completion_tokens"],
                        cols["total_tokens"],
                        stamp(msg.created_at or info.created_at),
                        bool(cols["interrupted"]),
                        cols["excluded"],
                    )
                )
        self._executemany(
            f"INSERT INTO messages ({_MESSAGE_COLUMNS}) VALUES ({','.join('?' * 14)})", message_rows
        )
        return len(chunk)
