"""SQLite vs PostgreSQL, side by side, on the 10,000-session / 500,000-message history.

Builds (or reuses) the SQLite history of make_history_db.py, copies it into PostgreSQL with the
real `db copy` code (timed; counts compared), then times on each engine, through the services:
  - the history browser's first page (a page of sessions with the total count, as it asks),
  - a full-text search of a rare and of a common word (search_sessions, as the browser runs it),
  - opening the 5,000-message session (its last 50 messages, as the browser and chat do),
  - the config object of the 5,000-message session,
  - one prompt turn's storage cost (a turn with the offline model on a short session).
Targets: PostgreSQL within 2x of SQLite on each, and each under 200 ms.
PostgreSQL is `--url URL` (a database you can fill) or, by default, a throwaway server run from
the `pgserver` wheel's binaries (pip install -e '.[test]'), as the test suite does.
Run: python benchmarks/storage_engines.py [--runs N] [--url URL] [--db PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _stats import measure  # noqa: E402
from make_history_db import DEFAULT_PATH, LONG_SESSION, build  # noqa: E402

from smarter_tui.config.secrets import SecretStore  # noqa: E402
from smarter_tui.services import Services  # noqa: E402
from smarter_tui.storage.transfer import copy_database  # noqa: E402

RARE = "INC-4821"
COMMON = "the"
TARGET_MS = 200.0


class _NoKeyring:
    def get_password(self, service: str, name: str) -> None:
        return None


def _long_session(services: Services) -> tuple[str, str]:
    info = max(services.db.sessions.list(limit=10_000), key=lambda s: s.message_count)
    assert info.message_count == LONG_SESSION, info.message_count
    return info.session_key, info.client


def _time_engine(target: Path | str, runs: int) -> dict[str, float]:
    services = Services.open(target, secrets=SecretStore(_NoKeyring()), seed_examples=False)
    try:
        key, client = _long_session(services)
        history = services.history
        turn_key = asyncio.run(services.sessions.send("hello", client="general_assistant")).session_key

        def turn() -> None:
            asyncio.run(services.sessions.send("What is 2 + 2?", session_key=turn_key))

        cases: dict[str, Callable[[], object]] = {
            "history browser first page": lambda: history.page(limit=50),  # as the browser asks
            f"search rare word {RARE!r}": lambda: history.search_sessions(RARE, limit=50),
            f"search common word {COMMON!r}": lambda: history.search_sessions(COMMON, limit=50),
            f"open the {LONG_SESSION:,}-message session": lambda: history.messages(key, last=50),
            f"config object ({LONG_SESSION:,} messages)": lambda: services.config.config(client, key),
            "one prompt turn (storage + offline model)": turn,
        }
        try:
            return {name: statistics.median(measure(fn, runs=runs)) for name, fn in cases.items()}
        finally:
            # The history keeps its counts, so the next run reuses it instead of rebuilding it.
            services.db.sessions.delete(turn_key)
    finally:
        services.close()


def _postgres(url: str | None) -> tuple[str, Callable[[], None]]:
    if url:
        return url, lambda: None
    from tests.support.postgres import PostgresServer

    server = PostgresServer(Path(tempfile.mkdtemp(prefix="smarter-tui-bench-pg-"))).start()
    return server.create_database("bench"), server.stop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--url", help="a PostgreSQL database to fill (default: a throwaway server)")
    parser.add_argument("--db", type=Path, default=DEFAULT_PATH, help="the SQLite history database")
    args = parser.parse_args()

    build(args.db)
    url, stop = _postgres(args.url)
    try:
        started = time.perf_counter()
        report = copy_database(args.db, url)
        copied = time.perf_counter() - started
        assert report.complete, report.counts
        sessions, messages = report.counts["sessions"][1], report.counts["messages"][1]
        print(f"db copy SQLite -> PostgreSQL: {sessions:,} sessions, {messages:,} messages in {copied:.1f} s")
        print("counts equal on both sides:", all(s == d for s, d in report.counts.values()))
        sqlite = _time_engine(args.db, args.runs)
        postgres = _time_engine(url, args.runs)
    finally:
        stop()

    width = max(map(len, sqlite))
    print(f"\nmedian of {args.runs} runs (ms)")
    header = f"{'operation':<{width}}  {'SQLite':>8}  {'PostgreSQL':>10}  {'ratio':>6}"
    print(f"{header}  targets (<2x, <{TARGET_MS:g} ms)")
    for name, lite in sqlite.items():
        pg = postgres[name]
        ratio = pg / lite if lite else float("inf")
        verdict = "OK" if ratio <= 2 and pg < TARGET_MS and lite < TARGET_MS else "MISSED"
        print(f"{name:<{width}}  {lite:8.2f}  {pg:10.2f}  {ratio:5.2f}x  {verdict}")


if __name__ == "__main__":
    main()
