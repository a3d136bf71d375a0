"""Streaming answers in the chat: render time, latency, CPU share and first-request delay.

Each run is a fresh Python process (`--one-run`) that drives the real `SmarterApp` headless
through Pilot (`app.run_test(size=(120, 40))`) against a loopback OpenAI-compatible server
(`tests/support/fake_openai.FakeOpenAI`) that runs in ANOTHER process, so the server neither
shares the app's GIL nor counts in its CPU time. Both processes stamp events with
CLOCK_MONOTONIC, which is system-wide on Linux, so server and app times compare directly.

In each run (a new SMARTER_TUI_HOME, in-memory keyring, an LLM client `bench` pointed at the
server, chosen after the app has finished its start-up and warm-up):
1. the prompt is typed into the PromptInput and Enter is pressed; the server answers with
   2,000 chunks (one word plus its space or newline each: a heading, paragraphs, a 20-item list,
   a 40-line Python code block, more paragraphs, a last paragraph ending in `ZEBRAEND.`) at full
   speed. Measured:
   (c) first request: from just before `pilot.press("enter")` to the server receiving the
       chat-completions request (stamped in the server's request handler);
   (a) full speed, first answer: from the server writing the last content chunk to "fully
       rendered" (below);
2. a new chat with the same client; the same 2,000-chunk answer at full speed: (a) again, warm;
3. a new chat; an answer of `--slow-tokens` chunks (default 500, i.e. 10 s) with 0.02 s between
   chunks (50 tokens/s): (b) latency of the last token: from the server writing the last content
   chunk to "fully rendered"; and the app process's CPU time (`time.process_time()`, all its
   threads: UI, turn worker, HTTP) over the wall time from the request arriving to the last token
   rendered, i.e. the share of one core the app needs to keep up.

"Fully rendered" = the last Markdown block of the AssistantMessage shows the last word
(`ZEBRAEND`, checked in the block's rendered content, not merely in the source text) AND the
app has then completed one more screen refresh (`call_after_refresh`). A 5 ms poller on the app's
event loop checks the condition, so figures carry up to ~5 ms of polling granularity.
Caveat: in headless mode Textual composes each frame but does not encode it into terminal
escape sequences nor write it, so a real terminal adds that (small) cost on top.

(d) CPU of the 2,000-token answers: user+system time of the app process (`os.times()`, all its
   threads) from just before Enter (or `send`) to "fully rendered", for the first and the second
   answer of run steps 1 and 2.
(e) early Enter, in a separate fresh process per run: the prompt is typed and Enter pressed
   0.3 s after the chat became usable (client shown, prompt focused), without waiting for any
   warm-up; measured from just before Enter to the server receiving the request. Here the
   services (and with them the model worker) open when the app mounts; `tui_first_request.py`
   measures the same through the real program in tmux, whose entry point spawns the worker first.

Run: .venv/bin/python benchmarks/tui_streaming.py [--runs 5] [--slow-tokens 500]
Targets: (a) < 1.5 s, (b) < 100 ms (CPU share: compare 0.7-0.9 core for Elia/oterm),
(c) < 100 ms, (d) < 1.5 s of CPU, (e) < 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

SENTINEL = "ZEBRAEND"
FULL_TOKENS = 2000


def now() -> float:
    """System-wide monotonic time in seconds (comparable between processes on Linux)."""
    return time.clock_gettime(time.CLOCK_MONOTONIC)


def answer_chunks(n: int) -> list[str]:
    """Return `n` stream chunks (one word plus separator each) forming a structured Markdown answer."""
    words = [
        "the",
        "quick",
        "brown",
        "fox",
        "jumps",
        "over",
        "a",
        "lazy",
        "dog",
        "while",
        "streaming",
        "tokens",
        "arrive",
        "from",
        "a",
        "loopback",
        "server",
        "and",
        "the",
        "terminal",
        "renders",
        "markdown",
        "without",
        "freezing",
        "at",
        "all",
    ]
    chunks: list[str] = []

    def paragraph(count: int) -> None:
        for i in range(count):
            chunks.append(words[len(chunks) % len(words)] + (" " if i < count - 1 else ".\n\n"))

    chunks += ["# ", "Benchmark ", "answer\n\n"]
    if n < 600:  # too short for the list and the code block: paragraphs only
        while n - len(chunks) > 60:
            paragraph(50)
        tail = n - len(chunks)
        chunks += [words[i % len(words)] + " " for i in range(tail - 1)] + [f"{SENTINEL}."]
        return chunks
    paragraph(60)
    paragraph(45)
    for item in range(20):  # a bullet list
        chunks += ["- ", "item ", f"{item} ", "has ", "some ", "words\n"]
    chunks.append("\n")
    chunks.append("```python\n")
    for line in range(40):  # a code block
        chunks += [f"total_{line} ", "= ", f"compute({line}, ", "step)\n"]
    chunks.append("```\n\n")
    body = max(0, n - len(chunks) - 30)
    while body > 0:
        size = min(80, body)
        paragraph(size)
        body -= size
    tail = n - len(chunks)
    for i in range(tail - 1):
        chunks.append(words[i % len(words)] + " ")
    chunks.append(f"{SENTINEL}.")
    assert len(chunks) == n, (len(chunks), n)
    return chunks


# -- the loopback server, in its own process ---------------------------------------------------


def serve(conn: Any) -> None:
    """Run a FakeOpenAI that stamps request arrivals and chunk writes; obey commands from `conn`.

    Chunk times: [0] is the leading role chunk, [1..n] the n content chunks, then the finish
    chunk, `[DONE]` and the terminating empty chunk.
    """
    from tests.support.fake_openai import FakeOpenAI, Reply, _Handler

    class TimedFakeOpenAI(FakeOpenAI):
        def __init__(self) -> None:
            super().__init__()
            self.arrivals: list[float] = []
            self.chunk_times: list[float] = []

        def _record_and_pop(self, body: dict[str, Any], headers: dict[str, str]) -> Reply | None:
            self.arrivals.append(now())
            self.chunk_times = []
            return super()._record_and_pop(body, headers)

    original_write = _Handler._write_chunk

    def stamped_write(handler: _Handler, data: bytes) -> None:
        # Stamp before writing: "sent" is when the server starts writing the chunk (this process
        # is the benchmark's own, so patching the handler class here affects nothing else).
        handler.server.owner.chunk_times.append(now())  # type: ignore[attr-defined]
        original_write(handler, data)

    _Handler._write_chunk = stamped_write  # type: ignore[method-assign,assignment]

    server = TimedFakeOpenAI()
    with server:
        conn.send(server.base_url)
        while True:
            command, argument = conn.recv()
            if command == "enqueue":
                server.enqueue(Reply(**argument))
                conn.send(None)
            elif command == "times":
                conn.send((list(server.arrivals), list(server.chunk_times)))
            elif command == "stop":
                conn.send(None)
                return


class ServerProcess:
    """A FakeOpenAI in a child process, driven through a pipe."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=serve, args=(child,), daemon=True)
        self._process.start()
        self.base_url: str = self._conn.recv()

    def _ask(self, command: str, argument: Any = None) -> Any:
        self._conn.send((command, argument))
        return self._conn.recv()

    def enqueue(self, **reply: Any) -> None:
        """Queue one `Reply(**reply)`."""
        self._ask("enqueue", reply)

    def times(self) -> tuple[list[float], list[float]]:
        """Return (request arrival times, chunk write times of the last request)."""
        return self._ask("times")  # type: ignore[no-any-return]

    def stop(self) -> None:
        """Stop the server process."""
        self._ask("stop")
        self._process.join(timeout=5)


