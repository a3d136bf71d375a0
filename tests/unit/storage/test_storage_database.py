"""open_database: runtime binding, switching files, transactions, no peewee objects returned."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any

import pytest

from smarter_tui.domain.messages import Message, Role, ToolCall, Usage
from smarter_tui.domain.records import CatalogueEntry, PluginSelectionRecord, ToolCallRecord
from smarter_tui.storage import Database, open_database


def test_import_opens_nothing(tmp_path: Path) -> None:
    code = (
        "import smarter_tui.storage as s, smarter_tui.storage.rows as r;"
        "assert r.database_proxy.obj is None; print('ok')"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "ok"
    assert list(tmp_path.iterdir()) == []


def test_two_files_one_after_another(tmp_path: Path) -> None:
    first = open_database(tmp_path / "one.db")
    first.sessions.create("one")
    second = open_database(tmp_path / "two.db")  # closes the first
    assert second.sessions.count() == 0
    second.sessions.create("two")
    assert [s.client for s in second.sessions.list()] == ["two"]
    second.close()
    again = open_database(tmp_path / "one.db")
    assert [s.client for s in again.sessions.list()] == ["one"]
    assert again.path == tmp_path / "one.db"
    again.close()
    assert again.closed


def test_open_creates_parent_directories(tmp_path: Path) -> None:
    db = open_database(tmp_path / "a" / "b" / "c.db")
    assert (tmp_path / "a" / "b" / "c.db").exists()
    db.close()


def test_transaction_groups_and_nests(db: Database) -> None:
    with db.transaction():
        db.catalogue.put(CatalogueEntry("Plugin", "kept", {}))
        with pytest.raises(RuntimeError), db.transaction():
            db.catalogue.put(CatalogueEntry("Plugin", "dropped", {}))
            raise RuntimeError
    assert [e.name for e in db.catalogue.list("plugin")] == ["kept"]


def _assert_plain(value: Any, path: str = "value") -> None:
    """Fail if `value` or anything inside it is a peewee object."""
    assert not type(value).__module__.startswith(("peewee", "playhouse")), path
    if isinstance(value, (str, int, float, bool, type(None), datetime, Enum)):
        return
    if isinstance(value, dict):
        for k, v in value.items():
            _assert_plain(k, f"{path}.key")
            _assert_plain(v, f"{path}[{k!r}]")
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _assert_plain(item, f"{path}[{i}]")
    elif dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            _assert_plain(getattr(value, f.name), f"{path}.{f.name}")
    else:
        raise AssertionError(f"{path}: unexpected type {type(value)!r}")


def test_no_peewee_types_in_return_values(db: Database) -> None:
    results: list[Any] = []
    results.append(db.catalogue.put(CatalogueEntry("Plugin", "p", {"a": [1]})))
    results.append(db.catalogue.put(CatalogueEntry("LLMClient", "c", {}), [("plugin", "p")]))
    results += [
        db.catalogue.get("plugin", "p"),
        db.catalogue.list("plugin"),
        db.catalogue.references("llmclient", "c"),
        db.catalogue.dependants("plugin", "p"),
        db.catalogue.count("plugin"),
        db.catalogue.is_empty(),
    ]
    info = db.sessions.create("c")
    key = info.session_key
    results.append(info)
    results.append(db.sessions.append_message(key, Message(Role.USER, "hello world")))
    results.append(
        db.sessions.append_message(
            key,
            Message(Role.ASSISTANT, "x", tool_calls=[ToolCall("1", "f", "{}")], usage=Usage(1)),
        )
    )
    results.append(db.sessions.update_message(key, 1, interrupted=True))
    results.append(
        db.sessions.record_tool_call(ToolCallRecord(key, "f", "f", "function", "{}", "r", None, 1))
    )
    results.append(db.sessions.record_selection(PluginSelectionRecord(key, "p", "t", "q")))
    results += [
        db.sessions.get(key),
        db.sessions.list(),
        db.sessions.count(),
        db.sessions.rename(key, "t"),
        db.sessions.messages(key),
        db.sessions.messages(key, last=1),
        db.sessions.message_count(key),
        db.sessions.tool_calls(key),
        db.sessions.tool_calls_by_source("f"),
        db.sessions.selections(key),
        db.sessions.search("hello"),
        db.memories.add("remember this"),
        db.memories.search("remember this"),
        db.memories.list(),
        db.memories.count(),
        db.schema_version(),
    ]
    _assert_plain(results)
    assert isinstance(results[-1], int)
