"""Control codes on output surfaces, tool result bounds, API endpoint/origin, model waits (items 8-11).

    python benchmarks/safety_bounds.py

Prints, side by side with the target:
- raw control bytes reaching the terminal from 13 CLI surfaces fed OSC 0/52, C1 CSI/OSC, NUL, BS, CR;
- the bytes and memory of a SQL tool result over 1,000 rows of 100 KB;
- API calls that left their endpoint or origin out of dot-segment and redirect attempts, and how
  long a 1-byte-every-0.5-s server holds a call with timeout 2;
- how long a model server that never answers holds a call with the 60 s default bound (set
  SMARTER_TUI_MODEL_TIMEOUT to try another), and what the message says.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import socket
import sqlite3
import sys
import tempfile
import threading
import time
import tracemalloc
from contextlib import redirect_stderr, redirect_stdout, suppress
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from smarter_tui.domain.errors import ProviderError, ToolError  # noqa: E402
from smarter_tui.domain.models import ModelRequest  # noqa: E402
from smarter_tui.plugins.api import ApiPluginTool  # noqa: E402
from smarter_tui.providers import OpenAICompatibleProvider  # noqa: E402
from tests.support.fake_openai import FakeOpenAI, Reply  # noqa: E402
from tests.support.worlds import ARG, FORBIDDEN, HOSTILE, hostile_manifest  # noqa: E402
from tests.unit.plugins.conftest import LoopbackServer  # noqa: E402
from tests.unit.plugins.conftest import Reply as HttpReply  # noqa: E402
from tests.unit.plugins.test_plugin_api import api_connection, api_manifest, echo  # noqa: E402
from tests.unit.plugins.test_plugin_sql import tool_for  # noqa: E402


def surfaces() -> None:
    from smarter_tui.cli.main import run

    home = Path(tempfile.mkdtemp())
    os.environ["SMARTER_TUI_HOME"] = str(home / "home")
    os.environ["SMARTER_TUI_KEYRING"] = "file"
    with FakeOpenAI() as server:
        manifest = home / "hostile.yaml"
        manifest.write_text(hostile_manifest(server.base_url, client="evil"), encoding="utf-8")

        def call(*args: str) -> bytes:
            out, err = io.StringIO(), io.StringIO()
            with redirect_stdout(out), redirect_stderr(err):
                run(list(args))
            return (out.getvalue() + err.getvalue()).encode()

        call("apply", "-f", str(manifest))
        server.enqueue(
            Reply(
                tool_calls=[("plugin_evil_plugin", "{}"), ("calculator", json.dumps({"expression": HOSTILE}))]
            ),
            Reply(text=f"answer {HOSTILE}"),
        )
        outputs = {"prompt (answer, tool line, tool results)": call("prompt", "evil", f"tell {ARG}")}
        key = json.loads(call("history", "-o", "json"))[0]["key"]
        server.enqueue(*[Reply(status=500, error=HOSTILE, retry_after=0)] * 3)
        outputs["provider error"] = call("prompt", "evil", "again", "--session", key)
        for label, args in {
            "get plugins": ("get", "plugins"),
            "get llmclients": ("get", "llmclients"),
            "get -o yaml": ("get", "plugins", "-o", "yaml"),
            "describe -o json": ("describe", "plugin", "evil_plugin", "-o", "json"),
            "history titles": ("history",),
            "--search snippets": ("history", "--search", "answer"),
            "history KEY": ("history", key),
            "history KEY -o json": ("history", key, "-o", "json"),
            "export markdown": ("export", key),
            "export json": ("export", key, "-o", "json"),
            "error label": ("describe", "plugin", f"x{ARG}"),
        }.items():
            outputs[label] = call(*args)
    print(f"{'surface':42} raw control bytes   target 0")
    for label, output in outputs.items():
        print(f"  {label:40} {len(FORBIDDEN.findall(output)):5d}")


def sql_bounds() -> None:
    path = Path(tempfile.mkdtemp()) / "big.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE blobs (id INTEGER, body TEXT)")
    conn.executemany("INSERT INTO blobs VALUES (?, ?)", [(i, "x" * 100_000) for i in range(1000)])
    conn.commit()
    conn.close()
    tool = tool_for(path, "SELECT id, body FROM blobs", params=[], limit=1000)
    tracemalloc.start()
    text = asyncio.run(tool.run({}))
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    print(
        f"\nSQL tool result over 1,000 rows x 100 KB: {len(text.encode()) / 2**20:.2f} MiB returned "
        f"(target <= 1 MiB; before: 100 MB), peak Python memory {peak:.0f} MiB, "
        f"note: {text.rsplit(chr(10), 1)[-1]}"
    )


def api_bounds() -> None:
    home, other = LoopbackServer(), LoopbackServer()
    home.thread.start()
    other.thread.start()
    other.route("*", echo)
    left = 0
    attempts = 0
    two = [
        {"name": "id", "type": "string", "required": True},
        {"name": "sub", "type": "string", "required": True},
    ]
    tool = ApiPluginTool(api_manifest(endpoint="/api/items/{id}/{sub}/", parameters=two),
                         api_connection(home.url), lambda _n: None)  # fmt: skip
    home.route("*", echo)
    for a, b in [(".", ".."), ("..", ".."), ("7", ".."), ("..", "x"), (".", "."), ("", "x"), ("../..", "..")]:
        attempts += 1
        try:
            result = asyncio.run(tool.run({"id": a, "sub": b}))
            left += not json.loads(result)["path"].startswith("/api/items/")
        except ToolError:
            pass
    for status in (301, 302, 303, 307, 308):
        home.route("*", HttpReply(status, b"", {"Location": f"{other.url}/elsewhere"}))
        attempts += 1
        post = ApiPluginTool(
            api_manifest(endpoint="/x/", method="POST", body={"secret": 1}),
            api_connection(home.url, auth="token", api_key="k"),
            {"k": "tok"}.get,
        )
        with suppress(ToolError):
            asyncio.run(post.run({}))
    left += len(other.requests)

    def drip():  # type: ignore[no-untyped-def]
        for _ in range(60):
            time.sleep(0.5)
            yield b"x"

    home.route("*", HttpReply(200, drip(), {"Content-Type": "text/plain"}, length=60))
    slow = ApiPluginTool(
        api_manifest(endpoint="/slow/"), api_connection(home.url, timeout=2), lambda _n: None
    )
    started = time.monotonic()
    with suppress(ToolError):
        asyncio.run(slow.run({}))
    held = time.monotonic() - started
    for server in (home, other):
        server.httpd.shutdown()
        server.httpd.server_close()
    print(f"\nAPI calls that left their endpoint or origin: {left} of {attempts} attempts (target 0)")
    print(f"a server sending 1 byte every 0.5 s held a call with timeout 2 s for {held:.1f} s (before: 30 s)")


def model_wait() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted: list[socket.socket] = []
    threading.Thread(
        target=lambda: [accepted.append(listener.accept()[0]) for _ in range(8)], daemon=True
    ).start()
    bound = float(os.environ.get("SMARTER_TUI_MODEL_TIMEOUT") or 60)
    provider = OpenAICompatibleProvider("mute", f"http://127.0.0.1:{listener.getsockname()[1]}/v1", "k", "m",
                                        timeout=bound)  # fmt: skip
    import openai  # noqa: F401 - imported before timing

    async def call() -> str:
        try:
            async for _ in provider.complete(
                ModelRequest(model="m", messages=[{"role": "user", "content": "hi"}])
            ):
                pass
        except ProviderError as exc:
            return exc.message
        return "answered?"

    started = time.monotonic()
    message = asyncio.run(call())
    print(
        f"\na model server that never answers held a call {time.monotonic() - started:.1f} s with a "
        f"{bound:g} s bound, {len(accepted)} connection(s) (before: 3 x 60 = 188 s): {message}"
    )


if __name__ == "__main__":
    if "--no-surfaces" not in sys.argv:
        surfaces()
    sql_bounds()
    api_bounds()
    model_wait()
