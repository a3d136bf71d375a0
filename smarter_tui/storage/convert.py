"""Row <-> domain converters and FTS5 query building: nothing peewee-typed leaves the storage layer."""

from __future__ import annotations

import json
import re
from typing import Any

from smarter_tui.domain.messages import Message, Role, ToolCall, Usage
from smarter_tui.domain.records import (
    CatalogueEntry,
    PluginSelectionRecord,
    SessionInfo,
    ToolCallRecord,
)
from smarter_tui.storage.rows import (
    CatalogueRow,
    MessageRow,
    PluginSelectionRow,
    SessionRow,
    ToolCallRow,
    parse_time,
)

_TOKEN = re.compile(r"\w+", re.UNICODE)

#: Words too common to help find a memory ("What is my favourite colour?" -> favourite, colour).
_STOP_WORDS_TEXT = """a about above after again all am an and any are as at be been before being below between
    both but by can could did do does doing down during each few for from further had has have
    having he her here hers herself him himself his how i if in into is it its itself just know
    let me more most my myself no nor not now of off on once only or other our ours ourselves out
    over own please remember same she should so some such tell than that the their theirs them
    themselves then there these they this those through to too under until up user very was we
    were what when where which while who whom why will with would you your yours yourself
    yourselves"""
STOP_WORDS: frozenset[str] = frozenset(_STOP_WORDS_TEXT.split())


def catalogue_entry(row: CatalogueRow) -> CatalogueEntry:
    """Return the domain entry of a catalogue row."""
    return CatalogueEntry(
        kind=row.kind,
        name=row.name,
        manifest=json.loads(row.manifest_json or "{}"),
        source_text=row.source_text or "",
        description=row.description,
        base_dir=row.base_dir,
        created_at=row.created_at,
        updated_at=row.updated_at,
        id=row.id,
    )


def session_info(row: SessionRow) -> SessionInfo:
    """Return the domain summary of a session row."""
    return SessionInfo(
        session_key=row.session_key,
        client=row.client,
        title=row.title,
        created_at=row.created_at,
        updated_at=row.updated_at,
        message_count=row.message_count,
        sandbox=bool(row.sandbox),
        id=row.id,
    )


def tool_calls_json(calls: list[ToolCall]) -> str | None:
    """Return a message's tool calls as stored JSON text (None when there are none)."""
    if not calls:
        return None
    return json.dumps([{"id": c.id, "name": c.name, "arguments": c.arguments} for c in calls])


def message_columns(message: Message) -> dict[str, Any]:
    """Return the message columns of a domain message (without session, position, created_at)."""
    usage = message.usage or Usage()
    return {
        "role": str(message.role),
        "content": message.content,
        "tool_calls": tool_calls_json(message.tool_calls),
        "tool_call_id": message.tool_call_id,
        "name": message.name,
        "model": message.model,
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
        "interrupted": bool(message.interrupted),
        "excluded": message.excluded,
    }


#: The message columns `message_from_tuple` expects, in order (a fast path for long histories).
MESSAGE_FIELDS = (
    MessageRow.role,
    MessageRow.content,
    MessageRow.tool_calls,
    MessageRow.tool_call_id,
    MessageRow.name,
    MessageRow.model,
    MessageRow.prompt_tokens,
    MessageRow.completion_tokens,
    MessageRow.total_tokens,
    MessageRow.interrupted,
    MessageRow.created_at,
    MessageRow.position,
    MessageRow.excluded,
)

_ROLES = {role.value: role for role in Role}


def message_from_tuple(values: tuple[Any, ...]) -> Message:
    """Return the domain message of a row selected as MESSAGE_FIELDS tuples.

    Skips peewee model instances: a 5,000-message history converts in a few milliseconds.
    """
    (
        role,
        content,
        calls_json,
        call_id,
        name,
        model,
        prompt,
        completion,
        total,
        interrupted,
        created_at,
        position,
        excluded,
    ) = values
    calls = (
        [ToolCall(id=c["id"], name=c["name"], arguments=c["arguments"]) for c in json.loads(calls_json)]
        if calls_json
        else []
    )
    no_usage = prompt is None and completion is None and total is None
    created_at = parse_time(created_at)
    return Message(
        role=_ROLES[role],
        content=content,
        tool_calls=calls,
        tool_call_id=call_id,
        name=name,
        model=model,
        usage=None if no_usage else Usage(prompt, completion, total),
        interrupted=bool(interrupted),
        created_at=created_at,
        position=position,
        excluded=excluded,
    )


#: The tool-call columns `tool_call_from_tuple` expects, in order.
TOOL_CALL_FIELDS = (
    ToolCallRow.name,
    ToolCallRow.source,
    ToolCallRow.kind,
    ToolCallRow.arguments,
    ToolCallRow.result,
    ToolCallRow.error,
    ToolCallRow.duration_ms,
    ToolCallRow.tool_call_id,
    ToolCallRow.created_at,
    ToolCallRow.id,
    ToolCallRow.session,
)


def tool_call_from_tuple(values: tuple[Any, ...], session_key: str) -> ToolCallRecord:
    """Return the domain record of a row selected as TOOL_CALL_FIELDS tuples."""
    name, source, kind, arguments, result, error, duration_ms, call_id, created_at, row_id, session_id = (
        values
    )
    created_at = parse_time(created_at)
    return ToolCallRecord(
        session_key,
        name,
        source,
        kind,
        arguments,
        result,
        error,
        duration_ms,
        call_id,
        created_at,
        id=row_id,
        session_id=session_id,
    )


def message(row: MessageRow) -> Message:
    """Return the domain message of a message row (usage is None when no count was stored)."""
    return message_from_tuple(tuple(getattr(row, f.name) for f in MESSAGE_FIELDS))


def tool_call_record(row: ToolCallRow, session_key: str) -> ToolCallRecord:
    """Return the domain record of a tool-call row."""
    # `session_id`, not `session`: reading the foreign key object would run a query per row.
    session_id = row.session_id  # type: ignore[attr-defined]  # peewee adds it with the foreign key
    values = tuple(session_id if f is ToolCallRow.session else getattr(row, f.name) for f in TOOL_CALL_FIELDS)
    return tool_call_from_tuple(values, session_key)


def selection_record(row: PluginSelectionRow, session_key: str) -> PluginSelectionRecord:
    """Return the domain record of a plugin-selection row."""
    return PluginSelectionRecord(
        session_key=session_key,
        plugin=row.plugin,
        term=row.term,
        prompt=row.prompt,
        created_at=row.created_at,
        id=row.id,
    )


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def fts_all_tokens(text: str) -> str | None:
    """Return an FTS5 query matching every word of user text (last one as a prefix), or None.

    Only word characters survive and each token is a quoted string, so no user input (quotes,
    `AND(`, `*`, `NEAR`, apostrophes) can form FTS5 syntax.
    """
    tokens = _TOKEN.findall(text)
    if not tokens:
        return None
    quoted = [_quote(t) for t in tokens]
    quoted[-1] += "*"
    return " ".join(quoted)


def fts_any_token(text: str) -> str | None:
    """Return an FTS5 query matching any meaningful word of user text, or None if it has none.

    Stop words and one-letter tokens are dropped unless nothing else is left.
    """
    tokens = [t.lower() for t in _TOKEN.findall(text)]
    meaningful = [t for t in tokens if len(t) > 1 and t not in STOP_WORDS]
    chosen = meaningful or [t for t in tokens if len(t) > 1] or tokens
    if not chosen:
        return None
    return " OR ".join(_quote(t) for t in dict.fromkeys(chosen))
