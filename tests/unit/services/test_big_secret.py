"""An 8 MB Secret description applies in linear time and round-trips (issue 11 item 12)."""

from __future__ import annotations

import time
from pathlib import Path

import yaml

from smarter_tui.manifests.dump import dump_yaml
from smarter_tui.services import Services


def test_an_8_mb_secret_description_applies_quickly_and_comes_back(
    services: Services, tmp_path: Path
) -> None:
    description = ("lorem ipsum dolor sit amet " * 300_000)[:8_000_000]
    path = tmp_path / "big.yaml"
    path.write_text(
        "apiVersion: smarter.sh/v1\nkind: Secret\nmetadata:\n  name: big\n"
        f"  description: {description}\nspec:\n  config:\n    value: abc123\n",
        encoding="utf-8",
    )
    started = time.process_time()
    services.catalogue.apply_paths([path])
    # CPU, not wall time: the pure-Python YAML emitter alone spent ~10 s of CPU on this text.
    assert time.process_time() - started < 5
    assert services.catalogue.describe("secret", "big")["metadata"]["description"] == description
    assert "abc123" not in services.catalogue.get("secret", "big").source_text


def test_long_strings_keep_their_exact_value_in_dumped_yaml() -> None:
    tricky = 'line one\nline two \x85 \x9b \u2028 😀 "quoted" \\ back\ttab ' * 400
    data = {"metadata": {"description": tricky, "tags": [tricky, "short"]}, "spec": {"x": 1}}
    assert yaml.safe_load(dump_yaml(data)) == data
