"""Lazy re-exporting packages: synthetic packages in-process, and the real SDK in fresh processes."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from smarter_tui.providers import lazy_reexports


def write(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


@pytest.fixture
def package(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh top-level package name on sys.path, with a lazy finder for its `kinds` packages."""
    name = f"lazypkg_{request.node.name.removeprefix('test_')[:40]}"
    (tmp_path / name).mkdir()
    (tmp_path / name / "__init__.py").write_text("")
    sys.path.insert(0, str(tmp_path))
    lazy_reexports.install(f"{name}.kinds")
    try:
        yield name
    finally:
        sys.path.remove(str(tmp_path))
        sys.meta_path[:] = [f for f in sys.meta_path if getattr(f, "prefix", None) != f"{name}.kinds"]
        for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            del sys.modules[module]


REEXPORTING = {
    "kinds/__init__.py": '''\
        """Re-exports."""
        from __future__ import annotations

        from .apple import Apple as Apple, seeds
        from .pear import Pear as Fruit
        from .sub import Deep as Deep
        ''',
    "kinds/apple.py": "class Apple: ...\nseeds = 5\n",
    "kinds/pear.py": "class Pear: ...\n",
    "kinds/other.py": "VALUE = 1\n",
    "kinds/sub/__init__.py": "from .deep import Deep as Deep\n",
    "kinds/sub/deep.py": "class Deep: ...\n",
}


def test_a_reexporting_package_imports_each_module_when_its_name_is_first_read(
    tmp_path: Path, package: str
) -> None:
    write(tmp_path / package, REEXPORTING)
    kinds = importlib.import_module(f"{package}.kinds")
    assert isinstance(kinds, lazy_reexports.LazyPackage)
    assert not [m for m in sys.modules if m.startswith(f"{package}.kinds.")]

    apple = kinds.Apple
    assert apple is sys.modules[f"{package}.kinds.apple"].Apple
    assert f"{package}.kinds.pear" not in sys.modules  # only the module of the name read
    assert kinds.seeds == 5
    assert kinds.Fruit is importlib.import_module(f"{package}.kinds.pear").Pear  # `as` renames
    assert kinds.Deep.__module__ == f"{package}.kinds.sub.deep"  # through a lazy subpackage
    assert isinstance(sys.modules[f"{package}.kinds.sub"], lazy_reexports.LazyPackage)

    # Submodules that are not re-exported are still imported as usual, by both spellings.
    assert importlib.import_module(f"{package}.kinds.other").VALUE == 1
    namespace: dict[str, object] = {}
    exec(f"from {package}.kinds import other", namespace)
    assert namespace["other"] is sys.modules[f"{package}.kinds.other"]

    with pytest.raises(AttributeError, match="has no attribute 'Banana'"):
        _ = kinds.Banana
    assert {"Apple", "seeds", "Fruit", "Deep"} <= set(dir(kinds))


def test_a_star_import_from_a_lazy_package_gets_every_name(tmp_path: Path, package: str) -> None:
    write(tmp_path / package, REEXPORTING)
    namespace: dict[str, object] = {}
    exec(f"from {package}.kinds import *", namespace)
    assert {"Apple", "seeds", "Fruit", "Deep"} <= set(namespace)
    assert namespace["Fruit"].__name__ == "Pear"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "init",
    [
        "from .apple import Apple as Apple\nCOUNT = 1\n",  # code of its own
        "from .apple import *\n",  # a star import: its names are unknown until it runs
        "from . import apple\n",  # a submodule, not a name from one
        "from .apple import Apple as apple\n",  # a name that is also a submodule's
        "import os\nfrom .apple import Apple as Apple\n",
    ],
    ids=["code", "star", "submodule", "shadows-a-submodule", "plain-import"],
)
def test_any_other_package_is_imported_as_usual(tmp_path: Path, package: str, init: str) -> None:
    write(tmp_path / package, {"kinds/__init__.py": init, "kinds/apple.py": "class Apple: ...\n"})
    kinds = importlib.import_module(f"{package}.kinds")
    assert type(kinds) is type(sys)  # a plain module, run at once
    assert f"{package}.kinds.apple" in sys.modules


def test_a_package_that_does_not_parse_fails_as_it_would_without_the_finder(
    tmp_path: Path, package: str
) -> None:
    write(tmp_path / package, {"kinds/__init__.py": "from .apple import (\n"})
    with pytest.raises(SyntaxError) as raised:
        importlib.import_module(f"{package}.kinds")
    assert raised.value.filename is not None and raised.value.filename.endswith("__init__.py")


def test_install_is_idempotent(package: str) -> None:
    lazy_reexports.install(f"{package}.kinds")
    finders = [f for f in sys.meta_path if getattr(f, "prefix", None) == f"{package}.kinds"]
    assert len(finders) == 1


# -- the real SDK, each in a process of its own (the test process may have imported it already) --

_DESCRIBE_SDK_TYPES = """
import json, pkgutil, sys, types
if sys.argv[1] == "lazy":
    from smarter_tui.providers import lazy_reexports
    lazy_reexports.install("openai.types")
import openai.types

def describe(value):
    if isinstance(value, type):
        return f"{value.__module__}.{value.__qualname__}"
    return repr(value)

def packages(module):
    yield module
    for info in pkgutil.iter_modules(module.__path__):
        if info.ispkg:
            yield from packages(__import__(f"{module.__name__}.{info.name}", fromlist=["_"]))

result = {}
for package in packages(openai.types):
    names = dir(package) if sys.argv[1] == "lazy" else list(vars(package))
    result[package.__name__] = {
        name: describe(getattr(package, name))
        for name in names
        # Not names the package re-exports: the dunders, the submodules the import system sets as
        # attributes, and `annotations` (the eager one's `from __future__ import annotations`).
        if not name.startswith("__") and name not in ("annotations", "_reexports")
        and not isinstance(getattr(package, name), types.ModuleType)
    }
result["lazy packages"] = sorted(
    name for name, module in sys.modules.items() if type(module).__name__ == "LazyPackage"
)
print(json.dumps(result))
"""


def sdk_types(mode: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _DESCRIBE_SDK_TYPES, mode],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_every_name_of_the_sdks_type_packages_is_the_same_object_as_when_imported_eagerly() -> None:
    eager, lazy = sdk_types("eager"), sdk_types("lazy")
    lazy_packages = lazy.pop("lazy packages")
    assert eager.pop("lazy packages") == []
    assert "openai.types" in lazy_packages and "openai.types.responses" in lazy_packages  # type: ignore[operator]
    assert sum(len(names) for names in eager.values()) > 1000  # type: ignore[arg-type]
    assert lazy == eager


_WARM_UP_AND_LIST = """
import asyncio, json, sys
from smarter_tui.providers import worker
ok = asyncio.run(worker.warm_up())
print(json.dumps({"ok": ok, "modules": [m for m in sys.modules if m.startswith("openai.types")]}))
"""


def test_a_streamed_tool_call_through_the_sdk_imports_none_of_the_other_apis_models() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _WARM_UP_AND_LIST], capture_output=True, text=True, timeout=120, check=True
    )
    result = json.loads(done.stdout)
    assert result["ok"] is True  # the chunks were parsed into a reply with its tool call
    modules = set(result["modules"])
    assert "openai.types.chat.chat_completion_chunk" in modules
    # The Responses API's models (~270 ms of the eager import) and the evals' are not needed.
    assert not modules & {"openai.types.responses.response", "openai.types.eval_create_params"}
    assert len(modules) < 150  # of ~470 when every type package is imported eagerly
