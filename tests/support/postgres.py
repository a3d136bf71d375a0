"""A real PostgreSQL server for the test run: the binaries of the `pgserver` wheel, on loopback.

`pgserver` (PyPI) ships PostgreSQL's own initdb/pg_ctl/postgres, so a fresh machine with only
Python and the package registries can run the suite; we drive those binaries ourselves (its Python
wrapper picks a unix socket and no password, and we need a TCP port and password auth to test bad
credentials). PostgreSQL refuses to run as root, which CI is: then the data directory is handed to
the unprivileged `nobody` user (or a `smarter-pg` user made with useradd) and the server runs as it.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import secrets
import shutil
import socket
import stat
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

USER = "postgres"


class PostgresUnavailable(RuntimeError):
    """The test server could not be started; the message says why."""


def _bin_dir() -> Path:
    # Found without importing it: its __init__ sets up a server manager we do not use.
    spec = importlib.util.find_spec("pgserver")
    if spec is None or not spec.submodule_search_locations:
        raise PostgresUnavailable(
            "the PostgreSQL tests need the `pgserver` package: pip install -e '.[test]'"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _system_user() -> pwd.struct_passwd | None:
    """Return the unprivileged user to run the server as when we are root (None otherwise)."""
    if os.geteuid() != 0:
        return None
    for name in ("nobody", "smarter-pg"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    subprocess.run(["useradd", "--no-create-home", "smarter-pg"], check=True, capture_output=True)
    return pwd.getpwnam("smarter-pg")


def _open_path_to(path: Path) -> None:
    """Let other users traverse every parent of `path` and read/run what is under it."""
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        parent.chmod(mode | stat.S_IXOTH | stat.S_IXGRP)
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            target = Path(root) / name
            try:
                mode = target.stat().st_mode
            except FileNotFoundError:  # a file the server just removed
                continue
            extra = stat.S_IROTH | stat.S_IRGRP
            if mode & stat.S_IXUSR or target.is_dir():
                extra |= stat.S_IXOTH | stat.S_IXGRP
            if mode & extra != extra:
                target.chmod(mode | extra)


@dataclass
class PostgresServer:
    """One PostgreSQL cluster in `base`, listening on 127.0.0.1:`port` with password auth."""

    base: Path
    port: int = field(default_factory=_free_port)
    password: str = field(default_factory=lambda: secrets.token_hex(12))
    bin_dir: Path = field(default_factory=_bin_dir)

    @property
    def data(self) -> Path:
        return self.base / "data"

    def url(self, database: str = "postgres", password: str | None = None, user: str = USER) -> str:
        """Return a postgresql:// URL (with this server's password unless another is given)."""
        secret = self.password if password is None else password
        auth = f"{user}:{secret}" if secret else user
        return f"postgresql://{auth}@127.0.0.1:{self.port}/{database}"

    def _run(self, tool: str, *args: str) -> subprocess.CompletedProcess[str]:
        user = _system_user()
        proc = subprocess.run(
            [str(self.bin_dir / tool), *args],
            capture_output=True,
            text=True,
            timeout=120,
            user=user.pw_uid if user else None,
            group=user.pw_gid if user else None,
            env={**os.environ, "LC_ALL": "C.UTF-8", "HOME": str(self.base)},
            cwd=self.base,
        )
        if proc.returncode != 0:
            log = self.base / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise PostgresUnavailable(
                f"{tool} {' '.join(args[:3])} failed ({proc.returncode}): {proc.stderr.strip()}\n{tail}"
            )
        return proc

    def start(self) -> PostgresServer:
        """Initialise the cluster and start the server (blocking until it accepts connections)."""
        self.base.mkdir(parents=True, exist_ok=True)
        user = _system_user()
        if user is not None:
            _open_path_to(self.bin_dir.parent)
            _open_path_to(self.base)
            os.chown(self.base, user.pw_uid, user.pw_gid)
        pwfile = self.base / "pwfile"
        pwfile.write_text(self.password + "\n")
        if user is not None:
            os.chown(pwfile, user.pw_uid, user.pw_gid)
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            USER,
            f"--pwfile={pwfile}",
            "--auth-host=scram-sha-256",
            "--auth-local=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        pwfile.unlink()
        options = " ".join(
            [
                "-c listen_addresses=127.0.0.1",
                f"-c port={self.port}",
                f"-c unix_socket_directories={self.base}",
                # A throwaway cluster: durability buys nothing, speed does.
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
                "-c max_connections=200",
            ]
        )
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.base / "server.log"), "-o", options,
            "-w", "-t", "60", "start",
        )  # fmt: skip
        return self

    def stop(self) -> None:
        """Stop the server (fast shutdown) and remove its files."""
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.base, ignore_errors=True)

    def create_database(self, name: str, template: str | None = None) -> str:
        """Create a database (empty, or a copy of `template`) and return its URL."""
        import psycopg

        copy = f' TEMPLATE "{template}" STRATEGY FILE_COPY' if template else ""
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"{copy}')
        return self.url(name)
