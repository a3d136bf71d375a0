"""The end-to-end tests' command line, on the test's engine (DATABASE_URL set for PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.cli import Cli


@pytest.fixture
def cli(database_target: Path | str, tmp_path: Path) -> Cli:
    """Return the real CLI with its own data directory (and, on PostgreSQL, a fresh DATABASE_URL)."""
    env = {"DATABASE_URL": database_target} if isinstance(database_target, str) else {"DATABASE_URL": ""}
    return Cli(tmp_path / "home", env=env)
