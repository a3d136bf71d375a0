"""Shared pytest fixtures for tests of every layer (import them in a conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.fake_openai import FakeOpenAI


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    """Yield a started `FakeOpenAI` on 127.0.0.1 (stopped after the test)."""
    with FakeOpenAI() as server:
        yield server
