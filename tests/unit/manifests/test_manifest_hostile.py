"""Hostile manifests are refused fast, in one line with file and line (issue 11 items 4-7)."""

from __future__ import annotations

import resource

import pytest

from smarter_tui.domain.errors import ManifestError
from smarter_tui.manifests import load_text
from smarter_tui.manifests.checks import (
    base_url_problem,
    looks_like_key,
    secret_name_problem,
    sql_query_problem,
)
from tests.support.cpu import cpu_clock
from tests.unit.manifests.test_manifest_invalid import API_CONNECTION, SQL_CONNECTION, SQL_PLUGIN, _sub

STATIC = """\
apiVersion: smarter.sh/v1
kind: Plugin
metadata: {name: gobstopper, pluginClass: static, description: x}
spec:
  selector: {directive: always}
  data:
    description: candy
    staticData:
      colour: VALUE
"""


def _bomb(levels: int = 9) -> str:
    """The 931-byte shape: each level an anchor of 9 aliases to the one before."""
    lines = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, levels + 1):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]")
    return _sub(STATIC, "      colour: VALUE", "      " + "\n      ".join(lines))


def _refusal(text: str) -> str:
    with cpu_clock() as spent, pytest.raises(ManifestError) as caught:
        load_text(text, "hostile.yaml")
    assert spent[0] < 1.0, f"took {spent[0]:.2f} s of CPU"
    message = caught.value.message
    assert message.startswith("hostile.yaml: ") and "\n" not in message
    return message


def test_alias_bomb_is_refused_before_it_expands() -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    message = _refusal(_bomb())
    assert "alias bomb" in message and "line " in message
    assert (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024 < 50


def test_aliases_used_within_bounds_still_work() -> None:
    text = _sub(STATIC, "      colour: VALUE", "      base: &b {a: 1, b: 2}\n      copy: *b")
    (loaded,) = load_text(text, "ok.yaml")
    assert loaded.data["spec"]["data"]["staticData"]["copy"] == {"a": 1, "b": 2}


@pytest.mark.parametrize(
    ("value", "expected", "line"),
    [
        ("[" * 800 + "]" * 800, "nested more than", 9),
        ("&me [1, *me]", "refers to the value that contains it", 9),
        ("!!binary aGVsbG8=", "!!binary is not allowed", 9),
        ("!!set {a, b}", "!!set is not allowed", 9),
        ("!!omap [a: 1]", "!!omap is not allowed", 9),
        # Dates PyYAML recognises but cannot build (the fuzz benchmark found 9 tracebacks).
        ("2024-02-30", "'2024-02-30' is not a valid timestamp: day is out of range", 9),
        ("2023-13-01", "'2023-13-01' is not a valid timestamp: month must be in 1..12", 9),
        ("{at: 2024-01-01 25:00:00}", "'2024-01-01 25:00:00' is not a valid timestamp", 9),
        ("{<<: {when: 2024-02-31}}", "'2024-02-31' is not a valid timestamp", 9),
    ],
)
def test_odd_yaml_is_a_manifest_error_with_a_line(value: str, expected: str, line: int) -> None:
    message = _refusal(_sub(STATIC, "VALUE", value))
    assert expected in message and f"line {line}" in message


def test_forbidden_characters_name_their_line() -> None:
    message = _refusal(_sub(STATIC, "VALUE", "red\x00"))
    assert "line 9" in message and "U+0000" in message


@pytest.mark.parametrize(
    "query",
    [
        "SELECT 1; DELETE FROM courses",
        "SELECT 1; SELECT 2",
        "DELETE FROM courses",
        "UPDATE courses SET price = 0",
        "INSERT INTO courses VALUES (1)",
        "DROP TABLE courses",
        "ATTACH DATABASE '/tmp/x.db' AS x",
        "PRAGMA writable_schema = 1",
        "PRAGMA journal_mode = delete",
        "VACUUM INTO '/tmp/copy.db'",
        "SELECT 'unterminated FROM courses",
        'SELECT "unterminated FROM courses',
        "SELECT 1 /* never closed",
        "-- only a comment",
        "/* only */ -- comments",
        "WITH x AS (SELECT 1) DELETE FROM courses",
        "REPLACE INTO courses VALUES (1)",
        "CREATE TABLE t (a)",
    ],
)
def test_sql_that_would_fail_at_run_is_refused_at_apply(query: str) -> None:
    assert sql_query_problem(query) is not None
    text = _sub(
        SQL_PLUGIN, "SELECT * FROM courses WHERE price <= {max_price} AND title LIKE {keyword}", query
    )
    text = text.replace(
        "    parameters:\n      - name: max_price\n        type: number\n", "    parameters:\n"
    )
    text = text.replace("      - name: keyword\n        type: string\n        default: Python\n", "")
    text = text.replace("    parameters:\n", "    parameters: []\n")
    message = _refusal(text)
    assert "sqlQuery (line 12)" in message


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * FROM courses WHERE title LIKE '%;%'",
        "select code from courses; ",
        "SELECT replace(title, 'a', 'b') FROM courses -- trailing comment",
        "WITH cheap AS (SELECT * FROM courses WHERE price < 10) SELECT * FROM cheap",
        "PRAGMA table_info(courses)",
        "VALUES (1, 'x')",
        'SELECT "update", [delete] FROM "insert"',
    ],
)
def test_read_only_sql_is_accepted(query: str) -> None:
    assert sql_query_problem(query) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:99999/api",
        "http://127.0.0.1:-1/api",
        "http://127.0.0.1:0/api",
        "http://exa mple.com/api",
        "http://example.com/a\tb",
        "http://example.com/\x1b[31m",
        "http://example.com/\x85",
        "ftp://example.com",
        "http://user:pass@example.com",
        "http://:80/",
    ],
)
def test_bad_base_urls_are_refused_at_apply(url: str) -> None:
    assert base_url_problem(url) is not None
    text = _sub(API_CONNECTION, "https://api.example.com", url.replace("\\", "\\\\").replace('"', '\\"'))
    text = text.replace(f"baseUrl: {url}", f'baseUrl: "{url.encode("unicode_escape").decode()}"')
    message = _refusal(text)
    assert "baseUrl (line 6)" in message


