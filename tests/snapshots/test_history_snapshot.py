"""Snapshot of the history browser at 120x40 (fixed data and timestamps, UTC clock)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from textual.pilot import Pilot

from smarter_tui.services import Services
from tests.ui.helpers import steady
from tests.ui.history_host import HostApp, insert_sessions

PROMPTS = [
    "How do I bake sourdough bread with a young starter?",
    "Explain the platypus to a child",
    "Plan a weekend in Lisbon",
    "What is the difference between a pod and a deployment in Kubernetes?",
    "Write a short checklist for pruning tomato plants",
]


@pytest.fixture
def utc_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Render local times as UTC so the snapshot does not depend on the machine's zone."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


async def _settle(pilot: Pilot[None]) -> None:
    for _ in range(3):
        await pilot.pause(0.2)
        await pilot.app.workers.wait_for_complete()
    await steady(pilot)


def test_history_screen_snapshot(services: Services, snap_compare: Any, utc_clock: None) -> None:
    insert_sessions(services, PROMPTS)
    services.history.rename(services.history.list(limit=1)[0].session_key, "Tomato pruning checklist")
    assert snap_compare(HostApp(services), terminal_size=(120, 40), run_before=_settle)


def test_history_search_snapshot(services: Services, snap_compare: Any, utc_clock: None) -> None:
    insert_sessions(services, PROMPTS)

    async def search(pilot: Pilot[None]) -> None:
        await _settle(pilot)
        await pilot.press("slash", *"platypus", "enter")
        await _settle(pilot)

    assert snap_compare(HostApp(services), terminal_size=(120, 40), run_before=search)
