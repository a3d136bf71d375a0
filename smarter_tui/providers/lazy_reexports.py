"""Import a library's re-exporting packages lazily: `openai.types` and its subpackages.

`import openai` runs `openai/types/__init__.py`, which imports the ~650 pydantic models of every
API the SDK covers (responses, evals, fine-tuning, realtime...) to re-export their names, and
each subpackage's `__init__` does the same for its own. That is ~60% of the SDK's import time
(~0.5 s here) and ~10 MB, while a chat completion needs a few dozen of those models.

`install(prefix)` puts a finder in front of the import system for the packages under `prefix`.
A package whose `__init__.py` does nothing but re-export (`from .module import Name as Name`,
plus a docstring and `from __future__` lines) becomes a module that knows where each name comes
from and imports that module on first access of the name (PEP 562 style). Every name stays
reachable as before: `from openai.types.chat import ChatCompletion`, attribute access,
`dir()`, `from ... import *` (through `__all__`). Any other package (one with code of its own, a
star import, or a name that is also one of its submodules') is imported as usual.
"""

from __future__ import annotations

import ast
import importlib
import importlib.abc
import importlib.machinery
import os
import sys
import threading
from types import ModuleType
from typing import Any

_install_lock = threading.Lock()


def reexports(init_path: str) -> dict[str, tuple[str, str]] | None:
    """Return `{name: (submodule, attribute)}` for a package `__init__` that only re-exports
    from its own submodules; None if it does anything else."""
    with open(init_path, "rb") as file:
        tree = ast.parse(file.read(), init_path)
    names: dict[str, tuple[str, str]] = {}
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the docstring
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            continue
        if not (isinstance(node, ast.ImportFrom) and node.level == 1 and node.module):
            return None
        for alias in node.names:
            if alias.name == "*":
                return None
            names[alias.asname or alias.name] = (node.module, alias.name)
    return names


class LazyPackage(ModuleType):
    """A package module that imports each re-exported name's module when the name is first read."""

    _reexports: dict[str, tuple[str, str]]

    def __getattr__(self, name: str) -> Any:
        # Called only for names not yet in the module's dict: a re-export not read before, or a
        # submodule not imported yet (the import system then imports it, seeing AttributeError).
        where = self.__dict__.get("_reexports", {}).get(name)
        if where is None:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{self.__name__}.{where[0]}"), where[1])
        setattr(self, name, value)
        return value

    def __dir__(self) -> list[str]:
        return sorted(set(self.__dict__) | set(self._reexports))


class _Loader(importlib.abc.Loader):
    def __init__(self, names: dict[str, tuple[str, str]]) -> None:
        self._names = names

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        return LazyPackage(spec.name)

    def exec_module(self, module: ModuleType) -> None:
        module._reexports = self._names  # type: ignore[attr-defined]
        module.__all__ = [name for name in self._names if not name.startswith("_")]  # type: ignore[attr-defined]


class ReexportFinder(importlib.abc.MetaPathFinder):
    """Finds the packages under `prefix` (and `prefix` itself) and makes the re-exporting ones lazy."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def find_spec(
        self, fullname: str, path: Any = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        """Return a lazy spec for a re-exporting package under the prefix, the path finder's usual
        spec for any other module under it (found once, not again by the finders after this one),
        and None outside the prefix."""
        if fullname != self.prefix and not fullname.startswith(self.prefix + "."):
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or not spec.submodule_search_locations or not (spec.origin or "").endswith(".py"):
            return spec  # not found, a module, a namespace package or a package without source
        try:
            names = reexports(spec.origin)  # type: ignore[arg-type]
        except (OSError, SyntaxError, ValueError):
            return spec  # its usual loader reports it
        if not names or _shadows_a_submodule(names, spec.submodule_search_locations):
            return spec
        lazy = importlib.machinery.ModuleSpec(fullname, _Loader(names), origin=spec.origin, is_package=True)
        lazy.submodule_search_locations = spec.submodule_search_locations
        lazy.has_location = True
        return lazy


def _shadows_a_submodule(names: dict[str, tuple[str, str]], locations: Any) -> bool:
    """Whether a re-exported name is also a submodule's name: importing that submodule sets the
    package's attribute to the module, so which of the two a reader gets would depend on order."""
    submodules = {os.path.splitext(entry)[0] for directory in locations for entry in os.listdir(directory)}
    return not submodules.isdisjoint(names)


def install(prefix: str) -> None:
    """Make the re-exporting packages under `prefix` lazy from now on (idempotent). Packages
    already imported are left as they are."""
    with _install_lock:
        if not any(isinstance(f, ReexportFinder) and f.prefix == prefix for f in sys.meta_path):
            sys.meta_path.insert(0, ReexportFinder(prefix))
