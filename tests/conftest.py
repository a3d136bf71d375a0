"""Shared fixtures: an isolated data directory, an in-memory keyring, services over a temp database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from tests.support.fixtures import fake_openai  # noqa: F401  (re-exported fixture)
from tests.support.memory_keyring import MemoryKeyring


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point SMARTER_TUI_HOME at a temp dir and clear provider keys from the environment."""
    home = tmp_path / "home"
    monkeypatch.setenv("SMARTER_TUI_HOME", str(home))
    for variable in ("OPENAI_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY", "SMARTER_TUI_KEYRING"):
        monkeypatch.delenv(variable, raising=False)
    return home


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    """Install an in-memory keyring backend for the test."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def services(tmp_path: Path, memory_keyring: MemoryKeyring):  # type: ignore[no-untyped-def]
    """Services over a fresh database in tmp_path, with the bundled examples applied."""
    from smarter_tui.config.secrets import SecretStore
    from smarter_tui.services import Services

    svc = Services.open(tmp_path / "test.sqlite3", secrets=SecretStore(memory_keyring))
    yield svc
    svc.close()
