"""Enter -> the request leaves, in the real `smarter-tui` program in a real terminal (tmux 120x40).

What is measured, per run (a new tmux session each time, like a user starting the app):
1. `smarter-tui --client bench` is launched; `bench` is an LLM client at a loopback
   OpenAI-compatible server (`tests/support/fake_openai.FakeOpenAI`, in another process, so it
   shares neither the app's CPU time nor its GIL). It was applied beforehand by
   `smarter-tui apply`, as a user does it.
2. Usable = a `tmux capture-pane -p` shows the client list's `│ Bench` row and the client's own
   placeholder (only shown once the services are open and the chat with `bench` started). The pane
   is captured whenever the program has written new output (`tui_startup.wait_until_shown`).
3. The prompt is typed at once (`tmux send-keys -l`); Enter is sent 0.3 s after usable.
4. Figure: from just before `tmux send-keys Enter` to the server receiving the chat-completions
   request. Both sides read CLOCK_MONOTONIC, which is system-wide on Linux.

Beside it, when the model worker process was spawned, counted from the launch (from the two
processes' start times in /proc, so with the clock tick's 10 ms resolution), and, as the floor
this figure sits on, how long the worker takes from its spawn to ready when run on its own
(`python -m smarter_tui.providers.worker`, which imports the openai SDK and makes one warm-up
call through it): a request sent through the SDK cannot leave before that.

Bytecode: as in `tui_startup.py`, the program runs without PYTHONDONTWRITEBYTECODE and with a
private PYTHONPYCACHEPREFIX, filled by one unmeasured run.

A/B between commits, as in `tui_startup.py`: `git worktree add /tmp/old REV`, then
`--against /tmp/old` adds a run of that checkout's code (PYTHONPATH first) to every round.

Run: .venv/bin/python benchmarks/tui_first_request.py [--runs N] [--against DIR]
Target: Enter -> request < 100 ms when Enter comes 0.3 s after the chat is usable.
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _stats import started_seconds  # noqa: E402
from tui_startup import PROGRAM, children, tmux, usable, wait_gone, wait_until_shown  # noqa: E402
from tui_streaming import ServerProcess, answer_chunks, bench_manifest, now  # noqa: E402

from smarter_tui.providers.worker_process import spawn_worker  # noqa: E402

PLACEHOLDER = "Say something to the bench..."
CLIENT_ROW = "│ Bench"
TIMEOUT = 15.0
EARLY = 0.3  # seconds between usable and Enter
_USABLE = functools.partial(usable, client_row=CLIENT_ROW, placeholder=PLACEHOLDER)


def one_run(server: ServerProcess, env: str, name: str, output: Path) -> tuple[float, float]:
    """Launch, wait for usable, type, Enter 0.3 s later; return (Enter -> request, worker spawn) in s.

    The program's output is copied into `output` (see `tui_startup.wait_until_shown`)."""
    server.enqueue(chunks=answer_chunks(20))
    before = len(server.times()[0])
    tmux("new-session", "-d", "-s", name, "-x", "120", "-y", "40", f"env {env} {PROGRAM} --client bench")
    pid = int(tmux("display-message", "-p", "-t", name, "#{pane_pid}").strip())  # env execs the program
    try:
        wait_until_shown(name, _USABLE, time.perf_counter(), output)
        usable_at = now()
        tmux("send-keys", "-t", name, "-l", "Hello there.")
        time.sleep(max(0.0, usable_at + EARLY - now()))
        pressed = now()
        tmux("send-keys", "-t", name, "Enter")
        while len(arrivals := server.times()[0]) == before:
            if now() - pressed > TIMEOUT:
                raise RuntimeError("no request reached the server")
            time.sleep(0.005)
        return arrivals[-1] - pressed, started_seconds(children(pid)[0]) - started_seconds(pid)
    finally:
        family = [pid, *children(pid)]
        tmux("kill-session", "-t", name, check=False)
        wait_gone(family)


def worker_alone() -> float:
    """Seconds from spawning the model worker on its own (as the app does) to its `ready` line."""
    started = time.perf_counter()
    process = spawn_worker()
    assert process.stdout is not None and process.stdin is not None
    process.stdout.readline()
    elapsed = time.perf_counter() - started
    process.stdin.close()
    process.wait()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--against", metavar="DIR", help="also run this checkout's code, interleaved")
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        sys.exit("tmux is not installed")
    scratch = Path(tempfile.mkdtemp(prefix="smarter-first-request-"))
    home = scratch / "home"
    cache = scratch / "pycache"
    env = f"-u PYTHONDONTWRITEBYTECODE PYTHONPYCACHEPREFIX={cache} SMARTER_TUI_HOME={home}"
    # The same environment for what this process spawns: `apply` and the lone worker.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ |= {"PYTHONPYCACHEPREFIX": str(cache), "SMARTER_TUI_HOME": str(home)}
    server = ServerProcess()
    tmux("new-session", "-d", "-s", "keepalive", "-x", "120", "-y", "40", "sleep 3600")
    tmux("set-option", "-g", "remain-on-exit", "on")  # a crash leaves its traceback to capture
    try:
        (scratch / "bench.yaml").write_text(bench_manifest(server.base_url, PLACEHOLDER))
        subprocess.run([PROGRAM, "apply", "-f", str(scratch / "bench.yaml")], check=True)
        one_run(server, env, "prime", scratch / "prime.out")  # unmeasured: file cache, bytecode
        other = f"{env} PYTHONPATH={Path(args.against).resolve()}" if args.against else ""
        delays, spawns, alone, others = [], [], [], []
        for i in range(args.runs):  # interleaved, so a change of load falls on all alike
            delay, spawn = one_run(server, env, f"run{i}", scratch / f"run{i}.out")
            delays.append(delay * 1000)
            spawns.append(spawn * 1000)
            alone.append(worker_alone() * 1000)
            if other:
                others.append(one_run(server, other, f"other{i}", scratch / f"other{i}.out")[0] * 1000)
    finally:
        tmux("kill-server", check=False)
        server.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    median = statistics.median(delays)
    print(
        f"Enter {EARLY} s after usable -> request at the server: median {median:.0f} ms, "
        f"min {min(delays):.0f}, max {max(delays):.0f} over {len(delays)} runs  "
        f"target < 100 ms: {'OK' if median < 100 else 'MISSED'}"
    )
    print(f"model worker spawned after launch: median {statistics.median(spawns):.0f} ms (10 ms ticks)")
    print(
        f"floor: the model worker alone, spawn -> ready (imports the openai SDK, one warm-up call): "
        f"median {statistics.median(alone):.0f} ms, min {min(alone):.0f}, max {max(alone):.0f}"
    )
    if others:
        print(
            f"the same, {args.against} (--against), median {statistics.median(others):.0f} ms, "
            f"min {min(others):.0f}, max {max(others):.0f}"
        )
    print(f"machine load (1 min) at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
