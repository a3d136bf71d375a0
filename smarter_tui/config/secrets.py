"""Secret values: the OS keyring is their only home (this is the project's only keyring importer)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from smarter_tui.config.paths import data_dir
from smarter_tui.domain.errors import SecretsUnavailableError

SERVICE = "smarter-tui"
BACKEND_ENV = "SMARTER_TUI_KEYRING"  # "file" opts in to the plain file backend below
SECRET_ENV_PREFIX = "SMARTER_TUI_SECRET_"

NO_KEYRING = (
    "No usable keyring backend on this machine, so secrets cannot be stored. Either export the "
    "value as an environment variable ({env}), or opt in to a plain file in the data directory "
    "(readable by you only) with SMARTER_TUI_KEYRING=file."
)


def secret_env_name(name: str) -> str:
    """Return the environment variable that may carry secret `name` (SMARTER_TUI_SECRET_<NAME>)."""
    return SECRET_ENV_PREFIX + re.sub(r"[^A-Za-z0-9]", "_", name).upper()


def mask(value: str | None) -> str:
    """Return a masked form safe to print: `****` plus the last 4 characters (nothing for short)."""
    if not value:
        return ""
    return "****" + (value[-4:] if len(value) >= 12 else "")


class FileKeyring:
    """Opt-in fallback for machines without a keyring: a JSON file with mode 0600."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _read(self) -> dict[str, str]:
        if not self.path.exists():
            return {}
        data: dict[str, str] = json.loads(self.path.read_text(encoding="utf-8") or "{}")
        return data

    def _write(self, data: dict[str, str]) -> None:
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
        os.replace(tmp, self.path)

    def get_password(self, service: str, name: str) -> str | None:
        return self._read().get(f"{service}:{name}")

    def set_password(self, service: str, name: str, value: str) -> None:
        data = self._read()
        data[f"{service}:{name}"] = value
        self._write(data)

    def delete_password(self, service: str, name: str) -> None:
        data = self._read()
        data.pop(f"{service}:{name}", None)
        self._write(data)


class SecretStore:
    """Reads and writes secret values by name: keyring first, then environment variables."""

    def __init__(self, backend: Any | None = None) -> None:
        self._backend = backend
        self._reason: str | None = None

    def _keyring(self) -> Any | None:
        """Return a usable backend, or None (remembering why) when there is none."""
        if self._backend is not None or self._reason is not None:
            return self._backend
        if os.environ.get(BACKEND_ENV, "").lower() == "file":
            self._backend = FileKeyring(data_dir() / "secrets.json")
            return self._backend
        try:
            import keyring
            from keyring.backends import fail

            backend = keyring.get_keyring()
            if isinstance(backend, fail.Keyring):
                self._reason = NO_KEYRING
                return None
            self._backend = backend
        except Exception as exc:  # a broken backend must never crash the app
            self._reason = f"{NO_KEYRING} ({type(exc).__name__})"
        return self._backend

    @property
    def available(self) -> bool:
        """Return True when values can be stored."""
        return self._keyring() is not None

    def unavailable_reason(self, name: str = "NAME") -> str | None:
        """Return the one-line explanation of why secrets cannot be stored, or None."""
        if self._keyring() is not None:
            return None
        return (self._reason or NO_KEYRING).format(env=secret_env_name(name))

    def get(self, name: str, env: tuple[str, ...] = ()) -> str | None:
        """Return the value of secret `name`: keyring, then SMARTER_TUI_SECRET_<NAME>, then `env`."""
        backend = self._keyring()
        if backend is not None:
            try:
                value = backend.get_password(SERVICE, name)
            except Exception:  # a locked or broken keyring reads as "not set"
                value = None
            if value:
                return str(value)
        for variable in (secret_env_name(name), *env):
            if os.environ.get(variable):
                return os.environ[variable]
        return None

    def set(self, name: str, value: str) -> None:
        """Store a value. Raises SecretsUnavailableError (with the way out) when there is no keyring."""
        backend = self._keyring()
        if backend is None:
            raise SecretsUnavailableError(self.unavailable_reason(name) or NO_KEYRING)
        backend.set_password(SERVICE, name, value)

    def delete(self, name: str) -> bool:
        """Delete a stored value; return False when there was none (or no keyring)."""
        backend = self._keyring()
        if backend is None or backend.get_password(SERVICE, name) is None:
            return False
        backend.delete_password(SERVICE, name)
        return True

    def is_set(self, name: str, env: tuple[str, ...] = ()) -> bool:
        """Return True when a value is available for `name`."""
        return self.get(name, env) is not None
