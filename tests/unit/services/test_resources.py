"""The HTTP API's resources read the typed specs: both LLMClient shapes and both Secret spellings agree."""

from __future__ import annotations

from pathlib import Path

from smarter_tui.services import Services
from smarter_tui.services.resources import allowed_origins, client_api_key, custom_domain

NESTED = """\
apiVersion: smarter.sh/v1
kind: LLMClient
metadata: {name: nested_desk, description: The desk., version: 1.2.0, tags: [desk]}
spec:
  apiKey: desk_key
  config:
    prompt:
      provider: offline
      defaultModel: offline-echo
      defaultSystemRole: Be brief.
      allowedOrigins: [https://desk.example.com/]
      customDomain: {domain_name: Desk.Example.COM., aws_hosted_zone_id: ""}
      deployed: true
  extensions: [calculator]
  plugins: [everlasting_gobstopper]
"""
FLAT = """\
apiVersion: smarter.sh/v1
kind: Chatbot
metadata: {name: flat_desk, description: The desk., version: 1.2.0, tags: [desk]}
spec:
  apiKey: desk_key
  config:
    provider: offline
    defaultModel: offline-echo
    defaultSystemRole: Be brief.
    allowedOrigins: [https://desk.example.com/]
    customDomain: desk.example.com
    deployed: true
  functions: [calculator]
  plugins: [everlasting_gobstopper]
"""
SECRETS = """\
apiVersion: smarter.sh/v1
kind: Secret
metadata: {name: new_spelling, description: x}
spec: {config: {value: abcdefgh1234, expiration_date: 2027-12-31}}
---
apiVersion: smarter.sh/v1
kind: Secret
metadata: {name: old_spelling, description: x}
spec: {config: {value: abcdefgh1234, expirationDate: 2027-12-31}}
"""


def test_both_client_shapes_give_the_same_resource(services: Services, tmp_path: Path) -> None:
    for name, text in (("desk_key", SECRETS.replace("new_spelling", "desk_key")), ("n", NESTED), ("f", FLAT)):
        path = tmp_path / f"{name}.yaml"
        path.write_text(text)
        services.catalogue.apply_paths([path])
    nested, flat = services.resources.client("nested_desk"), services.resources.client("flat_desk")
    varying = ("id", "name", "created_at", "updated_at", "url_llmclient", "url_chat_config", "can_delete")
    same = {k: v for k, v in nested.items() if k not in varying and k not in ("extensions", "tools")}
    assert same == {k: v for k, v in flat.items() if k in same}
    assert (nested["provider"], nested["default_model"], nested["default_system_role"]) == (
        "offline",
        "offline-echo",
        "Be brief.",
    )
    assert nested["deployed"] is True and nested["is_authentication_required"] is True
    assert (nested["description"], nested["version"], nested["tags"]) == ("The desk.", "1.2.0", ["desk"])
    assert (
        [x["name"] for x in nested["extensions"]] == [x["name"] for x in flat["extensions"]] == ["calculator"]
    )
    assert [p["name"] for p in nested["plugins"]] == ["everlasting_gobstopper"]
    for name in ("nested_desk", "flat_desk"):
        entry = services.resources.client_entry(name)
        assert custom_domain(entry) == "desk.example.com"
        assert allowed_origins(entry) == ["https://desk.example.com"]
        assert client_api_key(entry) == "desk_key"
    assert services.resources.custom_domains()["desk.example.com"] in ("nested_desk", "flat_desk")


def test_a_secrets_expiry_is_read_in_either_spelling(services: Services, tmp_path: Path) -> None:
    path = tmp_path / "secrets.yaml"
    path.write_text(SECRETS)
    services.catalogue.apply_paths([path])
    expiry = {row["name"]: row["expires_at"] for row in services.resources.secrets()}
    assert expiry["new_spelling"] == expiry["old_spelling"] == "2027-12-31"
