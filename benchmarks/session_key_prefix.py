"""Resolving a short session key (an 8-character prefix) on a database of 10,000 sessions.

Prints the time of `SessionService.resolve_key` (one range over the unique index on
session_key) beside the same question asked with a scan of the table (substr(...) = prefix),
the reference it must beat. Run: python benchmarks/session_key_prefix.py
"""

from __future__ import annotations

import secrets
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _stats import measure, report  # noqa: E402

from smarter_tui.config.secrets import SecretStore  # noqa: E402
from smarter_tui.domain.records import SessionInfo  # noqa: E402
from smarter_tui.services import Services  # noqa: E402
from tests.support.memory_keyring import MemoryKeyring  # noqa: E402

SESSIONS = 10_000


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        services = Services.open(Path(folder) / "keys.sqlite3", secrets=SecretStore(MemoryKeyring()))
        keys = [secrets.token_hex(32) for _ in range(SESSIONS)]
        stamp = datetime(2024, 1, 1, tzinfo=UTC)
        services.db.sessions.bulk_import((SessionInfo(k, "general_assistant", None, stamp), []) for k in keys)
        probes = [k[:8] for k in keys[:: SESSIONS // 100]]
        index = iter(range(10**9))

        def resolve() -> None:
            prefix = probes[next(index) % len(probes)]
            assert services.sessions.resolve_key(prefix).startswith(prefix)

        connection = services.db._db.connection()  # the reference query, on the same connection

        def scan() -> None:
            prefix = probes[next(index) % len(probes)]
            sql = "SELECT session_key FROM sessions WHERE substr(session_key, 1, ?) = ? LIMIT 11"
            assert connection.execute(sql, (len(prefix), prefix)).fetchall()

        print(f"{SESSIONS:,} sessions")
        report("resolve_key(8-character prefix), indexed range", measure(resolve, 500), target_ms=1.0)
        report("reference: the same lookup as a table scan", measure(scan, 100))
        services.close()


if __name__ == "__main__":
    main()
