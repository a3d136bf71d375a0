"""CPU time of one call, for tests that bound how long refusing hostile input may take."""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cpu_clock() -> Iterator[list[float]]:
    """Measure the process's CPU seconds spent in the block; the list holds them afterwards.

    The garbage collector is off meanwhile: a pass over what earlier tests left behind would be
    charged to the block (it took 1.7 s once in the full suite), and wall time flakes on a
    loaded machine, so neither is what the bound is about.
    """
    spent: list[float] = []
    gc.disable()
    started = time.process_time()
    try:
        yield spent
    finally:
        spent.append(time.process_time() - started)
        gc.enable()
