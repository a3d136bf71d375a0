"""Tiny helpers shared by the benchmark scripts."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


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
