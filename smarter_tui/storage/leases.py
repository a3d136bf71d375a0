"""LeaseStore: one turn at a time per session, for every process on the database (a lease row).

A lease is a row (session key, owner, expiry). Taking it is one conditional UPDATE, or an INSERT
when no row exists; both are plain SQL that SQLite and PostgreSQL run the same way, and the
primary key makes two concurrent INSERTs resolve to one winner. The holder renews it while the turn
runs and deletes it at the end. A holder that died leaves a row that expires; on the same machine a
dead owner process is recognised at once, so a crash never blocks the session for the whole TTL.
"""

from __future__ import annotations

import os
import secrets
import socket
import time
from collections.abc import Callable

import peewee

from smarter_tui.storage.compiled import Statement, slot
from smarter_tui.storage.rows import SessionLeaseRow

#: A lease lives this long without renewal (the holder renews every third of it).
LEASE_TTL_MS = 30_000


# Taken and given back around every turn: compiled once (see `compiled`).
_TAKE_FREE = Statement(
    lambda: SessionLeaseRow.insert(
        session_key=slot("key"), owner=slot("owner"), expires_at=slot("expires_at")
    ).on_conflict_ignore()
)
_RENEW = Statement(
    lambda: SessionLeaseRow.update({SessionLeaseRow.expires_at: slot("expires_at")}).where(
        (SessionLeaseRow.session_key == slot("key")) & (SessionLeaseRow.owner == slot("owner"))
    )
)
_RELEASE = Statement(
    lambda: SessionLeaseRow.delete().where(
        (SessionLeaseRow.session_key == slot("key")) & (SessionLeaseRow.owner == slot("owner"))
    )
)


def _now_ms() -> int:
    return int(time.time() * 1000)


def new_owner() -> str:
    """Return a lease owner id: host, process id and a random token (one per turn)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def owner_is_dead(owner: str) -> bool:
    """Return True when `owner` names a process of this machine that no longer exists."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, owned by another user
        return False
    return False


class LeaseStore:
    """Acquire, renew and release per-session turn leases."""

    def __init__(self, db: peewee.Database, is_dead: Callable[[str], bool] = owner_is_dead) -> None:
        """Use `db` for transactions; `is_dead` decides whether an unexpired lease was abandoned."""
        self._db = db
        self._is_dead = is_dead

    def acquire(self, key: str, owner: str, ttl_ms: int = LEASE_TTL_MS) -> str | None:
        """Take the lease of session `key` for `owner`; return None on success, else the holder."""
        now = _now_ms()
        # The common case, a session nobody is running a turn on, is one statement.
        if _TAKE_FREE.rowcount(self._db, key=key, owner=owner, expires_at=now + ttl_ms):
            return None
        with self._db.atomic():
            taken = (
                SessionLeaseRow.update(owner=owner, expires_at=now + ttl_ms)
                .where(
                    (SessionLeaseRow.session_key == key)
                    & ((SessionLeaseRow.owner == owner) | (SessionLeaseRow.expires_at < now))
                )
                .execute()
            )
            if taken:
                return None
            holder = self.holder(key)
            if holder is None:
                try:
                    # A savepoint: losing the race must not abort the surrounding transaction.
                    with self._db.atomic():
                        SessionLeaseRow.insert(
                            session_key=key, owner=owner, expires_at=now + ttl_ms
                        ).execute()
                    return None
                except peewee.IntegrityError:
                    holder = self.holder(key)
                    if holder is None:  # released in between: try once more
                        return self.acquire(key, owner, ttl_ms)
            if self._is_dead(holder):
                stolen = (
                    SessionLeaseRow.update(owner=owner, expires_at=now + ttl_ms)
                    .where((SessionLeaseRow.session_key == key) & (SessionLeaseRow.owner == holder))
                    .execute()
                )
                if stolen:
                    return None
            return holder

    def renew(self, key: str, owner: str, ttl_ms: int = LEASE_TTL_MS) -> bool:
        """Extend `owner`'s lease; return False when it no longer holds it."""
        return bool(_RENEW.rowcount(self._db, key=key, owner=owner, expires_at=_now_ms() + ttl_ms))

    def release(self, key: str, owner: str) -> None:
        """Give the lease back (only `owner`'s own; a lease taken over since stays)."""
        _RELEASE.execute(self._db, key=key, owner=owner)

    def holder(self, key: str) -> str | None:
        """Return the owner of session `key`'s lease (expired or not), or None."""
        row = SessionLeaseRow.get_or_none(SessionLeaseRow.session_key == key)
        return row.owner if row is not None else None
