"""Fixtures for the storage tests: a fresh database file per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from smarter_tui.storage import Database, open_database


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Return a path for a new database file."""
    return tmp_path / "data" / "smarter.db"


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    """Return an opened, fully migrated database, closed afterwards."""
    database = open_database(db_path)
    yield database
    database.close()
