"""API keys of `smarter-tui serve`: create (shown once), list, delete, and check a presented key."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from smarter_tui.domain.errors import RequestError
from smarter_tui.domain.records import ApiKeyRecord
from smarter_tui.storage import Database

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
# scrypt with the parameters the Python docs and OWASP suggest for interactive logins (16 MiB).
_N, _R, _P = 2**14, 8, 1
_REJECTED_KEPT = 1024
_TOUCH_EVERY = 60.0  # seconds: `last used` is a coarse hint, not a write per request


def hash_key(key: str, salt: bytes | None = None) -> str:
    """Return the stored form of a key: `scrypt$n$r$p$<salt hex>$<hash hex>` (a fresh salt if none)."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(key.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def key_matches(key: str, stored: str) -> bool:
    """Return True when `key` hashes to `stored` (constant-time comparison)."""
    try:
        scheme, n, r, p, salt_hex, digest_hex = stored.split("$")
        if scheme != "scrypt":
            return False
        digest = hashlib.scrypt(
            key.encode(), salt=bytes.fromhex(salt_hex), n=int(n), r=int(r), p=int(p), dklen=32
        )
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(digest.hex(), digest_hex)


@dataclass(slots=True)
class CreatedKey:
    """A new key: its record and the key itself, which is shown once and never stored."""

    record: ApiKeyRecord
    key: str


class ApiKeyService:
    """The server's API keys. A verified key is remembered by a fast digest, so scrypt runs once per key."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._verified: dict[bytes, int] = {}  # sha256(key) -> key row id, for this process only
        # Keys that matched nothing (bounded): a key is random, so a wrong one never becomes right,
        # and a client retrying a wrong key must not cost a scrypt per stored key every time.
        self._rejected: OrderedDict[bytes, None] = OrderedDict()
        self._touched: dict[int, float] = {}
        self._lock = threading.Lock()

    def create(self, name: str) -> CreatedKey:
        """Create a random key called `name`; return it (the only time it is available).

        Raises RequestError for a bad or taken name.
        """
        if not _NAME.match(name or ""):
            raise RequestError(
                "An API key name is 1-64 letters, digits, '_', '-' or '.', starting with a letter or digit"
            )
        key = secrets.token_hex(32)
        record = self.db.api_keys.add(name, hash_key(key))
        return CreatedKey(record=record, key=key)

    def list(self) -> list[ApiKeyRecord]:
        """Return every key's record (name, created, last used; hashes stay inside)."""
        return self.db.api_keys.list()

    def delete(self, name: str) -> None:
        """Delete a key; raise NotFoundError when there is none of that name."""
        self.db.api_keys.delete(name)

    def exists(self) -> bool:
        """Return True when at least one key has been created."""
        return bool(self.db.api_keys.list())

    def verify(self, key: str) -> ApiKeyRecord | None:
        """Return the record of the key presented, or None when no stored key matches.

        A key deleted (by the CLI, in another process) stops working at the next request.
        """
        if not key or len(key) > 256:
            return None
        fast = hashlib.sha256(key.encode()).digest()
        with self._lock:
            known = self._verified.get(fast)
            if known is None and fast in self._rejected:
                self._rejected.move_to_end(fast)
                return None
        if known is not None:
            record = self.db.api_keys.get(known)
            if record is not None:
                self._touch(record.id)
                return record
            with self._lock:
                self._verified.pop(fast, None)
        for record in self.db.api_keys.list():
            if key_matches(key, record.key_hash):
                with self._lock:
                    self._verified[fast] = record.id
                self._touch(record.id)
                return record
        with self._lock:
            self._rejected[fast] = None
            while len(self._rejected) > _REJECTED_KEPT:
                self._rejected.popitem(last=False)
        return None

    def _touch(self, key_id: int) -> None:
        now = time.monotonic()
        with self._lock:
            if now - self._touched.get(key_id, -_TOUCH_EVERY) < _TOUCH_EVERY:
                return
            self._touched[key_id] = now
        self.db.api_keys.touch(key_id)
