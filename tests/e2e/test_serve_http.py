"""`smarter-tui serve` over plain HTTP: chat contract v1 shapes, the JARVIS exchange of seed 004,
host names and size limits (one server for the module)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.serve import Server

CUSTOM_DOMAIN_CLIENT = """\
apiVersion: smarter.sh/v1
kind: LLMClient
metadata: {name: widget, description: A client on its own domain}
spec:
  config:
    provider: offline
    customDomain: assistant.example.org
  functions: [calculator]
  plugins: []
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with Server(tmp_path_factory.mktemp("serve-http") / "home") as running:
        yield running


@pytest.fixture(scope="module")
def http(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        yield client


def auth(server: Server) -> dict[str, str]:
    return {"Authorization": f"Token {server.key}"}


# -- chat contract v1 (SPEC §7, §8.1) -----------------------------------------------------------
def test_v1_config_is_the_spec_config_object(http: httpx.Client) -> None:
    body = http.post("/api/v1/llm-clients/general_assistant/config/", json={"session_key": None}).json()
    assert body["api"] == "smarter.sh/v1" and body["metadata"] == {"command": "config", "thing": "LLMClient"}
    config = body["data"]
    assert set(config) >= {
        "session_key",
        "sandbox_mode",
        "debug_mode",
        "llm_client",
        "history",
        "meta_data",
        "plugins",
    }
    assert config["llm_client"]["name"] == "general_assistant"
    assert config["llm_client"]["app_assistant"] == "Ada"
    assert set(config["history"]) == {
        "chat_history",
        "prompt_tool_call_history",
        "prompt_plugin_usage_history",
        "plugin_selector_history",
    }
    assert "calculator" in config["meta_data"]["functions"]
    legacy = http.get("/api/v1/llm-clients/general_assistant/config/", params={"legacy": "true"}).json()
    assert "chatbot" in legacy["data"] and "llm_client" not in legacy["data"]


def test_v1_prompt_is_the_spec_envelope_and_continues_the_session(http: httpx.Client) -> None:
    first = http.post(
        "/api/v1/llm-clients/general_assistant/prompt/",
        json={"messages": [{"role": "user", "content": "What is 6 * 7?"}]},
    )
    assert first.status_code == 200
    data = first.json()["data"]
    assert data["response"]["object"] == "chat.completion"
    assert [m["role"] for m in data["new_messages"]] == ["user", "assistant", "tool", "assistant"]
    assert data["metadata"]["tool_calls"] == [
        {"function_name": "calculator", "function_args": {"expression": "6 * 7"}, "plugin": None}
    ]
    assert data["metadata"]["input_text"] == "What is 6 * 7?" and data["metadata"]["model"] == "offline-demo"
    # Resending the whole thread (as chat UIs do) adds only the new prompt.
    thread = [{"role": "user", "content": "What is 6 * 7?"}, *data["new_messages"][1:]]
    second = http.post(
        "/api/v1/llm-clients/general_assistant/chat/",
        json={
            "session_key": data["session_key"],
            "messages": [
                *thread,
                {"role": "smarter", "content": "ignored"},
                {"role": "user", "content": "What is 42 + 1?"},
            ],
        },
    ).json()["data"]
    assert second["session_key"] == data["session_key"]
    assert [m["role"] for m in second["new_messages"]][0] == "user"
    config = http.post(
        "/api/v1/llm-clients/general_assistant/config/", json={"session_key": data["session_key"]}
    ).json()["data"]
    users = [m["content"] for m in config["history"]["chat_history"] if m["role"] == "user"]
    assert users == ["What is 6 * 7?", "What is 42 + 1?"]
    assert len(config["history"]["prompt_tool_call_history"]) == 2


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"messages": []}, "messages"),
        ({"messages": [{"role": "wizard", "content": "x"}]}, "role"),
        ({"session_key": "abc", "messages": [{"role": "user", "content": "x"}]}, "session key"),
        ({"messages": [{"role": "user", "content": "   "}]}, "user message"),
        ({"nothing": 1}, "messages"),
    ],
)
def test_bad_prompt_bodies_are_400_naming_the_problem(http: httpx.Client, body: object, needle: str) -> None:
    answer = http.post("/api/v1/llm-clients/general_assistant/prompt/", json=body)
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["status"] == 400 and needle in error["description"].lower()


