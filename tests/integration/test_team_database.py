"""Two terminals on one database see each other's new sessions and manifests, without a restart.

Two long-lived processes (tests/support/team_terminal.py, each with its services open, as a TUI
keeps them) start at the same moment on a fresh database, so both seed the bundled examples at
once; then one applies a new manifest and chats with it, and the other, still running, lists
the session and the client and reads the conversation; and the other way round. On SQLite (one
file) and on PostgreSQL (the team database).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]

TEAM_CLIENT = """\
apiVersion: smarter.sh/v1
kind: LLMClient
metadata:
  name: team_helper
  description: The team's own assistant, applied from one terminal.
  version: 0.1.0
spec:
  config:
    prompt:
      provider: offline
      defaultSystemRole: You help the team with sums.
      appName: Team Helper
      appAssistant: Tess
      appWelcomeMessage: Hello team.
  extensions:
    - calculator
"""


class Terminal:
    """One running team_terminal process: send it a command, read its JSON answer."""

    def __init__(self, target: Path | str, home: Path) -> None:
        env = {**os.environ, "SMARTER_TUI_HOME": str(home), "DATABASE_URL": ""}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.support.team_terminal", str(target)],
            cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        assert self._line() == "waiting"

    def _line(self) -> str:
        assert self.proc.stdout is not None and self.proc.stderr is not None
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait(timeout=30)
            raise AssertionError(f"the terminal ended ({self.proc.returncode}): {self.proc.stderr.read()}")
        return line.strip()

    def _write(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def start(self) -> None:
        self._write("go")

    def ready(self) -> None:
        assert self._line() == "ready"

    def __call__(self, op: str, **args: Any) -> Any:
        self._write(json.dumps({"op": op, **args}))
        reply = json.loads(self._line())
        assert not (isinstance(reply, dict) and reply.get("error")), reply
        return reply

    def close(self) -> None:
        if self.proc.poll() is None:
            self._write("")
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture
def terminals(database_target: Path | str, tmp_path: Path) -> Iterator[tuple[Terminal, Terminal]]:
    """Two terminals (each its own data directory, as two users) released onto one fresh database."""
    pair = [Terminal(database_target, tmp_path / name) for name in ("alice", "bob")]
    try:
        for terminal in pair:  # both open, migrate and seed at the same moment
            terminal.start()
        for terminal in pair:
            terminal.ready()
        yield pair[0], pair[1]
    finally:
        for terminal in pair:
            terminal.close()


def test_two_terminals_see_each_others_sessions_and_manifests(
    terminals: tuple[Terminal, Terminal], tmp_path: Path
) -> None:
    alice, bob = terminals
    seeded = alice("clients")
    assert bob("clients") == seeded and "general_assistant" in {name for name, _ in seeded}
    assert alice("sessions") == bob("sessions") == []

    manifest = tmp_path / "team_helper.yaml"
    manifest.write_text(TEAM_CLIENT)
    assert alice("apply", path=str(manifest)) == [["LLMClient", "team_helper", "created"]]
    started = alice("send", client="team_helper", prompt="What is 6 * 7?")
    assert "42" in started["answer"] and started["error"] is None
    key = started["session_key"]

    # Bob, still running, sees Alice's new client and her session with its conversation.
    assert ["team_helper", "Team Helper"] in bob("clients")
    assert [[key, "team_helper", "What is 6 * 7?"]] == [s for s in bob("sessions") if s[0] == key]
    conversation = bob("messages", key=key)
    assert conversation[0] == ["system", "You help the team with sums."]
    assert conversation[1] == ["user", "What is 6 * 7?"] and conversation[-1][0] == "assistant"
    assert "42" in conversation[-1][1]

    # And the other way round: Bob continues her chat and starts his own; Alice sees both.
    bob("send", key=key, prompt="And 2**10?")
    own = bob("send", client="general_assistant", prompt="What is 1 + 1?")["session_key"]
    assert {key, own} == {s[0] for s in alice("sessions")}
    assert alice("messages", key=key)[len(conversation)] == ["user", "And 2**10?"]
    assert "1024" in alice("messages", key=key)[-1][1]
