"""An offline model that holds some answers at a gate: a turn that runs until the test lets it end."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from smarter_tui.config.secrets import SecretStore
from smarter_tui.providers import OfflineProvider, make_provider
from smarter_tui.services import Services
from tests.support.memory_keyring import MemoryKeyring

#: A prompt containing this waits at the gate after the first chunk of its answer; others do not.
WAIT = "(wait)"


def _waits(request: Any) -> bool:
    users = [m for m in request.messages if m.get("role") == "user"]
    return bool(users) and WAIT in str(users[-1].get("content") or "")


class GatedOfflineProvider(OfflineProvider):
    """Streams the first chunk of a `WAIT` prompt's answer, then waits until `gate` is set."""

    def __init__(self, gate: threading.Event) -> None:
        super().__init__()
        self.gate = gate

    async def complete(self, request: Any) -> AsyncIterator[Any]:  # type: ignore[override]
        held = _waits(request)
        async for item in super().complete(request):
            yield item
            while held and not self.gate.is_set():  # no timing: the test opens the gate
                await asyncio.sleep(0.02)
            held = False


def gated_services(path: Path, keyring_backend: MemoryKeyring, gate: threading.Event) -> Services:
    """Services over `path` whose offline answers to `WAIT` prompts hold at `gate`."""

    def factory(name: str, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if name == "offline":
            return GatedOfflineProvider(gate)
        return make_provider(name, *args, **kwargs)  # type: ignore[arg-type]

    return Services.open(path, secrets=SecretStore(keyring_backend), provider_factory=factory)
