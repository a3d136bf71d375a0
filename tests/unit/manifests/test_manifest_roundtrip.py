"""describe -> apply: dump_yaml of stored data loads back to the same data, for every kind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smarter_tui.domain.errors import ManifestError
from smarter_tui.manifests import KINDS, LoadedManifest, canonical_kind, dump_yaml, load_file, load_text

DATA = Path(__file__).parent / "data"
ASSETS = Path(__file__).resolve().parents[3] / "assets" / "manifests"


def _all_loaded() -> list[LoadedManifest]:
    paths = sorted(ASSETS.glob("*.yaml")) + sorted(DATA.glob("*.yaml"))
    return [item for path in paths for item in load_file(path)]


LOADED = _all_loaded()


def test_fixtures_cover_every_kind() -> None:
    assert {item.kind for item in LOADED} == set(KINDS)


@pytest.mark.parametrize("item", LOADED, ids=[f"{i.kind}-{i.name}" for i in LOADED])
def test_round_trip(item: LoadedManifest) -> None:
    text = dump_yaml(item.data)
    (again,) = load_text(text, "describe.yaml")
    assert again.data == item.data
    assert again.kind == item.kind and again.name == item.name
    # The stored form is already normalised: only advice about the content itself remains.
    advice = ("inside quotes", "rows are returned", "unknown key kept", "not run locally", "0..2 here")
    assert all(any(a in w for a in advice) for w in again.warnings), again.warnings
    assert json.loads(json.dumps(item.data)) == item.data  # JSON-safe for storage


def test_dump_order_and_style() -> None:
    item = next(i for i in LOADED if i.name == "everlasting_gobstopper")
    text = dump_yaml({"status": {"applied": True}, **item.data})
    keys = [line.split(":")[0] for line in text.splitlines() if line and not line[0].isspace()]
    assert keys == ["apiVersion", "kind", "metadata", "spec", "status"]
    assert "  name: everlasting_gobstopper\n  pluginClass: static\n" in text
    assert "{" not in text.split("staticData:")[0]  # block style
    assert load_text(text)[0].data == item.data  # status is ignored on apply


def test_dump_keeps_unicode_and_multiline_text() -> None:
    data = {
        "apiVersion": "smarter.sh/v1",
        "kind": "LLMClient",
        "metadata": {"name": "cafe", "description": "Café ☕"},
        "spec": {"config": {"defaultSystemRole": "Line one.\nLine two.\n"}},
    }
    text = dump_yaml(data)
    assert "Café ☕" in text
    assert "defaultSystemRole: |\n" in text
    (item,) = load_text(text)
    assert "defaultSystemRole: |\n" in dump_yaml(item.data)
    assert item.data["spec"]["config"]["prompt"]["defaultSystemRole"] == "Line one.\nLine two.\n"
    assert load_text(dump_yaml(item.data))[0].data == item.data


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("plugins", "Plugin"),
        ("Plugin", "Plugin"),
        ("llmclients", "LLMClient"),
        ("llm_clients", "LLMClient"),
        ("LLM-Client", "LLMClient"),
        ("chatbots", "LLMClient"),
        ("Chatbot", "LLMClient"),
        ("sqlplugin", "SqlPlugin"),
        ("sql_plugins", "SqlPlugin"),
        ("api-plugins", "ApiPlugin"),
        ("api-connections", "ApiConnection"),
        ("SQLCONNECTION", "SqlConnection"),
        ("secrets", "Secret"),
        ("providers", "Provider"),
    ],
)
def test_canonical_kind(text: str, kind: str) -> None:
    assert canonical_kind(text) == kind


@pytest.mark.parametrize("text", ["robots", "sessions", "connections", ""])
def test_canonical_kind_unknown(text: str) -> None:
    with pytest.raises(ManifestError, match="expected one of Secret, Provider, SqlConnection"):
        canonical_kind(text)


def test_kinds_are_in_dependency_order() -> None:
    assert KINDS == (
        "Secret",
        "Provider",
        "SqlConnection",
        "ApiConnection",
        "Plugin",
        "SqlPlugin",
        "ApiPlugin",
        "LLMClient",
    )


def test_lowercase_kind_in_yaml_is_accepted_with_warning() -> None:
    text = "apiVersion: smarter.sh/v1\nkind: secret\nmetadata: {name: k}\nspec: {config: {}}\n"
    (item,) = load_text(text)
    assert item.kind == "Secret" and item.data["kind"] == "Secret"
    assert "kind (line 2): kind 'secret' read as 'Secret'" in item.warnings[0]
