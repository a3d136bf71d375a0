"""One process of the concurrency test: many prompts (or raw appends) on shared sessions.

Run: python -m tests.support.concurrency_worker TARGET WORKER MODE COUNT KEY [KEY ...]
MODE "turns" sends COUNT prompts through SessionService (retrying while another process holds
a session's turn lease); MODE "appends" appends COUNT messages straight through the store (no
lease), which is what position ordering under concurrency has to survive. Prints one JSON line.
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


async def _turns(services: Services, worker: int, count: int, keys: list[str]) -> dict[str, int]:
    sent, busy = 0, 0
    for i in range(count):
        key = keys[(worker + i) % len(keys)]
        while True:
            try:
                await services.sessions.send(f"w{worker} p{i}: what is {worker} + {i}?", session_key=key)
                sent += 1
                break
            except SessionBusyError:
                busy += 1
                await asyncio.sleep(0.01)
    return {"sent": sent, "busy": busy}


def main() -> None:
    target, worker, mode, count, *keys = sys.argv[1:]
    services = Services.open(target, secrets=SecretStore(MemoryKeyring()), seed_examples=False)
    started = time.monotonic()
    try:
        if mode == "turns":
            result = asyncio.run(_turns(services, int(worker), int(count), keys))
        else:
            for i in range(int(count)):
                key = keys[i % len(keys)]
                services.db.sessions.append_message(key, Message(Role.USER, f"w{worker} a{i}"))
            result = {"sent": int(count), "busy": 0}
    finally:
        services.close()
    print(json.dumps({**result, "seconds": round(time.monotonic() - started, 2)}))


if __name__ == "__main__":
    main()
