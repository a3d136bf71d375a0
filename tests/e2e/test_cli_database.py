"""`smarter-tui db status|migrate|copy`, --database-url and connection errors, in real processes."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from smarter_tui.config.secrets import SecretStore
from smarter_tui.domain.messages import Message, Role, ToolCall, Usage
from smarter_tui.domain.records import PluginSelectionRecord, SessionInfo, ToolCallRecord
from smarter_tui.services import Services
from smarter_tui.storage import LATEST_VERSION
from smarter_tui.storage.migrations import CATALOGUE_TABLES
from tests.e2e.cli import Cli
from tests.support import engines
from tests.support.memory_keyring import MemoryKeyring
from tests.support.postgres import PostgresServer

#: A history small enough for the suite (the benchmark copies the 10,000-session one).
SESSIONS = 300


def _history(rng: random.Random) -> list[tuple[SessionInfo, list[Message]]]:
    origin = datetime(2024, 3, 1, tzinfo=UTC)
    words = ("sourdough", "kubectl", "invoice", "gobstopper", "Reykjavik", "café", "naïve", "INC-4821")
    out = []
    for i in range(SESSIONS):
        created = origin + timedelta(minutes=i)
        msgs = [Message(Role.SYSTEM, "You are helpful.", created_at=created)]
        for p in range(1, rng.randrange(3, 30)):
            text = " ".join(rng.choice(words) for _ in range(rng.randrange(1, 12)))
            role = Role.USER if p % 2 else Role.ASSISTANT
            msgs.append(Message(role, f"{text} #{i}.{p}", created_at=created + timedelta(seconds=p)))
        out.append((SessionInfo(f"{rng.getrandbits(256):064x}", "general_assistant", None, created), msgs))
    return out


@pytest.fixture
def personal(tmp_path: Path) -> Cli:
    """A data directory whose SQLite database holds a varied history, tool calls, selections, memories."""
    home = tmp_path / "personal"
    services = Services.open(home / "smarter.sqlite3", secrets=SecretStore(MemoryKeyring()))
    try:
        services.db.sessions.bulk_import(_history(random.Random(7)))
        store = services.db.sessions
        key = store.create("general_assistant").session_key
        store.append_message(key, Message(Role.SYSTEM, "You are helpful."))
        store.append_message(key, Message(Role.USER, "What is 2**16?"))
        store.append_message(
            key,
            Message(
                Role.ASSISTANT,
                None,
                tool_calls=[ToolCall("call_1", "calculator", '{"expression": "2**16"}')],
                usage=Usage(12, 3, 15),
                model="gpt-test",
            ),
        )
        store.append_message(key, Message(Role.TOOL, "65536", tool_call_id="call_1", name="calculator"))
        store.append_message(key, Message(Role.ASSISTANT, "It is 65536 «exactly»", interrupted=True))
        store.record_tool_call(
            ToolCallRecord(
                key,
                "calculator",
                "calculator",
                "function",
                '{"expression": "2**16"}',
                "65536",
                None,
                1.25,
                "call_1",
            )
        )
        store.record_selection(PluginSelectionRecord(key, "everlasting_gobstopper", "gobstopper", "a prompt"))
        services.db.memories.add("The user's favourite colour is teal", key)
        services.db.memories.add("Prefers metric units")
        (home / "ci.key").write_text(services.api_keys.create("ci").key)  # serve's key, shown once
        services.db.leases.acquire(key, "vm:1:gone")  # a turn lease: transient, not copied
    finally:
        services.close()
    return Cli(home, env={"DATABASE_URL": ""})


def _open_and(target: Path | str, read: Callable[[Services], Any]) -> Any:
    """Open services on `target` (one database per process: the stores' proxy), read, close."""
    services = Services.open(target, secrets=SecretStore(MemoryKeyring()), seed_examples=False)
    try:
        return read(services)
    finally:
        services.close()


def _snapshot(target: Path | str, sample: list[str] | None = None) -> dict[str, Any]:
    """Return the session keys in history order and the JSON export of a sample of sessions."""

    def read(services: Services) -> dict[str, Any]:
        keys = [s.session_key for s in services.history.list(limit=SESSIONS + 1)]
        chosen = sample or [keys[0], *random.Random(3).sample(keys, 20)]
        exports = {key: json.loads(services.history.export_json(key)) for key in chosen}
        return {"keys": keys, "sample": chosen, "exports": exports}

    return dict(_open_and(target, read))


def _counts(cli: Cli, *args: str) -> dict[str, int]:
    result = cli(*args, "db", "status", "-o", "json")
    assert result.code == 0, result.err
    return dict(result.json()["counts"])


@pytest.mark.engines("postgresql")
def test_copy_sqlite_to_postgresql_and_back(
    engine: str, personal: Cli, postgres_url: str, postgres_server: PostgresServer, tmp_path: Path
) -> None:
    source_counts = _counts(personal)
    assert source_counts["sessions"] == SESSIONS + 1 and source_counts["memories"] == 2
    assert source_counts["tool_calls"] == 1 and source_counts["plugin_selections"] == 1
    assert source_counts["api_keys"] == 1
    for run in range(2):  # the second run finds everything there and adds nothing
        copied = personal("db", "copy", "--to", postgres_url)
        assert copied.code == 0, copied.err
        assert postgres_server.password not in copied.out + copied.err
        assert _counts(personal, "--database-url", postgres_url) == source_counts, f"run {run}"

    # The contents, compared in-process on both databases (the copy itself ran in the CLI).
    database = personal.home / "smarter.sqlite3"
    mine = _snapshot(database)
    assert _snapshot(postgres_url, sample=mine["sample"]) == mine
    assert _open_and(postgres_url, lambda svc: svc.history.search_sessions("sourdough"))
    assert (
        engines.scalar(postgres_url, "SELECT manifest_json->>'kind' FROM llm_clients LIMIT 1") == "LLMClient"
    )
    # every catalogue entry keeps the folder it was applied from (a relative SQLite path needs it)
    for table in CATALOGUE_TABLES.values():
        query = f"SELECT name, kind, base_dir, source_text FROM {table} ORDER BY name"
        assert engines.rows(postgres_url, query) == engines.rows(database, query), table
    assert engines.scalar(database, "SELECT base_dir FROM connections WHERE name = 'catalogue_db'")
    # serve's API key works against the team database; the turn lease stayed behind
    query = "SELECT name, key_hash, created_at FROM api_keys"
    assert engines.rows(postgres_url, query) == engines.rows(database, query)
    team_services = Services.open(postgres_url, secrets=SecretStore(MemoryKeyring()), seed_examples=False)
    try:
        verified = team_services.api_keys.verify((personal.home / "ci.key").read_text())
        assert verified is not None and verified.name == "ci"
    finally:
        team_services.close()
    assert engines.scalar(postgres_url, "SELECT COUNT(*) FROM session_leases") == 0
    # each copy counts as a catalogue write: apps running on the team database pick it up
    assert engines.scalar(postgres_url, "SELECT version FROM catalogue_version WHERE id = 1") == 2

    # and back again into a new SQLite file, from the team database
    back = Cli(tmp_path / "back-home", env={"DATABASE_URL": ""})
    result = back("db", "copy", "--from", postgres_url)
    assert result.code == 0, result.err
    assert _counts(back) == source_counts
    assert _snapshot(back.home / "smarter.sqlite3", sample=mine["sample"]) == mine


@pytest.mark.engines("sqlite", "postgresql")
def test_status_and_migrate(cli: Cli, engine: str) -> None:
    first = cli("db", "migrate")  # a new SQLite file starts at 0; the test PostgreSQL one is migrated
    assert first.code == 0, first.err
    assert first.out.strip() in (
        f"schema version 0 -> {LATEST_VERSION}",
        f"schema version {LATEST_VERSION}: up to date",
    )
    status = cli("db", "status")
    assert status.code == 0, status.err
    assert f"engine:         {engine}" in status.out
    assert f"schema version: {LATEST_VERSION} (latest {LATEST_VERSION})" in status.out
    assert "messages" in status.out
    url = cli.env.get("DATABASE_URL") or ""
    if url:
        password = url.split("@")[0].rsplit(":", 1)[1]
        assert password not in status.out and url.replace(f":{password}@", "@") in status.out
    again = cli("db", "migrate")
    assert again.code == 0 and again.out.strip() == f"schema version {LATEST_VERSION}: up to date"


def test_copy_needs_one_direction(cli: Cli) -> None:
    result = cli("db", "copy")
    assert result.code == 1 and "exactly one of --to URL or --from URL" in result.err


@pytest.mark.engines("postgresql")
def test_connection_errors_are_one_line(engine: str, cli: Cli, postgres_server: PostgresServer) -> None:
    wrong = postgres_server.url(password="wrong-password-xyz")
    result = cli("--database-url", wrong, "get", "llmclients")
    assert result.code == 1
    assert result.err.strip().startswith("error: PostgreSQL at 127.0.0.1:")
    assert "refused the credentials" in result.err and "wrong-password-xyz" not in result.err
    assert len(result.err.strip().splitlines()) == 1
    gone = "postgresql://u:pw-gone-123@127.0.0.1:9/nowhere"
    result = cli("--database-url", gone, "db", "status")
    assert result.code == 1 and "cannot reach the PostgreSQL server at 127.0.0.1:9/nowhere" in result.err
    assert "pw-gone-123" not in result.err and len(result.err.strip().splitlines()) == 1


@pytest.mark.engines("postgresql")
def test_password_from_the_keyring(
    engine: str, cli: Cli, postgres_url: str, postgres_server: PostgresServer
) -> None:
    without = postgres_url.replace(f":{postgres_server.password}@", "@")
    cli.env["DATABASE_URL"] = without
    assert cli("get", "llmclients").code == 1  # no password anywhere yet
    stored = cli("keys", "set", "database", stdin=postgres_server.password + "\n")
    assert stored.code == 0 and stored.out.strip() == "database: stored in the keyring", stored.err
    listed = cli("get", "llmclients")
    assert listed.code == 0 and "general_assistant" in listed.out
