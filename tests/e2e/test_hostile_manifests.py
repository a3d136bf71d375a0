"""A handful of hostile manifests through the real `apply`: exit 1, one line naming file and line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.cli import Cli
from tests.unit.manifests.test_manifest_hostile import STATIC, _bomb

HOSTILE = {
    "bomb": _bomb(),
    "deep": STATIC.replace("VALUE", "[" * 800 + "]" * 800),
    "self_alias": STATIC.replace("VALUE", "&me [1, *me]"),
    "binary": STATIC.replace("VALUE", "!!binary aGVsbG8="),
    "api_key_as_name": (
        "apiVersion: smarter.sh/v1\nkind: Provider\nmetadata: {name: p}\nspec:\n  provider:\n"
        "    baseUrl: http://127.0.0.1:1/v1\n    apiKey: sk-proj-Ab3dEf6hIj9kAb3dEf6hIj9kAb3dEf6h\n"
    ),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_apply_refuses_hostile_manifest_in_one_line(tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.yaml"
    path.write_text(HOSTILE[name], encoding="utf-8")
    result = Cli(tmp_path / "home")("apply", "-f", str(path), timeout=120)
    assert result.code == 1, result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and re.search(r"\bline \d+", lines[0]), result.err
    assert "Traceback" not in result.err and "sk-proj-" not in result.err