def test_unknown_client_and_session_are_404(http: httpx.Client) -> None:
    assert http.post("/api/v1/llm-clients/nobody/config/", json={}).status_code == 404
    missing = http.post("/api/v1/llm-clients/general_assistant/config/", json={"session_key": "a" * 64})
    assert missing.status_code == 404 and missing.json()["error"]["errorClass"] == "NotFoundError"


# -- JARVIS (seed 004) ---------------------------------------------------------------------------
def test_jarvis_example_exchange(http: httpx.Client) -> None:
    remembered = http.post("/prompt", params={"prompt": "Remember that I prefer gala apples"}).json()
    assert remembered["new_messages"][0]["tool_calls"][0]["function"]["name"] == "create_memory"

    first = http.post("/prompt", params={"prompt": "What is my favorite flavor of apple?"})
    assert first.status_code == 200
    body = first.json()
    conversation = body["conversation_id"]
    assert conversation != remembered["conversation_id"]
    call, tool, answer = body["new_messages"]
    assert call["role"] == "assistant" and call["tool_calls"][0]["function"]["name"] == "recall_memory"
    assert tool["role"] == "tool" and tool["name"] == "recall_memory" and "gala" in tool["content"]
    assert tool["tool_call_id"] == call["tool_calls"][0]["id"]
    assert answer["role"] == "assistant" and "gala" in answer["content"]

    thanks = http.post("/prompt", params={"prompt": "Thank you!", "conversation_id": conversation}).json()
    assert thanks["conversation_id"] == conversation
    assert [m["role"] for m in thanks["new_messages"]] == ["assistant"]

    whole = http.get(f"/conversation/{conversation}").json()
    assert whole["conversation_id"] == conversation
    roles = [m["role"] for m in whole["messages"]]
    assert roles == ["system", "user", "assistant", "tool", "assistant", "user", "assistant"]
    assert whole["messages"][5]["content"] == "Thank you!"


def test_jarvis_unknown_conversation_and_empty_prompt(http: httpx.Client) -> None:
    assert http.get("/conversation/242fee1b-fe1f-4fa3-ba77-6287b0fe4a13").status_code == 404
    assert http.get(f"/conversation/{'b' * 64}").status_code == 404
    unknown = http.post("/prompt", params={"prompt": "hi", "conversation_id": "nope"})
    assert unknown.status_code == 404
    assert http.post("/prompt", params={"prompt": ""}).status_code == 400
    missing = http.post("/prompt")
    assert missing.status_code == 400 and "prompt" in missing.json()["error"]["description"]


# -- hosts, CORS, limits --------------------------------------------------------------------------
def test_host_allow_list_refuses_rebinding(http: httpx.Client) -> None:
    refused = http.post("/prompt", params={"prompt": "hi"}, headers={"Host": "attacker.example"})
    assert refused.status_code == 421 and refused.json()["error"]["status"] == 421
    for host in ("localhost", "127.0.0.1", "general-assistant.localhost"):
        assert http.get("/openapi.json", headers={"Host": host}).status_code == 200


def test_client_host_names_serve_config_and_prompt(server: Server, http: httpx.Client) -> None:
    host = {"Host": f"general_assistant.localhost:{server.port}"}
    config = http.get("/", headers=host).json()["data"]
    assert config["llm_client"]["name"] == "general_assistant"
    assert (
        http.post("/config/", json={}, headers=host).json()["data"]["llm_client"]["name"]
        == "general_assistant"
    )
    answer = http.post(
        "/prompt/", json={"messages": [{"role": "user", "content": "What is 5 + 5?"}]}, headers=host
    ).json()
    assert "10" in answer["data"]["new_messages"][-1]["content"]


