"""SqlPluginTool against a real SQLite file: binding, injection, read-only, limits, timeout."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from smarter_tui.domain.errors import ToolError
from smarter_tui.domain.tools import ToolKind
from smarter_tui.manifests.specs import (
    SqlConnectionSpec,
    SqlPluginSpec,
    plugin_spec_of,
    sql_connection_spec_of,
)
from smarter_tui.plugins.sql import SqlPluginTool, normalise_engine, translate_query

COURSES = [
    ("Python for Beginners", 99.0, "python"),
    ("Advanced Python", 450.0, "python"),
    ("Django Deep Dive", 700.0, "web"),
    ("SQL Basics", 50.0, "data"),
    ("O'Reilly Style Regex", 120.0, "text"),
]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A catalogue database with a courses table of 5 rows and a numbers table of 2000 rows."""
    path = tmp_path / "catalogue.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE courses (id INTEGER PRIMARY KEY, title TEXT, price REAL, tag TEXT)")
    conn.executemany("INSERT INTO courses (title, price, tag) VALUES (?, ?, ?)", COURSES)
    conn.execute("CREATE TABLE numbers (n INTEGER)")
    conn.executemany("INSERT INTO numbers VALUES (?)", [(i,) for i in range(2000)])
    conn.commit()
    conn.close()
    return path


def manifest(query: str, parameters: list[dict[str, Any]] | None = None, **sql: Any) -> SqlPluginSpec:
    """Return the typed spec of a SqlPlugin manifest dict."""
    spec = plugin_spec_of(
        {
            "apiVersion": "smarter.sh/v1",
            "kind": "SqlPlugin",
            "metadata": {"name": "course_search", "pluginClass": "sql", "description": "Courses"},
            "spec": {
                "connection": "catalogue_db",
                "selector": {"directive": "always"},
                "sqlData": {"sqlQuery": query, "parameters": parameters or [], **sql},
            },
        }
    )
    assert isinstance(spec, SqlPluginSpec)
    return spec


def connection(database: str, timeout: float = 30, engine: str = "sqlite3") -> SqlConnectionSpec:
    """Return the typed spec of a SqlConnection manifest dict."""
    return sql_connection_spec_of(
        {
            "apiVersion": "smarter.sh/v1",
            "kind": "SqlConnection",
            "metadata": {"name": "catalogue_db"},
            "spec": {"connection": {"dbEngine": engine, "database": database, "timeout": timeout}},
        }
    )


SEARCH = (
    "SELECT title, price FROM courses WHERE price <= {max_price} "
    "AND title LIKE '%' || {keyword} || '%' ORDER BY price"
)
SEARCH_PARAMS = [
    {"name": "max_price", "type": "number", "description": "Upper bound", "required": True},
    {"name": "keyword", "type": "string", "required": False, "default": ""},
]


def tool_for(db_path: Path, query: str = SEARCH, params: Any = None, **kwargs: Any) -> SqlPluginTool:
    """Return a tool on the fixture database (absolute path)."""
    timeout = kwargs.pop("timeout", 30)
    return SqlPluginTool(
        manifest(query, SEARCH_PARAMS if params is None else params, **kwargs),
        connection(str(db_path), timeout),
        lambda _name: None,
    )


def count_courses(path: Path) -> int:
    """Return the number of rows in courses (the table must still exist)."""
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT count(*) FROM courses").fetchone()[0])
    finally:
        conn.close()


async def run(tool: SqlPluginTool, **arguments: Any) -> Any:
    """Run the tool and parse its JSON result."""
    return json.loads(await tool.run(arguments))


def test_spec_schema(db_path: Path) -> None:
    tool = tool_for(db_path)
    assert tool.spec.name == "plugin_course_search"
    assert tool.spec.kind is ToolKind.PLUGIN and tool.spec.source == "course_search"
    assert tool.spec.parameters == {
        "type": "object",
        "properties": {
            "max_price": {"type": "number", "description": "Upper bound"},
            "keyword": {"type": "string", "default": ""},
        },
        "required": ["max_price"],
    }


async def test_query_returns_row_objects(db_path: Path) -> None:
    rows = await run(tool_for(db_path), max_price=500, keyword="Python")
    assert rows == [
        {"title": "Python for Beginners", "price": 99.0},
        {"title": "Advanced Python", "price": 450.0},
    ]


async def test_optional_default_used(db_path: Path) -> None:
    rows = await run(tool_for(db_path), max_price=100)
    assert [row["title"] for row in rows] == ["SQL Basics", "Python for Beginners"]


async def test_optional_without_default_is_null(db_path: Path) -> None:
    params = [{"name": "tag", "type": "string", "required": False}]
    tool = tool_for(db_path, "SELECT count(*) AS n FROM courses WHERE {tag} IS NULL", params)
    assert await run(tool) == [{"n": 5}]


