"""Every kind is accepted in a realistic form; warnings say what was normalised or ignored."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest

from smarter_tui.manifests import (
    KINDS,
    LLMClientManifest,
    load_file,
    load_text,
    quoted_placeholders,
    sql_placeholders,
)

DATA = Path(__file__).parent / "data"
ASSETS = Path(__file__).resolve().parents[3] / "assets" / "manifests"


def _by_name(path: Path) -> dict[str, object]:
    return {item.name: item for item in load_file(path)}


def test_bundled_examples_cover_every_kind_but_secret() -> None:
    loaded = [item for path in sorted(ASSETS.glob("*.yaml")) for item in load_file(path)]
    kinds = {item.kind for item in loaded}
    assert kinds == set(KINDS) - {"Secret"}
    assert all(item.warnings == [] for item in loaded), [item.warnings for item in loaded]
    names = {item.name for item in loaded}
    assert {"general_assistant", "shop_assistant", "course_assistant"} <= names


def test_general_assistant() -> None:
    (client,) = load_file(ASSETS / "general_assistant.yaml")
    assert client.kind == "LLMClient"
    assert isinstance(client.model, LLMClientManifest)
    spec = client.data["spec"]
    assert spec["config"]["prompt"]["provider"] == "offline"
    assert spec["extensions"] == [
        "calculator",
        "date_calculator",
        "create_memory",
        "recall_memory",
        "get_current_weather",
    ]
    assert "What is 2**16 + 17?" in spec["config"]["prompt"]["appExamplePrompts"]
    assert client.line == 4 and client.document_index == 1
    assert client.source_text.startswith("# A general-purpose assistant")


def test_shop_assistant_static_plugin() -> None:
    items = _by_name(ASSETS / "shop_assistant.yaml")
    plugin = items["everlasting_gobstopper"]
    assert plugin.kind == "Plugin"
    assert plugin.data["metadata"]["pluginClass"] == "static"
    static = plugin.data["spec"]["data"]["staticData"]
    assert {"contact", "coupon_codes", "sales_promotions", "biographical", "flavours"} <= set(static)
    assert static["sales_promotions"]["spring"]["name"] == "Spring Fling"
    assert plugin.data["spec"]["selector"]["searchTerms"][0] == "Gobstopper"
    client = items["shop_assistant"]
    assert client.data["spec"]["plugins"] == ["everlasting_gobstopper"]
    assert client.document_index == 2
    assert client.source_text.lstrip().startswith("apiVersion: smarter.sh/v1\nkind: LLMClient")


def test_course_catalogue() -> None:
    items = _by_name(ASSETS / "course_catalogue.yaml")
    connection = items["catalogue_db"].data["spec"]["connection"]
    assert connection["dbEngine"] == "sqlite"
    assert connection["database"] == "../data/catalogue.sqlite3"  # kept as written
    search = items["course_search"].data["spec"]["sqlData"]
    assert sql_placeholders(search["sqlQuery"]) == ["max_price", "keyword"]
    assert items["course_details"].data["spec"]["apiData"]["endpoint"] == "/courses/{course_code}/"
    assert items["course_api"].data["spec"]["connection"]["authMethod"] == "none"
    assert items["course_assistant"].data["spec"]["plugins"] == ["course_search", "course_details"]


def test_catalogue_database_answers_the_bundled_query() -> None:
    items = _by_name(ASSETS / "course_catalogue.yaml")
    database = (ASSETS / items["catalogue_db"].data["spec"]["connection"]["database"]).resolve()
    query = items["course_search"].data["spec"]["sqlData"]["sqlQuery"]
    sql = query.replace("{max_price}", ":max_price").replace("{keyword}", ":keyword")
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        rows = db.execute(sql, {"max_price": 400, "keyword": "Python"}).fetchall()
        total = db.execute("SELECT count(*) FROM courses").fetchone()[0]
    assert 12 <= total <= 20
    assert rows and all("Python" in row[1] and row[2] <= 400 for row in rows)


def test_provider_example_needs_no_key() -> None:
    (provider,) = load_file(ASSETS / "providers.yaml")
    settings = provider.data["spec"]["provider"]
    assert settings == {
        "name": "local_ollama",  # Smarter's model requires it: the manifest's name unless given
        "base_url": "http://127.0.0.1:11434/v1",
        "default_model": "llama3.2",
        "api_key": None,  # written as `api_key: null`: a null the user wrote is kept
    }


def test_smarter_chatbot_v0_is_normalised_with_warnings() -> None:
    (client,) = load_file(DATA / "smarter_chatbot_v0.yaml")
    assert client.kind == "LLMClient" and client.name == "stackademy_bot"
    assert client.data["apiVersion"] == "smarter.sh/v1"
    assert client.data["kind"] == "LLMClient"
    assert "status" not in client.data
    # unknown keys are kept as given (with a warning), where they were written
    assert client.data["metadata"]["account"] == "3141-5926-5359"
    assert "dnsVerificationStatus" in client.data["spec"]["config"]
    temperature = client.data["spec"]["config"]["prompt"]["defaultTemperature"]
    assert temperature == 0.0 and isinstance(temperature, float)
    text = "\n".join(client.warnings)
    assert "apiVersion (line 2): apiVersion smarter.sh/v0 accepted" in text
    assert "kind (line 3): kind 'Chatbot' is the former name of 'LLMClient'" in text
    assert "metadata.name (line 5): name 'Stackademy-Bot' normalised to 'stackademy_bot'" in text
    assert "metadata.account (line 12): unknown key kept as given" in text
    assert "spec.config.dnsVerificationStatus (line 34): unknown key kept as given" in text
    assert "spec.config (line 15): seed-era flat shape read as today's nested one" in text
    assert sum("flat shape" in w for w in client.warnings) == 1
    assert "spec.functions (line 35): 'functions' is the former name of 'extensions'" in text
    assert all("status" not in warning for warning in client.warnings)


def test_smarter_sql_plugin_quoted_placeholders() -> None:
    items = _by_name(DATA / "smarter_sql_plugin.yaml")
    plugin = items["stackademy_sql"]
    assert plugin.data["spec"]["prompt"]["temperature"] == 0.0
    assert plugin.data["spec"]["sqlData"]["limit"] == 5000  # kept; the executor caps at 1000
    text = "\n".join(plugin.warnings)
    assert "spec.sqlData.sqlQuery (line 24): placeholder {keyword} is written inside quotes" in text
    assert "placeholder {level} is written inside quotes ('{level}')" in text
    assert "bound as a query parameter" in text
    assert "spec.sqlData.limit (line 43): limit 5000 kept, but at most 1000 rows" in text
    connection = items["stackademy_db"]
    settings = connection.data["spec"]["connection"]
    assert settings["dbEngine"] == "django.db.backends.mysql"  # kept as written
    assert settings["useSsl"] is False  # a Smarter field: kept, validated, no warning
    assert not any("dbEngine" in w or "useSsl" in w for w in connection.warnings)
    secret = items["stackademy_db_password"]
    assert secret.data["spec"]["config"] == {
        "value": "not-a-real-password",
        "expiration_date": "2030-01-31",
    }


def test_smarter_api_plugin_and_connection() -> None:
    items = _by_name(DATA / "smarter_api_plugin.yaml")
    connection = items["stackademy_api"]  # the ApiPlugin (the connection is renamed below)
    api = connection.data["spec"]["apiData"]
    assert api["endpoint"] == "/courses/{course_id}/"
    assert api["method"] == "get"  # as written; compared case-insensitively
    assert connection.data["spec"]["connection"] == "stackademy_api"
    assert any("trailing '/' added" in w and "(line 27)" in w for w in connection.warnings)
    api_connection = load_file(DATA / "smarter_api_plugin.yaml")[0]
    assert api_connection.kind == "ApiConnection" and api_connection.name == "stackademy_api"
    assert api_connection.data["spec"]["connection"]["authMethod"].lower() == "token"
    # proxyHost is a Smarter field (no local effect): accepted without a warning
    assert not any("proxyHost" in w for w in api_connection.warnings)
    provider = items["openrouter"]
    assert provider.data["spec"]["provider"]["api_key"] == "openrouter_api_key"


def test_temperature_zero_is_kept() -> None:
    text = """\
