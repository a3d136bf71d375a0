"""A real `smarter-tui serve` process on a free loopback port, for end-to-end tests."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import httpx

from tests.e2e.cli import Cli


def free_port() -> int:
    """Return a TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """`python -m smarter_tui serve` over its own data directory, with one API key made beforehand.

    Use as a context manager: it waits until the server answers, and stops it (SIGTERM) on exit.
    """

    def __init__(self, home: Path, *extra: str, env: dict[str, str] | None = None) -> None:
        self.cli = Cli(home, env)
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.extra = extra
        self.process: subprocess.Popen[str] | None = None
        self.key = ""

    def start(self) -> Server:
        created = self.cli("apikey", "create", "tests")
        assert created.code == 0, created.err
        self.key = created.out.strip().splitlines()[-1]
        log = open(self.cli.home.parent / f"serve-{self.port}.log", "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "smarter_tui", "serve", "--port", str(self.port), *self.extra],
            env=self.cli.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._log = log
        deadline = time.monotonic() + 60
        while True:
            assert self.process.poll() is None, f"serve exited: {self.log_text()}"
            try:
                if httpx.get(f"{self.base_url}/openapi.json", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, f"serve did not start: {self.log_text()}"
            time.sleep(0.1)

    def log_text(self) -> str:
        """Return what the server printed so far."""
        return (self.cli.home.parent / f"serve-{self.port}.log").read_text()

    def terminate(self, timeout: float = 30) -> int:
        """Send SIGTERM and return the exit code."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=timeout)
        self._log.close()
        return code

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.process is not None and self.process.poll() is None:
            try:
                self.terminate()
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def sdk(self, key: str | None = None, **kwargs: object):  # type: ignore[no-untyped-def]
        """Return the official Smarter SDK client pointed at this server (no retries)."""
        from smarter import Smarter

        return Smarter(api_key=key or self.key, base_url=self.base_url, max_retries=0, **kwargs)  # type: ignore[arg-type]
