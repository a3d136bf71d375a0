"""No data drives the terminal: every output surface is fed escape sequences; check the bytes.

The hostile text sets the window title (OSC 0), writes the clipboard (OSC 52), uses 8-bit C1
controls (CSI U+009B, OSC U+009D) and clears the screen. It reaches the model's answer, tool
arguments, tool results, a provider error, a manifest description, a session title, search
snippets, exports, an error label and the TUI. What the processes write must hold no control
byte but tab and newline (the TUI's own escape codes aside), while the text itself stays readable.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from smarter_tui.cli.main import run
from tests.e2e.cli import Cli
from tests.support.fake_openai import FakeOpenAI, Reply
from tests.support.terminal import Pty
from tests.support.worlds import ARG, FORBIDDEN, HOSTILE, hostile_manifest


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Cli, FakeOpenAI]]:
    home = tmp_path_factory.mktemp("escapes")
    cli = Cli(home / "home")
    with FakeOpenAI() as server:
        manifest = home / "hostile.yaml"
        manifest.write_text(hostile_manifest(server.base_url), encoding="utf-8")
        applied = cli("apply", "-f", str(manifest))
        assert applied.code == 0, applied.err
        yield cli, server


def _run(cli: Cli, *args: str) -> tuple[int, bytes]:
    done = subprocess.run(
        [sys.executable, "-m", "smarter_tui", *args], capture_output=True, env=cli.env, timeout=120
    )
    return done.returncode, done.stdout + done.stderr


def _assert_inert(where: str, output: bytes) -> None:
    found = FORBIDDEN.search(output)
    assert found is None, f"{where}: raw control byte {found.group(0)!r} in {output[:300]!r}"


def test_every_cli_surface_neutralises_escapes(
    world: tuple[Cli, FakeOpenAI], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cli, server = world
    server.enqueue(
        Reply(
            tool_calls=[
                ("plugin_evil_plugin", "{}"),
                ("calculator", json.dumps({"expression": HOSTILE})),
                (HOSTILE, "{}"),
            ]
        ),
        Reply(text=f"The answer: {HOSTILE} done."),
    )
    outputs: dict[str, bytes] = {}
    code, outputs["prompt"] = _run(cli, "prompt", "general_assistant", f"tell me {ARG} now")
    assert code == 0, outputs["prompt"]
    assert b"The answer: \\x1b]0;PWNED\\x07" in outputs["prompt"]  # readable, inert
    session = json.loads(_run(cli, "history", "-o", "json")[1])[0]["key"]
    server.enqueue(*[Reply(status=500, error=HOSTILE, retry_after=0)] * 3)
    code, outputs["provider error"] = _run(cli, "prompt", "general_assistant", "again", "--session", session)
    assert code == 1 and b"PWNED" in outputs["provider error"]
    monkeypatch.setenv("SMARTER_TUI_HOME", str(cli.home))
    monkeypatch.setenv("SMARTER_TUI_KEYRING", "file")
    for label, args in {
        "get plugins": ("get", "plugins"),
        "get llmclients": ("get", "llmclients"),
        "get plugins yaml": ("get", "plugins", "-o", "yaml"),
        "history titles": ("history",),
        "search snippets": ("history", "--search", "PWNED"),
        "history of a session": ("history", session),
        "history json": ("history", session, "-o", "json"),
        "markdown export": ("export", session),
        "json export": ("export", session, "-o", "json"),
        "error label": ("describe", "plugin", f"x{ARG}"),
    }.items():
        # In-process (the same run() and streams as the program) to keep the suite quick.
        capsys.readouterr()
        run(list(args))
        captured = capsys.readouterr()
        outputs[label] = (captured.out + captured.err).encode("utf-8")
    for label, output in outputs.items():
        _assert_inert(label, output)
    assert b"PWNED" in outputs["search snippets"] and b"PWNED" in outputs["markdown export"]
    # JSON keeps the exact value: C1 characters travel as \u escapes.
    exported = json.loads(outputs["json export"])
    assert any(HOSTILE.replace("\r", "") in (m.get("content") or "") for m in exported["messages"]) or any(
        HOSTILE in (m.get("content") or "") for m in exported["messages"]
    )
    assert b"\\u009b" in outputs["json export"]


def test_the_tui_renders_escapes_inert(world: tuple[Cli, FakeOpenAI], tmp_path: Path) -> None:
    cli, server = world
    server.reset()
    server.enqueue(
        Reply(tool_calls=[("calculator", json.dumps({"expression": HOSTILE}))]),
        Reply(text=f"Final {HOSTILE} FINISHED"),
    )
    term = Pty([sys.executable, "-m", "smarter_tui"], cli.env)
    try:
        term.wait_for(lambda out: b"READY" in out, 60, "the chat to be ready")
        term.write(b"show me\r")
        term.wait_for(lambda out: b"FINISHED" in out, 60, "the answer")
        output = term.output
    finally:
        term.close()
    for payload in (b"\x1b]0;PWNED", b"\x1b]52;c;cHdu", b"\xc2\x9b31m", b"\xc2\x9d0;C1", b"\x1b[2J\x00"):
        assert payload not in output, payload
    assert b"PWNED" in output  # shown as text