def test_good_base_urls_pass() -> None:
    for url in ("http://127.0.0.1:8765/api", "https://api.openai.com/v1", "http://[::1]:11434/v1"):
        assert base_url_problem(url) is None, url


KEYS = [
    "sk-proj-" + "Ab3dEf6hIj9k" * 5,
    "AIzaSyD" + "x1Y2z3W4v5U6t7S8r9Q0p1O2n3M",
    "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
    "AKIAIOSFODNN7EXAMPLE",
    "Zq9Xv2Lm8Np4Rt6Wy1Ks3Hd5Gf7Jb0Ce",
]


@pytest.mark.parametrize("key", KEYS)
def test_keys_in_secret_name_fields_are_refused_and_never_echoed(key: str) -> None:
    assert looks_like_key(key) and secret_name_problem(key) is not None
    connection = _sub(API_CONNECTION, "authMethod: none", f"authMethod: token\n    apiKey: {key}")
    sql = _sub(SQL_CONNECTION, "database: ./catalogue.sqlite3", f"database: x.db\n    password: {key}")
    client = (
        "apiVersion: smarter.sh/v1\nkind: LLMClient\nmetadata: {name: c}\n"
        f"spec:\n  apiKey: {key}\n  config: {{provider: offline}}\n"
    )
    provider = (
        "apiVersion: smarter.sh/v1\nkind: Provider\nmetadata: {name: p}\n"
        f"spec:\n  provider: {{baseUrl: 'http://127.0.0.1:1/v1', defaultModel: m, apiKey: {key}}}\n"
    )
    for text in (connection, sql, client, provider):
        with pytest.raises(ManifestError) as caught:
            load_text(text, "keys.yaml")
        assert "looks like an API key" in caught.value.message, caught.value.message
        for problem in [caught.value.message, *caught.value.problems]:
            assert key not in problem and key[:12] not in problem


@pytest.mark.parametrize("name", ["openai_api_key", "OPENAI_API_KEY", "gemini", "db_password", "my-secret"])
def test_ordinary_secret_names_pass(name: str) -> None:
    assert not looks_like_key(name)
