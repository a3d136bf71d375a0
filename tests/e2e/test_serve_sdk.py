"""The official Smarter SDK (smarter-api 0.6.0), unchanged, against a real `smarter-tui serve` process."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import httpx
import pytest
from smarter import (
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ResourceNotFoundError,
    Smarter,
)
from smarter.models.sam import SAM_MODELS

from tests.e2e.serve import Server

PROTECTED = """\
apiVersion: smarter.sh/v1
kind: LLMClient
metadata: {name: vault, description: A client that needs its own key, version: 0.1.0}
spec:
  apiKey: tests
  config: {provider: offline, appName: Vault}
  functions: [calculator]
  plugins: []
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with Server(tmp_path_factory.mktemp("serve") / "home") as running:
        yield running


@pytest.fixture(scope="module")
def sdk(server: Server) -> Iterator[Smarter]:
    with server.sdk() as client:
        yield client


def stored_roles_and_contents(server: Server, key: str) -> list[tuple[str, str | None]]:
    with sqlite3.connect(server.cli.home / "smarter.sqlite3") as db:
        rows = db.execute(
            "SELECT role, content FROM messages JOIN sessions ON sessions.id = messages.session_id "
            "WHERE session_key = ? ORDER BY position",
            (key,),
        ).fetchall()
    return [(r, c) for r, c in rows]


def test_version_whoami_and_kinds(sdk: Smarter) -> None:
    from smarter_tui import __version__

    assert sdk.version().api.version == __version__
    assert sdk.whoami().user.username == "local"
    assert "LLMClient" in {k.api_kind for k in sdk.kinds()}


def test_list_find_retrieve_and_ids_are_stable(sdk: Smarter) -> None:
    clients = sdk.llm_clients.list()
    assert {"general_assistant", "shop_assistant", "course_assistant"} <= {c.name for c in clients}
    found = sdk.llm_clients.find("general_assistant")
    assert isinstance(found.id, int)
    again = sdk.llm_clients.retrieve(found.id)
    assert (again.id, again.name) == (found.id, "general_assistant")
    assert {e.name for e in again.extensions} >= {"calculator", "create_memory"}
    with pytest.raises(ResourceNotFoundError):
        sdk.llm_clients.find("no_such_client")


def test_config_new_session_then_resume_and_verbose(sdk: Smarter) -> None:
    client = sdk.llm_clients.find("shop_assistant")
    config = sdk.llm_clients.config(client.id)
    assert config.contract == 2 and len(config.session_key) == 64
    assert config.llmclient.id == client.id and config.llmclient.app_name
    assert config.plugins.meta_data.total_plugins == 1 and config.plugins.plugins == []
    assert [m.role for m in config.history.chat_history] == ["system"]
    # The session is stored with its first prompt; then the config resumes it with its tool calls.
    sdk.llm_clients.prompt(
        client.id, "What are the coupon codes for the Gobstopper?", session_key=config.session_key
    )
    verbose = sdk.llm_clients.config(client.id, session_key=config.session_key, verbose=True)
    assert verbose.session_key == config.session_key
    assert [p.plugin_meta.name for p in verbose.plugins.plugins] == ["everlasting_gobstopper"]
    (call,) = verbose.history.prompt_tool_call_history or []
    assert (
        call.function_name == "plugin_everlasting_gobstopper" and call.plugin == verbose.plugins.plugins[0].id
    )
    (use,) = verbose.history.prompt_plugin_usage_history or []
    assert use.id == call.id and use.prompt == call.prompt
    assert [m.role for m in verbose.history.chat_history] == [
        "system",
        "system",
        "user",
        "assistant",
        "tool",
        "assistant",
    ]


def test_prompt_runs_a_tool_round(sdk: Smarter) -> None:
    client = sdk.llm_clients.find("general_assistant")
    response = sdk.llm_clients.prompt(client.id, "What is 17 * 23?")
    assert "391" in response.text
    roles = [m.role for m in response.data.messages]
    assert roles == ["assistant", "tool", "assistant"]
    assert response.data.messages[0].tool_calls[0].function.name == "calculator"
    assert "calculator" in response.data.tools
    assert response.data.completion is not None and response.data.completion.choices


