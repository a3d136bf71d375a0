"""One process of the concurrency test: raw appends, then prompts, on shared sessions.

Run: python -m tests.support.concurrency_worker TARGET WORKER COUNT APPEND_KEYS TURN_KEYS
(keys comma-separated). The process opens its services, prints "ready" and waits for a line on
stdin, so every worker starts writing at the same moment (the parent releases them together).
It then appends COUNT messages straight through the store (no lease: what position ordering
under concurrency has to survive), then sends COUNT prompts through SessionService (to the next
session when another process holds one's turn lease), and prints one JSON line.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

from smarter_tui.config.secrets import SecretStore
from smarter_tui.domain.errors import SessionBusyError
from smarter_tui.domain.messages import Message, Role
from smarter_tui.services import Services
from tests.support.memory_keyring import MemoryKeyring


def _appends(services: Services, worker: int, count: int, keys: list[str]) -> None:
    for i in range(count):
        services.db.sessions.append_message(keys[i % len(keys)], Message(Role.USER, f"w{worker} a{i}"))


async def _turns(services: Services, worker: int, count: int, keys: list[str]) -> dict[str, int]:
    """Send `count` prompts, each to the next shared session whose turn lease is free."""
    sent, busy, slot = 0, 0, worker
    for i in range(count):
        while True:
            key = keys[slot % len(keys)]
            slot += 1
            try:
                await services.sessions.send(f"w{worker} p{i}: what is {worker} + {i}?", session_key=key)
                sent += 1
                break
            except SessionBusyError:  # another process's turn: try the next session
                busy += 1
                if busy % len(keys) == 0:
                    await asyncio.sleep(0.005)
    return {"sent": sent, "busy": busy}


def main() -> None:
    target, worker, count, append_keys, turn_keys = sys.argv[1:]
    services = Services.open(target, secrets=SecretStore(MemoryKeyring()), seed_examples=False)
    try:
        print("ready", flush=True)
        sys.stdin.readline()
        started = time.monotonic()
        _appends(services, int(worker), int(count), append_keys.split(","))
        appended = time.monotonic()
        result = asyncio.run(_turns(services, int(worker), int(count), turn_keys.split(",")))
    finally:
        services.close()
    timing = {"append_s": round(appended - started, 2), "turns_s": round(time.monotonic() - appended, 2)}
    print(json.dumps({**result, **timing}))


if __name__ == "__main__":
    main()
