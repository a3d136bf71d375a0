"""Textual CSS parsed once and kept between runs (`ui.css_cache`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from textual.css import stylesheet as textual_stylesheet
from textual.css.stylesheet import Stylesheet, StylesheetParseError

from smarter_tui.ui import css_cache
from smarter_tui.ui.css_cache import CssCache

APP_TCSS = Path(css_cache.__file__).parent / "styles" / "app.tcss"
CSS = "Label { color: $accent; padding: 1 2; } #title { text-style: bold; }"
WHERE = ("test.tcss", "")


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The CSS texts Textual's parser is called on from now on."""
    seen: list[str] = []
    original = textual_stylesheet.parse

    def counting(scope, css, read_from, **kwargs):
        seen.append(css)
        return original(scope, css, read_from, **kwargs)

    monkeypatch.setattr(textual_stylesheet, "parse", counting)
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    return seen


def themed() -> Stylesheet:
    """A stylesheet whose CSS variables define `$accent`."""
    return Stylesheet(variables={"accent": "red"})


def parse_through(cache: CssCache, sheet: Stylesheet, css: str = CSS):
    """Parse `css` for `sheet` as Textual would, through `cache`."""
    return css_cache.routed(cache, Stylesheet._parse_rules)(sheet, css, WHERE)


def test_a_second_run_parses_nothing_and_gets_the_same_rules(tmp_path: Path, parses) -> None:
    path = tmp_path / "cache" / "css.pickle"
    first = CssCache(path)
    rules = parse_through(first, Stylesheet(variables={"accent": "red"}))
    assert len(parses) == 1 and first.save()

    again = parse_through(CssCache(path), Stylesheet(variables={"accent": "red"}))
    assert len(parses) == 1  # from the file
    assert [rule.css for rule in again] == [rule.css for rule in rules]
    assert again[0].styles.color == rules[0].styles.color
    assert again is not rules and again[0] is not rules[0]  # new objects, as a parse makes


def test_other_variables_are_another_parse(tmp_path: Path, parses) -> None:
    cache = CssCache(tmp_path / "css.pickle")
    sheet = Stylesheet(variables={"accent": "red"})
    red = parse_through(cache, sheet)
    sheet.set_variables({"accent": "blue"})  # a theme change
    blue = parse_through(cache, sheet)
    assert len(parses) == 2
    assert red[0].styles.color != blue[0].styles.color
    sheet.set_variables({"accent": "red"})
    assert parse_through(cache, sheet)[0].styles.color == red[0].styles.color
    assert len(parses) == 2  # red again: from the cache


def test_css_with_errors_is_never_kept(tmp_path: Path, parses) -> None:
    cache = CssCache(tmp_path / "css.pickle")
    for _ in range(2):
        sheet = Stylesheet()
        sheet._parse_rules = css_cache.routed(cache, Stylesheet._parse_rules).__get__(sheet)  # type: ignore[method-assign]
        sheet.add_source("Label { colour: red; }", read_from=WHERE)
        with pytest.raises(StylesheetParseError):
            sheet.parse()  # Textual reports the error each time
    assert len(parses) == 2 and not cache.save()


@pytest.mark.parametrize(
    "content",
    [b"", b"\x80\x05garbage", css_cache.HEADER + b"\x80\x05truncated", b"smarter-tui css 0.1\n"],
    ids=["empty", "garbage", "truncated", "another-textual"],
)
def test_a_foreign_or_broken_file_is_an_empty_cache_and_is_replaced(
    tmp_path: Path, parses, content: bytes
) -> None:
    path = tmp_path / "css.pickle"
    path.write_bytes(content)
    cache = CssCache(path)
    parse_through(cache, themed())
    assert len(parses) == 1 and cache.save()
    parse_through(CssCache(path), themed())
    assert len(parses) == 1  # the new file loads


def test_nothing_is_written_when_python_writes_no_bytecode(tmp_path, parses, monkeypatch) -> None:
    cache = CssCache(tmp_path / "css.pickle")
    parse_through(cache, themed())
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    assert not cache.save() and not cache.path.exists()


def test_a_big_file_keeps_only_what_the_run_used(tmp_path, parses, monkeypatch) -> None:
    monkeypatch.setattr(css_cache, "MAX_ENTRIES", 2)
    path = tmp_path / "css.pickle"
    cache = CssCache(path)
    for number in range(4):
        parse_through(cache, themed(), f"Label {{ width: {number}; }}")
    cache.save()
    cache = CssCache(path)
    parse_through(cache, themed(), "Label { width: 0; }")
    parse_through(cache, themed(), "Label { width: 9; }")  # new: the save writes
    cache.save()
    assert len(CssCache(path)._entries) == 2


SCRIPT = f"""
import asyncio, hashlib, sys
from smarter_tui.ui import css_cache
css_cache.install()
from textual.css import stylesheet
parses = []
original = stylesheet.parse
def counting(*args, **kwargs):
    parses.append(1)
    return original(*args, **kwargs)
stylesheet.parse = counting
from textual.app import App
from textual.layout import Layout
from textual.widgets import Input, Markdown

class Demo(App):
    CSS_PATH = {str(APP_TCSS)!r}
    def compose(self):
        yield Input(placeholder="Ask me anything...")
        yield Markdown("# Welcome")

async def main():
    app = Demo()
    async with app.run_test() as pilot:
        await pilot.pause()
        # Each rule's selectors and declarations (a layout object by its kind: it has no repr).
        rules = repr([
            (rule.selectors, sorted(
                (name, type(value).__name__ if isinstance(value, Layout) else repr(value))
                for name, value in rule.styles.get_rules().items()
            ))
            for rule in app.stylesheet.rules
        ])
        print("parses", len(parses), "rules", hashlib.sha256(rules.encode()).hexdigest())

asyncio.run(main())
"""


def test_a_real_app_parses_its_css_once_across_runs(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["SMARTER_TUI_HOME"] = str(tmp_path)
    command = [sys.executable, "-c", SCRIPT]
    first = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert first.returncode == 0, first.stderr
    parses, digest = first.stdout.split()[1], first.stdout.split()[3]
    assert int(parses) > 5  # the app's stylesheet and each widget's DEFAULT_CSS
    assert len(list((tmp_path / "cache").glob("textual-css.*.pickle"))) == 1
    second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert second.returncode == 0, second.stderr
    assert second.stdout.split() == ["parses", "0", "rules", digest]


def test_the_release_is_textuals_and_costs_no_metadata_lookup() -> None:
    """The file is keyed by Textual's release, found without `importlib.metadata` (~20 ms a start)."""
    from importlib.metadata import version

    assert version("textual") == css_cache.RELEASE
    script = "import sys; import smarter_tui.ui.css_cache; print('importlib.metadata' in sys.modules)"
    ran = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "False"


def test_without_a_single_dist_info_the_release_comes_from_the_metadata(monkeypatch) -> None:
    from importlib.metadata import version

    expected = version("textual")
    # `os` is shared: only the listing next to Textual's package lies (the metadata reads others).
    site = os.path.dirname(os.path.dirname(css_cache.textual.__file__))
    listdir = os.listdir
    two = ["textual-1.0.dist-info", "textual-2.0.dist-info"]
    monkeypatch.setattr(os, "listdir", lambda path=".": two if path == site else listdir(path))
    assert css_cache.textual_release() == expected
