"""`smarter-tui serve` under load: requests/s and p50/p99 beside a bare route of the same stack.

A real uvicorn process serves the real app (FastAPI, the Host/CORS/body-limit middleware, the
services, SQLite in a temp data directory) plus one extra route, `GET /__bare`, that returns `{}`:
the floor of the stack. An httpx client sends, at concurrency 1, 16 and 64:
  (a) the v2 config of a new session,
  (b) the v2 config (not verbose) of a session of 5,000 messages,
  (c) a prompt to the offline client with one calculator round (a new session each time),
and then reports the server's resident memory after 10 and after 1,000 prompts.
Beside each latency: the server process's CPU time per request, and the same above the floor's
(from /proc: on a shared, loaded machine the figure that moves least with the load).
Run: python benchmarks/serve_http.py [requests per level]
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _stats import cpu_seconds  # noqa: E402

V2 = {"X-Smarter-Capabilities": "chat-contract-v2", "Content-Type": "application/json"}
LEVELS = (1, 16, 64)


def serve_child(home: str, port: int) -> None:
    """The server process: the real app plus the bare route, on uvicorn."""
    os.environ["SMARTER_TUI_HOME"] = home
    import uvicorn
    from fastapi.responses import JSONResponse

    from smarter_tui.server.app import create_app
    from smarter_tui.services import Services

    services = Services.open()
    app = create_app(services)

    async def bare() -> JSONResponse:
        return JSONResponse({})

    app.add_api_route("/__bare", bare, methods=["GET"])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def prepare(home: Path, messages: int) -> str:
    """Seed the examples and one session of `messages` messages; return its key."""
    os.environ["SMARTER_TUI_HOME"] = str(home)
    os.environ.setdefault("SMARTER_TUI_KEYRING", "file")
    from smarter_tui.domain.messages import Message, Role, ToolCall
    from smarter_tui.domain.records import SessionInfo
    from smarter_tui.services import Services

    services = Services.open()
    key = secrets.token_hex(32)
    history = [Message(Role.SYSTEM, "You are helpful.")]
    i = 0
    while len(history) < messages:
        call = ToolCall(f"call_{i}", "calculator", f'{{"expression": "{i} * 2"}}')
        history += [
            Message(Role.USER, f"What is {i} * 2?"),
            Message(Role.ASSISTANT, None, tool_calls=[call]),
            Message(Role.TOOL, f'{{"result": {i * 2}}}', tool_call_id=call.id, name="calculator"),
            Message(Role.ASSISTANT, f"The result is {i * 2}."),
        ]
        i += 1
    services.db.sessions.bulk_import([(SessionInfo(key, "general_assistant"), history[:messages])])
    services.close()
    return key


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_ms(pid: int) -> float:
    """Return the CPU time (user + system) process `pid` has used so far, in milliseconds."""
    return cpu_seconds(pid) * 1000


async def load(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    body: object,
    total: int,
    concurrency: int,
    pid: int | None = None,
) -> tuple[float, list[float], int, float]:
    """Send `total` requests, `concurrency` at a time.

    Return (req/s, latencies ms, errors, server CPU ms per request); the CPU figure (from
    /proc, so with the clock tick's resolution) is what the machine's load changes least.
    """
    latencies: list[float] = []
    errors = 0
    queue = iter(range(total))

    async def worker() -> None:
        nonlocal errors
        for _ in queue:
            started = time.perf_counter()
            response = await client.request(method, path, json=body, headers=V2 if body is not None else None)
            latencies.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                errors += 1

    cpu_before = cpu_ms(pid) if pid else 0.0
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    cpu = (cpu_ms(pid) - cpu_before) / total if pid else float("nan")
    return total / elapsed, latencies, errors, cpu


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def bench(base: str, key: str, requests: int, pid: int) -> None:
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
        config = "/api/v1/llm-clients/general_assistant/config/"
        prompt = "/api/v1/llm-clients/general_assistant/prompt/"
        cases = [
            ("(a) config, new session", "POST", config, {"session_key": None}),
            ("(b) config, 5,000 messages", "POST", config, {"session_key": key}),
            (
                "(c) prompt, calculator",
                "POST",
                prompt,
                {"messages": [{"role": "user", "content": "What is 12 * 34?"}]},
            ),
        ]
        await load(client, "GET", "/__bare", None, 50, 4)  # warm-up
        for _, method, path, body in cases:
            await load(client, method, path, body, 10, 2)
        print(
            f"{'route':<30} {'conc':>4} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'floor p50':>9} "
            f"{'p50-floor':>9} {'errors':>6} {'cpu ms':>7} {'cpu-floor':>9}"
        )
        for label, method, path, body in cases:
            for concurrency in LEVELS:
                floor_rps, floor, _, floor_cpu = await load(
                    client, "GET", "/__bare", None, requests, concurrency, pid
                )
                rps, times, errors, cpu = await load(client, method, path, body, requests, concurrency, pid)
                p50, floor50 = statistics.median(times), statistics.median(floor)
                print(
                    f"{label:<30} {concurrency:>4} {rps:>8.1f} {p50:>8.2f} {pct(times, 0.99):>8.2f} "
                    f"{floor50:>9.2f} {p50 - floor50:>9.2f} {errors:>6} {cpu:>7.2f} {cpu - floor_cpu:>9.2f}"
                    f"   (floor {floor_rps:.0f} req/s)"
                )
        body = cases[2][3]
        await load(client, "POST", prompt, body, 10, 1)
        after_10 = rss_mb(pid)
        await load(client, "POST", prompt, body, 990, 8)
        after_1000 = rss_mb(pid)
        print(
            f"server RSS after 10 prompts {after_10:.1f} MB, after 1,000 {after_1000:.1f} MB "
            f"(+{after_1000 - after_10:.1f} MB; target within 20 MB)"
        )


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--serve":
        serve_child(sys.argv[2], int(sys.argv[3]))
        return
    requests = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        key = prepare(home, 5000)
        port = free_port()
        env = {**os.environ, "SMARTER_TUI_HOME": str(home), "SMARTER_TUI_KEYRING": "file"}
        server = subprocess.Popen([sys.executable, __file__, "--serve", str(home), str(port)], env=env)
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(base + "/__bare", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    assert time.monotonic() < deadline, "server did not start"
                    time.sleep(0.1)
            print(
                f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; "
                f"{requests} requests per level"
            )
            asyncio.run(bench(base, key, requests, server.pid))
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
