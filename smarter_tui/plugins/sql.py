"""SQL plugins: one parameterised, read-only, time-limited query per call (SPEC §2.4).

Placeholders `{name}` in the manifest's `sqlQuery` become bound driver parameters; argument
values never become SQL text. A placeholder written inside a string literal (`'{x}'`,
`'%{x}%'`) is split out of the literal and concatenated (`'%' || ? || '%'`), so the value is
still bound.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from smarter_tui.domain.errors import ToolError
from smarter_tui.domain.limits import MAX_CELL_BYTES, MAX_TOOL_RESULT_BYTES, cap_cell
from smarter_tui.manifests.checks import READ_ONLY_PRAGMAS
from smarter_tui.manifests.engines import engine_of
from smarter_tui.manifests.specs import SqlConnectionSpec, SqlPluginSpec
from smarter_tui.plugins._common import (
    SecretResolver,
    coerce_arguments,
    missing_secret,
    parameters_schema,
    plugin_spec,
    to_json,
)

#: Hard cap on returned rows, whatever the manifest's `limit`.
MAX_ROWS = 1000
DEFAULT_LIMIT = 100
DEFAULT_TIMEOUT = 30.0

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def normalise_engine(db_engine: str | None) -> str:
    """Return 'sqlite', 'postgresql' or 'mysql' for a `dbEngine` value (the manifests' one table).

    Raises ToolError for an engine that is not known.
    """
    engine = engine_of(db_engine or "sqlite")
    if engine is None:
        raise ToolError(f"unknown database engine {db_engine!r}")
    return engine


def translate_query(query: str, engine: str = "sqlite") -> tuple[str, list[str]]:
    """Return (driver SQL, placeholder names in bind order) for a manifest query.

    The query must be exactly one statement (a trailing semicolon is allowed). Placeholders in
    comments are left alone; in quoted identifiers they are refused. Raises ToolError.
    """
    qmark = engine == "sqlite"
    marker = "?" if qmark else "%s"
    out: list[str] = []
    names: list[str] = []
    i, n = 0, len(query)
    ended = False  # a top-level ';' was seen

    def literal_with_placeholders(body: str) -> str:
        # body is the raw source text between the quotes ('' escapes intact)
        parts: list[str] = []
        pos = 0
        for match in _PLACEHOLDER.finditer(body):
            if match.start() > pos:
                parts.append(_quote_literal(body[pos : match.start()], qmark))
            parts.append(marker)
            names.append(match.group(1))
            pos = match.end()
        if pos < len(body):
            parts.append(_quote_literal(body[pos:], qmark))
        if len(parts) == 1:
            return parts[0]
        if engine == "mysql":
            return "CONCAT(" + ", ".join(parts) + ")"
        return "(" + " || ".join(parts) + ")"

    while i < n:
        ch = query[i]
        if ch in " \t\r\n\f\v":
            if not ended:
                out.append(ch)
            i += 1
            continue
        if query.startswith("--", i) or (ch == "#" and engine == "mysql"):
            end = query.find("\n", i)
            end = n if end < 0 else end
            if not ended:
                out.append(_escape_percent(query[i:end], qmark))
            i = end
            continue
        if query.startswith("/*", i):
            end = query.find("*/", i + 2)
            end = n if end < 0 else end + 2
            if not ended:
                out.append(_escape_percent(query[i:end], qmark))
            i = end
            continue
        if ended:
            if ch == ";":
                i += 1
                continue
            raise ToolError("the SQL query must be a single statement")
        if ch == ";":
            ended = True
            i += 1
            continue
        if ch == "'":
            end = _closing_quote(query, i, "'")
            body = query[i + 1 : end]
            if _PLACEHOLDER.search(body):
                out.append(literal_with_placeholders(body))
            else:
                out.append(_escape_percent(query[i : end + 1], qmark))
            i = end + 1
            continue
        if ch in '"`' or (ch == "[" and qmark):
            end = _closing_quote(query, i, "]" if ch == "[" else ch)
            text = query[i : end + 1]
            found = _PLACEHOLDER.search(text)
            if found:
                raise ToolError(f"placeholder {found.group(0)} inside a quoted identifier cannot be bound")
            out.append(_escape_percent(text, qmark))
            i = end + 1
            continue
        match = _PLACEHOLDER.match(query, i)
        if match:
            out.append(marker)
            names.append(match.group(1))
            i = match.end()
            continue
        out.append("%%" if ch == "%" and not qmark else ch)
        i += 1
    sql = "".join(out).strip()
    if not sql:
        raise ToolError("the SQL query is empty")
    return sql, names


def _closing_quote(query: str, start: int, quote: str) -> int:
    """Return the index of the quote closing the one at `start` (doubled quotes are escapes)."""
    i = start + 1
    while True:
        end = query.find(quote, i)
        if end < 0:
            raise ToolError("the SQL query has an unterminated quote")
        if quote != "]" and query.startswith(quote * 2, end):
            i = end + 2
            continue
        return end


def _quote_literal(body: str, qmark: bool) -> str:
    return _escape_percent(f"'{body}'", qmark)


def _escape_percent(text: str, qmark: bool) -> str:
    return text if qmark else text.replace("%", "%%")


def _bind_value(value: Any) -> Any:
    if isinstance(value, dict | list):
        return to_json(value)
    return value


def _capped(value: Any) -> tuple[Any, bool]:
    if isinstance(value, str):
        return cap_cell(value)
    if isinstance(value, bytes | bytearray | memoryview) and len(value) > MAX_CELL_BYTES // 2:
        return f"{bytes(value[: MAX_CELL_BYTES // 2]).hex()}…[cut: {len(value):,} bytes of binary]", True
    return value, False


class _Rows(list[tuple[Any, ...]]):
    """Fetched rows; `more` is True when fetching stopped at the byte budget with rows left."""

    more = False


def _bounded_rows(rows: Any, limit: int) -> _Rows:
    """Fetch at most `limit` rows, stopping once their (cut) cells exceed MAX_TOOL_RESULT_BYTES.

    Row by row: 1,000 rows of 100 KB never sit in memory at once.
    """
    kept = _Rows()
    total = 0
    for row in rows:
        if len(kept) >= limit:
            break
        if total > MAX_TOOL_RESULT_BYTES:
            kept.more = True
            break
        kept.append(tuple(row))
        total += sum(min(len(v), MAX_CELL_BYTES) if isinstance(v, str | bytes) else 16 for v in row)
    return kept


def _bounded_result(columns: list[str], rows: list[Any], limit: int) -> str:
    """Return rows as a JSON list within MAX_TOOL_RESULT_BYTES, with a note when rows were left out."""
    objects: list[dict[str, Any]] = []
    size = 2
    cut_cells = 0
    left_out = 0
    for index, row in enumerate(rows[:limit]):
        obj = {}
        for column, value in zip(columns, row, strict=False):
            obj[column], cut = _capped(value)
            cut_cells += cut
        encoded = len(to_json(obj).encode("utf-8")) + 1
        if size + encoded > MAX_TOOL_RESULT_BYTES - 512:  # room for the note
            left_out = len(rows[:limit]) - index
            break
        objects.append(obj)
        size += encoded
    else:
        left_out = int(getattr(rows, "more", False))
    text = to_json(objects)
    notes = []
    if cut_cells:
        notes.append(f"{cut_cells} long cell(s) cut at {MAX_CELL_BYTES // 1024} KiB")
    if left_out:
        notes.append(
            f"{len(objects)} rows shown; more rows matched but the result is capped at "
            f"{MAX_TOOL_RESULT_BYTES // (1024 * 1024)} MiB"
        )
    return f"{text}\n[truncated: {'; '.join(notes)}]" if notes else text


def _sqlite_authorizer(action: int, arg1: Any, arg2: Any, dbname: Any, source: Any) -> int:
    # mode=ro already forbids writes; this also refuses attaching other (writable) files and
    # pragmas that take an argument, except the schema-reading ones (`PRAGMA table_info(t)`).
    if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_PRAGMA and arg2 is not None and str(arg1).lower() not in READ_ONLY_PRAGMAS:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


class SqlPluginTool:
    """A `SqlPlugin`: runs its query with the model's arguments bound as parameters."""

    def __init__(
        self,
        spec: SqlPluginSpec,
        connection: SqlConnectionSpec | None,
        resolve_secret: SecretResolver,
        base_dir: Path | None = None,
    ) -> None:
        """Build the tool from a SqlPlugin's typed spec and its SqlConnection's.

        A relative SQLite path is resolved against `base_dir`, else the connection's own
        base_dir (the folder it was applied from), else the current directory.
        """
        self.name = spec.name
        self.query = spec.query
        self.parameters = spec.parameters
        self.limit = min(spec.limit or DEFAULT_LIMIT, MAX_ROWS)
        self.connection_name = spec.connection_name
        self.connection = connection
        self.resolve_secret = resolve_secret
        if base_dir is None and connection is not None and connection.base_dir:
            base_dir = Path(connection.base_dir)
        self.base_dir = base_dir
        self.timeout = float(connection.timeout if connection and connection.timeout else DEFAULT_TIMEOUT)
        self.spec = plugin_spec(spec, parameters_schema(self.parameters), f"Query the {self.name} database.")

    async def run(self, arguments: dict[str, Any]) -> str:
        """Run the query; return a JSON list of row objects. Raises ToolError on any failure."""
        if self.connection is None:
            raise ToolError(
                f"plugin {self.name!r} has no usable connection {self.connection_name!r}; "
                "apply a SqlConnection with that name"
            )
        engine = normalise_engine(self.connection.db_engine)
        values = coerce_arguments(self.parameters, arguments)
        sql, names = translate_query(self.query, engine)
        undeclared = [name for name in names if name not in values]
        if undeclared:
            raise ToolError(f"query placeholder {{{undeclared[0]}}} is not a declared parameter")
        bound = [_bind_value(values[name]) for name in names]
        if engine == "sqlite":
            columns, rows = await asyncio.to_thread(self._run_sqlite, sql, bound)
        elif engine == "postgresql":
            columns, rows = await asyncio.to_thread(self._run_postgresql, sql, bound)
        else:
            columns, rows = await asyncio.to_thread(self._run_mysql, sql, bound)
        return _bounded_result(columns, rows, self.limit)

    # -- engines ---------------------------------------------------------------------------

    def database_path(self) -> Path:
        """Return the SQLite file path: relative paths are resolved against base_dir."""
        database = self.connection.database if self.connection else ""
        if not database:
            raise ToolError(f"connection {self.connection_name!r} names no database")
        path = Path(database).expanduser()
        if not path.is_absolute():
            path = (self.base_dir or Path.cwd()) / path
        return path.resolve()

    def _run_sqlite(self, sql: str, bound: list[Any]) -> tuple[list[str], list[tuple[Any, ...]]]:
        path = self.database_path()
        if not path.is_file():
            raise ToolError(f"database file not found: {path}")
        try:
            conn = sqlite3.connect(
                path.as_uri() + "?mode=ro",
                uri=True,
                timeout=self.timeout,
                check_same_thread=False,
            )
        except sqlite3.Error as exc:
            raise ToolError(f"cannot open database {path}: {exc}") from None
        timed_out = False
        deadline = time.monotonic() + self.timeout

        def progress() -> int:
            nonlocal timed_out
            if time.monotonic() > deadline:
                timed_out = True
                return 1
            return 0

        try:
            conn.execute("PRAGMA query_only = ON")
            conn.set_authorizer(_sqlite_authorizer)
            conn.set_progress_handler(progress, 1000)
            cursor = conn.execute(sql, bound)
            columns = [str(item[0]) for item in cursor.description or []]
            return columns, _bounded_rows(cursor, self.limit) if columns else []
        except sqlite3.Error as exc:
            if timed_out:
                raise ToolError(f"query timed out after {self.timeout:g} s") from None
            raise ToolError(f"database error: {exc}") from None
        finally:
            conn.close()

    def _password(self) -> str | None:
        secret = self.connection.password if self.connection else None
        if not secret:
            return None
        value = self.resolve_secret(str(secret))
        if value is None:
            raise missing_secret(str(secret), "database password")
        return value

    def _server_params(self) -> dict[str, Any]:
        connection = self.connection
        if connection is None or not connection.hostname:
            raise ToolError(f"connection {self.connection_name!r} needs a hostname")
        return {
            "host": connection.hostname,
            "port": connection.port,
            "user": connection.username,
            "password": self._password(),
            "database": connection.database,
        }

    def _scrub(self, exc: BaseException, params: Mapping[str, Any]) -> ToolError:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if params.get("password"):
            message = message.replace(str(params["password"]), "****")
        if "timeout" in message.lower() or "canceling statement" in message.lower():
            return ToolError(f"query timed out after {self.timeout:g} s: {message}")
        return ToolError(f"database error: {message}")

    def _run_postgresql(self, sql: str, bound: list[Any]) -> tuple[list[str], list[Any]]:
        try:
            import psycopg  # type: ignore[import-not-found, unused-ignore]
        except ImportError:
            raise ToolError(
                "the postgresql engine is not supported locally yet; install psycopg "
                "(pip install 'psycopg[binary]') to use it"
            ) from None
        params = self._server_params()
        millis = int(self.timeout * 1000)
        try:
            with psycopg.connect(
                host=params["host"],
                port=params["port"],
                dbname=params["database"],
                user=params["user"],
                password=params["password"],
                connect_timeout=max(1, int(self.timeout)),
                options=f"-c default_transaction_read_only=on -c statement_timeout={millis}",
            ) as conn:
                cursor = conn.execute(sql, bound)
                columns = [str(item.name) for item in cursor.description or []]
                return columns, _bounded_rows(cursor, self.limit) if columns else []
        except psycopg.Error as exc:
            raise self._scrub(exc, params) from None

    def _run_mysql(self, sql: str, bound: list[Any]) -> tuple[list[str], list[Any]]:
        try:
            import pymysql  # type: ignore[import-not-found, import-untyped, unused-ignore]
        except ImportError:
            raise ToolError(
                "the mysql engine is not supported locally yet; install PyMySQL "
                "(pip install pymysql) to use it"
            ) from None
        params = self._server_params()
        try:
            conn = pymysql.connect(
                host=params["host"],
                port=params["port"] or 3306,
                user=params["user"],
                password=params["password"] or "",
                database=params["database"],
                connect_timeout=max(1, int(self.timeout)),
                read_timeout=max(1, int(self.timeout)),
            )
            try:
                with conn.cursor() as cursor:
                    cursor.execute("SET SESSION TRANSACTION READ ONLY")
                    cursor.execute(f"SET SESSION MAX_EXECUTION_TIME={int(self.timeout * 1000)}")
                    cursor.execute(sql, bound)
                    columns = [str(item[0]) for item in cursor.description or []]
                    return columns, _bounded_rows(cursor, self.limit) if columns else []
            finally:
                conn.close()
        except pymysql.Error as exc:
            raise self._scrub(exc, params) from None
