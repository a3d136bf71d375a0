"""A CLI process killed (SIGKILL) in the middle of an answer leaves a sound database."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.e2e.cli import Cli
from tests.support.fake_openai import FakeOpenAI, Reply


def test_kill_mid_answer_keeps_database_and_earlier_messages(tmp_path: Path, fake_openai: FakeOpenAI) -> None:
    cli = Cli(tmp_path / "home")
    manifest = tmp_path / "slow.yaml"
    manifest.write_text(
        "apiVersion: smarter.sh/v1\nkind: Provider\nmetadata: {name: slow, description: x}\n"
        f"spec:\n  provider: {{baseUrl: '{fake_openai.base_url}', defaultModel: m, apiKey: null}}\n"
        "---\napiVersion: smarter.sh/v1\nkind: LLMClient\nmetadata: {name: slowpoke, description: x}\n"
        "spec:\n  config: {provider: slow}\n  functions: []\n  plugins: []\n"
    )
    assert cli("apply", "-f", str(manifest)).code == 0
    fake_openai.enqueue(Reply(chunks=[f"word{i} " for i in range(200)], delay=0.05))
    process = subprocess.Popen(
        [sys.executable, "-m", "smarter_tui", "prompt", "slowpoke", "Tell me a long story"],
        env=cli.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while fake_openai.chunks_sent < 10:
        assert time.monotonic() < deadline, "the answer never started"
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)

    database = cli.home / "smarter.sqlite3"
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    (session,) = cli("history", "-o", "json").json()
    history = cli("history", session["key"], "-o", "json").json()
    assert [m["role"] for m in history["messages"]] == ["system", "user"]
    assert history["messages"][1]["content"] == "Tell me a long story"
    # The session goes on after the crash.
    fake_openai.enqueue(Reply(text="Short answer."))
    again = cli("prompt", "slowpoke", "Shorter, please", "--session", session["key"])
    assert again.code == 0 and "Short answer." in again.out
