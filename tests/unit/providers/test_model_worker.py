"""The model worker process: the TUI's model calls made by a real worker, the real SDK, FakeOpenAI."""

from __future__ import annotations

import asyncio
import gc
import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from smarter_tui.domain.errors import ProviderError
from smarter_tui.domain.models import ModelReply, ModelRequest, TextChunk
from smarter_tui.providers import OfflineProvider
from smarter_tui.providers.remote import ModelWorker, WorkerProvider
from smarter_tui.providers.worker_process import spawn_worker
from tests.support.fake_openai import FakeOpenAI, Reply

SECRET = "sk-test-SECRET-0123456789abcdef"


@pytest.fixture
def worker() -> Iterator[ModelWorker]:
    model_worker = ModelWorker.start()
    yield model_worker
    model_worker.close()


def provider(worker: ModelWorker, server: FakeOpenAI) -> WorkerProvider:
    made = worker.make_provider("fake", server.base_url, SECRET, "fake-model", timeout=5.0)
    assert isinstance(made, WorkerProvider)
    return made


def request(text: str = "Hi", **kwargs: object) -> ModelRequest:
    return ModelRequest(model="fake-model", messages=[{"role": "user", "content": text}], **kwargs)


async def collect(p: WorkerProvider, req: ModelRequest) -> tuple[list[str], ModelReply]:
    items = [item async for item in p.complete(req)]
    assert isinstance(items[-1], ModelReply)
    assert all(isinstance(i, TextChunk) for i in items[:-1])
    return [i.text for i in items[:-1]], items[-1]


