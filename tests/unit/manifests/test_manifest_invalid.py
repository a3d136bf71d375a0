"""Invalid manifests: each message names file, document, field path, the real line, what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from smarter_tui.domain.errors import ManifestError
from smarter_tui.manifests import load_file, load_text

SQL_PLUGIN = """\
apiVersion: smarter.sh/v1
kind: SqlPlugin
metadata:
  name: course_search
  pluginClass: sql
spec:
  connection: catalogue_db
  selector:
    directive: search_terms
    searchTerms: [course]
  sqlData:
    sqlQuery: SELECT * FROM courses WHERE price <= {max_price} AND title LIKE {keyword}
    parameters:
      - name: max_price
        type: number
      - name: keyword
        type: string
        default: Python
    limit: 100
"""

API_PLUGIN = """\
apiVersion: smarter.sh/v1
kind: ApiPlugin
metadata: {name: course_details, pluginClass: api}
spec:
  connection: course_api
  selector: {directive: always}
  apiData:
    endpoint: /courses/{code}/
    method: GET
    parameters:
      - {name: code, type: string, required: true}
"""

LLM_CLIENT = """\
apiVersion: smarter.sh/v1
kind: LLMClient
metadata:
  name: helper
spec:
  config:
    provider: offline
    defaultTemperature: 0.5
    defaultMaxTokens: 100
  functions:
    - calculator
"""

SQL_CONNECTION = """\
apiVersion: smarter.sh/v1
kind: SqlConnection
metadata: {name: catalogue_db}
spec:
  connection:
    dbEngine: sqlite
    database: ./catalogue.sqlite3
"""

API_CONNECTION = """\
apiVersion: smarter.sh/v1
kind: ApiConnection
metadata: {name: course_api}
spec:
  connection:
    baseUrl: https://api.example.com
    authMethod: none
