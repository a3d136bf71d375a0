"""API keys: shown once, stored as salted scrypt hashes, verified (and forgotten once deleted)."""

from __future__ import annotations

from typing import Any

import pytest

from smarter_tui.domain.errors import NotFoundError, RequestError
from smarter_tui.services.api_keys import hash_key, key_matches


def test_create_verify_delete(services: Any) -> None:
    created = services.api_keys.create("me")
    assert len(created.key) == 64 and int(created.key, 16) >= 0
    (stored,) = services.api_keys.list()
    assert stored.name == "me" and created.key not in stored.key_hash
    assert services.api_keys.verify(created.key).name == "me"
    assert services.api_keys.verify(created.key).name == "me"  # the remembered digest path
    assert services.api_keys.verify("0" * 64) is None
    assert services.api_keys.verify("0" * 64) is None  # the remembered rejection path
    services.api_keys.delete("me")
    assert services.api_keys.verify(created.key) is None
    with pytest.raises(NotFoundError):
        services.api_keys.delete("me")


def test_names_are_checked_and_unique(services: Any) -> None:
    services.api_keys.create("ci-bot.1")
    with pytest.raises(RequestError):
        services.api_keys.create("ci-bot.1")
    with pytest.raises(RequestError):
        services.api_keys.create("has space")


def test_hashes_are_salted() -> None:
    first, second = hash_key("same"), hash_key("same")
    assert first != second and first.startswith("scrypt$")
    assert key_matches("same", first) and key_matches("same", second)
    assert not key_matches("other", first) and not key_matches("same", "garbage")
