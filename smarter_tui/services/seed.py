"""The bundled examples, applied once into an empty catalogue; a validated cache keeps first start fast.

Validating the example YAML needs the pydantic models, whose import alone costs ~85 ms of a
first start. `assets/seed/examples.json` holds the same documents already validated, with a
digest of the YAML they came from: when the digest matches, seeding skips validation; when it
does not (someone edited the examples), the YAML is validated as usual.
`python assets/seed/make_seed.py` rewrites the cache; a test checks it is current.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smarter_tui.config.paths import assets_dir
from smarter_tui.services.catalogue import Applied, CatalogueService, manifest_files


@dataclass(slots=True)
class CachedManifest:
    """One validated document read back from the cache (what `apply_files` needs of it)."""

    kind: str
    name: str
    data: dict[str, Any]
    source_text: str
    warnings: list[str] = field(default_factory=list)
    document_index: int = 1
    line: int = 1
    lines: dict[tuple[str | int, ...], int] = field(default_factory=dict)


def examples_dir() -> Path:
    """Return the folder of the bundled example manifests."""
    return assets_dir() / "manifests"


def cache_path() -> Path:
    """Return the seed cache file."""
    return assets_dir() / "seed" / "examples.json"


def digest(files: list[Path], root: Path) -> str:
    """Return a digest of the manifest files' names and bytes."""
    sha = hashlib.sha256()
    for file in files:
        sha.update(file.relative_to(root).as_posix().encode())
        sha.update(b"\0")
        sha.update(file.read_bytes())
    return sha.hexdigest()


def write_cache(folder: Path, path: Path) -> None:
    """Validate the manifests under `folder` and write the cache to `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(build_cache(folder), indent=1, ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")


def build_cache(folder: Path) -> dict[str, Any]:
    """Validate every manifest under `folder` and return the cache document."""
    from smarter_tui.manifests import load_file

    files = manifest_files(folder)
    documents = []
    for file in files:
        for item in load_file(file):
            documents.append(
                {
                    "file": file.relative_to(folder).as_posix(),
                    "kind": item.kind,
                    "name": item.name,
                    "data": item.data,
                    "source_text": item.source_text,
                }
            )
    return {"digest": digest(files, folder), "documents": documents}


def read_cache(folder: Path, path: Path) -> list[tuple[Path, list[CachedManifest]]] | None:
    """Return the cached documents grouped by file, or None when the cache is missing or stale."""
    if not path.is_file():
        return None
    cache = json.loads(path.read_text(encoding="utf-8"))
    if cache.get("digest") != digest(manifest_files(folder), folder):
        return None
    grouped: dict[str, list[CachedManifest]] = {}
    for doc in cache["documents"]:
        grouped.setdefault(doc["file"], []).append(
            CachedManifest(doc["kind"], doc["name"], doc["data"], doc["source_text"])
        )
    return [(folder / name, items) for name, items in grouped.items()]


def seed_examples(catalogue: CatalogueService) -> list[Applied]:
    """Apply the bundled examples: from the cache when it is current, else from the YAML."""
    folder = examples_dir()
    cached = read_cache(folder, cache_path())
    if cached is not None:
        return catalogue.apply_files(cached)
    return catalogue.apply_paths([folder])
