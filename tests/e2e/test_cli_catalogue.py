"""The catalogue command line end to end: apply, get, describe, delete, keys, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.e2e.cli import Cli
from tests.support import engines

ASSETS = Path(__file__).resolve().parents[2] / "assets" / "manifests"


def test_first_start_seeds_examples_and_apply_directory_is_idempotent(cli: Cli) -> None:
    first = cli("get", "llmclients")
    assert first.code == 0, first.err
    for name in ("general_assistant", "shop_assistant", "course_assistant"):
        assert name in first.out
    again = cli("apply", "-f", str(ASSETS))
    assert again.code == 0, again.err
    assert "created" not in again.out and "updated" not in again.out
    assert "llmclient/general_assistant unchanged" in again.out


@pytest.mark.parametrize(
    "kind",
    ["plugins", "Plugin", "PLUGINS", "llm_clients", "chatbots", "connections", "providers", "sqlplugins"],
)
def test_get_kinds_case_insensitive_and_plural(cli: Cli, kind: str) -> None:
    result = cli("get", kind)
    assert result.code == 0, result.err
    assert result.out.strip() and "(none)" not in result.out


def test_get_in_all_three_formats(cli: Cli) -> None:
    table = cli("get", "plugins")
    assert table.code == 0 and "NAME" in table.out and "everlasting_gobstopper" in table.out
    as_json = cli("get", "plugins", "-o", "json").json()
    names = {doc["metadata"]["name"] for doc in as_json}
    assert {"everlasting_gobstopper", "course_search", "course_details"} <= names
    as_yaml = list(yaml.safe_load_all(cli("get", "plugins", "-o", "yaml").out))
    assert {doc["metadata"]["name"] for doc in as_yaml} == names
    assert all(doc["kind"] in ("Plugin", "SqlPlugin", "ApiPlugin") for doc in as_yaml)


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        ("llmclient", "shop_assistant"),
        ("plugin", "everlasting_gobstopper"),
        ("sqlplugin", "course_search"),
        ("apiplugin", "course_details"),
        ("connection", "catalogue_db"),
        ("connection", "course_api"),
        ("provider", "local_ollama"),
    ],
)
def test_describe_then_apply_round_trips(cli: Cli, tmp_path: Path, kind: str, name: str) -> None:
    described = cli("describe", kind, name)
    assert described.code == 0, described.err
    path = tmp_path / "described.yaml"
    path.write_text(described.out)
    applied = cli("apply", "-f", str(path))
    assert applied.code == 0, applied.err
    # catalogue_db's relative SQLite path now resolves against the described file's folder
    assert ("updated" if name == "catalogue_db" else "unchanged") in applied.out
    assert cli("describe", kind, name).out.split("status:")[0] == described.out.split("status:")[0]


def test_describe_json(cli: Cli) -> None:
    doc = cli("describe", "llmclient", "general_assistant", "-o", "json").json()
    assert doc["kind"] == "LLMClient" and doc["metadata"]["name"] == "general_assistant"
    assert "calculator" in doc["spec"]["extensions"]  # today's name of `functions`


def test_delete_with_and_without_dependants(cli: Cli) -> None:
    refused = cli("delete", "plugin", "everlasting_gobstopper")
    assert refused.code == 1
    assert "shop_assistant" in refused.err and "Traceback" not in refused.err
    assert len(refused.err.strip().splitlines()) == 1
    refused_conn = cli("delete", "connection", "catalogue_db")
    assert refused_conn.code == 1 and "course_search" in refused_conn.err

    assert cli("delete", "llmclient", "shop_assistant").code == 0
    deleted = cli("delete", "plugin", "everlasting_gobstopper")
    assert deleted.code == 0, deleted.err
    assert "everlasting_gobstopper" not in cli("get", "plugins").out
    missing = cli("delete", "plugin", "everlasting_gobstopper")
    assert missing.code == 1 and "No plugin named 'everlasting_gobstopper'" in missing.err


def test_bad_file_stores_nothing_and_names_file_and_line(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "apiVersion: smarter.sh/v1\nkind: Plugin\nmetadata:\n  name: good_one\n  pluginClass: static\n"
        "  description: fine\nspec:\n  selector: {directive: always}\n  data:\n    description: d\n"
        "    staticData: {a: 1}\n---\n"
        "apiVersion: smarter.sh/v1\nkind: LLMClient\nmetadata:\n  name: broken\n  description: x\n"
        "spec:\n  config:\n    defaultTemperature: 7\n  functions: [calculator]\n"
    )
    result = cli("apply", "-f", str(bad))
    assert result.code == 1
    assert "bad.yaml" in result.err and "defaultTemperature" in result.err and "line 20" in result.err
    assert "Traceback" not in result.err
    assert "good_one" not in cli("get", "plugins").out  # all or nothing per file


def test_missing_file_and_unknown_kind(cli: Cli, tmp_path: Path) -> None:
    missing = cli("apply", "-f", str(tmp_path / "nope.yaml"))
    assert missing.code == 1 and "nope.yaml" in missing.err and "no such file" in missing.err
    unknown = cli("get", "gadgets")
    assert unknown.code == 1 and "gadgets" in unknown.err
    debug = cli("--debug", "get", "gadgets")
    assert debug.code == 1 and "Traceback" in debug.err


def test_secret_apply_masks_and_round_trips(cli: Cli, tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text(
        "apiVersion: smarter.sh/v1\nkind: Secret\nmetadata:\n  name: shop_token\n  description: t\n"
        "spec:\n  config:\n    value: sk-test-1234567890abcd\n    expirationDate: null\n"
    )
    assert cli("apply", "-f", str(secret)).code == 0
    described = cli("describe", "secret", "shop_token")
    assert "sk-test-1234567890abcd" not in described.out and "****abcd" in described.out
    if "DATABASE_URL" in cli.env and cli.env["DATABASE_URL"]:
        dump = engines.rows(cli.env["DATABASE_URL"], "SELECT manifest_json::text || source_text FROM secrets")
        assert dump and not any("sk-test-1234567890abcd" in text for (text,) in dump)
    else:
        db = (cli.home / "smarter.sqlite3").read_bytes()
        assert b"sk-test-1234567890abcd" not in db
    again = tmp_path / "again.yaml"
    again.write_text(described.out)
    assert cli("apply", "-f", str(again)).code == 0  # a masked value keeps the stored one
    listed = cli("keys", "list")
    assert "shop_token" in listed.out and "yes" in listed.out
    assert "sk-test" not in listed.out + listed.err


def test_keys_set_list_delete(cli: Cli) -> None:
    stored = cli("keys", "set", "openai", stdin="sk-from-stdin-9999\n")
    assert stored.code == 0, stored.err
    assert "openai_api_key" in stored.out and "sk-from-stdin" not in stored.out
    listed = cli("keys", "list")
    row = next(line for line in listed.out.splitlines() if line.startswith("openai_api_key"))
    assert row.rstrip().endswith("yes")
    assert cli("keys", "delete", "openai").out.strip() == "openai: deleted"
    assert cli("keys", "list").out.count("openai_api_key") == 1


def test_keys_without_keyring_explain_the_way_out(tmp_path: Path) -> None:
    cli = Cli(
        tmp_path / "home",
        env={"SMARTER_TUI_KEYRING": "", "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"},
    )
    result = cli("keys", "set", "openai", stdin="sk-x\n")
    assert result.code == 1
    assert "No usable keyring" in result.err and "SMARTER_TUI_SECRET_OPENAI_API_KEY" in result.err
    assert "SMARTER_TUI_KEYRING=file" in result.err and len(result.err.strip().splitlines()) == 1
    assert not (cli.home / "secrets.json").exists()


def test_get_sessions_and_memories_empty(cli: Cli) -> None:
    assert cli("get", "sessions").code == 0
    memories = cli("get", "memories", "-o", "json")
    assert memories.code == 0 and json.loads(memories.out) == []
