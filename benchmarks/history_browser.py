"""History browser speed over 10,000 sessions / 500,000 messages, driving the real HistoryScreen.

Builds (or reuses) the database of make_history_db.py, runs the app headless with Textual's
`run_test()` (Pilot) at 120x40 and prints median/min/max over several runs of:
  1. push_screen(HistoryScreen()) until the table shows its first rows, painted (target < 200 ms);
  2. a full-text search: set the Input value and submit, until the hits are shown (target < 100 ms);
  3. opening the 5,000-message session: the service call for its last 50 messages (target < 300 ms),
     and, in the real SmarterApp, dismissing the browser with its key until the chat shows its end.
The host is the real SmarterApp when it can be imported (`--minimal` forces a bare App holding
`services`). Run: python benchmarks/history_browser.py [--runs N] [--db PATH] [--minimal]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _stats import measure, report  # noqa: E402
from make_history_db import DEFAULT_PATH, LONG_SESSION, build  # noqa: E402
from textual.app import App  # noqa: E402
from textual.pilot import Pilot  # noqa: E402
from textual.widget import Widget  # noqa: E402
from textual.widgets import Input  # noqa: E402

from smarter_tui.config.secrets import SecretStore  # noqa: E402
from smarter_tui.services import Services  # noqa: E402
from smarter_tui.ui.screens.history_screen import HistoryScreen  # noqa: E402

SIZE = (120, 40)
#: Queries of varied selectivity: rare identifiers, topic words, two-word queries, a prefix.
QUERIES = [
    "sourdough",
    "gobstopper caramel",
    "Reykjavik",
    "kubernetes helm",
    "INC-4821",
    "saffron risotto",
    "marathon interval",
    "firewall",
    "protagonist draft",
    "trellis",
]
#: Words in nearly every message: the slowest possible searches, reported separately.
COMMON_QUERIES = ("the", "and", "you", "is", "a")


class _NoKeyring:
    def get_password(self, service: str, name: str) -> None:
        return None


class BareApp(App[None]):
    """A minimal host: an App with a `services` attribute, like the real one."""

    ENABLE_COMMAND_PALETTE = False

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services


def make_app(services: Services, minimal: bool) -> tuple[App[Any], str]:
    """Return the host app and its name: the real SmarterApp unless `minimal` or not importable."""
    if not minimal:
        try:
            from smarter_tui.ui.app import SmarterApp

            app: App[Any] = SmarterApp(open_services=lambda: services)
            return app, "SmarterApp"
        except Exception as exc:  # noqa: BLE001  (the real app may be mid-change; measure anyway)
            print(f"(SmarterApp unavailable: {exc!r}; using a bare host App)")
    return BareApp(services), "bare App"


async def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Poll `condition` every 0.5 ms, yielding to the app; raise TimeoutError after `timeout`."""
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.0005)


async def painted(widget: Widget) -> None:
    """Return once `widget` has processed its pending messages and the screen has repainted."""
    await widget.wait_for_refresh()


async def open_history(app: App[Any], pilot: Pilot[Any]) -> tuple[HistoryScreen, float]:
    """Push a HistoryScreen; return it and the ms until its first rows are painted."""
    started = time.perf_counter()
    screen = HistoryScreen(app.services.history)
    app.push_screen(screen)
    await wait_for(lambda: screen.is_mounted and screen.table.row_count > 0)
    await painted(screen.table)
    return screen, (time.perf_counter() - started) * 1000


async def close(screen: HistoryScreen, pilot: Pilot[Any], result: str | None = None) -> None:
    """Dismiss the screen and let the app settle."""
    screen.dismiss(result)
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()


async def search(screen: HistoryScreen, pilot: Pilot[Any], query: str) -> float:
    """Type-and-submit a query; return the ms until its hits are shown and painted."""
    field = screen.query_one("#history-search", Input)
    started = time.perf_counter()
    field.value = query
    await field.action_submit()
    await wait_for(lambda: screen.shown_query == query)
    await painted(screen.table)
    return (time.perf_counter() - started) * 1000


