"""Headless prompting end to end: prompt, history, config and export in real subprocesses."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.cli import Cli


def test_prompt_twice_then_history_is_system_plus_both_turns(cli: Cli) -> None:
    first = cli("prompt", "general_assistant", "What is 2**16 + 17?", "-o", "json")
    assert first.code == 0, first.err
    turn1 = first.json()
    key = turn1["session_key"]
    assert len(key) == 64
    roles1 = [m["role"] for m in turn1["new_messages"]]
    assert roles1 == ["assistant", "tool", "assistant"]
    assert turn1["new_messages"][0]["tool_calls"][0]["function"]["name"] == "calculator"
    assert "65553" in turn1["new_messages"][-1]["content"]

    second = cli("prompt", "general_assistant", "And what is 3 * 7?", "--session", key, "-o", "json")
    assert second.code == 0, second.err
    turn2 = second.json()
    assert turn2["session_key"] == key

    history = cli("history", key, "-o", "json").json()
    assert history["session_key"] == key
    messages = history["messages"]
    assert messages[0]["role"] == "system"
    expected = (
        [{"role": "user", "content": "What is 2**16 + 17?"}]
        + turn1["new_messages"]
        + [{"role": "user", "content": "And what is 3 * 7?"}]
        + turn2["new_messages"]
    )
    strip = lambda m: {k: v for k, v in m.items() if k not in ("created_at",)}  # noqa: E731
    assert [strip(m) for m in messages[1:]] == [strip(m) for m in expected]


def test_prompt_text_streams_answer_and_shows_tools(cli: Cli) -> None:
    result = cli("prompt", "shop_assistant", "Do you have coupon codes for the Everlasting Gobstopper?")
    assert result.code == 0, result.err
    assert "plugin_everlasting_gobstopper" in result.err  # the tool card on stderr
    assert "GOBSTOPPER10" in result.out
    assert "session: " in result.err


def test_sql_plugin_offline(cli: Cli) -> None:
    result = cli("prompt", "course_assistant", "Which Python courses cost at most 500?", "-o", "json")
    assert result.code == 0, result.err
    calls = [c["function"]["name"] for m in result.json()["new_messages"] for c in m.get("tool_calls") or []]
    assert "plugin_course_search" in calls


def test_memory_across_sessions(cli: Cli) -> None:
    assert cli("prompt", "general_assistant", "Remember that my favourite colour is green").code == 0
    recalled = cli("prompt", "general_assistant", "What do you know about me?")
    assert recalled.code == 0 and "green" in recalled.out
    assert "favourite colour is green" in cli("get", "memories").out


def test_config_shape_and_legacy(cli: Cli) -> None:
    turn = cli("prompt", "shop_assistant", "Tell me about the Gobstopper contact", "-o", "json").json()
    key = turn["session_key"]
    config = cli("config", "shop_assistant", "--session", key).json()
    assert set(config) == {
        "session_key",
        "sandbox_mode",
        "debug_mode",
        "llm_client",
        "history",
        "meta_data",
        "plugins",
    }
    assert config["session_key"] == key
    assert config["llm_client"]["name"] == "shop_assistant"
    assert config["llm_client"]["provider"] == "offline"
    assert set(config["history"]) == {
        "chat_history",
        "prompt_tool_call_history",
        "prompt_plugin_usage_history",
        "plugin_selector_history",
    }
    assert config["history"]["chat_history"][0]["role"] == "system"
    assert config["history"]["plugin_selector_history"][0]["plugin"] == "everlasting_gobstopper"
    assert config["plugins"]["meta_data"] == {"total_plugins": 1, "plugins_returned": 1}
    legacy = cli("config", "shop_assistant", "--session", key, "--legacy").json()
    assert "chatbot" in legacy and "llm_client" not in legacy


def test_export_markdown_and_json(cli: Cli) -> None:
    key = cli("prompt", "general_assistant", "What is 6*7?", "-o", "json").json()["session_key"]
    markdown = cli("export", key)
    assert markdown.code == 0 and "## User" in markdown.out and "calculator" in markdown.out
    exported = cli("export", key, "-o", "json").json()
    assert exported["session_key"] == key and exported["tool_calls"][0]["name"] == "calculator"


def test_history_search_and_bad_key(cli: Cli) -> None:
    cli("prompt", "general_assistant", "Remember that my cat is called Whiskers")
    found = cli("history", "--search", "Whiskers")
    assert found.code == 0 and "Whiskers" in found.out
    bad = cli("history", "not-a-key")
    assert bad.code == 1 and "64 hexadecimal" in bad.err
    unknown = cli("history", "a" * 64)
    assert unknown.code == 1 and "No session" in unknown.err


def test_unknown_client_and_missing_key(cli: Cli, tmp_path: Path) -> None:
    unknown = cli("prompt", "nobody", "hi")
    assert unknown.code == 1 and "No LLM client named 'nobody'" in unknown.err
    manifest = tmp_path / "real.yaml"
    manifest.write_text(
        "apiVersion: smarter.sh/v1\nkind: LLMClient\nmetadata: {name: real_one, description: x}\n"
        "spec:\n  config: {provider: openai}\n  functions: []\n  plugins: []\n"
    )
    assert cli("apply", "-f", str(manifest)).code == 0
    missing = cli("prompt", "real_one", "hi")
    assert missing.code == 1 and "keys set openai_api_key" in missing.err
