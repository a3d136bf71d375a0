"""Seeding the bundled examples: the validated cache is current and equals validating the YAML."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from smarter_tui.config.secrets import SecretStore
from smarter_tui.services import Services
from smarter_tui.services.seed import build_cache, cache_path, examples_dir, read_cache
from tests.support.memory_keyring import MemoryKeyring


def test_cache_is_current() -> None:
    """Fails after an example manifest changed: run `python assets/seed/make_seed.py`."""
    assert json.loads(cache_path().read_text(encoding="utf-8")) == build_cache(examples_dir())


def test_stale_cache_is_ignored(tmp_path: Path) -> None:
    folder = tmp_path / "manifests"
    shutil.copytree(examples_dir(), folder)
    assert read_cache(folder, cache_path()) is not None
    edited = folder / "providers.yaml"
    edited.write_text(edited.read_text() + "\n# edited\n")
    assert read_cache(folder, cache_path()) is None
    assert read_cache(folder, tmp_path / "missing.json") is None


def test_seeding_from_cache_equals_seeding_from_yaml(tmp_path: Path) -> None:
    fast = Services.open(tmp_path / "fast.sqlite3", secrets=SecretStore(MemoryKeyring()))
    from_cache = {
        (e.kind, e.name): (e.manifest, e.source_text)
        for g in ("llmclient", "plugin", "connection", "provider")
        for e in fast.db.catalogue.list(g)
    }
    fast.close()
    slow = Services.open(tmp_path / "slow.sqlite3", secrets=SecretStore(MemoryKeyring()), seed_examples=False)
    slow.catalogue.apply_paths([examples_dir()])
    from_yaml = {
        (e.kind, e.name): (e.manifest, e.source_text)
        for g in ("llmclient", "plugin", "connection", "provider")
        for e in slow.db.catalogue.list(g)
    }
    slow.close()
    assert from_cache == from_yaml and len(from_cache) >= 9
    # the relative path stays as written; the folder it was applied from resolves it
    entry = Services.open(tmp_path / "fast.sqlite3", secrets=SecretStore(MemoryKeyring()))
    connection = entry.db.catalogue.get("connection", "catalogue_db")
    entry.close()
    assert connection is not None and connection.base_dir is not None
    db_path = connection.manifest["spec"]["connection"]["database"]
    assert db_path == "../data/catalogue.sqlite3"
    assert (Path(connection.base_dir) / db_path).resolve().is_file()
