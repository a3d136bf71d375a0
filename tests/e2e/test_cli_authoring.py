"""`edit` (with a scripted $EDITOR), `validate`, `example-manifest` and `json-schema` end to end."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from smarter_tui.manifests import KINDS
from tests.e2e.cli import Cli

EDITOR = Path(__file__).resolve().parents[1] / "support" / "scripted_editor.py"
CORPUS = Path(__file__).resolve().parents[1] / "unit" / "manifests" / "corpus"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("authoring") / "home"


def _editing(home: Path, folder: Path, steps: list[dict[str, object]]) -> Cli:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "steps.json").write_text(json.dumps(steps))
    (folder / "count").unlink(missing_ok=True)
    return Cli(
        home,
        {"EDITOR": f"{sys.executable} {EDITOR}", "VISUAL": "", "SCRIPTED_EDITOR_DIR": str(folder)},
    )


def _seen(folder: Path, run: int) -> str:
    return (folder / f"seen-{run}.yaml").read_text()


def test_edit_change_then_comment_kept_then_invalid_fixed_then_no_change(home: Path, tmp_path: Path) -> None:
    # 1. a change (and a comment of the user's own) is validated, applied and stored
    cli = _editing(
        home,
        tmp_path / "one",
        [{"replace": ["appName: General Assistant", "appName: Ada's Desk  # renamed by me"]}],
    )
    first = cli("edit", "llmclients", "general_assistant")
    assert first.code == 0, first.err
    assert "llmclient/general_assistant edited" in first.out
    described = yaml.safe_load(cli("describe", "llmclient", "general_assistant").out)
    assert described["spec"]["config"]["prompt"]["appName"] == "Ada's Desk"
    assert _seen(tmp_path / "one", 0).startswith("# A general-purpose assistant")  # the user's text

    # 2. the next edit opens the text with that comment (and the file's own comments) kept
    cli = _editing(
        home, tmp_path / "two", [{"replace": ["defaultMaxTokens: 2048", "defaultMaxTokens: 1024"]}]
    )
    assert cli("edit", "llmclient", "general_assistant").code == 0
    seen = _seen(tmp_path / "two", 0)
    assert "appName: Ada's Desk  # renamed by me" in seen and seen.startswith("# A general-purpose")

    # 3. an invalid edit stores nothing and re-opens with the error (field and line) on top
    cli = _editing(
        home,
        tmp_path / "three",
        [
            {"replace": ["defaultTemperature: 0.5", "defaultTemperature: 7"]},
            {"replace": ["defaultTemperature: 7", "defaultTemperature: 0.25"]},
        ],
    )
    third = cli("edit", "llmclient", "general_assistant")
    assert third.code == 0, third.err
    assert "defaultTemperature" in third.err  # told on stderr too
    reopened = _seen(tmp_path / "three", 1)
    header = [line for line in reopened.splitlines() if line.startswith("# smarter-tui| ")]
    assert header and "not applied" in header[0]
    match = re.search(
        r"spec\.config\.prompt\.defaultTemperature \(line (\d+)\): expected a number at most 2", reopened
    )
    assert match, header
    # the line named is the line of the field in the re-opened file
    assert reopened.splitlines()[int(match.group(1)) - 1].strip() == "defaultTemperature: 7"
    described = yaml.safe_load(cli("describe", "llmclient", "general_assistant").out)
    assert described["spec"]["config"]["prompt"]["defaultTemperature"] == 0.25
    stored_text = _editing(home, tmp_path / "peek", [{"keep": True}])
    stored_text("edit", "llmclient", "general_assistant")
    assert "# smarter-tui|" not in _seen(tmp_path / "peek", 0)  # the header is never stored

    # 4. no change: nothing stored
    before = cli("get", "llmclients", "-o", "json").json()
    cli = _editing(home, tmp_path / "four", [{"keep": True}])
    fourth = cli("edit", "llmclient", "general_assistant")
    assert fourth.code == 0 and "no changes, nothing stored" in fourth.out
    assert cli("get", "llmclients", "-o", "json").json() == before


def test_edit_refuses_a_renamed_manifest_and_a_failing_editor(home: Path, tmp_path: Path) -> None:
    cli = _editing(
        home,
        tmp_path / "rename",
        [{"replace": ["name: everlasting_gobstopper", "name: other_plugin"]}, {"keep": True}],
    )
    result = cli("edit", "plugin", "everlasting_gobstopper")
    assert result.code == 1  # the second run saved the re-opened text unchanged: cancelled
    assert "edit cancelled, the errors above remain; nothing was stored" in result.err
    assert "expected exactly one Plugin named everlasting_gobstopper" in _seen(tmp_path / "rename", 1)
    assert cli("describe", "plugin", "other_plugin").code == 1
    failing = Cli(home, {"EDITOR": f"{sys.executable} -c 'raise SystemExit(5)'", "VISUAL": ""})
    failed = failing("edit", "plugin", "everlasting_gobstopper")
    assert failed.code == 1 and "editor exited with status 5" in failed.err


def test_validate_reports_every_error_with_file_field_and_line(home: Path, tmp_path: Path) -> None:
    assert Cli(home)("validate", "-f", str(CORPUS)).code == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "apiVersion: smarter.sh/v1\nkind: SqlConnection\nmetadata: {name: db}\nspec:\n  connection:\n"
        "    dbEngine: oracle\n    database: x\n---\napiVersion: smarter.sh/v1\nkind: Plugin\n"
        "metadata: {name: p, pluginClass: static}\nspec:\n  selector: {directive: sometimes}\n"
        "  data: {staticData: {a: 1}}\n"
    )
    result = Cli(home)("validate", "-f", str(bad))
    assert result.code == 1
    assert f"{bad}: document 1 (SqlConnection db): spec.connection.dbEngine (line 6)" in result.err
    assert f"{bad}: document 2 (Plugin p): spec.selector.directive (line 13)" in result.err
    assert "2 error(s); nothing was stored" in result.err
    as_json = Cli(home)("validate", "-f", str(bad), "-o", "json").json()
    assert as_json["valid"] is False and [e["line"] for e in as_json["errors"]] == [6, 13]
    assert Cli(home)("describe", "connection", "db").code == 1


def test_example_manifest_of_every_kind_passes_validate(home: Path, tmp_path: Path) -> None:
    for kind in KINDS:
        example = Cli(home)("example-manifest", kind.lower() + "s")
        assert example.code == 0 and example.out.startswith("#"), example.err
        (tmp_path / f"{kind}.yaml").write_text(example.out)
    checked = Cli(home)("validate", "-f", str(tmp_path))
    assert checked.code == 0, checked.err
    assert sorted(line.split("/")[0] for line in checked.out.splitlines()) == sorted(k.lower() for k in KINDS)


def test_json_schema(home: Path) -> None:
    result = Cli(home)("json-schema", "sqlplugins")
    assert result.code == 0, result.err
    schema = result.json()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    example = yaml.safe_load(Cli(home)("example-manifest", "SqlPlugin").out)
    jsonschema.Draft202012Validator(schema).validate(example)
    unknown = Cli(home)("json-schema", "Gadget")
    assert unknown.code == 1 and "unknown kind 'Gadget'" in unknown.err