# -- the app side --------------------------------------------------------------------------------


def bench_manifest(base_url: str, placeholder: str | None = None) -> str:
    """A Provider at the loopback server and an LLMClient `bench` using it (with `placeholder`)."""
    own = f'\n      appPlaceholder: "{placeholder}"' if placeholder else ""
    return f"""
apiVersion: smarter.sh/v1
kind: Provider
metadata: {{name: loopback, description: benchmark server}}
spec:
  provider: {{baseUrl: "{base_url}", defaultModel: bench, apiKey: null}}
---
apiVersion: smarter.sh/v1
kind: LLMClient
metadata: {{name: bench, description: benchmark client}}
spec:
  config:
    prompt:
      provider: loopback
      appName: Bench{own}
      defaultSystemRole: You are a benchmark.
  extensions: []
  plugins: []
"""


#: Set to "1" to make the app's model calls in its own process (no model worker), for comparison.
IN_PROCESS = "SMARTER_BENCH_IN_PROCESS"


def prepare_database(home: Path, base_url: str) -> Path:
    """Create the database in `home` (examples seeded, the bench client applied) in ANOTHER process.

    As a user does it: manifests are applied by `smarter-tui apply` or an earlier run, not by the
    app that is measured. Applying in the measured process would import the manifest models
    (pydantic and the schemas, several MB, which the app keeps off its path) into its memory
    and its garbage collector's work.
    """
    database = home / "bench.sqlite3"
    manifest = home / "bench.yaml"
    manifest.write_text(bench_manifest(base_url))
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from pathlib import Path;"
        "from smarter_tui.config.secrets import SecretStore;"
        "from smarter_tui.services import Services;"
        "from tests.support.memory_keyring import MemoryKeyring;"
        "s = Services.open(Path(sys.argv[2]), secrets=SecretStore(MemoryKeyring()));"
        "s.catalogue.apply_paths([Path(sys.argv[3])]); s.close()"
    )
    subprocess.run([sys.executable, "-c", code, str(ROOT), str(database), str(manifest)], check=True)
    return database


