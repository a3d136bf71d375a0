"""Several processes on one database: no lost or duplicated messages, positions stay ordered.

4 worker processes, released together, each first appending 50 messages straight through the store
on 2 shared sessions (no lease: the session row lock alone orders positions), then sending 50
prompts through the services on 3 shared sessions (the offline model, through the turn lease); on
SQLite and on PostgreSQL. Each worker is one Python process looping over its prompts, not 50 CLI
launches, so the test costs seconds.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from smarter_tui.config.secrets import SecretStore
from smarter_tui.domain.messages import Role
from smarter_tui.services import Services
from tests.support.memory_keyring import MemoryKeyring

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = 4
PROMPTS = 50


def _run_workers(
    target: Path | str, append_keys: list[str], turn_keys: list[str], home: Path
) -> list[dict[str, float]]:
    """Start the workers, release them together once all are ready, and return their JSON lines."""
    env = {**os.environ, "SMARTER_TUI_HOME": str(home), "DATABASE_URL": ""}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.support.concurrency_worker",
                str(target),
                str(w),
                str(PROMPTS),
                ",".join(append_keys),
                ",".join(turn_keys),
            ],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for w in range(PROCESSES)
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None and proc.stderr is not None
            if proc.stdout.readline().strip() != "ready":
                raise AssertionError(f"a worker did not start: {proc.stderr.read()}")
        for proc in procs:  # all at once: communicate() would let each finish before the next starts
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results = []
        for proc in procs:
            out, err = proc.communicate(timeout=300)
            assert proc.returncode == 0, err
            results.append(json.loads(out.strip().splitlines()[-1]))
        return results
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def test_processes_sharing_sessions(database_target: Path | str, tmp_path: Path) -> None:
    services = Services.open(database_target, secrets=SecretStore(MemoryKeyring()))
    try:
        keys = [
            asyncio.run(services.sessions.send("hello", client="general_assistant")).session_key
            for _ in range(5)
        ]
        turn_keys, append_keys = keys[:3], keys[3:]
    finally:
        services.close()

    results = _run_workers(database_target, append_keys, turn_keys, tmp_path)
    assert sum(r["sent"] for r in results) == PROCESSES * PROMPTS
    print(results)  # the per-worker timings, seen with -s

    services = Services.open(database_target, secrets=SecretStore(MemoryKeyring()))
    try:
        prompts: dict[str, int] = defaultdict(int)
        for key in turn_keys:
            messages = services.db.sessions.messages(key)
            assert [m.position for m in messages] == list(range(len(messages)))
            assert services.db.sessions.message_count(key) == len(messages)
            assert messages[0].role is Role.SYSTEM and messages[1].content == "hello"
            # turns never interleave: every user prompt is followed by its own answer
            for before, after in zip(messages[1:], messages[2:], strict=False):
                if before.role is Role.USER:
                    assert after.role is not Role.USER, (before.content, after.content)
            for m in messages[2:]:
                if m.role is Role.USER:
                    prompts[m.content or ""] += 1
            assert messages[-1].role is Role.ASSISTANT
        expected = {f"w{w} p{i}: what is {w} + {i}?" for w in range(PROCESSES) for i in range(PROMPTS)}
        assert set(prompts) == expected and set(prompts.values()) == {1}  # none lost, none twice

        appended: list[str] = []
        for key in append_keys:
            messages = services.db.sessions.messages(key)
            assert [m.position for m in messages] == list(range(len(messages)))
            assert services.db.sessions.message_count(key) == len(messages)
            mine = [m.content or "" for m in messages[3:]]  # after system, hello, its answer
            appended += mine
            for w in range(PROCESSES):  # each process's messages keep the order it wrote them in
                own = [int(c.split(" a")[1]) for c in mine if c.startswith(f"w{w} ")]
                assert own == sorted(own)
        assert sorted(appended) == sorted(f"w{w} a{i}" for w in range(PROCESSES) for i in range(PROMPTS))
    finally:
        services.close()
