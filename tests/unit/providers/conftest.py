"""Fixtures for provider tests: the loopback fake OpenAI server."""

from tests.support.fixtures import fake_openai  # noqa: F401
