"""Kills mid-answer: how much shown text is lost (issue 11 item 1; target: <= 0.5 s on SIGKILL, 0 else).

Runs `prompt` (and, with --tui N, the TUI) on a real pty against a slow loopback model, kills it
at a random moment with SIGKILL, SIGTERM or SIGHUP (closing the terminal), and compares the words
on the terminal with the words stored. Also runs 10 concurrent `prompt --session KEY` on one
session and checks the stored roles never interleave (item 3).

    python benchmarks/safety_kills.py [--kills 30] [--tui 6]
"""

from __future__ import annotations

import argparse
import random
import signal
import sqlite3
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.e2e.cli import Cli  # noqa: E402
from tests.e2e.test_kills import SIGNALS, _kill  # noqa: E402
from tests.support.fake_openai import FakeOpenAI, Reply  # noqa: E402
from tests.support.worlds import slow_client_manifest  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kills", type=int, default=30, help="prompt kills (a multiple of 3)")
    parser.add_argument("--tui", type=int, default=6, help="TUI kills (a multiple of 3)")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp())
    cli = Cli(home / "home")
    rng = random.Random(11)
    with FakeOpenAI() as server:
        manifest = home / "slow.yaml"
        manifest.write_text(slow_client_manifest(server.base_url))
        assert cli("apply", "-f", str(manifest)).code == 0
        rows = []
        for where, count in (("prompt", args.kills), ("tui", args.tui)):
            with ThreadPoolExecutor(3) as pool:
                for r in range(count // 3):
                    jobs = [
                        pool.submit(_kill, cli, server, where, s, rng.randint(3, 200), r * 3 + i)
                        for i, s in enumerate(SIGNALS)
                    ]
                    rows.extend(job.result() for job in jobs)
        print(f"{'where':7} {'signal':8} {'kills':>5} {'lost>0':>6} {'max words lost':>14} "
              f"{'max s lost':>10}  target")  # fmt: skip
        for where in ("prompt", "tui"):
            for signum in SIGNALS:
                group = [k for k in rows if k.where == where and k.signum == signum]
                if not group:
                    continue
                lost = [k.shown[len(k.stored) :] for k in group]
                ages = [
                    k.killed_at - min(k.shown_at[w] for w in words) if words else 0.0
                    for k, words in zip(group, lost, strict=True)
                ]
                target = "<= 0.5 s" if signum == signal.SIGKILL else "0 words"
                print(
                    f"{where:7} {signal.Signals(signum).name:8} {len(group):5d} "
                    f"{sum(bool(w) for w in lost):6d} {max(len(w) for w in lost):14d} "
                    f"{max(ages):10.2f}  {target}"
                )
        # Interleaving: 10 processes at once on one session.
        server.reset()
        server.enqueue(Reply(text="First."))
        key = cli("prompt", "general_assistant", "start", "-o", "json").json()["session_key"]
        server.enqueue(*[Reply(chunks=[f"w{i:04d} " for i in range(40)], delay=0.03) for _ in range(10)])
        with ThreadPoolExecutor(10) as pool:
            results = list(
                pool.map(lambda i: cli("prompt", "general_assistant", f"p{i}", "--session", key), range(10))
            )
        with sqlite3.connect(cli.home / "smarter.sqlite3") as db:
            roles = [
                r[0][0]
                for r in db.execute(
                    "SELECT role FROM messages WHERE session_id = "
                    "(SELECT id FROM sessions WHERE session_key = ?) ORDER BY position",
                    (key,),
                )
            ]
        ok = sum(r.code == 0 for r in results)
        pattern = "".join(roles)
        well_formed = pattern == "sua" + "ua" * ok
        print(
            f"\n10 concurrent prompts on one session: {ok} answered, {10 - ok} refused "
            f"(SessionBusyError), stored roles {pattern!r}: {'no' if well_formed else 'INTERLEAVED'} "
            "interleaving (target: none)"
        )


if __name__ == "__main__":
    main()
