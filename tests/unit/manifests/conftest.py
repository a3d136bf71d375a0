"""Shared paths for the manifest tests."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
ASSETS = Path(__file__).resolve().parents[3] / "assets" / "manifests"


@pytest.fixture
def data_dir() -> Path:
    """The directory of the Smarter-style fixture manifests."""
    return DATA


@pytest.fixture
def assets_dir() -> Path:
    """The directory of the bundled example manifests."""
    return ASSETS
