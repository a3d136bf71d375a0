"""`history KEY` flags what a branch left behind: superseded answers, deleted messages (issue #10)."""

from __future__ import annotations

import asyncio
import re

from smarter_tui.config.secrets import SecretStore
from smarter_tui.services import Services
from tests.e2e.cli import Cli
from tests.support.memory_keyring import MemoryKeyring


def rows(out: str) -> list[dict[str, str]]:
    """Read the table back by the columns of its header line."""
    header, *lines = out.splitlines()
    names = header.split()
    starts = [header.index(name) for name in names]
    bounds = list(zip(starts, [*starts[1:], None], strict=True))
    return [{n: line[a:b].strip() for n, (a, b) in zip(names, bounds, strict=True)} for line in lines]


def test_history_table_marks_superseded_and_deleted_messages(cli: Cli) -> None:
    made = cli("prompt", "general_assistant", "What is 6*7?")
    assert made.code == 0, made.err
    key = re.search(r"session: ([0-9a-f]{64})", made.err).group(1)  # type: ignore[union-attr]
    cli("prompt", "general_assistant", "What is 2**10?", "--session", key)
    services = Services.open(
        cli.env["DATABASE_URL"] or cli.home / "smarter.sqlite3", secrets=SecretStore(MemoryKeyring())
    )
    try:
        asyncio.run(services.branches.regenerate(key))  # the last answer again: the old one stays
        first_prompt = next(m.position for m in services.history.messages(key) if m.content == "What is 6*7?")
        services.branches.delete(key, first_prompt)
    finally:
        services.close()

    shown = cli("history", key)
    assert shown.code == 0, shown.err
    table = rows(shown.out)
    assert list(table[0]) == ["#", "ROLE", "NOTE", "CONTENT"]
    notes = [(r["ROLE"], r["NOTE"], r["CONTENT"]) for r in table if r["ROLE"] != "system"]
    by_prompt = [n for n in notes if n[0] == "user"]
    assert by_prompt == [
        ("user", "deleted", "What is 6*7?"),
        ("user", "superseded", "What is 2**10?"),
        ("user", "", "What is 2**10?"),
    ]
    answers = [n for n in notes if n[0] == "assistant" and "1024" in n[2]]
    assert [n[1] for n in answers] == ["superseded", ""]  # the old answer kept, flagged; the new one live