async def test_string_number_coerced_and_bad_type_rejected(db_path: Path) -> None:
    assert len(await run(tool_for(db_path), max_price="100")) == 2
    with pytest.raises(ToolError, match="max_price.*number"):
        await tool_for(db_path).run({"max_price": "cheap"})
    with pytest.raises(ToolError, match="missing required argument 'max_price'"):
        await tool_for(db_path).run({})


async def test_enum_checked(db_path: Path) -> None:
    params = [{"name": "tag", "type": "string", "required": True, "enum": ["python", "web"]}]
    tool = tool_for(db_path, "SELECT title FROM courses WHERE tag = {tag}", params)
    assert len(await run(tool, tag="web")) == 1
    with pytest.raises(ToolError, match="one of: python, web"):
        await tool.run({"tag": "data"})


async def test_limit_caps_rows(db_path: Path) -> None:
    tool = tool_for(db_path, "SELECT n FROM numbers ORDER BY n", [], limit=7)
    assert await run(tool) == [{"n": i} for i in range(7)]


async def test_hard_cap_1000_rows(db_path: Path) -> None:
    tool = tool_for(db_path, "SELECT n FROM numbers", [], limit=5000)
    assert len(await run(tool)) == 1000


@pytest.mark.parametrize(
    "payload",
    [
        "'; DROP TABLE courses; --",
        "1 OR 1=1",
        "x' UNION SELECT name, sql FROM sqlite_master --",
        "Python%' OR '1'='1",
        "*/ DROP TABLE courses; /*",
        "-- ",
        "Robert'); DELETE FROM courses; --",
    ],
)
async def test_injection_in_values_is_inert(db_path: Path, payload: str) -> None:
    tool = tool_for(db_path)
    assert await run(tool, max_price=1000, keyword=payload) == []
    exact = tool_for(
        db_path,
        "SELECT title FROM courses WHERE title = {title}",
        [{"name": "title", "type": "string", "required": True}],
    )
    assert await run(exact, title=payload) == []
    assert count_courses(db_path) == len(COURSES)


async def test_injection_in_numeric_param_rejected(db_path: Path) -> None:
    with pytest.raises(ToolError, match="must be of type number"):
        await tool_for(db_path).run({"max_price": "1 OR 1=1"})
    assert count_courses(db_path) == len(COURSES)


async def test_quote_in_value_matches_literally(db_path: Path) -> None:
    rows = await run(tool_for(db_path), max_price=1000, keyword="O'Reilly")
    assert rows == [{"title": "O'Reilly Style Regex", "price": 120.0}]


async def test_quoted_placeholders(db_path: Path) -> None:
    params = [
        {"name": "keyword", "type": "string", "required": True},
        {"name": "tag", "type": "string", "required": True},
    ]
    query = "SELECT title FROM courses WHERE title LIKE '%{keyword}%' AND tag = '{tag}' ORDER BY id"
    tool = tool_for(db_path, query, params)
    assert await run(tool, keyword="Python", tag="python") == [
        {"title": "Python for Beginners"},
        {"title": "Advanced Python"},
    ]
    assert await run(tool, keyword="' OR 1=1 --", tag="python") == []


def test_translate_query() -> None:
    sql, names = translate_query("SELECT * FROM t WHERE a LIKE '%{x}%' AND b = '{y}' AND c = {z};")
    assert sql == "SELECT * FROM t WHERE a LIKE ('%' || ? || '%') AND b = ? AND c = ?"
    assert names == ["x", "y", "z"]
    sql, names = translate_query("SELECT '{\"a\": 1}', 'it''s {x}' -- {comment}\n")
    assert sql == "SELECT '{\"a\": 1}', ('it''s ' || ?) -- {comment}"
    assert names == ["x"]
    sql, _ = translate_query("SELECT 1 ; -- trailing comment\n ;")
    assert sql == "SELECT 1"
    pg, names = translate_query("SELECT * FROM t WHERE a LIKE '%{x}%' AND b = 5 % 2", "postgresql")
    assert pg == "SELECT * FROM t WHERE a LIKE ('%%' || %s || '%%') AND b = 5 %% 2"
    my, _ = translate_query("SELECT * FROM t WHERE a LIKE '%{x}%'", "mysql")
    assert my == "SELECT * FROM t WHERE a LIKE CONCAT('%%', %s, '%%')"


@pytest.mark.parametrize(
    "query",
    [
        "SELECT 1; DROP TABLE courses",
        "SELECT 1;DELETE FROM courses;",
        "SELECT 1; -- x\n SELECT 2",
        "SELECT ';'; SELECT 2",
    ],
)
async def test_stacked_statements_rejected(db_path: Path, query: str) -> None:
    with pytest.raises(ToolError, match="single statement"):
        await tool_for(db_path, query, []).run({})
    assert count_courses(db_path) == len(COURSES)