apiVersion: smarter.sh/v1
kind: LLMClient
metadata: {name: cold, description: null, version: null}
spec:
  config: {defaultTemperature: 0, defaultMaxTokens: 1}
"""
    (client,) = load_text(text)
    assert client.data["spec"]["config"]["prompt"]["defaultTemperature"] == 0.0
    assert client.model.spec.config.prompt.default_temperature == 0.0
    assert client.data["spec"]["config"]["prompt"]["defaultMaxTokens"] == 1


def test_empty_documents_are_skipped_and_indexes_are_real() -> None:
    text = """\
---
# nothing here
---
apiVersion: smarter.sh/v1
kind: Secret
metadata: {name: a_key}
spec: {config: {value: abc}}
---
"""
    (secret,) = load_text(text, "keys.yaml")
    assert secret.document_index == 2 and secret.line == 4
    assert secret.filename == "keys.yaml"
    assert secret.source_text.startswith("apiVersion: smarter.sh/v1")
    assert load_text("") == []


def test_selector_terms_unused_with_always_is_a_warning() -> None:
    text = """\
apiVersion: smarter.sh/v1
kind: Plugin
metadata: {name: facts, pluginClass: static}
spec:
  selector: {directive: always, searchTerms: [x]}
  data: {staticData: [one, two]}
"""
    (plugin,) = load_text(text)
    assert any("spec.selector.searchTerms (line 5)" in w for w in plugin.warnings)
    assert plugin.data["spec"]["data"]["staticData"] == ["one", "two"]


def test_sql_helpers() -> None:
    query = "SELECT * FROM t WHERE a = '{a}' AND b LIKE '%{b}%' AND c = {c} AND d = '{x'"
    assert sql_placeholders(query) == ["a", "b", "c"]
    assert quoted_placeholders(query) == [("a", "'{a}'"), ("b", "'%{b}%'")]


def test_import_is_light() -> None:
    import subprocess

    code = (
        "import sys, smarter_tui.manifests; "
        "print([m for m in ('textual', 'openai', 'peewee', 'keyring') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("name", ["My-Plugin", "my plugin", "MyPlugin", "my.plugin"])
def test_names_are_normalised(name: str) -> None:
    text = f"""\
apiVersion: smarter.sh/v1
kind: Provider
metadata: {{name: "{name}"}}
spec: {{provider: {{baseUrl: "https://x.example/v1"}}}}
"""
    (provider,) = load_text(text)
    assert provider.name == "my_plugin"
    assert "normalised to 'my_plugin'" in provider.warnings[0]


def test_duplicate_keys_are_warned_with_their_line() -> None:
    text = """\
apiVersion: smarter.sh/v1
kind: Provider
metadata: {name: dup}
spec:
  provider:
    baseUrl: http://a.example/v1
    baseUrl: http://b.example/v1
"""
    (provider,) = load_text(text, "dup.yaml")
    assert provider.data["spec"]["provider"]["base_url"] == "http://b.example/v1"
    assert provider.warnings == [
        "dup.yaml: document 1 (Provider dup): spec.provider.baseUrl (line 7): "
        "duplicate key: the last value is used"
    ]