async def test_the_worker_imports_nothing_from_the_directory_the_app_was_started_in(
    fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A user's project folder may hold an `openai/` package (or a `json.py`) of its own.
    (tmp_path / "openai").mkdir()
    (tmp_path / "openai" / "__init__.py").write_text("raise ImportError('the current directory')\n")
    monkeypatch.chdir(tmp_path)
    model_worker = ModelWorker.start(spawn_worker())
    try:
        fake_openai.enqueue(Reply(text="from the real SDK"))
        _, reply = await collect(provider(model_worker, fake_openai), request())
        assert reply.content == "from the real SDK"
    finally:
        model_worker.close()


async def test_a_worker_spawned_earlier_is_taken_over(fake_openai: FakeOpenAI) -> None:
    # The app spawns the process first of all and hands it to the services (see __main__).
    process = spawn_worker()
    model_worker = ModelWorker.start(process)
    try:
        fake_openai.enqueue(Reply(text="early", chunks=["ear", "ly"]))
        chunks, reply = await collect(provider(model_worker, fake_openai), request())
        assert (chunks, reply.content) == (["ear", "ly"], "early")
        assert model_worker._channel is not None and model_worker._channel.process is process
    finally:
        model_worker.close()
    assert process.returncode == 0  # ended by closing its input, not killed


async def test_a_streamed_answer_and_a_tool_call_come_through_the_worker(
    worker: ModelWorker, fake_openai: FakeOpenAI
) -> None:
    args = json.dumps({"expression": "2**16 + 17"})
    fake_openai.enqueue(
        Reply(text="Hello there, world", chunks=["Hel", "lo there", ", world"]),
        Reply(tool_calls=[("calculator", args)], arg_chunks=5),
    )
    p = provider(worker, fake_openai)
    chunks, reply = await collect(p, request())
    assert chunks == ["Hel", "lo there", ", world"]
    assert reply.content == "Hello there, world"
    assert reply.response["choices"][0]["message"]["content"] == "Hello there, world"
    _, reply = await collect(p, request("calc"))
    assert [(c.name, c.arguments) for c in reply.tool_calls] == [("calculator", args)]
    assert reply.finish_reason == "tool_calls"
    headers = {k.lower(): v for k, v in fake_openai.request_headers[0].items()}
    assert headers["authorization"] == f"Bearer {SECRET}"


async def test_errors_arrive_as_provider_errors(worker: ModelWorker, fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Reply(status=400, error="model 'x' not found"))
    with pytest.raises(ProviderError) as info:
        await collect(provider(worker, fake_openai), request(stream=False))
    assert info.value.status == 400
    assert "model 'x' not found" in str(info.value)
    assert SECRET not in str(info.value)


async def test_cancelling_the_consumer_closes_the_stream_in_the_worker(
    worker: ModelWorker, fake_openai: FakeOpenAI
) -> None:
    fake_openai.enqueue(Reply(text="w1 w2 w3 w4 w5 w6 w7 w8", delay=0.3), Reply(text="next"))
    p = provider(worker, fake_openai)
    first = asyncio.Event()

    async def consume() -> None:
        async for item in p.complete(request()):
            if isinstance(item, TextChunk):
                first.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(first.wait(), 20)
    started = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - started < 1.0
    assert await asyncio.to_thread(fake_openai.wait_for_disconnect, 5.0)
    _, reply = await collect(p, request())  # the worker goes on serving
    assert reply.content == "next"


async def test_a_killed_worker_fails_the_call_and_the_next_call_starts_a_new_one(
    worker: ModelWorker, fake_openai: FakeOpenAI
) -> None:
    fake_openai.enqueue(Reply(text="w1 w2 w3 w4 w5 w6", delay=0.5), Reply(text="again"))
    p = provider(worker, fake_openai)
    stream = p.complete(request())
    assert isinstance(await anext(stream), TextChunk)
    channel = worker._channel
    assert channel is not None
    channel.process.kill()
    with pytest.raises(ProviderError, match="worker process stopped"):
        async for _ in stream:
            pass
    _, reply = await collect(p, request())  # its provider is opened again in the new process
    assert reply.content == "again"
    assert worker._channel is not channel


async def test_list_models_through_the_worker(worker: ModelWorker, fake_openai: FakeOpenAI) -> None:
    models = await provider(worker, fake_openai).list_models()
    assert models == sorted(models) and models


def test_offline_configurations_stay_in_process(worker: ModelWorker) -> None:
    assert isinstance(worker.make_provider("offline", None, None, "offline-demo"), OfflineProvider)


def test_closing_ends_the_process(fake_openai: FakeOpenAI) -> None:
    model_worker = ModelWorker.start()
    channel = model_worker._channel
    assert channel is not None
    model_worker.close()
    assert channel.process.poll() is not None


def test_the_worker_imports_the_sdk_and_the_app_side_does_not() -> None:
    import subprocess

    code = (
        "import sys\n"
        "from smarter_tui.providers.remote import ModelWorker\n"
        "w = ModelWorker.start()\n"
        "assert 'openai' not in sys.modules, 'the app side imported the SDK'\n"
        "w.close()\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


async def test_the_warm_up_streams_a_tool_call_through_the_sdk_past_any_proxy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # What the worker does before it says ready: one real SDK call against its loopback server,
    # never through a proxy of the environment (a dead one here: the call would fail).
    from smarter_tui.providers.worker import warm_up

    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")  # discard: nothing listens there
    assert await warm_up() is True


async def test_a_warm_up_that_gets_no_answer_gives_up(monkeypatch: pytest.MonkeyPatch) -> None:
    # Its server hangs up without answering: the worker goes on without the warm-up.
    from smarter_tui.providers import worker

    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    monkeypatch.setattr(worker, "_answer_warm_up", hang_up)
    assert await worker.warm_up() is False


@pytest.mark.parametrize(
    ("args", "code"),
    [(["--client"], 2), (["--client", "nosuch"], 1)],
    ids=["malformed flag", "unknown client"],
)
def test_a_launch_that_fails_ends_the_model_worker_at_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, args: list[str], code: int
) -> None:
    # The program ends at once with a one-line error: the worker, spawned first of all, would
    # otherwise import the SDK for nothing and linger for a second or more after the message.
    from smarter_tui import __main__ as entry
    from smarter_tui.providers import worker_process

    monkeypatch.setenv("SMARTER_TUI_HOME", str(tmp_path / "home"))
    real_spawn = worker_process.spawn_worker
    spawned: list[subprocess.Popen[bytes]] = []

    def spawn() -> subprocess.Popen[bytes]:
        spawned.append(real_spawn())
        return spawned[-1]

    monkeypatch.setattr(worker_process, "spawn_worker", spawn)
    try:
        assert entry.main(args) == code
    except SystemExit as exited:
        assert exited.code == code
    finally:
        gc.enable()  # main() pauses the collector for the app's start-up
    [process] = spawned
    assert process.wait(timeout=5) == -signal.SIGKILL  # killed, not left to end by itself
    for pipe in (process.stdin, process.stdout):
        assert pipe is not None
        pipe.close()
