"""Resident memory of the app after a 2,000-token answer.

Each run is a fresh Python process (`--one-run`) that runs the real `SmarterApp` HEADLESS through
Pilot (`app.run_test(size=(120, 40))`, so no terminal I/O buffers, but every widget, the
compositor, the services, the openai SDK and the database are real) and sends one prompt to a
loopback OpenAI-compatible server (`tests/support/fake_openai.FakeOpenAI`, run in ANOTHER
process so its memory is not counted). The server answers with the same 2,000-chunk structured
Markdown answer as `tui_streaming.py`, at full speed. Once the answer is fully rendered and the
turn has ended (saved), the process reads its own `/proc/self/status`:
- VmRSS: resident memory now (the figure compared with the target), and
- VmHWM: the peak resident memory of the process so far.
Both include the Python interpreter, the pytest-free test harness (Pilot) and Textual. The
database (examples seeded, the `bench` client applied) is prepared in another process first, as
a user's `smarter-tui apply` or earlier run does: applying manifests imports the manifest models
(pydantic), which the app itself never loads on this path (`pydantic_loaded` in each run's line
checks it). The app's model calls run in its model worker process (where the openai SDK is
imported); its RSS is printed beside the app's, and the two together, both as the sum of their
RSS (pages they share counted twice) and of their Pss (counted once: what the pair holds).
`--in-process` makes the calls in the app's process instead (the SDK is then in the app's RSS),
for comparison.

The reference, side by side: `benchmarks/bare_app.py` (a bare Textual app with one Input) run the
same way (headless `run_test`, same size) in its own process, RSS read once it is mounted.

Run: .venv/bin/python benchmarks/tui_memory.py [--runs 5] [--in-process]
Target: RSS < 80 MB (Elia/oterm: about 280-300 MB).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from tui_streaming import (  # noqa: E402
    FULL_TOKENS,
    IN_PROCESS,
    SENTINEL,
    ServerProcess,
    answer_chunks,
    child_figures,
    open_services,
    ready_app,
    rendered_at,
    run_with_server,
    wait_until,
)


def status_mb(pid: int | str = "self") -> dict[str, float]:
    """Return VmRSS, VmHWM and Pss of this process (or of process `pid`) in MiB.

    Pss (proportional set size) counts a page shared with other processes (the interpreter's
    code and libraries, shared by the app and its worker) as a share of it, so the Pss of two
    processes adds up to what they hold together; their RSS counts shared pages twice.
    """
    values: dict[str, float] = {}
    for name in ("status", "smaps_rollup"):
        for line in Path(f"/proc/{pid}/{name}").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM", "Pss"):
                values[key] = int(rest.split()[0]) / 1024
    return values


async def drive(server: ServerProcess, home: Path) -> dict[str, float]:
    """Start the app, stream one 2,000-token answer, return memory figures."""
    from smarter_tui.ui.app import SmarterApp

    services = open_services(home, server.base_url)
    app = SmarterApp(open_services=lambda: services)
    figures: dict[str, float] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await ready_app(pilot)
        figures.update({f"before_{k}": v for k, v in status_mb().items()})
        chunks = answer_chunks(FULL_TOKENS)
        server.enqueue(chunks=chunks)
        await app.chat.send("Write a long answer with a list and some code.")
        await rendered_at(pilot)
        await wait_until(pilot, lambda: not app.chat.running)
        await pilot.pause(0.2)
        assert app.chat.last_answer().endswith(f"{SENTINEL}.")
        figures.update(status_mb())
        figures["pydantic_loaded"] = float("pydantic" in sys.modules)
        worker = services.model_worker._channel if services.model_worker else None
        if worker is not None:  # the app's model calls run there: its memory is the app's too
            figures.update({f"worker_{k}": v for k, v in status_mb(worker.process.pid).items()})
            figures["total_VmRSS"] = figures["VmRSS"] + figures["worker_VmRSS"]
            figures["total_Pss"] = figures["Pss"] + figures["worker_Pss"]
    return figures


async def drive_bare() -> dict[str, float]:
    """Start the bare reference app headless; return its memory figures once mounted."""
    from bare_app import BareApp

    app = BareApp()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        return {f"bare_{k}": v for k, v in status_mb().items()}


def one_run(bare: bool = False) -> None:
    """Child process: print one run's figures as JSON on the last line of stdout."""
    if bare:
        print(json.dumps(asyncio.run(drive_bare())))
        return
    run_with_server("smarter-memory-", drive)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--one-run", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--bare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--in-process", action="store_true", help="make the model calls in the app's process (no worker)"
    )
    args = parser.parse_args()
    if args.in_process:
        os.environ[IN_PROCESS] = "1"
    if args.one_run:
        one_run(args.bare)
        return
    runs = []
    for i in range(args.runs):
        figures: dict[str, float] = {}
        for bare in ([], ["--bare"]):
            figures.update(child_figures([__file__, "--one-run", *bare], i))
        runs.append(figures)
        print(f"run {i}: " + ", ".join(f"{k}={v:.1f}" for k, v in runs[-1].items()), "(MB)", flush=True)
    for key, label, target in (
        ("bare_VmRSS", "bare Textual app (one Input), RSS when mounted", None),
        ("before_VmRSS", "RSS when ready, before the prompt", None),
        ("VmRSS", "RSS after the 2,000-token answer", 80.0),
        ("VmHWM", "peak RSS (VmHWM) after the answer", None),
        ("worker_VmRSS", "RSS of the model worker process after the answer", None),
        ("total_VmRSS", "RSS of the app and its model worker together", None),
        ("total_Pss", "Pss of the app and its model worker together (shared pages counted once)", None),
    ):
        values = [r[key] for r in runs if key in r]
        if not values:
            continue
        median = statistics.median(values)
        verdict = f"  target < {target:g} MB: {'OK' if median < target else 'MISSED'}" if target else ""
        print(
            f"{label}: median {median:.1f} MB, min {min(values):.1f}, max {max(values):.1f} "
            f"over {len(values)} runs (headless run_test){verdict}"
        )


if __name__ == "__main__":
    main()
