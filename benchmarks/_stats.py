"""Tiny helpers shared by the benchmark scripts."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path


def measure(fn: Callable[[], object], runs: int, warmup: int = 3) -> list[float]:
    """Return the wall time of `runs` calls of fn, in milliseconds (after `warmup` calls)."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def report(label: str, times_ms: list[float], target_ms: float | None = None) -> None:
    """Print median/min/max (and the target) of a list of timings."""
    median = statistics.median(times_ms)
    verdict = ""
    if target_ms is not None:
        verdict = f"  target < {target_ms:g} ms: {'OK' if median < target_ms else 'MISSED'}"
    print(
        f"{label}: median {median:.3f} ms, min {min(times_ms):.3f} ms, max {max(times_ms):.3f} ms "
        f"over {len(times_ms)} runs{verdict}"
    )


def _stat_ticks(pid: int, *fields: int) -> int:
    """Return the sum of numbered fields of /proc/PID/stat (man 5 proc numbers them from 1), in
    clock ticks; raises OSError once the process is gone."""
    after_name = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()  # field 3 onwards
    return sum(int(after_name[field - 3]) for field in fields)


def cpu_seconds(pid: int) -> float:
    """Return the user + system CPU seconds process `pid` has used so far, ended threads included.

    Read from /proc/PID/stat, so with the clock tick's resolution (10 ms); raises OSError once
    the process is gone.
    """
    return _stat_ticks(pid, 14, 15) / os.sysconf("SC_CLK_TCK")  # utime, stime


def started_seconds(pid: int) -> float:
    """Return when process `pid` started, in seconds since boot (the clock tick's resolution)."""
    return _stat_ticks(pid, 22) / os.sysconf("SC_CLK_TCK")  # starttime
