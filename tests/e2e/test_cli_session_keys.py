"""Session keys travel on the command line: an 8-character prefix (as the app shows) works everywhere."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from tests.e2e.cli import Cli

TWIN_A = "abcdef1" + "0" * 57
TWIN_B = "abcdef1" + "1" * 57


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    return Cli(tmp_path_factory.mktemp("keys") / "home")


@pytest.fixture(scope="module")
def key(cli: Cli) -> str:
    """The full key of a session made by `prompt`, as printed at its end."""
    result = cli("prompt", "general_assistant", "What is 2**16 + 17?")
    assert result.code == 0, result.err
    found = re.search(r"session: ([0-9a-f]+)\s*$", result.err)
    assert found, result.err
    assert len(found.group(1)) == 64  # printed whole, so it can be copied
    return found.group(1)


def test_history_table_prints_whole_keys(cli: Cli, key: str) -> None:
    listing = cli("history")
    assert listing.code == 0, listing.err
    assert key in listing.out.split()
    sessions = cli("get", "sessions")
    assert key in sessions.out.split()


def test_every_command_takes_the_short_key(cli: Cli, key: str) -> None:
    short = key[:8]
    history = cli("history", short, "-o", "json")
    assert history.code == 0, history.err
    assert history.json()["session_key"] == key

    exported = cli("export", short.upper())
    assert exported.code == 0, exported.err
    assert f"- session: `{key}`" in exported.out

    config = cli("config", "general_assistant", "--session", short)
    assert config.code == 0, config.err
    assert config.json()["session_key"] == key

    again = cli("prompt", "general_assistant", "And what is 3 * 7?", "--session", short, "-o", "json")
    assert again.code == 0, again.err
    assert again.json()["session_key"] == key
    assert "21" in again.json()["new_messages"][-1]["content"]


def test_too_short_and_ambiguous_keys_are_one_line_errors(cli: Cli, key: str) -> None:
    short = cli("history", key[:5])
    assert short.code == 1
    assert short.err.startswith("error: A session key is 6 to 64 hexadecimal characters")

    from smarter_tui.config.secrets import SecretStore
    from smarter_tui.domain.records import SessionInfo
    from smarter_tui.services import Services
    from tests.support.memory_keyring import MemoryKeyring

    services = Services.open(cli.home / "smarter.sqlite3", secrets=SecretStore(MemoryKeyring()))
    try:
        stamp = datetime(2024, 1, 1, tzinfo=UTC)
        services.db.sessions.bulk_import(
            [(SessionInfo(k, "general_assistant", None, stamp), []) for k in (TWIN_A, TWIN_B)]
        )
    finally:
        services.close()
    ambiguous = cli("export", "abcdef1")
    assert ambiguous.code == 1
    assert ambiguous.err.count("\n") == 1
    assert "matches several sessions" in ambiguous.err
    assert TWIN_A in ambiguous.err and TWIN_B in ambiguous.err
    assert cli("export", "abcdef10").code == 0
