"""Built-in providers are visible: listed beside Provider manifests, described, never deleted."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.e2e.cli import Cli

BUILTINS = ("googleai", "offline", "ollama", "openai")


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    return Cli(tmp_path_factory.mktemp("providers") / "home")


def _table(out: str) -> dict[str, list[str]]:
    lines = out.splitlines()
    return {line.split()[0]: line.split() for line in lines[1:]}


def test_get_providers_lists_builtins_beside_manifests(cli: Cli) -> None:
    result = cli("get", "providers")
    assert result.code == 0, result.err
    rows = _table(result.out)
    assert result.out.splitlines()[0].split()[:2] == ["NAME", "SOURCE"]
    for name in BUILTINS:
        assert rows[name][1] == "built-in", result.out
    assert rows["local_ollama"][1] == "manifest"  # the bundled Provider manifest
    assert rows["openai"][2:4] == ["https://api.openai.com/v1", "gpt-4o-mini"]
    listed = cli("get", "providers", "-o", "json").json()
    assert {p["metadata"]["name"] for p in listed if p["status"].get("builtin")} == set(BUILTINS)


def test_describe_builtin_provider_and_override_it(cli: Cli, tmp_path: Path) -> None:
    described = cli("describe", "provider", "openai")
    assert described.code == 0, described.err
    manifest = yaml.safe_load(described.out)
    assert manifest["kind"] == "Provider"
    assert manifest["status"]["builtin"] is True
    assert manifest["spec"]["provider"] == {  # today's Smarter spelling
        "name": "openai",
        "base_url": "https://api.openai.com/v1",
        "api_key": "openai_api_key",
        "default_model": "gpt-4o-mini",
    }
    assert "built-in" not in cli("describe", "provider", "local_ollama").out

    refused = cli("delete", "provider", "openai")
    assert refused.code == 1
    assert "built in and cannot be deleted" in refused.err

    # What describe prints is a manifest: applied, it overrides the built-in provider.
    (tmp_path / "openai.yaml").write_text(described.out.replace("gpt-4o-mini", "gpt-4.1-mini"))
    assert cli("apply", "-f", str(tmp_path / "openai.yaml")).code == 0
    rows = _table(cli("get", "providers").out)
    assert rows["openai"][1:4] == ["manifest", "https://api.openai.com/v1", "gpt-4.1-mini"]
    assert cli("delete", "provider", "openai").code == 0
    assert _table(cli("get", "providers").out)["openai"][1] == "built-in"


def test_keys_list_names_only_providers_that_get_lists(cli: Cli) -> None:
    keys = cli("keys", "list")
    assert keys.code == 0, keys.err
    providers = set(_table(cli("get", "providers").out))
    used = [row[2] for row in _table(keys.out).values() if row[1] == "provider"]
    assert used and set(used) <= providers
