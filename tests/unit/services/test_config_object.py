"""The config object costs a fixed number of queries however long the history."""

from __future__ import annotations

from smarter_tui.domain.messages import Message, Role
from smarter_tui.services import Services


def _statements(services: Services, key: str) -> int:
    database = services.db._db  # noqa: SLF001 (counting what is sent to the driver)
    seen: list[object] = []
    if hasattr(connection := database.connection(), "set_trace_callback"):  # SQLite: every statement
        connection.set_trace_callback(seen.append)
        try:
            services.config.config("shop_assistant", key)
        finally:
            connection.set_trace_callback(None)
        return len(seen)
    database.query_hooks.append(seen.append)  # PostgreSQL: every query peewee runs
    try:
        services.config.config("shop_assistant", key)
    finally:
        database.query_hooks.remove(seen.append)
    return len(seen)


async def test_query_count_does_not_grow_with_history(services: Services) -> None:
    short = await services.sessions.send("Tell me about the Gobstopper contact", client="shop_assistant")
    long = await services.sessions.send("Tell me about the Gobstopper contact", client="shop_assistant")
    for i in range(300):
        services.db.sessions.append_message(long.session_key, Message(Role.USER, f"message {i}"))
    assert services.db.sessions.message_count(long.session_key) > 300
    assert _statements(services, short.session_key) == _statements(services, long.session_key) <= 12


async def test_config_reflects_the_session(services: Services) -> None:
    outcome = await services.sessions.send("Tell me about the Gobstopper contact", client="shop_assistant")
    config = services.config.config("shop_assistant", outcome.session_key)
    history = config["history"]
    # The client system prompt, then the selected plugin's systemRole (once per session), then the turn.
    assert [m["role"] for m in history["chat_history"]][:3] == ["system", "system", "user"]
    assert history["prompt_tool_call_history"][0]["source"] == "everlasting_gobstopper"
    assert history["prompt_plugin_usage_history"] == history["prompt_tool_call_history"]
    assert config["meta_data"]["offline"] is True and config["plugins"]["plugins"][0]["name"] == (
        "everlasting_gobstopper"
    )
