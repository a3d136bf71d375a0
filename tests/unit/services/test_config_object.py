"""The config object costs a fixed number of queries however long the history."""

from __future__ import annotations

from pathlib import Path

import orjson

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


def _encoded(services: Services, key: str) -> list[dict[str, object]]:
    """The v2 config's chat history as serve sends it (encoded by orjson, cached history)."""
    document = services.config.config_v2("shop_assistant", key, encoded=True)
    return orjson.loads(orjson.dumps(document))["history"]["chat_history"]  # type: ignore[no-any-return]


def _plain(services: Services, key: str) -> list[dict[str, object]]:
    return services.config.config_v2("shop_assistant", key)["history"]["chat_history"]  # type: ignore[no-any-return]


async def test_the_cached_history_follows_every_kind_of_write(
    services: Services, database_target: Path | str
) -> None:
    outcome = await services.sessions.send("Tell me about the Gobstopper contact", client="shop_assistant")
    key = outcome.session_key
    store = services.db.sessions
    assert _encoded(services, key) == _plain(services, key)
    assert _encoded(services, key) == _plain(services, key)  # a hit: the same document
    store.append_message(key, Message(Role.USER, "appended"))
    assert _encoded(services, key)[-1]["content"] == "appended"
    last = store.message_count(key) - 1
    store.update_message(key, last, content="updated in place")  # same count, new content
    assert _encoded(services, key)[-1]["content"] == "updated in place"
    store.replace_message(key, last, Message(Role.USER, "replaced"))
    assert _encoded(services, key)[-1]["content"] == "replaced"
    store.exclude_messages(key, [last], "deleted")
    assert _encoded(services, key)[-1]["excluded"] == "deleted"
    # Another process on the same database (serve beside a TUI): its write is seen too.
    other = Services.open(database_target, secrets=services.secrets)
    try:
        other.db.sessions.append_message(key, Message(Role.USER, "from the other process"))
    finally:
        other.close()
    assert _encoded(services, key)[-1]["content"] == "from the other process"
    assert _encoded(services, key) == _plain(services, key)
