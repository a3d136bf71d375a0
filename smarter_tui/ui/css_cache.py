"""Textual CSS parsed once and kept between runs.

Textual parses every stylesheet of the app on each start (`app.tcss`, each widget's
DEFAULT_CSS, some of them two or three times as stylesheets are copied and themes set): ~30
parses, ~20 ms of a ~420 ms start-up, measured by `benchmarks/tui_startup.py`. Its own cache
(`Stylesheet._parse_cache`) lives only as long as one stylesheet object.

`install(path)` wraps `Stylesheet._parse_rules`: a parse's result is kept by a digest of
everything it depends on (the CSS text, where it was read from, its default/tie-breaker/scope
arguments and the stylesheet's variables, i.e. the theme), pickled in one file written back at exit
when the run parsed something new. A hit unpickles fresh rule objects, as a parse would make.
CSS with errors is never kept (Textual must report them), and a file from another Textual or
Python, a truncated or foreign one is ignored and replaced; one owned by another user is not read.
Nothing is written when Python is told not to write bytecode (`PYTHONDONTWRITEBYTECODE`, `-B`).
"""

from __future__ import annotations

import atexit
import hashlib
import os
import pickle
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

import textual
from textual.css.model import RuleSet
from textual.css.stylesheet import Stylesheet

from smarter_tui.config.cache_files import read_owned, write_whole

#: More entries than this in the file: the next save keeps only what that run used.
MAX_ENTRIES = 512


def textual_release() -> str:
    """The installed Textual's version, read off the name of its `.dist-info` directory.

    `textual.__version__` asks `importlib.metadata`, whose import and look-up cost ~20 ms CPU
    of every start (as much as this cache saves); the directory beside the package names the
    same release. Where there is no single such directory (an editable install, say), the
    metadata is asked after all.
    """
    site = os.path.dirname(os.path.dirname(textual.__file__ or ""))
    try:
        found = [n for n in os.listdir(site) if n.startswith("textual-") and n.endswith(".dist-info")]
    except OSError:
        found = []
    if len(found) == 1:
        return found[0].removeprefix("textual-").removesuffix(".dist-info")
    return str(textual.__version__)


#: The Textual release whose parses the file holds.
RELEASE = textual_release()

#: The file starts with this line; another Textual or Python writes another one.
HEADER = f"smarter-tui css {RELEASE} {sys.implementation.cache_tag}\n".encode()


ParseRules = Callable[..., list[RuleSet]]


class CssCache:
    """Pickled rule lists by parse digest, read from and saved to one file."""

    def __init__(self, path: Path) -> None:
        """Load `path` (a missing, unreadable, foreign or outdated file is an empty cache)."""
        self.path = path
        self._entries: dict[str, bytes] = self._load(path)
        self._used: set[str] = set()
        self._learned = 0  # parses since the load (the file lacks them)

    @staticmethod
    def _load(path: Path) -> dict[str, bytes]:
        data = read_owned(path)
        if data is None or not data.startswith(HEADER):
            return {}
        try:
            loaded = pickle.loads(data[len(HEADER) :])
        except Exception:  # noqa: BLE001 -- a damaged file is any unpickling error: start afresh
            return {}
        if not isinstance(loaded, dict):
            return {}
        return {k: v for k, v in loaded.items() if isinstance(k, str) and isinstance(v, bytes)}

    def rules(self, key: str) -> list[RuleSet] | None:
        """The rules kept under `key`, as new objects; None when there are none (or damaged)."""
        data = self._entries.get(key)
        if data is None:
            return None
        try:
            rules = pickle.loads(data)
        except Exception:  # noqa: BLE001 -- the entry is dropped and the CSS parsed again
            del self._entries[key]
            return None
        self._used.add(key)
        return rules

    def keep(self, key: str, rules: list[RuleSet]) -> None:
        """Keep `rules` under `key`, unless Textual found errors in them."""
        if any(rule.errors for rule in rules):
            return
        self._entries[key] = pickle.dumps(rules, protocol=pickle.HIGHEST_PROTOCOL)
        self._used.add(key)
        self._learned += 1

    def save(self) -> bool:
        """Write the file if this run parsed anything it lacked; return whether it wrote."""
        if not self._learned or sys.dont_write_bytecode:
            return False
        entries = self._entries
        if len(entries) > MAX_ENTRIES:
            entries = {key: data for key, data in entries.items() if key in self._used}
        if not write_whole(self.path, HEADER + pickle.dumps(entries, pickle.HIGHEST_PROTOCOL)):
            return False  # a read-only or full disk: the next run parses again, nothing more
        self._learned = 0
        return True


def parse_key(
    css: str, read_from: Any, is_default_rules: bool, tie_breaker: int, scope: str, variables: str
) -> str:
    """The digest of everything a parse of `css` depends on (`variables`: `variables_digest`)."""
    # repr() of str/int/bool/tuple is exact: one text per parse.
    text = repr((css, read_from, is_default_rules, tie_breaker, scope, variables))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def variables_digest(variables: dict[str, str]) -> str:
    """The digest of a stylesheet's CSS variables (the theme's ~170 colours and sizes)."""
    text = repr(sorted(variables.items()))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


_installed: CssCache | None = None


def default_path() -> Path:
    """The cache file, in `paths.cache_dir()`; named after the Textual and Python that made it."""
    from smarter_tui.config.paths import cache_dir

    return cache_dir() / f"textual-css.{RELEASE}.{sys.implementation.cache_tag}.pickle"


def routed(cache: CssCache, parse_rules: ParseRules) -> ParseRules:
    """`parse_rules` (Textual's `Stylesheet._parse_rules`) looking in `cache` first."""
    digests: WeakKeyDictionary[Stylesheet, tuple[dict[str, str], str]] = WeakKeyDictionary()

    def cached_parse_rules(
        self: Stylesheet,
        css: str,
        read_from: Any,
        is_default_rules: bool = False,
        tie_breaker: int = 0,
        scope: str = "",
    ) -> list[RuleSet]:
        memory_key = (css, read_from, is_default_rules, tie_breaker, scope)
        if memory_key in self._parse_cache:  # Textual's own cache, for this stylesheet
            return self._parse_cache[memory_key]
        # Digesting the variables is most of a key's cost: once per stylesheet and theme.
        variables, digest = digests.get(self, (None, ""))
        if variables is not self._variables:
            digest = variables_digest(self._variables)
            digests[self] = (self._variables, digest)
        key = parse_key(css, read_from, is_default_rules, tie_breaker, scope, digest)
        rules = cache.rules(key)
        if rules is None:
            rules = parse_rules(self, css, read_from, is_default_rules, tie_breaker, scope)
            cache.keep(key, rules)
        else:
            self._parse_cache[memory_key] = rules
        return rules

    return cached_parse_rules


def install(path: Path | None = None) -> CssCache:
    """Route Textual's CSS parsing through a cache at `path` (default: `default_path()`), saved
    at exit. Once per process: a second call returns the first cache."""
    global _installed
    if _installed is None:
        _installed = CssCache(path or default_path())
        Stylesheet._parse_rules = routed(_installed, Stylesheet._parse_rules)  # type: ignore[method-assign]
        atexit.register(_installed.save)
    return _installed