def open_services(home: Path, base_url: str) -> Any:
    """Services over a fresh database in `home` with the bench client applied (see `prepare_database`)."""
    from smarter_tui.config.secrets import SecretStore
    from smarter_tui.services import Services
    from tests.support.memory_keyring import MemoryKeyring

    database = prepare_database(home, base_url)
    in_process = os.environ.get(IN_PROCESS) == "1"  # the model calls in the app, as without the worker
    return Services.open(database, secrets=SecretStore(MemoryKeyring()), model_worker=not in_process)


async def wait_until(pilot: Any, condition: Any, timeout: float = 60.0, step: float = 0.02) -> None:
    """Let the app run until `condition()` holds."""
    deadline = now() + timeout
    while not condition():
        if now() > deadline:
            raise TimeoutError("condition not met in time")
        await pilot.pause(step)


async def ready_app(pilot: Any) -> Any:
    """Wait for start-up (services, first chat, warm-up worker done); switch to the bench client."""
    app = pilot.app
    await wait_until(pilot, lambda: app.services is not None and app.chat.client is not None)
    await wait_until(pilot, lambda: not [w for w in app.workers if w.group == "startup" and w.is_running])
    bench = next(c for c in app.clients if c.name == "bench")
    await app.start_chat(bench)
    await pilot.pause()
    return bench


async def rendered_at(pilot: Any, step: float = 0.005) -> float:
    """Return the time the answer's last block showed SENTINEL and a refresh had followed."""
    from smarter_tui.ui.widgets.assistant_message import AssistantMessage

    app = pilot.app

    def shows_sentinel() -> bool:
        answers = app.chat.transcript.query(AssistantMessage)
        if not answers:
            return False
        answer = answers.last()
        if not answer.source.endswith(f"{SENTINEL}.") or not answer.children:
            return False
        block = answer.children[-1]
        content = getattr(block, "_content", None)
        text = content.plain if content is not None else str(block.render())
        return SENTINEL in text

    deadline = now() + 60
    while not shows_sentinel():
        if now() > deadline:
            raise TimeoutError("answer not rendered")
        await asyncio.sleep(step)
    refreshed = asyncio.get_running_loop().create_future()

    def stamp() -> None:
        if not refreshed.done():
            refreshed.set_result(now())

    app.chat.call_after_refresh(stamp)
    return await refreshed  # type: ignore[no-any-return]


