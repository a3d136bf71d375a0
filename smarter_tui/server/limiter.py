"""Brute-force protection: failed API-key checks per client address, in a sliding window, in memory.

An address that presented `limit` wrong keys within `window` seconds is refused (429, with
Retry-After) until the oldest of those failures leaves the window: at most `limit` guesses per
window, whatever the rate it sends at. Only failures are recorded; a request whose key is right
costs one dict lookup (`retry_after` of an address with no failures). Memory is bounded: at most
`max_addresses` addresses are remembered, each with at most `limit` timestamps; past that the
address whose last failure is the oldest is forgotten (an attacker with that many addresses
already gets `limit` guesses from each, so forgetting one gives nothing away).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

#: Failed key checks an address may make per window (SMARTER-API.md §2; `serve --max-auth-failures`).
AUTH_FAILURES = 10
#: The window, seconds.
AUTH_WINDOW = 60.0
#: Addresses remembered at most (about 0.5 KB each).
MAX_ADDRESSES = 4096


class FailureLimiter:
    """Counts failed authentications per address and says how long a refused address must wait."""

    def __init__(
        self,
        limit: int = AUTH_FAILURES,
        window: float = AUTH_WINDOW,
        *,
        max_addresses: int = MAX_ADDRESSES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if limit < 1 or window <= 0 or max_addresses < 1:
            raise ValueError("the limit, the window and the address bound must be positive")
        self.limit = limit
        self.window = float(window)
        self.max_addresses = max_addresses
        self._clock = clock
        # address -> times of its last `limit` failures, oldest first; least recently failed first.
        self._failures: OrderedDict[str, list[float]] = OrderedDict()
        self._lock = threading.Lock()  # key checks run on the event loop and in worker threads

    def __len__(self) -> int:
        return len(self._failures)

    def retry_after(self, address: str) -> int | None:
        """Return the whole seconds `address` must wait before its next key check, None if it may now."""
        if self._failures.get(address) is None:  # the path of every address that never failed
            return None
        with self._lock:
            times = self._failures.get(address)
            if times is None:
                return None
            now = self._clock()
            if now - times[-1] >= self.window:  # quiet for a whole window: forget it
                del self._failures[address]
                return None
            if len(times) < self.limit:
                return None
            wait = times[0] + self.window - now
            return max(1, math.ceil(wait)) if wait > 0 else None

    def failed(self, address: str) -> None:
        """Record a failed authentication from `address`."""
        with self._lock:
            now = self._clock()
            times = self._failures.get(address)
            if times is None:
                self._failures[address] = [now]
                while len(self._failures) > self.max_addresses:
                    self._failures.popitem(last=False)
                return
            self._failures.move_to_end(address)
            times.append(now)
            if len(times) > self.limit:
                del times[0]