def test_stream_reports_the_tool_call_and_the_same_result(sdk: Smarter) -> None:
    client = sdk.llm_clients.find("general_assistant")
    with sdk.llm_clients.stream(client.id, "What is 2**10?") as stream:
        events = list(stream)
        response = stream.response
    types = [e.type for e in events]
    assert types[0] == "llm_request"
    assert "tool_requested" in types and "tool_responded" in types
    assert any("calculator" in e.message for e in events)
    assert "1024" in response.text


def test_three_turn_chat_stores_each_prompt_once(server: Server, sdk: Smarter) -> None:
    client = sdk.llm_clients.find("general_assistant")
    chat = sdk.llm_clients.chat(client.id)
    assert "1024" in chat.send("What is 2**10?").text
    assert "256" in chat.send("And what is 1024 / 4?").text
    with chat.stream("What is 256 + 1?") as stream:
        stream.until_done()
    assert "257" in stream.response.text
    stored = stored_roles_and_contents(server, chat.session_key)
    prompts = [c for r, c in stored if r == "user"]
    assert prompts == ["What is 2**10?", "And what is 1024 / 4?", "What is 256 + 1?"]
    assert [r for r, _ in stored].count("system") == 1
    # The SDK's own thread holds the same conversation the server stored.
    assert [m.text for m in chat.messages if m.role == "user"] == prompts


def test_plugins_extensions_history_and_plugin_usage(sdk: Smarter) -> None:
    shop = sdk.llm_clients.find("shop_assistant")
    (plugin,) = sdk.llm_clients.plugins(shop.id)
    assert plugin.plugin_meta.name == "everlasting_gobstopper" and plugin.plugin_meta.kind == "Plugin"
    general = sdk.llm_clients.find("general_assistant")
    assert {e.name for e in sdk.llm_clients.extensions(general.id)} >= {"calculator", "recall_memory"}

    response = sdk.llm_clients.prompt(shop.id, "Do you have coupon codes for the Everlasting Gobstopper?")
    assert "everlasting_gobstopper" in response.data.plugins
    sessions = sdk.history.sessions()
    assert sessions and all(isinstance(s.id, int) for s in sessions)
    assert sdk.history.session(sessions[0].id).session_key == sessions[0].session_key
    calls = sdk.history.tool_calls()
    assert calls and sdk.history.tool_call(calls[0].id).function_name == calls[0].function_name
    uses = sdk.history.plugin_usage()
    assert uses and uses[0].plugin is not None and uses[0].plugin.name == "everlasting_gobstopper"
    assert sdk.history.plugin_use(uses[0].id).id == uses[0].id


def test_providers_and_secrets(sdk: Smarter) -> None:
    names = {p.name for p in sdk.providers.list()}
    assert {"offline", "openai"} <= names
    assert sdk.providers.retrieve("offline").name == "offline"
    sdk.manifests.apply(
        "apiVersion: smarter.sh/v1\nkind: Secret\nmetadata: {name: sdk_secret, description: x}\n"
        "spec: {config: {value: s3cr3t-value-1234}}\n"
    )
    secrets = sdk.secrets.list()
    assert "sdk_secret" in {s.name for s in secrets}
    assert "s3cr3t" not in str([s.to_dict() for s in secrets])


def test_manifest_api_round_trip(sdk: Smarter) -> None:
    manifest = sdk.manifests.example_manifest("LLMClient")
    manifest.metadata.name = "sdk_client"
    assert sdk.manifests.validate(manifest).valid
    applied = sdk.manifests.apply(manifest)
    assert "sdk_client" in (applied.message or "")
    listed = sdk.manifests.get("LLMClient")
    assert "sdk_client" in listed.names and listed.metadata.count == len(listed.items)
    described = sdk.llm_clients.describe("sdk_client")
    assert described.metadata.name == "sdk_client" and described.kind == "LLMClient"
    schema = sdk.manifests.json_schema("sqlplugin")
    assert schema["$schema"].endswith("2020-12/schema") and "properties" in schema
    sdk.manifests.delete("LLMClient", "sdk_client")
    with pytest.raises(NotFoundError):
        sdk.manifests.describe("LLMClient", "sdk_client")


