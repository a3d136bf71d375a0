"""The `db` commands' service: status, migrations and copies of databases, on either engine."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from smarter_tui.config.paths import DATABASE_SECRET, database_target
from smarter_tui.config.secrets import SecretStore
from smarter_tui.domain.errors import RequestError
from smarter_tui.storage import transfer
from smarter_tui.storage.database import is_database_url
from smarter_tui.storage.transfer import CopyReport


class DatabaseAdmin:
    """Works on a database by location (no stores opened): the configured one unless told."""

    def __init__(self, secrets: SecretStore | None = None, database_url: str | None = None) -> None:
        """Use `database_url` (else $DATABASE_URL, else the SQLite file) as the configured database."""
        self.secrets = secrets or SecretStore()
        self.configured = database_target(database_url)

    def _password(self, target: Path | str) -> str | None:
        return self.secrets.get(DATABASE_SECRET) if is_database_url(target) else None

    def _target(self, given: str | None) -> Path | str:
        if given is None:
            return self.configured
        return given if is_database_url(given) else Path(given).expanduser()

    def status(self, target: str | None = None) -> dict[str, Any]:
        """Return engine, location without password, schema version and row counts."""
        where = self._target(target)
        return transfer.status(where, self._password(where))

    def migrate(self, target: str | None = None) -> tuple[int, int]:
        """Apply pending migrations; return the schema version before and after."""
        where = self._target(target)
        return transfer.migrate_database(where, self._password(where))

    def copy(
        self,
        to: str | None = None,
        source: str | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> CopyReport:
        """Copy the configured database to `to`, or `source` into the configured one.

        Raises RequestError unless exactly one of them is given, or when both ends are the same.
        """
        if (to is None) == (source is None):
            raise RequestError("db copy needs exactly one of --to URL or --from URL")
        src, dst = (self.configured, self._target(to)) if to else (self._target(source), self.configured)
        if str(src) == str(dst):
            raise RequestError("db copy: the source and the destination are the same database")
        return transfer.copy_database(src, dst, self._password(src), self._password(dst), progress)
