"""Start-up to a usable screen: the real `smarter-tui` program in a real terminal (tmux 120x40).

What is measured: the wall time from launching the program (just before `tmux new-session`
is called, so tmux's own spawn cost is included) until a `tmux capture-pane -p` of the pane
shows BOTH
- the client list filled in (a line starting with `│ General Assistant`: the bundled client's
  row in the left-hand list; the welcome card's title is further right), and
- the chat input showing the chosen client's placeholder (`Ask me anything...`, ASCII dots;
  the input's built-in default is `Ask me anything…` with a Unicode ellipsis, so the client's
  one only appears once the services are open and the chat with `general_assistant` started).
The pane is captured each time the program has written new output (seen through `tmux
pipe-pane`, see `wait_until_shown`), so figures carry one capture (~10 ms) of latency, and the
benchmark's own polling no longer competes with the program. The program is killed after each run.

Beside the wall time, the CPU time the program had used when it became usable is reported: on a
shared, loaded machine the wall time mostly measures the neighbours, the CPU time measures the
program. It is user + system from /proc/PID/stat, which counts every thread the process ever had,
ended ones included (the clock tick's resolution, 10 ms). Summing /proc/PID/task/*/schedstat, as an
earlier version did, misses threads that have already ended, such as the one that opens the
services during start-up, and under-counted the app by about a third. The model worker (a child
process) is reported on its own line: it runs on the other core and the bare app has none.

Bare, first-run and warm launches are interleaved round by round, so a change in the machine's
load during the benchmark falls on all three alike. After each run the benchmark waits until the
killed program and its children are gone, so a shutdown never overlaps the next launch.

The reference is `benchmarks/bare_app.py` (a bare Textual app showing one focused Input with the
same placeholder), launched the same way and counted usable once the placeholder shows; the
target is start-up at most 1.5x the bare app's (warm start, medians).

Two cases, reported separately:
- first run: a brand-new `SMARTER_TUI_HOME` per run (database created, examples seeded, the
  start-up caches of `config/code_cache` and `ui/css_cache` built): once per data directory, so
  reported without a target (the bare app's figure is a warm one: its bytecode is compiled);
- warm start: one `SMARTER_TUI_HOME` reused (created by an unmeasured run first).
The OS file cache is warm in both (one unmeasured run up front).

Bytecode: an installed package ships (or writes on first import) `.pyc` files, but this
workspace exports PYTHONDONTWRITEBYTECODE=1, so every launch here recompiles the project's own
~60 modules from source (~40 ms). The main figures therefore run the program with that variable
removed and PYTHONPYCACHEPREFIX pointing at a private scratch directory (filled by the unmeasured
run; the working tree is not touched); `--as-is` also measures the environment unchanged.

A private tmux server (`tmux -L <name>`) is started once and kept alive so the server's own
start-up is not counted; it is killed at the end.

A/B between commits: `git worktree add /tmp/old REV`, then `--against /tmp/old` adds a warm start
of that checkout's code (PYTHONPATH puts its package first) to every round. On this shared machine
the bare app's own figure moves by a third between runs; the A/B ratio is the steadier figure.

Run: .venv/bin/python benchmarks/tui_startup.py [--runs N] [--against DIR]
Targets: median < 0.5 s; warm start <= 1.5x the bare Textual app.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _stats import cpu_seconds, report  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PROGRAM = ROOT / ".venv" / "bin" / "smarter-tui"
BARE = f"{ROOT / '.venv' / 'bin' / 'python'} {Path(__file__).resolve().parent / 'bare_app.py'}"
CLIENT_ROW = "│ General Assistant"  # the left-hand client list starts each line
PLACEHOLDER = "Ask me anything..."
TIMEOUT = 15.0
SOCKET = f"smarter-bench-{os.getpid()}"


def tmux(*args: str, check: bool = True) -> str:
    """Run a tmux command on the private server; return its stdout."""
    done = subprocess.run(["tmux", "-L", SOCKET, *args], capture_output=True, text=True, check=check)
    return done.stdout


def usable(screen: str, client_row: str = CLIENT_ROW, placeholder: str = PLACEHOLDER) -> bool:
    """True when the capture shows the client list (a line starting with `client_row`) and the
    client's input placeholder."""
    lines = screen.splitlines()
    return any(line.startswith(client_row) for line in lines) and placeholder in screen