async def test_semicolon_inside_literal_or_comment_is_fine(db_path: Path) -> None:
    tool = tool_for(db_path, "SELECT 'a;b' AS s /* ; */ -- ;\n;", [])
    assert await run(tool) == [{"s": "a;b"}]


@pytest.mark.parametrize(
    "query",
    [
        "DELETE FROM courses",
        "UPDATE courses SET price = 0",
        "DROP TABLE courses",
        "INSERT INTO courses (title) VALUES ('x')",
        "WITH x AS (SELECT 1) DELETE FROM courses",
    ],
)
async def test_writes_fail_read_only(db_path: Path, query: str) -> None:
    with pytest.raises(ToolError, match="readonly|not authorized"):
        await tool_for(db_path, query, []).run({})
    assert count_courses(db_path) == len(COURSES)


async def test_attach_and_pragma_writes_refused(db_path: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite3"
    with pytest.raises(ToolError, match="not authorized"):
        await tool_for(db_path, f"ATTACH DATABASE '{other}' AS other", []).run({})
    assert not other.exists()
    with pytest.raises(ToolError, match="not authorized"):
        await tool_for(db_path, "PRAGMA query_only = OFF", []).run({})


async def test_timeout_on_runaway_query(db_path: Path) -> None:
    query = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
    with pytest.raises(ToolError, match=r"timed out after 0.2 s"):
        await tool_for(db_path, query, [], timeout=0.2).run({})


async def test_database_error_message(db_path: Path) -> None:
    with pytest.raises(ToolError, match="no such table: nowhere"):
        await tool_for(db_path, "SELECT * FROM nowhere", []).run({})


async def test_relative_path_uses_base_dir(db_path: Path) -> None:
    tool = SqlPluginTool(
        manifest("SELECT count(*) AS n FROM courses"),
        connection("./catalogue.sqlite3"),
        lambda _name: None,
        base_dir=db_path.parent,
    )
    assert await run(tool) == [{"n": 5}]


async def test_missing_file_and_missing_connection(tmp_path: Path) -> None:
    tool = SqlPluginTool(manifest("SELECT 1"), connection("nope.db"), lambda _n: None, tmp_path)
    with pytest.raises(ToolError, match="not found"):
        await tool.run({})
    assert not (tmp_path / "nope.db").exists()
    orphan = SqlPluginTool(manifest("SELECT 1"), None, lambda _n: None)
    with pytest.raises(ToolError, match="catalogue_db"):
        await orphan.run({})


async def test_undeclared_placeholder(db_path: Path) -> None:
    with pytest.raises(ToolError, match=r"\{ghost\} is not a declared parameter"):
        await tool_for(db_path, "SELECT {ghost}", []).run({})


async def test_server_engines_without_driver(db_path: Path) -> None:
    assert normalise_engine("django.db.backends.sqlite3") == "sqlite"
    assert normalise_engine("django.db.backends.postgresql") == "postgresql"
    assert normalise_engine("mysql") == "mysql"
    for engine in ("postgresql", "mysql"):
        tool = SqlPluginTool(manifest("SELECT 1"), connection("db", engine=engine), lambda _n: None)
        try:
            __import__("psycopg" if engine == "postgresql" else "pymysql")
        except ImportError:
            with pytest.raises(ToolError, match="not supported locally yet; install"):
                await tool.run({})
    with pytest.raises(ToolError, match="unknown database engine"):
        normalise_engine("oracle")


async def test_schema_reading_pragma_runs_and_writing_pragma_does_not(db_path: Path) -> None:
    columns = await run(tool_for(db_path, "PRAGMA table_info(courses)", params=[]))
    assert [c["name"] for c in columns] == ["id", "title", "price", "tag"]
    with pytest.raises(ToolError, match="not authorized"):
        await run(tool_for(db_path, "PRAGMA journal_mode = delete", params=[]))


async def test_results_are_bounded_in_bytes_per_cell_and_in_total(tmp_path: Path) -> None:
    path = tmp_path / "big.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE blobs (id INTEGER, body TEXT)")
    conn.executemany("INSERT INTO blobs VALUES (?, ?)", [(i, "x" * 100_000) for i in range(1000)])
    conn.commit()
    conn.close()
    text = await tool_for(path, "SELECT id, body FROM blobs", params=[], limit=1000).run({})
    assert len(text.encode()) <= 1024 * 1024
    body, _, note = text.rpartition("\n")
    rows = json.loads(body)
    assert 1 <= len(rows) < 1000
    for row in rows:
        assert len(row["body"].encode()) < 64 * 1024 + 100
        assert row["body"].endswith("…[cut at 64 KiB of 100,000 bytes]")
    assert note.startswith("[truncated: ") and "long cell(s) cut at 64 KiB" in note
    assert f"{len(rows)} rows shown; more rows matched" in note
