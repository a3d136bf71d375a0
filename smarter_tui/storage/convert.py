"""Row <-> domain converters: nothing peewee-typed leaves the storage layer.

Raw driver values differ by engine (JSON columns arrive as text from SQLite and parsed from
PostgreSQL, booleans as 0/1 or bool); the converters accept both.
"""

from __future__ import annotations

import json
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


def json_value(value: Any, default: Any = None) -> Any:
    """Return a JSON column's value parsed: SQLite hands out text, PostgreSQL's driver the value."""
    if value is None or value == "":
        return default
    return json.loads(value) if isinstance(value, str | bytes) else value


#: The catalogue columns `catalogue_entry_from_tuple` expects, in order.
CATALOGUE_FIELDS = (
    "id",
    "kind",
    "name",
    "description",
    "manifest_json",
    "source_text",
    "base_dir",
    "created_at",
    "updated_at",
)


def catalogue_entry_from_tuple(values: tuple[Any, ...]) -> CatalogueEntry:
    """Return the domain entry of a catalogue row selected as CATALOGUE_FIELDS driver tuples."""
    row_id, kind, name, description, manifest_json, source_text, base_dir, created_at, updated_at = values
    return CatalogueEntry(
        kind=kind,
        name=name,
        manifest=json_value(manifest_json, {}),
        source_text=source_text or "",
        description=description,
        base_dir=base_dir,
        created_at=parse_time(created_at),
        updated_at=parse_time(updated_at),
        id=row_id,
    )


def catalogue_entry(row: CatalogueRow) -> CatalogueEntry:
    """Return the domain entry of a catalogue row."""
    return catalogue_entry_from_tuple(tuple(getattr(row, name) for name in CATALOGUE_FIELDS))


#: The session columns `session_info_from_tuple` expects, in order.
SESSION_FIELDS = (
    SessionRow.session_key,
    SessionRow.client,
    SessionRow.title,
    SessionRow.created_at,
    SessionRow.updated_at,
    SessionRow.message_count,
    SessionRow.sandbox,
    SessionRow.id,
)


def session_info_from_tuple(values: tuple[Any, ...]) -> SessionInfo:
    """Return the domain summary of a session row selected as SESSION_FIELDS driver tuples."""
    key, client, title, created_at, updated_at, message_count, sandbox, row_id = values
    return SessionInfo(
        session_key=key,
        client=client,
        title=title,
        created_at=parse_time(created_at),
        updated_at=parse_time(updated_at),
        message_count=message_count,
        sandbox=bool(sandbox),
        id=row_id,
    )


def session_info(row: SessionRow) -> SessionInfo:
    """Return the domain summary of a session row."""
    return session_info_from_tuple(tuple(getattr(row, f.name) for f in SESSION_FIELDS))


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
        [ToolCall(id=c["id"], name=c["name"], arguments=c["arguments"]) for c in json_value(calls_json)]
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


#: The plugin-selection columns `selection_from_tuple` expects, in order.
SELECTION_FIELDS = (
    PluginSelectionRow.id,
    PluginSelectionRow.plugin,
    PluginSelectionRow.term,
    PluginSelectionRow.prompt,
    PluginSelectionRow.created_at,
)


def selection_from_tuple(values: tuple[Any, ...], session_key: str) -> PluginSelectionRecord:
    """Return the domain record of a plugin selection selected as SELECTION_FIELDS driver tuples."""
    row_id, plugin, term, prompt, created_at = values
    return PluginSelectionRecord(session_key, plugin, term, prompt, parse_time(created_at), id=row_id)
