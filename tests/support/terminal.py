"""A real pseudo-terminal for tests: spawn a program on it, read every byte it writes, with times.

The child is a session leader with the pty as its controlling terminal, so closing the terminal
(`hang_up`) makes the kernel send it SIGHUP, exactly like closing a terminal window.
"""

from __future__ import annotations

import fcntl
import os
import select
import struct
import subprocess
import termios
import threading
import time
from collections.abc import Callable, Sequence


def _controlling_tty() -> None:  # runs in the child between fork and exec
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Pty:
    """A program running on a pseudo-terminal of `columns` x `lines`."""

    def __init__(self, argv: Sequence[str], env: dict[str, str], columns: int = 100, lines: int = 30) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        self.master = master
        self.chunks: list[tuple[float, int]] = []  # (arrival time, end offset in `output`)
        self._buffer = bytearray()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.process = subprocess.Popen(
            list(argv),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env={**env, "TERM": "xterm-256color", "COLUMNS": str(columns), "LINES": str(lines)},
            preexec_fn=_controlling_tty,  # noqa: PLW1509 - needed to own the terminal
            close_fds=True,
        )
        os.close(slave)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if not ready:
                continue
            try:
                data = os.read(self.master, 65536)
            except OSError:  # EIO: the child side closed
                return
            if not data:
                return
            with self._lock:
                self._buffer += data
                self.chunks.append((time.monotonic(), len(self._buffer)))

    @property
    def output(self) -> bytes:
        """Every byte the program wrote so far."""
        with self._lock:
            return bytes(self._buffer)

    def arrival(self, offset: int) -> float:
        """Return when the byte at `offset` of `output` arrived."""
        with self._lock:
            for at, end in self.chunks:
                if offset < end:
                    return at
        return time.monotonic()

    def write(self, data: bytes) -> None:
        """Type `data` into the terminal."""
        os.write(self.master, data)

    def wait_for(self, predicate: Callable[[bytes], bool], timeout: float, what: str) -> None:
        """Wait until `predicate(output)` holds; fail naming `what` after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while not predicate(self.output):
            if self.process.poll() is not None:
                raise AssertionError(f"the program exited ({self.process.returncode}) before {what}")
            if time.monotonic() > deadline:
                tail = self.output[-2000:].decode("utf-8", "replace")
                raise AssertionError(f"timed out waiting for {what}; last output: {tail!r}")
            time.sleep(0.02)

    def hang_up(self) -> None:
        """Close the terminal (the kernel sends SIGHUP to the program)."""
        self._stop.set()
        self._reader.join(timeout=2)
        os.close(self.master)
        self.master = -1

    def close(self) -> None:
        """Stop reading, close the terminal and make sure the program is gone."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)
        self._stop.set()
        self._reader.join(timeout=2)
        if self.master >= 0:
            os.close(self.master)
            self.master = -1
