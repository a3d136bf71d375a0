"""Peewee tables (*Row classes), bound at runtime through a DatabaseProxy; the DDL lives in migrations."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import peewee

#: Every *Row class talks to whichever database `open_database` last initialised.
database_proxy = peewee.DatabaseProxy()


def to_utc_text(value: datetime) -> str:
    """Return a datetime as fixed-width UTC ISO-8601 text, which sorts in time order (naive = local)."""
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def now_utc() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def parse_time(value: Any) -> datetime | None:
    """Return an aware UTC datetime from a stored timestamp (text, as the driver returns it)."""
    if value is None or isinstance(value, datetime):
        return value
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class UtcDateTimeField(peewee.TextField):
    """A timestamp stored as UTC ISO-8601 text and read back as an aware UTC datetime."""

    def db_value(self, value: Any) -> Any:
        """Convert a datetime to its stored text form; pass text through."""
        return to_utc_text(value) if isinstance(value, datetime) else value

    def python_value(self, value: Any) -> Any:
        """Convert stored text back to an aware UTC datetime."""
        return parse_time(value)


class JsonTextField(peewee.TextField):
    """A column of JSON text (TEXT on SQLite, json on PostgreSQL); read back as the driver gives it.

    `convert.json_value` parses either form; peewee's TextField would turn a parsed value into
    its repr.
    """

    def db_value(self, value: Any) -> Any:
        """Store text as it is; a value read back parsed (PostgreSQL) is written as JSON again."""
        if value is None or isinstance(value, str):
            return value
        return json.dumps(value, ensure_ascii=False)

    def python_value(self, value: Any) -> Any:
        """Return the stored value untouched (text from SQLite, parsed JSON from PostgreSQL)."""
        return value


class BaseRow(peewee.Model):
    """Base of every table: bound to the runtime database proxy."""

    id = peewee.AutoField()

    class Meta:
        database = database_proxy
        legacy_table_names = False


class CatalogueRow(BaseRow):
    """Columns shared by the five catalogue tables (one applied manifest per row)."""

    kind = peewee.TextField()
    name = peewee.TextField(unique=True)
    description = peewee.TextField(null=True)
    manifest_json = JsonTextField(default="{}")
    source_text = peewee.TextField(default="")
    base_dir = peewee.TextField(null=True)
    created_at = UtcDateTimeField()
    updated_at = UtcDateTimeField()


class ProviderRow(CatalogueRow):
    """A Provider manifest."""

    class Meta:
        table_name = "providers"


class SecretRow(CatalogueRow):
    """A Secret manifest: name and metadata only; the value lives in the OS keyring."""

    class Meta:
        table_name = "secrets"


class ConnectionRow(CatalogueRow):
    """A SqlConnection or ApiConnection manifest."""

    class Meta:
        table_name = "connections"


class PluginRow(CatalogueRow):
    """A Plugin, SqlPlugin or ApiPlugin manifest."""

    class Meta:
        table_name = "plugins"


class LLMClientRow(CatalogueRow):
    """An LLMClient manifest."""

    class Meta:
        table_name = "llm_clients"


#: The catalogue table of each group.
GROUP_ROWS: dict[str, type[CatalogueRow]] = {
    "provider": ProviderRow,
    "secret": SecretRow,
    "connection": ConnectionRow,
    "plugin": PluginRow,
    "llmclient": LLMClientRow,
}


class CatalogueVersionRow(BaseRow):
    """The one row (id 1) counting catalogue writes; see migrations.m008_catalogue_version."""

    version = peewee.BigIntegerField(default=0)

    class Meta:
        table_name = "catalogue_version"


class ReferenceRow(BaseRow):
    """One catalogue reference, e.g. llmclient 'a' uses plugin 'x'."""

    from_group = peewee.TextField()
    from_name = peewee.TextField()
    to_group = peewee.TextField()
    to_name = peewee.TextField()

    class Meta:
        table_name = "catalogue_references"


class SessionRow(BaseRow):
    """A prompt session; message_count is denormalised for cheap listing."""

    session_key = peewee.TextField(unique=True)
    client = peewee.TextField()
    title = peewee.TextField(null=True)
    created_at = UtcDateTimeField()
    updated_at = UtcDateTimeField()
    sandbox = peewee.BooleanField(default=False)
    message_count = peewee.IntegerField(default=0)
    chat_settings = peewee.TextField(null=True)  # JSON: this chat's overrides of the client's

    class Meta:
        table_name = "sessions"


class SessionCountRow(BaseRow):
    """How many sessions a client has; kept by triggers (see migrations.m010_session_counts)."""

    client = peewee.TextField(primary_key=True)
    sessions = peewee.BigIntegerField()

    class Meta:
        table_name = "session_counts"


class MessageRow(BaseRow):
    """One message of a session, unique by (session, position)."""

    session = peewee.ForeignKeyField(SessionRow, on_delete="CASCADE", column_name="session_id")
    position = peewee.IntegerField()
    role = peewee.TextField()
    content = peewee.TextField(null=True)
    tool_calls = JsonTextField(null=True)
    tool_call_id = peewee.TextField(null=True)
    name = peewee.TextField(null=True)
    model = peewee.TextField(null=True)
    prompt_tokens = peewee.IntegerField(null=True)
    completion_tokens = peewee.IntegerField(null=True)
    total_tokens = peewee.IntegerField(null=True)
    created_at = UtcDateTimeField()
    interrupted = peewee.BooleanField(default=False)
    excluded = peewee.TextField(null=True)  # None: in the context; "superseded" or "deleted"

    class Meta:
        table_name = "messages"


class SessionLeaseRow(BaseRow):
    """Who runs a turn on a session right now, until when (epoch milliseconds)."""

    session_key = peewee.TextField(primary_key=True)
    owner = peewee.TextField()
    expires_at = peewee.BigIntegerField()

    class Meta:
        table_name = "session_leases"


class ToolCallRow(BaseRow):
    """One executed tool call."""

    session = peewee.ForeignKeyField(SessionRow, on_delete="CASCADE", column_name="session_id")
    message_position = peewee.IntegerField(null=True)
    tool_call_id = peewee.TextField(null=True)
    name = peewee.TextField()
    source = peewee.TextField()
    kind = peewee.TextField()
    arguments = peewee.TextField(default="")
    result = peewee.TextField(null=True)
    error = peewee.TextField(null=True)
    duration_ms = peewee.FloatField(default=0.0)
    created_at = UtcDateTimeField()

    class Meta:
        table_name = "tool_calls"


class PluginSelectionRow(BaseRow):
    """A plugin offered to the model for a prompt, and the term that selected it."""

    session = peewee.ForeignKeyField(SessionRow, on_delete="CASCADE", column_name="session_id")
    plugin = peewee.TextField()
    term = peewee.TextField(default="")
    prompt = peewee.TextField(default="")
    created_at = UtcDateTimeField()

    class Meta:
        table_name = "plugin_selections"


class MemoryRow(BaseRow):
    """A long-term memory shared across sessions (session_key is provenance, not a foreign key)."""

    text = peewee.TextField()
    session_key = peewee.TextField(null=True)
    created_at = UtcDateTimeField()

    class Meta:
        table_name = "memories"


class ApiKeyRow(BaseRow):
    """An API key of the HTTP server: its name and a salted hash (the key itself is never stored)."""

    name = peewee.TextField(unique=True)
    key_hash = peewee.TextField()  # "scrypt$n$r$p$<salt hex>$<hash hex>"
    created_at = UtcDateTimeField()
    last_used_at = UtcDateTimeField(null=True)

    class Meta:
        table_name = "api_keys"


ALL_ROWS: tuple[type[BaseRow], ...] = (
    *GROUP_ROWS.values(),
    ReferenceRow,
    SessionRow,
    MessageRow,
    ToolCallRow,
    PluginSelectionRow,
    MemoryRow,
    ApiKeyRow,
)
