"""The cache of code that dataclasses and namedtuple generate (`config.code_cache`)."""

from __future__ import annotations

import collections
import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from smarter_tui.config import code_cache
from smarter_tui.config.code_cache import CodeCache


@pytest.fixture
def routed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """Return a function that routes dataclasses and namedtuple through a new cache at one file."""
    path = tmp_path / "cache" / "code.bin"

    def route() -> CodeCache:
        cache = CodeCache(path)
        monkeypatch.setattr(dataclasses, "exec", cache.exec, raising=False)
        monkeypatch.setattr(collections, "eval", cache.eval, raising=False)
        return cache

    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    return route


def make_classes():
    """Define a frozen dataclass and a namedtuple (their methods come from generated source)."""

    @dataclasses.dataclass(frozen=True, slots=True)
    class Point:
        x: int
        y: int = 2
        tags: list[str] = dataclasses.field(default_factory=list)

    Pair = collections.namedtuple("Pair", "left right")
    return Point, Pair


def test_a_second_run_compiles_nothing_and_gets_the_same_behaviour(routed) -> None:
    first = routed()
    Point, Pair = make_classes()
    assert first._learned > 5
    assert first.save()

    second = routed()
    Point, Pair = make_classes()
    assert second._learned == 0  # every method came from the file
    point = Point(1)
    assert point == Point(1, 2, []) and point != Point(1, 3)
    assert repr(point).endswith("Point(x=1, y=2, tags=[])")
    assert hash(Point(1, 2, ())) == hash(Point(1, 2, ()))  # type: ignore[arg-type]
    with pytest.raises(dataclasses.FrozenInstanceError):
        point.x = 5  # type: ignore[misc]
    assert Pair(1, right=2) == (1, 2)
    assert not second.save()  # nothing new: the file is not rewritten


def test_generated_code_does_not_inherit_this_modules_future_import(routed) -> None:
    routed()
    Point, _ = make_classes()
    # Compiled with `from __future__ import annotations` these would be strings.
    assert Point.__init__.__annotations__["return"] is None


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00\x01garbage", b"not the magic number" + b"\x00" * 40],
    ids=["empty", "garbage", "another-python"],
)
def test_a_foreign_or_broken_file_is_an_empty_cache_and_is_replaced(routed, content: bytes) -> None:
    cache = routed()
    cache.path.parent.mkdir(parents=True)
    cache.path.write_bytes(content)
    cache = routed()
    make_classes()
    assert cache._learned > 5
    assert cache.save()
    assert routed()._codes  # the new file loads


def test_nothing_is_written_when_python_writes_no_bytecode(routed, monkeypatch) -> None:
    cache = routed()
    make_classes()
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    assert not cache.save()
    assert not cache.path.exists()


def test_an_unwritable_directory_loses_nothing_but_the_cache(routed, tmp_path: Path) -> None:
    cache = routed()
    make_classes()
    cache.path.parent.parent.mkdir(exist_ok=True)
    cache.path.parent.write_text("a file where the directory should be")
    assert not cache.save()


def test_a_big_file_keeps_only_what_the_run_used(routed, monkeypatch) -> None:
    monkeypatch.setattr(code_cache, "MAX_ENTRIES", 3)
    cache = routed()
    for number in range(5):
        cache.compiled(f"x = {number}", "exec")
    cache.save()
    cache = routed()
    cache.compiled("x = 0", "exec")
    cache.compiled("y = 1", "exec")  # new: the save writes
    cache.save()
    assert sorted(source for _, source in routed()._codes) == ["x = 0", "y = 1"]


def test_the_program_writes_the_cache_and_uses_it_next_time(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["SMARTER_TUI_HOME"] = str(tmp_path)
    command = [
        sys.executable,
        "-c",
        "import sys; from smarter_tui.__main__ import main; code = main(['get', 'llmclients']);"
        "from smarter_tui.config import code_cache as c; print('learned', c._installed._learned);"
        "sys.exit(code)",
    ]
    first = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert first.returncode == 0, first.stderr
    files = list((tmp_path / "cache").glob("generated-code.*.bin"))
    assert len(files) == 1 and files[0].stat().st_size > 10_000
    second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert second.returncode == 0, second.stderr
    assert "learned 0" in second.stdout  # every generated method of the command came from the file
    assert "general_assistant" in second.stdout
