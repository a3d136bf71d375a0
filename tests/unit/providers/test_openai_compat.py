"""OpenAICompatibleProvider: the real openai SDK against FakeOpenAI on loopback."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time

import pytest

from smarter_tui.domain.errors import ProviderError
from smarter_tui.domain.models import ModelReply, ModelRequest, TextChunk
from smarter_tui.providers import OfflineProvider, OpenAICompatibleProvider, make_provider, preload
from tests.support.fake_openai import FakeOpenAI, Reply

SECRET = "sk-test-SECRET-0123456789abcdef"
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "calculator",
            "description": "Evaluate arithmetic",
            "parameters": {
                "type": "object",
                "properties": {"expression": {"type": "string"}},
                "required": ["expression"],
            },
        },
    }
]


def provider(server: FakeOpenAI, **kwargs: object) -> OpenAICompatibleProvider:
    """Return a provider pointed at the fake server."""
    options: dict = {"api_key": SECRET, "default_model": "fake-model", "timeout": 5.0}
    options.update(kwargs)
    return OpenAICompatibleProvider("fake", server.base_url, **options)


def request(text: str = "Hi", **kwargs: object) -> ModelRequest:
    """Return a one-message request."""
    return ModelRequest(model="fake-model", messages=[{"role": "user", "content": text}], **kwargs)


async def collect(p: OpenAICompatibleProvider, req: ModelRequest) -> tuple[list[str], ModelReply]:
    """Run a call; return the text chunks and the final reply (asserting it comes last, once)."""
    items = [item async for item in p.complete(req)]
    assert isinstance(items[-1], ModelReply)
    assert all(isinstance(i, TextChunk) for i in items[:-1])
    return [i.text for i in items[:-1]], items[-1]


async def test_streaming_text(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Reply(text="Hello there, world", chunks=["Hel", "lo there", ", world"]))
    chunks, reply = await collect(provider(fake_openai), request())
    assert chunks == ["Hel", "lo there", ", world"]
    assert reply.content == "Hello there, world"
    assert reply.finish_reason == "stop"
    assert reply.tool_calls == []
    assert reply.model == "fake-model"
    response = reply.response
    assert response["object"] == "chat.completion"
    assert response["choices"][0]["message"]["content"] == "Hello there, world"
    assert response["choices"][0]["finish_reason"] == "stop"
    assert fake_openai.requests[0]["stream"] is True
    assert fake_openai.requests[0]["stream_options"] == {"include_usage": True}


async def test_non_streaming_text(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Reply(text="Whole answer", usage=(7, 2)))
    chunks, reply = await collect(provider(fake_openai), request(stream=False))
    assert chunks == ["Whole answer"]
    assert reply.content == "Whole answer"
    assert (reply.usage.prompt_tokens, reply.usage.completion_tokens) == (7, 2)
    assert reply.usage.total_tokens == 9
    assert not fake_openai.requests[0].get("stream")
    assert reply.response["usage"]["total_tokens"] == 9


async def test_non_streaming_tool_calls(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Reply(tool_calls=[("calculator", '{"expression": "1+1"}')]))
    chunks, reply = await collect(provider(fake_openai), request(stream=False, tools=TOOLS))
    assert chunks == []
    assert [(c.name, c.arguments) for c in reply.tool_calls] == [("calculator", '{"expression": "1+1"}')]
    assert reply.finish_reason == "tool_calls"


async def test_streamed_tool_call_split_across_chunks(fake_openai: FakeOpenAI) -> None:
    args = json.dumps({"expression": "2**16 + 17"})
    fake_openai.enqueue(Reply(tool_calls=[("calculator", args)], arg_chunks=7))
    chunks, reply = await collect(provider(fake_openai), request(tools=TOOLS))
    assert chunks == []
    assert len(reply.tool_calls) == 1
    call = reply.tool_calls[0]
    assert (call.name, call.arguments) == ("calculator", args)
    assert call.id.startswith("call_")
    assert reply.finish_reason == "tool_calls"
    message = reply.response["choices"][0]["message"]
    assert message["content"] is None
    assert message["tool_calls"][0]["function"] == {"name": "calculator", "arguments": args}


async def test_two_streamed_tool_calls_in_one_reply(fake_openai: FakeOpenAI) -> None:
    first = json.dumps({"expression": "1 + 2 * 3"})
    second = json.dumps({"memory": "The User likes tea"})
    fake_openai.enqueue(
        Reply(
            text="Let me check.",
            tool_calls=[("calculator", first), ("create_memory", second)],
            arg_chunks=5,
        )
    )
    chunks, reply = await collect(provider(fake_openai), request(tools=TOOLS))
    assert "".join(chunks) == "Let me check."
    assert [(c.name, c.arguments) for c in reply.tool_calls] == [
        ("calculator", first),
        ("create_memory", second),
    ]
    assert len({c.id for c in reply.tool_calls}) == 2


async def test_usage_captured_from_stream(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Reply(text="one two", usage=(11, 4)))
    _, reply = await collect(provider(fake_openai), request())
    assert (reply.usage.prompt_tokens, reply.usage.completion_tokens, reply.usage.total_tokens) == (
        11,
        4,
        15,
    )
    assert reply.response["usage"] == {
        "prompt_tokens": 11,
        "completion_tokens": 4,
        "total_tokens": 15,
    }


async def test_request_body(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Reply(text="ok"))
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "2+2?"},
    ]
    req = ModelRequest(model="my-model", messages=messages, tools=TOOLS, temperature=0.0, max_tokens=64)
    await collect(provider(fake_openai), req)
    body = fake_openai.requests[0]
    assert body["model"] == "my-model"
    assert body["messages"] == messages
    assert body["tools"] == TOOLS
    assert body["temperature"] == 0.0  # a real value, not dropped
    assert body["max_tokens"] == 64
    headers = {k.lower(): v for k, v in fake_openai.request_headers[0].items()}
    assert headers["authorization"] == f"Bearer {SECRET}"


async def test_optional_fields_not_sent(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Reply(text="ok"))
    await collect(provider(fake_openai), ModelRequest(model="", messages=[]))
    body = fake_openai.requests[0]
    assert "tools" not in body
    assert "temperature" not in body
    assert "max_tokens" not in body
    assert body["model"] == "fake-model"  # the provider's default model


async def test_keyless_server_gets_placeholder_key(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Reply(text="ok"))
    await collect(provider(fake_openai, api_key=None), request())
    headers = {k.lower(): v for k, v in fake_openai.request_headers[0].items()}
    assert headers["authorization"] == "Bearer not-needed"


async def test_rate_limit_then_success(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Reply(status=429, error="slow down", retry_after=0), Reply(text="done"))
    preload()  # the SDK's first import (seconds on a loaded machine) is not the retry's wait
    started = time.monotonic()
    _, reply = await collect(provider(fake_openai), request())
    assert reply.content == "done"
    assert len(fake_openai.requests) == 2
    assert time.monotonic() - started < 2


async def test_rate_limit_exhausted(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(*[Reply(status=429, error="slow down", retry_after=0)] * 3)
    with pytest.raises(ProviderError) as info:
        await collect(provider(fake_openai, max_retries=2), request())
    assert info.value.status == 429
    assert "Rate limited by the provider (429) after 2 retries" in str(info.value)
    assert len(fake_openai.requests) == 3


async def test_server_error_500(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Reply(status=500, error="the GPU caught fire", retry_after=0))
    with pytest.raises(ProviderError) as info:
        await collect(provider(fake_openai, max_retries=0), request())
    assert info.value.status == 500
    assert str(info.value) == "The model server returned 500: the GPU caught fire"


async def test_bad_request_400_is_not_retried(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Reply(status=400, error="model 'x' not found"))
    with pytest.raises(ProviderError) as info:
        await collect(provider(fake_openai), request(stream=False))
    assert info.value.status == 400
    assert "model 'x' not found" in str(info.value)
    assert len(fake_openai.requests) == 1


async def test_no_scripted_reply_is_visible(fake_openai: FakeOpenAI) -> None:
    with pytest.raises(ProviderError) as info:
        await collect(provider(fake_openai, max_retries=0), request())
    assert "no scripted reply" in str(info.value)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_connection_refused() -> None:
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    p = OpenAICompatibleProvider("down", url, SECRET, "m", timeout=2.0, max_retries=0)
    with pytest.raises(ProviderError) as info:
        await collect(p, request())
    assert str(info.value) == f"Cannot reach {url}: connection refused"
    assert info.value.status is None


async def test_stream_cut_off_mid_answer(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Reply(text="one two three four five", cut_after=2))
    p = provider(fake_openai)
    received: list[str] = []
    with pytest.raises(ProviderError) as info:
        async for item in p.complete(request()):
            assert isinstance(item, TextChunk)
            received.append(item.text)
    assert received == ["one ", "two "]
    assert "dropped in the middle of the answer" in str(info.value)


async def test_non_streaming_body_cut_off(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Reply(text="whole", cut_after=0))
    with pytest.raises(ProviderError):
        await collect(provider(fake_openai, max_retries=0), request(stream=False))


async def test_stream_without_finish_reason_is_an_error(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Reply(text="a b", finish_reason=""))
    with pytest.raises(ProviderError) as info:
        await collect(provider(fake_openai), request())
    assert "before the answer was complete" in str(info.value)


async def test_cancelled_consumer_closes_the_stream(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Reply(text="w1 w2 w3 w4 w5 w6 w7 w8", delay=0.3))
    p = provider(fake_openai)
    first = asyncio.Event()
    received: list[str] = []

    async def consume() -> None:
        async for item in p.complete(request()):
            if isinstance(item, TextChunk):
                received.append(item.text)
                first.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(first.wait(), 5)
    started = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - started < 1.0
    assert len(received) == 1
    assert await asyncio.to_thread(fake_openai.wait_for_disconnect, 2.0)
    assert fake_openai.disconnects == 1


async def test_closing_the_generator_closes_the_stream(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Reply(text="w1 w2 w3 w4 w5 w6", delay=0.3))
    stream = provider(fake_openai).complete(request())
    first = await anext(stream)
    assert isinstance(first, TextChunk)
    await stream.aclose()  # type: ignore[attr-defined]
    assert await asyncio.to_thread(fake_openai.wait_for_disconnect, 2.0)


async def test_one_client_per_provider(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Reply(text="a"), Reply(text="b"))
    p = provider(fake_openai)
    await collect(p, request())
    client = p._client
    await collect(p, request())
    assert p._client is client
    await p.aclose()
    assert p._client is None


async def test_api_key_never_leaks(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Reply(status=401, error=f"Incorrect API key provided: {SECRET}"))
    p = provider(fake_openai)
    assert SECRET not in repr(p)
    assert SECRET not in str(p)
    with pytest.raises(ProviderError) as info:
        await collect(p, request())
    assert info.value.status == 401
    assert SECRET not in str(info.value)
    assert SECRET not in repr(info.value)
    assert "rejected the API key" in str(info.value)
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    down = OpenAICompatibleProvider("down", url, SECRET, "m", timeout=2.0, max_retries=0)
    with pytest.raises(ProviderError) as info:
        await collect(down, request())
    assert SECRET not in str(info.value)


async def test_timeout(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Reply(text="late answer here", delay=1.0))
    p = provider(fake_openai, timeout=0.3, max_retries=0)
    with pytest.raises(ProviderError) as info:
        await collect(p, request())
    assert "did not answer within 0.3 s" in str(info.value)


def test_make_provider() -> None:
    assert isinstance(make_provider("offline", None, None, ""), OfflineProvider)
    assert isinstance(make_provider("ollama", "offline", None, "m"), OfflineProvider)
    assert isinstance(make_provider("local", None, None, "m"), OfflineProvider)
    real = make_provider("ollama", "http://127.0.0.1:11434/v1", None, "llama3", timeout=5)
    assert isinstance(real, OpenAICompatibleProvider)
    assert (real.name, real.offline, real.default_model, real.timeout) == (
        "ollama",
        False,
        "llama3",
        5,
    )


def test_importing_providers_does_not_import_openai() -> None:
    code = "import smarter_tui.providers, sys; assert 'openai' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
