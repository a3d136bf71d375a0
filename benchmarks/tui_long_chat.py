"""Resident memory of a long live chat: N 2,000-token answers in one chat, RSS after each.

One fresh Python process (`--one-run`) runs the real `SmarterApp` HEADLESS through Pilot
(`app.run_test(size=(120, 40))`) as `tui_memory.py` does: the loopback OpenAI-compatible server
(`tests/support/fake_openai.FakeOpenAI`) in ANOTHER process, the database (examples seeded, the
`bench` client applied) prepared in another process, the model calls in the app's model worker.
In ONE chat it sends `--answers` prompts (default 20); the server answers each with the same
2,000-chunk structured Markdown answer as `tui_streaming.py` (heading, paragraphs, a 20-item list,
a 40-line code block) at full speed. After each answer is fully rendered and its turn saved, the
process runs `gc.collect()` and prints its VmRSS (from `/proc/self/status`), the number of
widgets in the transcript (all descendants), how many answers are mounted, how many Widget objects
are still alive in the process (the garbage collector's tracked objects: removed widgets that
something still holds show here) and the CPU time (user+system) of the turn.

The reference, side by side: `benchmarks/bare_app.py` (a bare Textual app with one Input) run the
same way in its own process, RSS read once mounted; and the single-answer target of issue 10
(< 80 MB after one answer, `tui_memory.py`). A live chat must stay bounded: the RSS after the
last answer should stay near the RSS after the first few (printed: growth per answer over the
last half of the chat, which is ~0 MB when the transcript is bounded).

Run: .venv/bin/python benchmarks/tui_long_chat.py [--answers 20]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from tui_memory import drive_bare, status_mb  # noqa: E402
from tui_streaming import (  # noqa: E402
    FULL_TOKENS,
    SENTINEL,
    ServerProcess,
    answer_chunks,
    child_figures,
    now,
    open_services,
    ready_app,
    run_with_server,
    wait_until,
)


async def drive(server: ServerProcess, home: Path, answers: int) -> list[dict[str, float]]:
    """Start the app, stream `answers` answers in one chat; return one row of figures per answer."""
    from textual.widget import Widget

    from smarter_tui.ui.app import SmarterApp
    from smarter_tui.ui.widgets.assistant_message import AssistantMessage

    services = open_services(home, server.base_url)
    app = SmarterApp(open_services=lambda: services)
    rows: list[dict[str, float]] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await ready_app(pilot)
        chat = app.chat
        gc.collect()
        alive = sum(isinstance(o, Widget) for o in gc.get_objects())
        rows.append(
            {"answer": 0, "rss": status_mb()["VmRSS"], "widgets": 0, "mounted": 0, "alive": alive, "cpu": 0}
        )
        chunks = answer_chunks(FULL_TOKENS)
        for i in range(1, answers + 1):
            server.enqueue(chunks=chunks)
            cpu0 = cpu()
            done = chat.completed_turns
            await chat.send(f"Long answer number {i}, please.")
            await wait_until(pilot, lambda: chat.completed_turns > done)  # noqa: B023
            await pilot.pause(0.2)
            cpu1 = cpu()
            assert chat.last_answer().endswith(f"{SENTINEL}.")
            gc.collect()
            rows.append(
                {
                    "answer": i,
                    "rss": status_mb()["VmRSS"],
                    "widgets": len(chat.transcript.query("*")),
                    "mounted": len(chat.transcript.query(AssistantMessage)),
                    # every Widget object still alive (collectable ones are gone after gc.collect)
                    "alive": sum(isinstance(o, Widget) for o in gc.get_objects()),
                    "cpu": cpu1 - cpu0,
                }
            )
            print(json.dumps(rows[-1]), flush=True)
        rows[-1]["hwm"] = status_mb()["VmHWM"]
    return rows


def cpu() -> float:
    """Return the user+system CPU seconds of this process so far (all threads)."""
    times = os.times()
    return times.user + times.system


def one_run(answers: int, bare: bool) -> None:
    """Child process: print the rows as JSON on the last line of stdout."""
    if bare:
        print(json.dumps(asyncio.run(drive_bare())))
        return
    run_with_server("smarter-long-chat-", lambda server, home: drive(server, home, answers))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=20)
    parser.add_argument("--one-run", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--bare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_run:
        one_run(args.answers, args.bare)
        return
    started = now()
    command = [__file__, "--one-run", "--answers", str(args.answers)]
    rows, bare_figures = (child_figures(command + bare) for bare in ([], ["--bare"]))
    print(f"{'answer':>6} {'RSS MB':>7} {'widgets':>7} {'answers mounted':>15} {'alive':>6} {'CPU s':>6}")
    for row in rows:
        print(
            f"{row['answer']:>6.0f} {row['rss']:>7.1f} {row['widgets']:>7.0f} "
            f"{row['mounted']:>15.0f} {row['alive']:>6.0f} {row['cpu']:>6.2f}"
        )
    first, last = rows[1], rows[-1]
    half = rows[len(rows) // 2]
    per_answer = (last["rss"] - half["rss"]) / max(1, last["answer"] - half["answer"])
    print(f"bare Textual app (one Input), RSS when mounted: {bare_figures['bare_VmRSS']:.1f} MB")
    print(f"RSS when ready, before the first prompt: {rows[0]['rss']:.1f} MB")
    print(f"RSS after 1 answer: {first['rss']:.1f} MB (issue 10's single-answer target < 80 MB)")
    print(
        f"RSS after {last['answer']:.0f} answers: {last['rss']:.1f} MB, peak (VmHWM) {last['hwm']:.1f} MB; "
        f"growth over the last {last['answer'] - half['answer']:.0f} answers: {per_answer:.2f} MB/answer"
    )
    print(f"(one chat, gc.collect() after each answer; {now() - started:.0f} s wall)")


if __name__ == "__main__":
    main()
