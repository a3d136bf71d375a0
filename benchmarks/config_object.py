"""Time to build the config object (SPEC §7) for a session of 5,000 messages.

Builds a real SQLite database in a temp dir (the bundled examples plus one session of 5,000
messages with tool calls: the session is started by a prompt, as the app does), then times
`ConfigService.config` and counts the SQL statements it runs.
Run: python benchmarks/config_object.py [messages]
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _stats import measure, report  # noqa: E402

from smarter_tui.config.secrets import SecretStore  # noqa: E402
from smarter_tui.domain.messages import Message, Role, ToolCall  # noqa: E402
from smarter_tui.domain.records import ToolCallRecord  # noqa: E402
from smarter_tui.services import Services  # noqa: E402


class NoKeyring:
    def get_password(self, service: str, name: str) -> None:
        return None


def build(services: Services, count: int) -> str:
    # A session exists once its first prompt is stored (sessions.start() is gone).
    key = asyncio.run(services.sessions.send("Hello", client="shop_assistant")).session_key
    store = services.db.sessions
    with services.db.transaction():
        for i in range((count - 1) // 4):
            store.append_message(key, Message(Role.USER, f"Question {i} about the Gobstopper?"))
            call = ToolCall(f"call_{i}", "plugin_everlasting_gobstopper", '{"inquiry_type": "contact"}')
            store.append_message(key, Message(Role.ASSISTANT, None, tool_calls=[call]))
            store.append_message(
                key,
                Message(Role.TOOL, '{"email": "candy@example.com"}', tool_call_id=call.id, name=call.name),
            )
            store.record_tool_call(
                ToolCallRecord(
                    key,
                    call.name,
                    "everlasting_gobstopper",
                    "plugin",
                    call.arguments,
                    "{}",
                    None,
                    1.0,
                    call.id,
                )
            )
            store.append_message(key, Message(Role.ASSISTANT, f"Answer {i}: write to candy@example.com"))
        while store.message_count(key) < count:  # top up to exactly `count` messages
            store.append_message(key, Message(Role.USER, "One more question?"))
    return key


def statements(services: Services, key: str) -> int:
    """Return how many SQL statements one config call sends (it must not grow with the history)."""
    database = services.db._db  # noqa: SLF001 (counting what is sent to the driver)
    seen: list[object] = []
    connection = database.connection()
    if hasattr(connection, "set_trace_callback"):  # SQLite: every statement, BEGIN included
        connection.set_trace_callback(seen.append)
        try:
            services.config.config("shop_assistant", key)
        finally:
            connection.set_trace_callback(None)
    else:  # PostgreSQL: every query peewee runs
        database.query_hooks.append(seen.append)
        try:
            services.config.config("shop_assistant", key)
        finally:
            database.query_hooks.remove(seen.append)
    return len(seen)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    with tempfile.TemporaryDirectory() as tmp:
        services = Services.open(Path(tmp) / "bench.sqlite3", secrets=SecretStore(NoKeyring()))
        key = build(services, count)
        messages = services.db.sessions.message_count(key)
        document = services.config.config("shop_assistant", key)
        assert len(document["history"]["chat_history"]) == messages

        print(f"session with {messages} messages; config object statements: {statements(services, key)}")
        report(
            f"config object for a {messages}-message session",
            measure(lambda: services.config.config("shop_assistant", key), 20),
            target_ms=50,
        )
        services.close()


if __name__ == "__main__":
    main()