async def drive(server: ServerProcess, home: Path, slow_tokens: int) -> dict[str, float]:
    """One run: three turns; return the figures in seconds (cpu_share as a fraction)."""
    from smarter_tui.ui.app import SmarterApp
    from smarter_tui.ui.widgets.prompt_input import PromptInput

    services = open_services(home, server.base_url)
    app = SmarterApp(open_services=lambda: services)
    chunks = answer_chunks(FULL_TOKENS)
    slow = answer_chunks(slow_tokens)
    figures: dict[str, float] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        bench = await ready_app(pilot)
        chat = app.chat

        # 1. first prompt, through the keyboard; full-speed 2,000 chunks
        server.enqueue(chunks=chunks)
        prompt = chat.query_one(PromptInput)
        prompt.text = "Write a long answer with a list and some code."
        prompt.focus()
        await pilot.pause()
        cpu0 = cpu()
        pressed = now()
        await pilot.press("enter")
        done = await rendered_at(pilot)
        figures["cpu_first"] = cpu() - cpu0
        arrivals, chunk_times = server.times()
        figures["first_request"] = arrivals[-1] - pressed
        figures["full_first"] = done - chunk_times[FULL_TOKENS]  # [0] is the role chunk
        figures["server_send"] = chunk_times[FULL_TOKENS] - chunk_times[0]
        await wait_until(pilot, lambda: not chat.running)

        # 2. same answer in a new chat (warm)
        await app.start_chat(bench)
        server.enqueue(chunks=chunks)
        cpu0 = cpu()
        await chat.send("Again, please.")
        done = await rendered_at(pilot)
        figures["cpu_warm"] = cpu() - cpu0
        _, chunk_times = server.times()
        figures["full_warm"] = done - chunk_times[FULL_TOKENS]
        await wait_until(pilot, lambda: not chat.running)

        # 3. 50 tokens/s
        await app.start_chat(bench)
        server.enqueue(chunks=slow, delay=0.02)
        await chat.send("Slowly now.")
        await wait_until(pilot, lambda: len(server.times()[0]) == 3, step=0.005)
        cpu0, wall0 = time.process_time(), now()
        done = await rendered_at(pilot)
        cpu1 = time.process_time()
        arrivals, chunk_times = server.times()
        figures["slow_last_token"] = done - chunk_times[slow_tokens]
        figures["slow_cpu_share"] = (cpu1 - cpu0) / (done - wall0)
        figures["slow_rendered_text_ok"] = float(chat.last_answer() == "".join(slow))
        await wait_until(pilot, lambda: not chat.running)
    return figures


def cpu() -> float:
    """Return the user+system CPU seconds of this process so far (all threads)."""
    times = os.times()
    return times.user + times.system


async def drive_early(server: ServerProcess, home: Path) -> dict[str, float]:
    """Enter 0.3 s after the chat is usable (no waiting for warm-up); return the request delay."""
    from smarter_tui.ui.app import SmarterApp
    from smarter_tui.ui.widgets.prompt_input import PromptInput

    services = open_services(home, server.base_url)
    app = SmarterApp(open_services=lambda: services)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(
            pilot,
            lambda: app.chat.client is not None and app.focused is app.chat.query_one(PromptInput),
            step=0.005,
        )
        usable = now()
        await app.start_chat(next(c for c in app.clients if c.name == "bench"))
        server.enqueue(chunks=answer_chunks(100))
        prompt = app.chat.query_one(PromptInput)
        prompt.text = "Hello there."
        await asyncio.sleep(max(0.0, usable + 0.3 - now()))
        pressed = now()
        await pilot.press("enter")
        await wait_until(pilot, lambda: bool(server.times()[0]), step=0.005)
        arrival = server.times()[0][-1]
        await wait_until(pilot, lambda: not app.chat.running)
    return {"early_request": arrival - pressed}