"""


def _sub(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


CASES: list[tuple[str, str, str, int]] = [
    (
        "parameter-type",
        _sub(SQL_PLUGIN, "type: string", "type: text"),
        "spec.sqlData.parameters[1].type (line 17): expected one of string, number, integer, "
        "boolean, object, array, null; got 'text'",
        17,
    ),
    (
        "missing-apiVersion",
        _sub(LLM_CLIENT, "apiVersion: smarter.sh/v1\n", ""),
        "apiVersion (line 1): required field is missing",
        1,
    ),
    (
        "bad-apiVersion",
        _sub(LLM_CLIENT, "smarter.sh/v1", "smarter.sh/v2"),
        "apiVersion (line 1): expected smarter.sh/v1 (or smarter.sh/v0); got 'smarter.sh/v2'",
        1,
    ),
    (
        "missing-kind",
        _sub(LLM_CLIENT, "kind: LLMClient\n", ""),
        "kind (line 1): required field is missing; expected one of Secret, Provider",
        1,
    ),
    (
        "unknown-kind",
        _sub(LLM_CLIENT, "kind: LLMClient", "kind: Robot"),
        "kind (line 2): unknown kind 'Robot'; expected one of Secret, Provider, SqlConnection, "
        "ApiConnection, Plugin, SqlPlugin, ApiPlugin, LLMClient",
        2,
    ),
    (
        "not-a-mapping",
        "- apiVersion: smarter.sh/v1\n- kind: LLMClient\n",
        "document 1: line 1: expected a mapping with apiVersion, kind, metadata and spec; got a list",
        1,
    ),
    (
        "name-not-normalisable",
        _sub(LLM_CLIENT, "name: helper", "name: 9 lives!"),
        "metadata.name (line 4): expected a snake_case name",
        4,
    ),
    (
        "name-too-long",
        _sub(LLM_CLIENT, "name: helper", "name: " + "a" * 51),
        "at most 50 characters); got 'aaaa",
        4,
    ),
    (
        "version-not-semver",
        _sub(LLM_CLIENT, "  name: helper\n", "  name: helper\n  version: '1.0'\n"),
        "metadata.version (line 5): expected a SemVer version such as 0.1.0, or null; got '1.0'",
        5,
    ),
    (
        "pluginClass-disagrees",
        _sub(SQL_PLUGIN, "pluginClass: sql", "pluginClass: static"),
        "metadata.pluginClass (line 5): expected 'sql' for kind SqlPlugin; got 'static' (use kind Plugin)",
        5,
    ),
    (
        "pluginClass-missing",
        _sub(SQL_PLUGIN, "  pluginClass: sql\n", ""),
        "metadata.pluginClass (line 3): required field is missing",
        3,
    ),
    (
        "searchTerms-missing",
        _sub(SQL_PLUGIN, "    searchTerms: [course]\n", ""),
        "spec.selector.searchTerms (line 8): directive search_terms needs a non-empty list",
        8,
    ),
    (
        "bad-directive",
        _sub(SQL_PLUGIN, "directive: search_terms", "directive: sometimes"),
        "spec.selector.directive (line 9): expected one of search_terms, always, llm; got 'sometimes'",
        9,
    ),
    (
        "temperature-above-2",
        _sub(LLM_CLIENT, "defaultTemperature: 0.5", "defaultTemperature: 2.5"),
        "spec.config.defaultTemperature (line 8): expected a number at most 2; got 2.5",
        8,
    ),
    (
        "maxTokens-zero",
        _sub(LLM_CLIENT, "defaultMaxTokens: 100", "defaultMaxTokens: 0"),
        "spec.config.defaultMaxTokens (line 9): expected a number greater than 0; got 0",
        9,
    ),
    (
        "default-not-in-enum",
        _sub(SQL_PLUGIN, "        default: Python\n", "        enum: [Java, Go]\n        default: Python\n"),
        "spec.sqlData.parameters[1].default (line 19): default 'Python' is not one of the enum "
        "values ['Java', 'Go']",
        19,
    ),
    (
        "undeclared-placeholder",
        _sub(SQL_PLUGIN, "LIKE {keyword}", "LIKE {keyword} AND level = {level}"),
        "spec.sqlData.sqlQuery (line 12): placeholder(s) {level} not declared in parameters "
        "(declared: keyword, max_price)",
        12,
    ),
    (
        "limit-zero",
        _sub(SQL_PLUGIN, "limit: 100", "limit: 0"),
        "spec.sqlData.limit (line 19): expected a number greater than 0; got 0",
        19,
    ),
    (
        "unknown-dbEngine",
        _sub(SQL_CONNECTION, "dbEngine: sqlite", "dbEngine: oracle"),
        "spec.connection.dbEngine (line 6): expected one of django.db.backends.sqlite3",
        6,
    ),
    (
        "postgres-without-hostname",
        _sub(SQL_CONNECTION, "dbEngine: sqlite", "dbEngine: postgres"),
        "spec.connection.hostname (line 5): a hostname is required for postgresql",
        5,
    ),
    (
        "password-is-a-value",
        SQL_CONNECTION + "    password: 'p@ss w0rd!'\n",
        "spec.connection.password (line 8): expected a snake_case Secret name (not the password itself)",
        8,
    ),
    (
        "endpoint-without-slash",
        _sub(API_PLUGIN, "endpoint: /courses/{code}/", "endpoint: courses/{code}/"),
        "spec.apiData.endpoint (line 8): expected a path starting with '/'; got 'courses/{code}/'",
        8,
    ),
    (
        "endpoint-undeclared-path-param",
        _sub(API_PLUGIN, "endpoint: /courses/{code}/", "endpoint: /courses/{course_id}"),
        "spec.apiData.endpoint (line 8): path parameter(s) {course_id} not declared in parameters "
        "(declared: code)",
        8,
    ),
    (
        "bad-method",
        _sub(API_PLUGIN, "method: GET", "method: FETCH"),
        "spec.apiData.method (line 9): expected one of GET, POST, PUT, PATCH, DELETE; got 'FETCH'",
        9,
    ),
    (
        "baseUrl-not-http",
        _sub(API_CONNECTION, "https://api.example.com", "ftp://files.example.com"),
        "spec.connection.baseUrl (line 6): expected an http:// or https:// URL; "
        "got 'ftp://files.example.com'",
        6,
    ),
    (
        "token-without-apiKey",
        _sub(API_CONNECTION, "authMethod: none", "authMethod: token"),
        "spec.connection.apiKey (line 5): authMethod token needs apiKey (the name of a Secret)",
        5,
    ),
    (
        "unknown-function",
        LLM_CLIENT + "    - teleport\n",
        "spec.functions[1] (line 12): unknown function 'teleport'; expected one of calculator, "
        "date_calculator, get_current_weather, create_memory, recall_memory",
        12,
    ),
    (
        "llmclient-without-config",
        "apiVersion: smarter.sh/v1\nkind: LLMClient\nmetadata: {name: bare}\nspec:\n  plugins: []\n",
        "spec.config (line 4): required field is missing",
        4,
    ),
    (
        "staticData-scalar",
        "apiVersion: smarter.sh/v1\nkind: Plugin\nmetadata: {name: facts, pluginClass: static}\n"
        "spec:\n  selector: {directive: llm}\n  data:\n    description: facts\n"
        "    staticData: just a string\n",
        "spec.data.staticData (line 8): expected a mapping or a list; got str",
        8,
    ),
    (
        "testValue-unknown-parameter",
        API_PLUGIN + "    testValues:\n      - {name: id, value: 1}\n",
        "spec.apiData.testValues[0].name (line 13): 'id' is not a declared parameter (declared: code)",
        13,
    ),
    (
        "header-value-mapping",
        _sub(API_PLUGIN, "    method: GET", "    method: GET\n    headers:\n      - {name: X, value: [1]}"),
        "spec.apiData.headers[0].value (line 11): ",
        11,
    ),
    (
        "yaml-syntax-error",
        LLM_CLIENT + "  plugins: [a, b\n",
        "line 13, column 1: YAML syntax error",
        13,
    ),
    (
        "metadata-not-a-mapping",
        _sub(LLM_CLIENT, "metadata:\n  name: helper\n", "metadata: helper\n"),
        "metadata (line 3): expected a mapping; got 'helper'",
        3,
    ),
    (
        "duplicate-name-in-file",
        API_CONNECTION
        + "---\n"
        + _sub(API_CONNECTION, "authMethod: none", "authMethod: basic\n    apiKey: k"),
        "document 2 (ApiConnection course_api): metadata.name (line 11): 'course_api' is already "
        "defined in document 1",
        11,
    ),
]


def test_there_are_enough_invalid_cases() -> None:
    assert len(CASES) >= 20
    assert len({case[0] for case in CASES}) == len(CASES)


@pytest.mark.parametrize(("text", "expected", "line"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_invalid_manifest(text: str, expected: str, line: int) -> None:
    with pytest.raises(ManifestError) as caught:
        load_text(text, "catalogue.yaml")
    problems = caught.value.problems
    assert any(expected in problem for problem in problems), problems
    matching = [problem for problem in problems if expected in problem]
    assert f"line {line}" in matching[0], matching[0]
    assert all(problem.startswith("catalogue.yaml: ") for problem in problems)
    assert str(caught.value).startswith("catalogue.yaml: ")


def test_problem_names_kind_and_name() -> None:
    with pytest.raises(ManifestError) as caught:
        load_text(CASES[0][1], "catalogue.yaml")
    assert caught.value.problems == [
        "catalogue.yaml: document 1 (SqlPlugin course_search): spec.sqlData.parameters[1].type "
        "(line 17): expected one of string, number, integer, boolean, object, array, null; "
        "got 'text'"
    ]


def test_multi_document_file_with_one_bad_document_raises(tmp_path: Path) -> None:
    bad = _sub(SQL_PLUGIN, "limit: 100", "limit: -5")
    path = tmp_path / "catalogue.yaml"
    path.write_text(SQL_CONNECTION + "---\n" + bad + "---\n" + LLM_CLIENT, encoding="utf-8")
    with pytest.raises(ManifestError) as caught:
        load_file(path)
    assert len(caught.value.problems) == 1
    problem = caught.value.problems[0]
    assert f"{path}: document 2 (SqlPlugin course_search): spec.sqlData.limit (line 27)" in problem


def test_every_problem_is_reported() -> None:
    text = _sub(LLM_CLIENT, "defaultMaxTokens: 100", "defaultMaxTokens: 0") + "    - teleport\n"
    with pytest.raises(ManifestError) as caught:
        load_text(text, "x.yaml")
    assert len(caught.value.problems) == 2
    assert "(and 1 more problem(s))" in str(caught.value)


def test_missing_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ManifestError, match="nope.yaml: no such file"):
        load_file(missing)
