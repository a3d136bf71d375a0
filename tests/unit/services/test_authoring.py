"""Authoring services: validate text with every problem's line, examples, JSON Schema, field help."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml

from smarter_tui.manifests import KINDS
from smarter_tui.services.authoring import (
    example_manifest,
    field_description,
    field_help,
    json_schema,
    validate_text,
)

TWO_BAD_DOCUMENTS = """\
apiVersion: smarter.sh/v1
kind: SqlConnection
metadata: {name: db}
spec:
  connection:
    dbEngine: oracle
    database: x
---
apiVersion: smarter.sh/v1
kind: Plugin
metadata: {name: shop, pluginClass: static}
spec:
  selector:
    directive: sometimes
  data:
    staticData: 12
"""


def test_validate_text_reports_every_error_with_its_line() -> None:
    report = validate_text(TWO_BAD_DOCUMENTS, "two.yaml")
    assert not report.valid
    found = {(p.document, p.field, p.line) for p in report.errors}
    assert (1, "spec.connection.dbEngine", 6) in found
    assert (2, "spec.selector.directive", 14) in found
    assert (2, "spec.data.staticData", 16) in found
    directive = next(p for p in report.errors if p.field == "spec.selector.directive")
    assert "search_terms" in directive.message and "sometimes" in directive.message
    assert directive.text.startswith("two.yaml: document 2 (Plugin shop): spec.selector.directive (line 14)")
    public = report.to_public()
    assert public["valid"] is False and len(public["errors"]) == len(report.errors)
    json.dumps(public)


def test_validate_text_yaml_syntax_error_has_its_line_and_column() -> None:
    report = validate_text("kind: Plugin\nmetadata: {name: [x\n", "bad.yaml")
    (error,) = report.errors
    assert error.document == 0 and error.line == 3 and error.column is not None
    assert "YAML syntax error" in error.message


def test_validate_text_unclosed_bracket_names_the_line_it_was_opened_on() -> None:
    # PyYAML notices the missing ']' on the next line; the mistake is on the line the list opens.
    report = validate_text("kind: Plugin\nmetadata:\n  tags: [a, b\n  name: x\n", "bad.yaml")
    (error,) = report.errors
    assert error.line == 4
    assert error.message.endswith("(the flow sequence opened on line 3)"), error.message


def test_validate_text_warnings_have_lines_and_do_not_invalidate() -> None:
    text = example_manifest("Plugin").replace("  version: 0.1.0\n", "  version: 0.1.0\n  colour: blue\n")
    report = validate_text(text)
    assert report.valid, report.errors
    (warning,) = [w for w in report.warnings if w.field == "metadata.colour"]
    assert warning.severity == "warning"
    assert text.splitlines()[warning.line - 1].strip() == "colour: blue"


@pytest.mark.parametrize("kind", KINDS)
def test_example_manifest_of_every_kind_is_valid_and_commented(kind: str) -> None:
    text = example_manifest(kind.lower() + "s")
    assert text.lstrip().startswith("#")
    report = validate_text(text, f"{kind}.yaml")
    assert report.valid, [p.text for p in report.errors]
    assert [k for k, _ in report.manifests] == [kind]


@pytest.mark.parametrize("kind", KINDS)
def test_json_schema_is_draft_2020_12_and_accepts_the_example(kind: str) -> None:
    schema = json_schema(kind)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    example = yaml.safe_load(example_manifest(kind))
    jsonschema.Draft202012Validator(schema).validate(json.loads(json.dumps(example, default=str)))
    assert "apiVersion" in schema["properties"] and "spec" in schema["required"]


def test_json_schema_rejects_a_manifest_without_spec() -> None:
    schema = json_schema("SqlPlugin")
    example = yaml.safe_load(example_manifest("SqlPlugin"))
    del example["spec"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(example)


def test_field_descriptions_come_from_the_sdk() -> None:
    assert "SQL query" in (field_description("SqlPlugin", ("spec", "sqlData", "sqlQuery")) or "")
    assert "data type" in (field_description("sqlplugin", ("spec", "sqlData", "parameters", 2, "type")) or "")
    # the flat LLMClient shape finds the nested field's description
    flat = field_description("Chatbot", ("spec", "config", "appWelcomeMessage"))
    assert flat is not None and "welcome message" in flat
    assert field_description("Provider", ("spec", "provider", "baseUrl")) == field_description(
        "Provider", ("spec", "provider", "base_url")
    )
    assert field_description("Plugin", ("spec", "nothing_here")) is None
    assert field_description("NoSuchKind", ("spec",)) is None


def test_field_help_under_the_cursor() -> None:
    text = example_manifest("SqlPlugin")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if row.strip().startswith("sqlQuery:"))
    help_ = field_help(text, line)
    assert help_ is not None
    assert (help_.kind, help_.field) == ("SqlPlugin", "spec.sqlData.sqlQuery")
    assert help_.description and "SQL query" in help_.description
    type_line = next(i for i, row in enumerate(text.splitlines(), 1) if "type: number" in row)
    help_type = field_help(text, type_line)
    assert help_type is not None and help_type.field == "spec.sqlData.parameters[0].type"
    assert field_help("kind: [unclosed\n", 1) is None
