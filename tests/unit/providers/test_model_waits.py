"""Model waits are bounded per call and reported as they happened (issue 11 item 10)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from smarter_tui.domain.errors import ProviderError
from smarter_tui.providers import OpenAICompatibleProvider, make_provider, model_timeout
from tests.support.fake_openai import FakeOpenAI, Reply
from tests.unit.providers.test_openai_compat import collect, provider, request


@pytest.fixture
def silent_server() -> Iterator[tuple[str, list[int]]]:
    """A server that accepts connections and never answers; yields (base URL, connection count)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted: list[socket.socket] = []
    count = [0]
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            accepted.append(conn)
            count[0] += 1

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/v1", count
    stop.set()
    thread.join(timeout=2)
    for conn in accepted:
        conn.close()
    listener.close()


async def test_a_server_that_never_answers_is_waited_for_once_within_the_bound(
    silent_server: tuple[str, list[int]],
) -> None:
    url, connections = silent_server
    p = OpenAICompatibleProvider("mute", url, "k", "m", timeout=1.0, max_retries=2)
    with pytest.raises(ProviderError) as info:
        await collect(p, request())
    # One connection, not three: the bound covers every attempt (the SDK no longer retries on its
    # own), and the message states the bound that was really used.
    assert str(info.value) == f"The model server at {url} did not answer within 1 s."
    assert connections[0] == 1


async def test_a_retry_after_longer_than_the_bound_is_reported_not_slept(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Reply(status=429, error="quota", retry_after=3600))
    with pytest.raises(ProviderError) as info:
        await collect(provider(fake_openai, timeout=5.0, max_retries=2), request())
    message = str(info.value)
    assert "retries" not in message and "retry" not in message.split(";")[0]
    assert "it asked to wait 3600 s, longer than the 5 s allowed for a model call" in message
    assert len(fake_openai.requests) == 1


async def test_retries_that_happened_are_counted(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(*[Reply(status=429, error="slow down", retry_after=0)] * 2)
    with pytest.raises(ProviderError) as info:
        await collect(provider(fake_openai, max_retries=1), request())
    assert str(info.value) == "Rate limited by the provider (429) after 1 retry: slow down"
    assert len(fake_openai.requests) == 2


def test_the_bound_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    assert model_timeout() == 60.0
    monkeypatch.setenv("SMARTER_TUI_MODEL_TIMEOUT", "12.5")
    made = make_provider("p", "http://127.0.0.1:1/v1", None, "m")
    assert isinstance(made, OpenAICompatibleProvider) and made.timeout == 12.5
    monkeypatch.setenv("SMARTER_TUI_MODEL_TIMEOUT", "nonsense")
    assert model_timeout() == 60.0
