"""An offline client shows the offline model's own name; `prompt -o json` reports failures in `error`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.cli import Cli
from tests.support.fake_openai import FakeOpenAI, Reply

# A client switched to the offline provider that still names an OpenAI model, with a plugin whose
# prompt override names one too: neither may be shown as the model that answered.
SWITCHED = """\
apiVersion: smarter.sh/v1
kind: Plugin
metadata: {name: candy_facts, pluginClass: static, description: Candy facts, version: 0.1.0}
spec:
  selector: {directive: always}
  prompt: {model: gpt-4o-mini}
  data:
    description: Facts about candy
    staticData: {flavours: [lemon, cola]}
---
apiVersion: smarter.sh/v1
kind: LLMClient
metadata: {name: switched, description: was on openai, version: 0.1.0}
spec:
  config:
    provider: offline
    defaultModel: gpt-4o-mini
    appName: Switched
  functions: [calculator]
  plugins: [candy_facts]
"""


def _failing(base_url: str) -> str:
    return f"""\
apiVersion: smarter.sh/v1
kind: Provider
metadata: {{name: flaky, description: a server that refuses, version: 0.1.0}}
spec:
  provider: {{baseUrl: "{base_url}", defaultModel: some-model, apiKey: null}}
---
apiVersion: smarter.sh/v1
kind: LLMClient
metadata: {{name: flaky_client, description: fails, version: 0.1.0}}
spec:
  config: {{provider: flaky, appName: Flaky}}
  functions: []
  plugins: []
---
apiVersion: smarter.sh/v1
kind: LLMClient
metadata: {{name: keyless_openai, description: needs a key, version: 0.1.0}}
spec:
  config: {{provider: openai, appName: Needs a key}}
  functions: []
  plugins: []
"""


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    return Cli(tmp_path_factory.mktemp("offline-model") / "home")


def test_offline_client_shows_the_offline_model(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "switched.yaml").write_text(SWITCHED)
    applied = cli("apply", "-f", str(tmp_path / "switched.yaml"))
    assert applied.code == 0, applied.err

    config = cli("config", "switched").json()
    assert config["llm_client"]["default_model"] == "offline-demo"

    result = cli("prompt", "switched", "What flavours of candy are there? And what is 6 * 7?", "-o", "json")
    assert result.code == 0, result.err
    turn = result.json()
    assert turn["error"] is None
    names = [c["function"]["name"] for m in turn["new_messages"] for c in m.get("tool_calls") or []]
    assert names == ["calculator", "plugin_candy_facts"]  # the plugin (and its override) was used
    models = {m["model"] for m in turn["new_messages"] if m["role"] == "assistant"}
    assert models == {"offline-demo"}
    assert "gpt-4o-mini" not in result.out


def test_prompt_json_has_an_error_field_when_it_fails(cli: Cli, tmp_path: Path) -> None:
    with FakeOpenAI() as server:
        server.enqueue(Reply(status=401, error="Incorrect API key provided"))
        (tmp_path / "failing.yaml").write_text(_failing(server.base_url))
        assert cli("apply", "-f", str(tmp_path / "failing.yaml")).code == 0
        failed = cli("prompt", "flaky_client", "Hello?", "-o", "json")
    assert failed.code == 1
    document = failed.json()
    assert document["error"]["status"] == 401
    assert "Incorrect API key provided" in document["error"]["message"]
    assert len(document["session_key"]) == 64  # the session (with the prompt) is intact
    assert "is intact" in failed.err

    no_key = cli("prompt", "keyless_openai", "Hello?", "-o", "json")
    assert no_key.code == 1
    assert "needs an API key" in no_key.json()["error"]["message"]
    assert no_key.err.startswith("error: Provider 'openai' needs an API key")
