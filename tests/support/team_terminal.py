"""A stand-in for one terminal on a shared database: services kept open, driven line by line.

Run: python -m tests.support.team_terminal TARGET
It prints "waiting" and opens its services only after a first line on stdin, so two terminals
can be started on a fresh database at the same moment (both seed the bundled examples). Then
it prints "ready" and answers one JSON command per line with one JSON line:
  {"op": "apply", "path": P}                    -> [[kind, name, action], ...]
  {"op": "send", "prompt": T, "client": C}      -> {"session_key": K, "answer": A}
  {"op": "send", "prompt": T, "key": K}         -> the same, continuing session K
  {"op": "sessions"}                            -> [[key, client, title], ...] (newest first)
  {"op": "clients"}                             -> [[name, app_name], ...]
  {"op": "messages", "key": K}                  -> [[role, content], ...]
An error comes back as {"error": "..."}; an empty line ends the process.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from smarter_tui.config.secrets import SecretStore
from smarter_tui.services import Services
from tests.support.memory_keyring import MemoryKeyring


def _answer(services: Services, command: dict[str, Any]) -> Any:
    op = command["op"]
    if op == "apply":
        return [[a.kind, a.name, a.action] for a in services.catalogue.apply_paths([command["path"]])]
    if op == "send":
        outcome = asyncio.run(
            services.sessions.send(
                command["prompt"], client=command.get("client"), session_key=command.get("key")
            )
        )
        return {"session_key": outcome.session_key, "answer": outcome.answer, "error": outcome.error}
    if op == "sessions":
        return [[s.session_key, s.client, s.title] for s in services.history.list(limit=50)]
    if op == "clients":
        return [[c.name, c.app_name] for c in services.clients()]
    if op == "messages":
        return [[m.role.value, m.content] for m in services.db.sessions.messages(command["key"])]
    raise ValueError(f"unknown op {op!r}")


def main() -> None:
    print("waiting", flush=True)
    sys.stdin.readline()
    services = Services.open(sys.argv[1], secrets=SecretStore(MemoryKeyring()))
    try:
        print("ready", flush=True)
        for line in sys.stdin:
            if not line.strip():
                break
            try:
                reply = _answer(services, json.loads(line))
            except Exception as exc:  # reported to the test, which fails on it
                reply = {"error": f"{type(exc).__name__}: {exc}"}
            print(json.dumps(reply), flush=True)
    finally:
        services.close()


if __name__ == "__main__":
    main()
