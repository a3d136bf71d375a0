"""`smarter-tui --client/--session` refuse a bad target in one line before the screen opens;
`smarter-tui settings` shows and checks the settings file. Real processes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from smarter_tui.domain.messages import Message, Role
from smarter_tui.domain.records import SessionInfo
from tests.e2e.cli import Cli

STAMP = datetime(2026, 11, 1, tzinfo=UTC)
FIRST = "abcdef01" + "1" * 56
SECOND = "abcdef02" + "2" * 56


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """A data directory with the examples and two sessions whose keys share the prefix abcdef0."""
    home = tmp_path_factory.mktemp("launch") / "home"
    cli = Cli(home)
    assert cli("get", "llmclients").code == 0  # first start: database created, examples seeded
    from smarter_tui.services import Services

    services = Services.open(home / "smarter.sqlite3", seed_examples=False)
    services.db.sessions.bulk_import(
        [
            (SessionInfo(FIRST, "shop_assistant", "one", STAMP, STAMP), [Message(Role.USER, "hi")]),
            (SessionInfo(SECOND, "general_assistant", "two", STAMP, STAMP), [Message(Role.USER, "yo")]),
        ]
    )
    services.close()
    return cli


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--client", "nope"],
            "error: No LLM client named 'nope' (known: course_assistant, general_assistant",
        ),
        (["--session", "abc"], "error: A session key is 6 to 64 hexadecimal characters"),
        (["--session", "fedcba"], "error: No session key starts with fedcba"),
        (
            ["--session", "abcdef"],
            f"error: The session key prefix abcdef matches several sessions: {FIRST}, {SECOND}",
        ),
        (
            ["--client", "general_assistant", "--session", "abcdef01"],
            "error: Session abcdef011111… belongs to client 'shop_assistant', not 'general_assistant'",
        ),
    ],
)
def test_a_bad_launch_target_is_one_line_and_exit_1(cli: Cli, args: list[str], message: str) -> None:
    result = cli(*args)
    assert result.code == 1
    assert result.err.startswith(message) and result.err.count("\n") == 1, result.err
    assert result.out == ""  # the screen never opened


def test_a_malformed_flag_is_a_usage_error(cli: Cli) -> None:
    result = cli("--client")
    assert result.code == 2 and "expected one argument" in result.err


def test_help_lists_the_launch_flags_and_the_settings_command(cli: Cli) -> None:
    result = cli("--help")
    assert result.code == 0
    assert "--client NAME" in result.out and "--session KEY" in result.out and "settings" in result.out


def test_settings_prints_the_path_and_the_values(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "home")
    result = cli("settings")
    assert result.code == 0, result.err
    assert result.out.startswith(f"# {tmp_path / 'home' / 'settings.toml'} (not created yet: defaults)")
    assert 'theme = "textual-dark"' in result.out and "panes.clients_width = 30" in result.out
    (tmp_path / "home" / "settings.toml").write_text('theme = "nord"\n[panes]\nplugins_width = 10\n')
    result = cli("settings")
    assert result.code == 1
    assert 'theme = "nord"' in result.out and "panes.plugins_width = 46" in result.out
    assert result.err.strip() == (
        f"{tmp_path / 'home' / 'settings.toml'}: panes.plugins_width: must be between 30 and 90, got 10; "
        "using the default 46"
    )