def bare_usable(screen: str) -> bool:
    """True when the bare app's Input shows its placeholder."""
    return PLACEHOLDER in screen


#: CPU seconds of each measured run when it became usable, by series label (see `cpu_seconds`).
CPU: dict[str, list[float]] = {}
#: CPU seconds its child processes (the model worker) had used by then, by series label.
CHILD_CPU: dict[str, list[float]] = {}


def children(pid: int) -> list[int]:
    """Return the pids of the direct children of process `pid` (of all its threads)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue  # a thread that ended meanwhile
    return found


def wait_gone(pids: list[int], timeout: float = 5.0) -> None:
    """Wait until none of `pids` exists any more (or `timeout` passes)."""
    deadline = time.monotonic() + timeout
    while any(Path(f"/proc/{pid}").exists() for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.01)


def wait_until_shown(name: str, shown: Callable[[str], bool], started: float, output: Path) -> float:
    """Capture pane `name` until `shown(capture)`; return the seconds since `started` (perf_counter).

    A capture is taken only after the program has written something new: its output is copied into
    `output` by `tmux pipe-pane`, whose size is looked at every 2 ms (a `stat`, microseconds), with
    a capture at least every 100 ms besides. Each capture is a tmux client process of ~5 ms CPU;
    capturing every 10 ms, as this did before, took ~30% of a core. On a 2-core machine that came
    out of the app and its model worker, which keep both cores busy at start-up, while the bare
    app leaves a core free for it: the ratio counted the benchmark's own load against the app.
    """
    tmux("pipe-pane", "-t", name, "-o", f"cat >> {output}")
    seen, captured = -1, 0.0
    while True:
        size = output.stat().st_size if output.exists() else 0
        if size != seen or time.perf_counter() - captured > 0.1:
            seen, captured = size, time.perf_counter()
            screen = tmux("capture-pane", "-p", "-t", name, check=False)
            elapsed = time.perf_counter() - started
            if shown(screen):
                return elapsed
            if elapsed > TIMEOUT:
                raise RuntimeError(f"screen not usable after {TIMEOUT} s:\n{screen}")
        time.sleep(0.002)


def one_run(home: Path, name: str, env: str = "", program: str = "") -> float:
    """Launch the app (or `program`) in a new tmux session; return seconds until it is usable.

    The CPU time it had used by then is appended to CPU[name without its run number].
    """
    command = f"env {env} SMARTER_TUI_HOME={home} {program or PROGRAM}"
    is_usable = bare_usable if program else usable
    started = time.perf_counter()
    tmux("new-session", "-d", "-s", name, "-x", "120", "-y", "40", command)
    pid = int(tmux("display-message", "-p", "-t", name, "#{pane_pid}").strip())  # env execs the program
    try:
        elapsed = wait_until_shown(name, is_usable, started, home.parent / f"{name}.out")
        label = name.rstrip("0123456789")
        CPU.setdefault(label, []).append(cpu_seconds(pid))
        CHILD_CPU.setdefault(label, []).append(sum(cpu_seconds(c) for c in children(pid)))
        return elapsed
    finally:
        family = [pid, *children(pid)]
        tmux("kill-session", "-t", name, check=False)
        # The app shuts down on SIGHUP; a fixed sleep let that overlap the next launch.
        wait_gone(family)


def series(scratch: Path, label: str, env: str, runs: int, against: str = "") -> dict[str, list[float]]:
    """Prime once, then `runs` rounds of a bare, a first-run and a warm-start launch (ms).

    Returns {"bare": [...], "first": [...], "warm": [...]}; the CPU figures land in CPU under
    f"{label}-b", f"{label}-f" and f"{label}-w". With `against` (a checkout of another commit),
    each round also has a warm start of that checkout's code: "against", CPU f"{label}-a".
    """
    warm_home = scratch / f"{label}-warm"
    bare_home = scratch / f"{label}-bare"
    other = f"{env} PYTHONPATH={against}"  # its package comes before this checkout's
    one_run(bare_home, f"{label}-bprime", env, BARE)  # unmeasured: file cache, bytecode
    one_run(warm_home, f"{label}-prime", env)  # unmeasured: file cache, bytecode, warm_home
    if against:
        one_run(scratch / f"{label}-other", f"{label}-aprime", other)
    figures: dict[str, list[float]] = {"bare": [], "first": [], "warm": [], "against": []}
    for i in range(runs):
        figures["bare"].append(one_run(bare_home, f"{label}-b{i}", env, BARE) * 1000)
        figures["first"].append(one_run(scratch / f"{label}-fresh{i}", f"{label}-f{i}", env) * 1000)
        figures["warm"].append(one_run(warm_home, f"{label}-w{i}", env) * 1000)
        if against:
            figures["against"].append(one_run(scratch / f"{label}-other", f"{label}-a{i}", other) * 1000)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--as-is", action="store_true", help="also measure with the environment's bytecode settings"
    )
    parser.add_argument(
        "--against",
        metavar="DIR",
        default="",
        help="also a warm start of another checkout (e.g. `git worktree add DIR REV`), interleaved: an A/B",
    )
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        sys.exit("tmux is not installed")
    scratch = Path(tempfile.mkdtemp(prefix="smarter-startup-"))
    cached = f"-u PYTHONDONTWRITEBYTECODE PYTHONPYCACHEPREFIX={scratch / 'pycache'}"
    tmux("new-session", "-d", "-s", "keepalive", "-x", "120", "-y", "40", "sleep 3600")
    tmux("set-option", "-g", "remain-on-exit", "on")  # a crash leaves its traceback to capture
    try:
        cached_runs = series(
            scratch, "cached", cached, args.runs, str(Path(args.against).resolve()) if args.against else ""
        )
        if args.as_is:
            as_is_runs = series(scratch, "asis", "", args.runs)
    finally:
        tmux("kill-server", check=False)
        shutil.rmtree(scratch, ignore_errors=True)
    bare, first, warm = cached_runs["bare"], cached_runs["first"], cached_runs["warm"]
    report("bare Textual app (one Input), for reference", bare)
    report("start-up, first run (fresh SMARTER_TUI_HOME)", first, target_ms=500)
    report("start-up, warm start (existing SMARTER_TUI_HOME)", warm, target_ms=500)
    bare_ms = statistics.median(bare)

    def verdict(label: str, ratio: float) -> str:
        # The 1.5x target is the everyday start's; the first run happens once per data directory.
        if label == "first run":
            return "(once per data directory: no target)"
        return f"target <= 1.5x: {'OK' if ratio <= 1.5 else 'MISSED'}"

    for label, values in (("first run", first), ("warm start", warm)):
        ratio = statistics.median(values) / bare_ms
        print(f"{label} / bare app: {ratio:.2f}x  {verdict(label, ratio)}")
    bare_cpu = statistics.median(CPU["cached-b"]) * 1000
    print(f"CPU time when usable (the program's process): bare app median {bare_cpu:.0f} ms")
    for label, key in (("first run", "cached-f"), ("warm start", "cached-w")):
        cpu = statistics.median(CPU[key]) * 1000
        ratio = cpu / bare_cpu
        print(
            f"CPU time when usable, {label}: median {cpu:.0f} ms, {ratio:.2f}x the bare app  "
            f"{verdict(label, ratio)}; "
            f"its model worker by then: median {statistics.median(CHILD_CPU[key]) * 1000:.0f} ms"
        )
    if args.against:
        other = cached_runs["against"]
        report(f"warm start of {args.against} (--against), interleaved", other)
        wall = statistics.median(warm) / statistics.median(other)
        cpu = statistics.median(CPU["cached-w"]) / statistics.median(CPU["cached-a"])
        print(f"this checkout / {args.against}, warm start: wall {wall:.2f}x, CPU {cpu:.2f}x")
    print(f"machine load (1 min) at the end: {os.getloadavg()[0]:.2f}")
    if args.as_is:
        dont = os.environ.get("PYTHONDONTWRITEBYTECODE", "")
        report(f"as-is (PYTHONDONTWRITEBYTECODE={dont!r}), first run", as_is_runs["first"], target_ms=500)
        report(f"as-is (PYTHONDONTWRITEBYTECODE={dont!r}), warm start", as_is_runs["warm"], target_ms=500)


if __name__ == "__main__":
    main()