def test_describe_is_in_todays_smarter_shape(sdk: Smarter) -> None:
    for kind, name in (("LLMClient", "general_assistant"), ("Plugin", "everlasting_gobstopper")):
        described = sdk.manifests.describe(kind, name)
        SAM_MODELS[described.kind].model_validate(described.model_dump(mode="json", exclude={"status"}))


def test_invalid_manifest_names_the_field(sdk: Smarter) -> None:
    bad = {
        "apiVersion": "smarter.sh/v1",
        "kind": "LLMClient",
        "metadata": {"name": "bad"},
        "spec": {"config": {"defaultTemperature": 9}},
    }
    result = sdk.manifests.validate(bad)
    assert not result.valid and any("defaultTemperature" in str(e) for e in result.errors)


def test_error_mapping(server: Server, sdk: Smarter) -> None:
    with pytest.raises(NotFoundError) as missing:
        sdk.llm_clients.retrieve(987654)
    assert missing.value.status_code == 404 and missing.value.error is not None
    with pytest.raises(BadRequestError):
        sdk.llm_clients.config("general_assistant", session_key="not-a-key")
    with pytest.raises(ConflictError) as conflict:
        sdk.manifests.delete("Plugin", "everlasting_gobstopper")
    assert "shop_assistant" in conflict.value.message
    with server.sdk(key="0" * 64) as wrong, pytest.raises(PermissionDeniedError):
        wrong.llm_clients.list()
    with server.sdk(default_headers={"Authorization": ""}) as anonymous, pytest.raises(AuthenticationError):
        anonymous.llm_clients.list()
    # Public clients chat without a key; the body of every error is the journaled one, no traceback.
    with server.sdk(default_headers={"Authorization": ""}) as anonymous:
        assert "391" in anonymous.llm_clients.prompt("general_assistant", "What is 17 * 23?").text
    body = httpx.get(f"{server.base_url}/api/v1/llm-clients/", timeout=10).json()
    assert body["error"]["status"] == 401 and set(body["metadata"]) == {"command", "thing"}
    assert "Traceback" not in str(body)


def test_key_protected_client(server: Server, sdk: Smarter) -> None:
    sdk.manifests.apply(PROTECTED)
    assert sdk.llm_clients.find("vault").is_authentication_required
    assert "6" in sdk.llm_clients.prompt("vault", "What is 2 * 3?").text
    other = server.cli("apikey", "create", "other").out.strip().splitlines()[-1]
    with server.sdk(key=other) as stranger, pytest.raises(PermissionDeniedError):
        stranger.llm_clients.prompt("vault", "What is 2 * 3?")
    with server.sdk(default_headers={"Authorization": ""}) as anonymous, pytest.raises(AuthenticationError):
        anonymous.llm_clients.config("vault")
    # Bearer works as well as the SDK's Token.
    answer = httpx.post(
        f"{server.base_url}/api/v1/llm-clients/vault/config/",
        json={"session_key": None},
        headers={"Authorization": f"Bearer {server.key}"},
        timeout=10,
    )
    assert answer.status_code == 200 and server.key not in answer.text
    assert server.key not in server.log_text() and other not in server.log_text()


def test_keys_are_stored_as_salted_hashes_only(server: Server) -> None:
    with sqlite3.connect(server.cli.home / "smarter.sqlite3") as db:
        rows = db.execute("SELECT name, key_hash FROM api_keys").fetchall()
    assert rows and all(server.key not in h and h.startswith("scrypt$") for _, h in rows)
    listed = server.cli("apikey", "list")
    assert "tests" in listed.out and server.key not in listed.out