def test_jarvis_on_a_client_host_talks_to_that_client(server: Server, http: httpx.Client) -> None:
    def owner_is(client: str, conversation: str) -> bool:
        config = http.post(
            f"/api/v1/llm-clients/{client}/config/",
            json={"session_key": conversation},
            headers={"X-Smarter-Capabilities": "chat-contract-v2"},
        )
        return config.status_code == 200  # v2 refuses a session of another client (400)

    host = {"Host": f"shop_assistant.localhost:{server.port}"}
    started = http.post("/prompt", params={"prompt": "Hello"}, headers=host)
    assert started.status_code == 200, started.text
    on_host = started.json()["conversation_id"]
    assert owner_is("shop_assistant", on_host) and not owner_is("general_assistant", on_host)
    default = http.post("/prompt", params={"prompt": "Hello"}).json()["conversation_id"]
    assert owner_is("general_assistant", default)


def test_custom_domain_serves_its_client(server: Server, http: httpx.Client) -> None:
    applied = http.post(
        "/api/v1/cli/apply/",
        content=CUSTOM_DOMAIN_CLIENT,
        headers={**auth(server), "Content-Type": "application/yaml"},
    )
    assert applied.status_code == 200, applied.text
    domain = http.get("/config/", headers={"Host": "assistant.example.org"})
    assert domain.status_code == 200 and domain.json()["data"]["llm_client"]["name"] == "widget"


def test_request_body_limit(http: httpx.Client) -> None:
    huge = "x" * (3 * 1024 * 1024)
    answer = http.post(
        "/api/v1/llm-clients/general_assistant/prompt/",
        json={"messages": [{"role": "user", "content": huge}]},
    )
    assert answer.status_code == 413 and answer.json()["error"]["status"] == 413


def test_openapi_describes_every_route(http: httpx.Client) -> None:
    paths = http.get("/openapi.json").json()["paths"]
    for path in (
        "/prompt",
        "/conversation/{conversation_id}",
        "/api/v1/llm-clients/{client_id}/prompt/",
        "/api/v1/llm-clients/{client_id}/config/",
        "/api/v1/llm-clients/{client_id}/extensions",
        "/api/v1/cli/apply/",
        "/api/v1/prompts/history/tool-calls/{call_id}/",
    ):
        assert path in paths


CHANGING_CLIENT = """\
apiVersion: smarter.sh/v1
kind: LLMClient
metadata: {{name: changing, description: A client applied again and again}}
spec:
  config:
    provider: offline
    defaultSystemRole: Answer as {label}.
    appWelcomeMessage: Welcome to {label}
  functions: [calculator]
  plugins: []
"""


def test_a_changed_client_is_used_by_the_next_config_and_prompt(server: Server, http: httpx.Client) -> None:
    """serve keeps what it parsed of a client; a new version, applied over HTTP or by the CLI in
    another process, is what the very next config and prompt use."""
    base = "/api/v1/llm-clients/changing"
    v2 = {"X-Smarter-Capabilities": "chat-contract-v2"}

    def apply_over_http(label: str) -> None:
        applied = http.post(
            "/api/v1/cli/apply/",
            content=CHANGING_CLIENT.format(label=label),
            headers={**auth(server), "Content-Type": "application/yaml"},
        )
        assert applied.status_code == 200, applied.text

    def seen() -> tuple[str, str, str]:
        config = http.post(f"{base}/config/", json={"session_key": None}, headers=v2).json()["data"]
        v1 = http.get(f"{base}/config/").json()["data"]["llm_client"]["app_welcome_message"]
        answer = http.post(
            f"{base}/prompt/", json={"messages": [{"role": "user", "content": "What is 2 * 3?"}]}
        )
        assert answer.status_code == 200, answer.text
        key = answer.json()["data"]["session_key"]
        stored = http.post(f"{base}/config/", json={"session_key": key}, headers=v2).json()["data"]
        system = stored["history"]["chat_history"][0]
        assert system["role"] == "system"
        return config["llmclient"]["app_welcome_message"], v1, system["content"]

    apply_over_http("one")
    assert seen() == ("Welcome to one", "Welcome to one", "Answer as one.")
    apply_over_http("two")
    assert seen() == ("Welcome to two", "Welcome to two", "Answer as two.")
    manifest = server.cli.home.parent / "changing.yaml"
    manifest.write_text(CHANGING_CLIENT.format(label="three"))
    applied = server.cli("apply", "-f", str(manifest))
    assert applied.code == 0, applied.err
    assert seen() == ("Welcome to three", "Welcome to three", "Answer as three.")
