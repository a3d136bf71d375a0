"""A manifest refused at apply for what it names (a plugin, a connection) says document, field, line."""

from __future__ import annotations

from pathlib import Path

import pytest

from smarter_tui.domain.errors import NotFoundError
from smarter_tui.services import Services

PROVIDER = """\
apiVersion: smarter.sh/v1
kind: Provider
metadata: {name: p1, description: x}
spec:
  provider: {baseUrl: "http://127.0.0.1:9/v1", defaultModel: m, apiKey: null}
"""
CLIENT = """\
apiVersion: smarter.sh/v1
kind: LLMClient
metadata:
  name: x_client
  description: test
spec:
  config:
    provider: offline
  plugins:
    - everlasting_gobstopper
    - no_such_plugin
"""
SQL_PLUGIN = """\
apiVersion: smarter.sh/v1
kind: SqlPlugin
metadata: {name: lookup, pluginClass: sql, description: x}
spec:
  selector: {directive: always}
  connection: no_such_db
  sqlData:
    description: x
    sqlQuery: SELECT 1
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            CLIENT,
            "document 1 (LLMClient x_client): spec.plugins[1] (line 11): "
            "plugin 'no_such_plugin' does not exist",
        ),
        (
            PROVIDER + "---\n" + CLIENT,
            "document 2 (LLMClient x_client): spec.plugins[1] (line 17): "
            "plugin 'no_such_plugin' does not exist",
        ),
        (
            SQL_PLUGIN,
            "document 1 (SqlPlugin lookup): spec.connection (line 6): connection 'no_such_db' does not exist",
        ),
    ],
    ids=["client", "second document", "sql plugin"],
)
def test_a_missing_reference_is_refused_with_its_line(
    services: Services, tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "refused.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(NotFoundError) as caught:
        services.catalogue.apply_paths([path])
    assert caught.value.message == f"{path}: {expected}"
    assert services.db.catalogue.get("llmclient", "x_client") is None  # nothing of the file stored