async def run(services: Services, runs: int, minimal: bool, long_key: str) -> None:
    """Drive the app and print every figure."""
    app, host = make_app(services, minimal)
    print(f"host: {host}, terminal {SIZE[0]}x{SIZE[1]}, {runs} runs each")
    async with app.run_test(size=SIZE) as pilot:
        if host == "SmarterApp":
            await wait_for(lambda: getattr(app, "services", None) is not None)
            await pilot.pause(0.5)
            await app.workers.wait_for_complete()

        # 1. Open the browser.
        opens = []
        for index in range(runs + 1):
            screen, elapsed = await open_history(app, pilot)
            if index == 0:
                cold = elapsed
                assert screen.table.row_count == screen.page_size, screen.table.row_count
            else:
                opens.append(elapsed)
            await close(screen, pilot)
        print(f"first open (cold: CSS, first queries): {cold:.1f} ms")
        report("open history, first rows painted (warm)", opens, 200)

        # 2. Full-text search.
        screen, _ = await open_history(app, pilot)
        await search(screen, pilot, "warmup")
        hits = []
        counts = []
        for query in (QUERIES * (runs // len(QUERIES) + 1))[: max(runs, len(QUERIES))]:
            hits.append(await search(screen, pilot, query))
            counts.append(screen.table.row_count)
        report(
            f"search to hits painted ({len(hits)} queries, {min(counts)}-{max(counts)} sessions)", hits, 100
        )
        common = [await search(screen, pilot, q) for q in COMMON_QUERIES]
        report(f"search for words in nearly every message {COMMON_QUERIES}", common)
        await close(screen, pilot)

        # 3. The 5,000-message session.
        times = measure(lambda: services.history.messages(long_key, last=50), runs=max(runs, 10))
        report(f"history.messages(last=50) of the {LONG_SESSION:,}-message session", times, 300)
        full = measure(lambda: services.history.messages(long_key), runs=max(3, runs // 2), warmup=1)
        report(f"history.messages() all {LONG_SESSION:,} messages (for reference)", full)
        if host == "SmarterApp":
            try:
                reopen = [await reopen_in_chat(app, pilot, long_key) for _ in range(runs)]
            except Exception as exc:  # noqa: BLE001  (the chat pane belongs to another module)
                print(f"(reopening in the chat not measured: {exc!r})")
            else:
                report(
                    f"dismiss with the {LONG_SESSION:,}-message session until the chat shows it", reopen, 300
                )


async def reopen_in_chat(app: Any, pilot: Pilot[Any], key: str) -> float:
    """Open the browser as the app does, dismiss it with `key`; return ms until the chat shows it."""
    screen = HistoryScreen(app.services.history)
    app.push_screen(screen, app._history_closed)  # noqa: SLF001  (the app's own callback)
    await wait_for(lambda: screen.is_mounted and screen.table.row_count > 0)
    await pilot.pause()
    chat = app.chat
    await chat.transcript.remove_children()
    chat.session_key = None
    started = time.perf_counter()
    screen.dismiss(key)
    await wait_for(lambda: chat.session_key == key and len(chat.transcript.children) > 5)
    await painted(chat.transcript.children[-1])
    elapsed = (time.perf_counter() - started) * 1000
    await pilot.pause()  # let the app finish reopening (status line, panes) before the next run
    await app.workers.wait_for_complete()
    return elapsed


def main() -> None:
    """Parse arguments, build or reuse the database, run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--db", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--minimal", action="store_true", help="host the screen in a bare App")
    args = parser.parse_args()
    build(args.db)
    services = Services.open(args.db, secrets=SecretStore(_NoKeyring()), seed_examples=False)
    try:
        long_key = next(
            s.session_key for s in services.history.list(limit=10_000) if s.message_count == LONG_SESSION
        )
        asyncio.run(run(services, max(5, args.runs), args.minimal, long_key))
    finally:
        services.close()


if __name__ == "__main__":
    main()