def run_with_server(prefix: str, drive: Callable[[ServerProcess, Path], Awaitable[Any]]) -> None:
    """Child process: run `drive` against a new loopback server in a new SMARTER_TUI_HOME, and
    print what it returns as JSON on the last line of stdout (read by `child_figures`)."""
    server = ServerProcess()
    try:
        with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
            os.environ["SMARTER_TUI_HOME"] = tmp
            result = asyncio.run(drive(server, Path(tmp)))
    finally:
        server.stop()
    print(json.dumps(result))


def child_figures(arguments: list[str], run: int = 0) -> Any:
    """Run this benchmark's `arguments` in a fresh Python process; return its last line's JSON."""
    done = subprocess.run([sys.executable, *arguments], capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        sys.exit(f"run {run} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def one_run(slow_tokens: int, early: bool = False) -> None:
    """Child process: print one run's figures as JSON on the last line of stdout."""
    if early:
        run_with_server("smarter-stream-", drive_early)
    else:
        run_with_server("smarter-stream-", lambda server, home: drive(server, home, slow_tokens))


def summary(label: str, values: list[float], unit: str, target: float | None = None) -> None:
    """Print median/min/max (and the verdict against `target`, same unit)."""
    median = statistics.median(values)
    verdict = f"  target < {target:g} {unit}: {'OK' if median < target else 'MISSED'}" if target else ""
    print(
        f"{label}: median {median:.3f} {unit}, min {min(values):.3f}, max {max(values):.3f} "
        f"over {len(values)} runs{verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--slow-tokens", type=int, default=500)
    parser.add_argument("--one-run", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--early", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_run:
        one_run(args.slow_tokens, args.early)
        return
    runs: list[dict[str, float]] = []
    for i in range(args.runs):
        figures: dict[str, float] = {}
        for early in ([], ["--early"]):
            command = [__file__, "--one-run", "--slow-tokens", str(args.slow_tokens), *early]
            figures.update(child_figures(command, i))
        runs.append(figures)
        print(f"run {i}: " + ", ".join(f"{k}={v:.3f}" for k, v in runs[-1].items()), flush=True)

    def col(key: str, scale: float = 1.0) -> list[float]:
        return [r[key] * scale for r in runs]

    print(f"server wrote the 2,000 chunks in median {statistics.median(col('server_send', 1000)):.0f} ms")
    summary(
        "(a) 2,000 tokens at full speed, first answer: last token sent -> fully rendered",
        col("full_first"),
        "s",
        1.5,
    )
    summary(
        "(a) 2,000 tokens at full speed, second answer: last token sent -> fully rendered",
        col("full_warm"),
        "s",
        1.5,
    )
    summary(
        f"(b) {args.slow_tokens} tokens at 50 tok/s: last token sent -> on screen",
        col("slow_last_token", 1000),
        "ms",
        100,
    )
    summary(
        "(b) CPU share of one core while streaming at 50 tok/s (Elia/oterm: 0.7-0.9)",
        col("slow_cpu_share"),
        "core",
    )
    summary("(c) Enter -> first request at the server", col("first_request", 1000), "ms", 100)
    summary("(d) CPU user+sys, Enter -> 2,000 tokens on screen, first answer", col("cpu_first"), "s", 1.5)
    summary("(d) CPU user+sys, send -> 2,000 tokens on screen, second answer", col("cpu_warm"), "s", 1.5)
    summary(
        "(e) Enter 0.3 s after the chat is usable -> request at the server",
        col("early_request", 1000),
        "ms",
        100,
    )
    if not all(col("slow_rendered_text_ok")):
        print("WARNING: the streamed text differs from what the server sent")


if __name__ == "__main__":
    main()
