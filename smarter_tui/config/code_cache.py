"""The code `dataclasses` and `namedtuple` generate, compiled once and kept between runs.

Every `@dataclass` writes the source of its `__init__`, `__repr__`, `__eq__`... and compiles it
with `exec()`; every `namedtuple` compiles its `__new__` with `eval()`. Nothing caches that code
the way `__pycache__` caches a module's, so each start of the app compiled ~500 small functions
again (Textual's, Rich's and ours): 70-85 ms of a ~600 ms start-up, measured by
`benchmarks/tui_startup.py`.

`install(path)` makes the two modules compile through a `CodeCache`: a dict from each source text
to its code object, loaded from `path` (one `marshal` file, like a .pyc) and written back at exit
when it learned something. The source text is the key, and a text compiles to the same code every
time (same flags as the stdlib's own call: no inherited `from __future__`), so a hit runs exactly
what `exec`/`eval` would have compiled. A file from another Python (its magic number), a
truncated or foreign one is ignored and replaced; a file owned by another user is not read.
Nothing is written when Python is told not to write bytecode (`PYTHONDONTWRITEBYTECODE`, `-B`).

Standard library only, and cheap to import: it runs before Textual is imported.
"""

from __future__ import annotations

import atexit
import builtins
import collections
import dataclasses
import marshal
import sys
from importlib.util import MAGIC_NUMBER
from pathlib import Path
from types import CodeType
from typing import Any

from smarter_tui.config.cache_files import read_owned, write_whole

#: More entries than this in the file: the next save keeps only what that run used.
MAX_ENTRIES = 4000


class CodeCache:
    """Compiled code by (mode, source text), read from and saved to one file."""

    def __init__(self, path: Path) -> None:
        """Load `path` (a missing, unreadable or foreign file is an empty cache)."""
        self.path = path
        self._codes: dict[tuple[str, str], CodeType] = self._load(path)
        self._used: set[tuple[str, str]] = set()
        self._learned = 0  # texts compiled since the load (the file lacks them)

    @staticmethod
    def _load(path: Path) -> dict[tuple[str, str], CodeType]:
        data = read_owned(path)
        if data is None or data[: len(MAGIC_NUMBER)] != MAGIC_NUMBER:
            return {}
        try:
            loaded = marshal.loads(data[len(MAGIC_NUMBER) :])
        except (EOFError, ValueError, TypeError):
            return {}
        if not isinstance(loaded, dict):
            return {}
        return {
            key: code
            for key, code in loaded.items()
            if isinstance(key, tuple) and len(key) == 2 and isinstance(code, CodeType)
        }

    def compiled(self, source: str, mode: str) -> CodeType:
        """Return the code of `source` compiled in `mode` ("exec" or "eval"), from the cache."""
        key = (mode, source)
        code = self._codes.get(key)
        if code is None:
            # dont_inherit: compile as the stdlib's exec/eval call does (dataclasses.py and
            # collections have no `from __future__` import; this module does).
            code = self._codes[key] = compile(source, "<string>", mode, dont_inherit=True)
            self._learned += 1
        self._used.add(key)
        return code

    def exec(self, source: Any, globals: Any = None, locals: Any = None, /) -> None:  # noqa: A002
        """`exec()` for `dataclasses`: a source text is compiled through the cache."""
        if type(source) is str:
            source = self.compiled(source, "exec")
        builtins.exec(source, globals, locals)

    def eval(self, source: Any, globals: Any = None, locals: Any = None, /) -> Any:  # noqa: A002
        """`eval()` for `collections.namedtuple`: a source text is compiled through the cache."""
        if type(source) is str:
            source = self.compiled(source, "eval")
        return builtins.eval(source, globals, locals)

    def save(self) -> bool:
        """Write the file if this run compiled anything it lacked; return whether it wrote.

        Written to a temporary file and renamed over the old one, so a reader never sees half a
        file. Over `MAX_ENTRIES`, only what this run used is kept (the file cannot grow for ever).
        """
        if not self._learned or sys.dont_write_bytecode:
            return False
        codes = self._codes
        if len(codes) > MAX_ENTRIES:
            codes = {key: code for key, code in codes.items() if key in self._used}
        if not write_whole(self.path, MAGIC_NUMBER + marshal.dumps(codes)):
            return False  # a read-only or full disk: the next run compiles again, nothing more
        self._learned = 0
        return True


_installed: CodeCache | None = None


def default_path() -> Path:
    """The cache file, in `paths.cache_dir()`; named after the Python that compiled it."""
    from smarter_tui.config.paths import cache_dir

    return cache_dir() / f"generated-code.{sys.implementation.cache_tag}.bin"


def install(path: Path | None = None) -> CodeCache:
    """Route `dataclasses`' exec and `namedtuple`'s eval through a cache at `path` (default:
    `default_path()`), saved at exit. Once per process: a second call returns the first cache."""
    global _installed
    if _installed is None:
        _installed = CodeCache(path or default_path())
        # A module global shadows the builtin for that module's code only.
        dataclasses.exec = _installed.exec  # type: ignore[attr-defined]
        collections.eval = _installed.eval  # type: ignore[attr-defined]
        atexit.register(_installed.save)
    return _installed
