"""Defect 4 of issue #10: a running app picks up catalogue changes made by another process."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from textual import events

import smarter_tui.ui.app as app_module
from smarter_tui.config.paths import assets_dir, database_path
from smarter_tui.domain.messages import Role
from smarter_tui.ui.widgets.assistant_message import AssistantMessage
from smarter_tui.ui.widgets.client_list import ClientList
from smarter_tui.ui.widgets.welcome_card import WelcomeCard
from tests.e2e.cli import Cli
from tests.support.gated import WAIT, gated_services
from tests.support.memory_keyring import MemoryKeyring
from tests.ui.helpers import ready, wait_for
from tests.ui.test_app import make_app

SIZE = (120, 40)
OLD_WELCOME = "Hello, I'm Ada."
NEW_WELCOME = "Welcome back, Ada was updated from the command line."
NEWCOMER = """
apiVersion: smarter.sh/v1
kind: LLMClient
metadata: {name: newcomer, description: applied while the app runs}
spec:
  config: {provider: offline, appName: Newcomer, appWelcomeMessage: Fresh from the CLI}
  functions: []
  plugins: []
"""


def changes(tmp_path: Path) -> Path:
    """Write a manifest file: a new client, and general_assistant with another welcome and placeholder."""
    ada = (assets_dir() / "manifests" / "general_assistant.yaml").read_text()
    assert OLD_WELCOME in ada
    ada = ada.replace("appWelcomeMessage: Hello, I'm Ada.", f"appWelcomeMessage: {NEW_WELCOME}")
    ada = ada.replace("appPlaceholder: Ask me anything...", "appPlaceholder: Ask Ada again...")
    path = tmp_path / "changes.yaml"
    path.write_text(f"{ada}\n---{NEWCOMER}")
    return path


def welcome_text(card: WelcomeCard) -> str:
    """Return the Markdown the card shows ('' while it is being composed again)."""
    shown = card.query(".welcome-text")
    return shown.first().source if shown else ""  # type: ignore[attr-defined, no-any-return]


def listed(app: app_module.SmarterApp) -> list[str]:
    return [c.name for c in app.main.query_one(ClientList).clients]


async def test_a_client_applied_from_the_cli_shows_while_an_answer_streams(
    tmp_path: Path, memory_keyring: MemoryKeyring, isolated_home: Path
) -> None:
    gate = threading.Event()
    services = gated_services(database_path(), memory_keyring, gate)
    app = make_app(services)
    async with app.run_test(size=SIZE) as pilot:
        chat = await ready(pilot)
        assert OLD_WELCOME in welcome_text(chat.query_one(WelcomeCard)) and "newcomer" not in listed(app)
        await chat.send(f"Tell me a story {WAIT}")
        await wait_for(pilot, lambda: bool(chat.query(AssistantMessage)) and chat.last_answer() != "")
        # Another process (the real CLI) writes the same database while the answer streams.
        result = await asyncio.to_thread(Cli(isolated_home), "apply", "-f", str(changes(tmp_path)))
        assert result.code == 0, result.err
        await wait_for(pilot, lambda: "newcomer" in listed(app))
        await wait_for(pilot, lambda: NEW_WELCOME in welcome_text(chat.query_one(WelcomeCard)))
        assert chat.prompt.placeholder == "Ask Ada again..." and chat.client.welcome.startswith(NEW_WELCOME)
        assert chat.running and chat.status.state == "streaming…"  # the answer goes on undisturbed
        gate.set()
        await wait_for(pilot, lambda: not chat.running)
        assert chat.status.state == "ready"
        stored = services.history.messages(chat.session_key)
        assert stored[-1].role is Role.ASSISTANT and not stored[-1].interrupted
        assert stored[-1].content == chat.last_answer()
        # The new client is there to chat with.
        app.main.query_one(ClientList).highlight_client("newcomer")
        await app.start_chat(next(c for c in app.clients if c.name == "newcomer"))
        assert "Fresh from the CLI" in welcome_text(chat.query_one(WelcomeCard))
    services.close()


async def test_regaining_focus_looks_at_the_catalogue(
    tmp_path: Path, memory_keyring: MemoryKeyring, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app_module, "CATALOGUE_POLL", 3600.0)  # only the focus event can see it
    services = gated_services(database_path(), memory_keyring, threading.Event())
    app = make_app(services)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        result = await asyncio.to_thread(Cli(isolated_home), "apply", "-f", str(changes(tmp_path)))
        assert result.code == 0, result.err
        await pilot.pause(0.3)
        assert "newcomer" not in listed(app)  # nothing looks before the terminal is focused again
        app.post_message(events.AppFocus())
        await wait_for(pilot, lambda: "newcomer" in listed(app))
        await wait_for(pilot, lambda: NEW_WELCOME in welcome_text(app.chat.query_one(WelcomeCard)))
    services.close()
