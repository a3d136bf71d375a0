"""CatalogueStore: upsert, listing, references, dependants, deletes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from smarter_tui.domain.errors import DependencyError, NotFoundError
from smarter_tui.domain.records import CatalogueEntry
from smarter_tui.storage import Database


def entry(kind: str, name: str, **manifest: object) -> CatalogueEntry:
    """Return a catalogue entry with a small manifest."""
    return CatalogueEntry(
        kind=kind,
        name=name,
        manifest={"kind": kind, "metadata": {"name": name}, "spec": dict(manifest)},
        source_text=f"kind: {kind}\nmetadata:\n  name: {name}\n",
        description=f"the {name}",
    )


def test_empty_catalogue(db: Database) -> None:
    assert db.catalogue.is_empty()
    assert db.catalogue.count("plugin") == 0
    assert db.catalogue.list("plugin") == []
    assert db.catalogue.get("plugin", "x") is None


def test_put_get_round_trip(db: Database) -> None:
    stored = db.catalogue.put(entry("SqlPlugin", "stock", sql="select 1", nested={"ü": [1, 2]}))
    got = db.catalogue.get("plugin", "stock")
    assert got == stored
    assert got is not None
    assert got.kind == "SqlPlugin"
    assert got.manifest["spec"] == {"sql": "select 1", "nested": {"ü": [1, 2]}}
    assert got.source_text.startswith("kind: SqlPlugin")
    assert got.description == "the stock"
    assert got.created_at is not None and got.created_at == got.updated_at
    assert got.created_at.tzinfo is not None
    assert not db.catalogue.is_empty()
    # a kind name also resolves to its group
    assert db.catalogue.get("SqlPlugin", "stock") == got


def test_update_keeps_created_at_and_allows_kind_change(db: Database) -> None:
    first = db.catalogue.put(entry("Plugin", "p", data=1))
    second = db.catalogue.put(entry("ApiPlugin", "p", data=2))
    assert db.catalogue.count("plugin") == 1
    assert second.kind == "ApiPlugin"
    assert second.manifest["spec"] == {"data": 2}
    assert second.created_at == first.created_at
    assert second.updated_at is not None and first.updated_at is not None
    assert second.updated_at >= first.updated_at


def test_names_are_unique_per_group_only(db: Database) -> None:
    db.catalogue.put(entry("SqlConnection", "same"))
    db.catalogue.put(entry("SqlPlugin", "same"))
    db.catalogue.put(entry("LLMClient", "same"))
    assert [e.kind for e in db.catalogue.list("connection")] == ["SqlConnection"]
    assert [e.kind for e in db.catalogue.list("plugin")] == ["SqlPlugin"]
    assert db.catalogue.count("llmclient") == 1


def test_list_sorted_by_name(db: Database) -> None:
    for name in ["zeta", "alpha", "mid"]:
        db.catalogue.put(entry("Secret", name))
    assert [e.name for e in db.catalogue.list("secret")] == ["alpha", "mid", "zeta"]


def test_unknown_kind_and_group(db: Database) -> None:
    with pytest.raises(ValueError):
        db.catalogue.put(entry("Nonsense", "x"))
    with pytest.raises(ValueError):
        db.catalogue.list("nonsense")


def test_references_full_sync_and_dependants(db: Database) -> None:
    db.catalogue.put(entry("SqlConnection", "db1"))
    db.catalogue.put(entry("SqlPlugin", "p1"), [("connection", "db1")])
    db.catalogue.put(entry("Plugin", "p2"))
    db.catalogue.put(entry("LLMClient", "a"), [("plugin", "p1"), ("plugin", "p2")])
    db.catalogue.put(entry("LLMClient", "b"), [("plugin", "p1")])
    assert db.catalogue.references("llmclient", "a") == [("plugin", "p1"), ("plugin", "p2")]
    assert db.catalogue.dependants("plugin", "p1") == [("llmclient", "a"), ("llmclient", "b")]
    assert db.catalogue.dependants("connection", "db1") == [("plugin", "p1")]
    # re-applying replaces the reference set
    db.catalogue.put(entry("LLMClient", "a"), [("plugin", "p2")])
    assert db.catalogue.references("llmclient", "a") == [("plugin", "p2")]
    assert db.catalogue.dependants("plugin", "p1") == [("llmclient", "b")]


def test_missing_reference_target_raises_and_changes_nothing(db: Database) -> None:
    db.catalogue.put(entry("Plugin", "p1"))
    db.catalogue.put(entry("LLMClient", "a", v=1), [("plugin", "p1")])
    with pytest.raises(NotFoundError, match="plugin 'ghost'"):
        db.catalogue.put(entry("LLMClient", "a", v=2), [("plugin", "p1"), ("plugin", "ghost")])
    kept = db.catalogue.get("llmclient", "a")
    assert kept is not None and kept.manifest["spec"] == {"v": 1}
    assert db.catalogue.references("llmclient", "a") == [("plugin", "p1")]
    with pytest.raises(NotFoundError, match="connection 'nope'"):
        db.catalogue.put(entry("SqlPlugin", "new"), [("connection", "nope")])
    assert db.catalogue.get("plugin", "new") is None


def test_delete(db: Database) -> None:
    db.catalogue.put(entry("Provider", "openai"))
    db.catalogue.delete("provider", "openai")
    assert db.catalogue.get("provider", "openai") is None
    with pytest.raises(NotFoundError, match="openai"):
        db.catalogue.delete("provider", "openai")


def test_delete_refused_while_referenced(db: Database) -> None:
    db.catalogue.put(entry("Plugin", "x"))
    db.catalogue.put(entry("LLMClient", "a"), [("plugin", "x")])
    db.catalogue.put(entry("LLMClient", "b"), [("plugin", "x")])
    with pytest.raises(DependencyError) as info:
        db.catalogue.delete("plugin", "x")
    assert str(info.value) == "plugin 'x' is used by llmclient 'a', llmclient 'b'"
    db.catalogue.delete("llmclient", "a")
    db.catalogue.delete("llmclient", "b")
    assert db.catalogue.references("llmclient", "a") == []
    db.catalogue.delete("plugin", "x")
    assert db.catalogue.is_empty()


def test_version_counts_every_write_and_only_committed_ones(db: Database) -> None:
    assert db.catalogue.version() == 0
    db.catalogue.put(entry("SqlConnection", "conn"))
    db.catalogue.put(entry("SqlPlugin", "p"), references=[("connection", "conn")])
    db.catalogue.put(entry("SqlPlugin", "p", sql="select 2"))  # an update counts too
    assert db.catalogue.version() == 3
    with pytest.raises(NotFoundError):
        db.catalogue.put(entry("SqlPlugin", "q"), references=[("connection", "missing")])
    with pytest.raises(DependencyError):
        db.catalogue.put(entry("SqlPlugin", "p2"), references=[("connection", "conn")])
        db.catalogue.delete("connection", "conn")
    assert db.catalogue.version() == 4  # p2 was stored; the refused delete changed nothing
    with pytest.raises(RuntimeError), db.transaction():
        db.catalogue.put(entry("LLMClient", "rolled_back"))
        raise RuntimeError("abort")
    assert db.catalogue.version() == 4 and db.catalogue.get("llmclient", "rolled_back") is None
    db.catalogue.delete("plugin", "p2")
    assert db.catalogue.version() == 5


def test_version_sees_writes_of_another_connection(db: Database, db_path: Path) -> None:
    """Another process writing the file (the CLI, serve) moves the version this one reads."""
    before = db.catalogue.version()
    code = (
        "import sys; from smarter_tui.storage import open_database; "
        "from smarter_tui.domain.records import CatalogueEntry; "
        "d = open_database(sys.argv[1]); "
        "d.catalogue.put(CatalogueEntry(kind='LLMClient', name='elsewhere', manifest={})); d.close()"
    )
    subprocess.run([sys.executable, "-c", code, str(db_path)], check=True, timeout=60)
    assert db.catalogue.version() == before + 1
    assert db.catalogue.get("llmclient", "elsewhere") is not None
