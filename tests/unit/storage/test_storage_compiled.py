"""Compiled statements (storage/compiled.py): built once per open database, run with fresh values."""

from __future__ import annotations

from pathlib import Path

from smarter_tui.domain.records import CatalogueEntry
from smarter_tui.storage import Database, open_database
from smarter_tui.storage.compiled import Statement, slot
from smarter_tui.storage.rows import SessionRow


def _client(name: str, welcome: str) -> CatalogueEntry:
    manifest = {
        "kind": "LLMClient",
        "metadata": {"name": name},
        "spec": {"config": {"appWelcomeMessage": welcome}},
    }
    return CatalogueEntry(kind="LLMClient", name=name, manifest=manifest)


def test_a_statement_is_built_once_and_filled_per_run(db: Database) -> None:
    built: list[int] = []

    def build() -> object:
        built.append(1)
        return SessionRow.select(SessionRow.client).where(SessionRow.session_key == slot("key"))

    statement = Statement(build)  # type: ignore[arg-type]
    first = db.sessions.create("a")
    second = db.sessions.create("b")
    raw = db._db  # the peewee database the stores run on
    assert statement.one(raw, key=first.session_key) == ("a",)
    assert statement.one(raw, key=second.session_key) == ("b",)
    assert statement.one(raw, key="0" * 64) is None
    assert len(built) == 1


def test_statements_follow_the_database_that_is_open(db: Database, tmp_path: Path) -> None:
    """Opening another database (here a SQLite file after the engine under test) builds each
    statement again for it: its dialect, its rows."""
    db.catalogue.put(_client("first", "from the first"))
    assert db.catalogue.get("llmclient", "first") is not None
    other = open_database(tmp_path / "other" / "smarter.db")
    try:
        assert other.catalogue.get("llmclient", "first") is None
        other.catalogue.put(_client("second", "from the second"))
        found = other.catalogue.get("llmclient", "second")
        assert (
            found is not None and found.manifest["spec"]["config"]["appWelcomeMessage"] == "from the second"
        )
        assert [e.name for e in other.catalogue.list("llmclient")] == ["second"]
    finally:
        other.close()
