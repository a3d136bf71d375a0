"""Nothing applied changes meaning on the way back: one test per silent change found (issue 7)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from smarter_tui.config.paths import data_dir
from smarter_tui.manifests import load_text
from smarter_tui.services import Services

ENVELOPE = "apiVersion: smarter.sh/v1\nkind: {kind}\nmetadata:\n  name: {name}\n  description: null\n"


def _apply(services: Services, folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(text)
    services.catalogue.apply_paths([path])


def test_secret_expiration_date_keeps_todays_spelling(services: Services, tmp_path: Path) -> None:
    text = ENVELOPE.format(kind="Secret", name="vault_key") + (
        "spec:\n  config:\n    value: abcdefghijklmnop\n    expiration_date: 2027-12-31\n"
    )
    _apply(services, tmp_path, "vault_key", text)
    config = services.catalogue.describe("Secret", "vault_key")["spec"]["config"]
    assert config["expiration_date"] == "2027-12-31" and "expirationDate" not in config
    assert config["value"] == "****mnop"  # never the value
    assert "abcdefghijklmnop" not in services.catalogue.source_text("Secret", "vault_key")


def test_integer_and_boolean_header_values_stay_numbers(services: Services, tmp_path: Path) -> None:
    text = ENVELOPE.format(kind="ApiPlugin", name="orders").replace(
        "metadata:\n", "metadata:\n  pluginClass: api\n"
    ) + (
        "spec:\n  connection: course_api\n  selector: {directive: always}\n  apiData:\n"
        "    endpoint: /orders/\n    headers:\n      - {name: X-Api-Version, value: 2}\n"
        "      - {name: X-Debug, value: false}\n"
    )
    _apply(services, tmp_path, "orders", text)
    headers = services.catalogue.describe("ApiPlugin", "orders")["spec"]["apiData"]["headers"]
    assert headers == [{"name": "X-Api-Version", "value": 2}, {"name": "X-Debug", "value": False}]
    assert json.dumps(headers[0]["value"]) == "2"


def test_django_db_engine_stays_as_written(services: Services, tmp_path: Path) -> None:
    text = ENVELOPE.format(kind="SqlConnection", name="shop_db") + (
        "spec:\n  connection:\n    dbEngine: django.db.backends.mysql\n    database: shop\n"
        "    hostname: db.example.com\n"
    )
    _apply(services, tmp_path, "shop_db", text)
    connection = services.catalogue.describe("SqlConnection", "shop_db")["spec"]["connection"]
    assert connection["dbEngine"] == "django.db.backends.mysql"


async def test_relative_sqlite_path_stays_relative_and_resolves_at_run_time(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "manifests" / "shop"
    folder.mkdir(parents=True)
    with sqlite3.connect(folder / "stock.sqlite3") as db:
        db.execute("CREATE TABLE stock (sku TEXT, quantity INTEGER)")
        db.execute("INSERT INTO stock VALUES ('LMP-001', 7)")
    text = (
        ENVELOPE.format(kind="SqlConnection", name="stock_db")
        + "spec:\n  connection:\n    dbEngine: sqlite\n    database: ./stock.sqlite3\n"
        + "---\n"
        + ENVELOPE.format(kind="SqlPlugin", name="stock").replace(
            "metadata:\n", "metadata:\n  pluginClass: sql\n"
        )
        + "spec:\n  connection: stock_db\n  selector: {directive: always}\n  sqlData:\n"
        + "    sqlQuery: SELECT quantity FROM stock WHERE sku = {sku}\n"
        + "    parameters: [{name: sku, type: string, required: true}]\n"
    )
    _apply(services, folder, "stock", text)
    described = services.catalogue.describe("SqlConnection", "stock_db")
    assert described["spec"]["connection"]["database"] == "./stock.sqlite3"
    # run from elsewhere: the path is resolved against the manifest's own folder
    monkeypatch.chdir(tmp_path)
    _, tool = services.runtimes.plugin_tool("stock")
    assert json.loads(await tool.run({"sku": "LMP-001"})) == [{"quantity": 7}]
    # applied without a file (the HTTP API): the data directory resolves it
    items = load_text(text.split("---\n")[0], "api")
    services.catalogue.apply_loaded(items, base_dir=None)
    _, tool = services.runtimes.plugin_tool("stock")
    assert str(data_dir()) in str(getattr(tool, "base_dir", ""))  # the data directory (any engine)


def test_connection_pool_ssl_and_proxy_fields_are_kept(services: Services, tmp_path: Path) -> None:
    text = ENVELOPE.format(kind="SqlConnection", name="warehouse") + (
        "spec:\n  connection:\n    dbEngine: postgresql\n    database: dw\n    hostname: db.example.com\n"
        "    poolSize: 10\n    maxOverflow: 5\n    useSsl: true\n    sslCa: /etc/ca.pem\n"
        "    proxyHost: bastion.example.com\n    proxyPort: 2222\n    authenticationMethod: tcpip\n"
    )
    _apply(services, tmp_path, "warehouse", text)
    connection = services.catalogue.describe("SqlConnection", "warehouse")["spec"]["connection"]
    assert {
        k: connection[k] for k in ("poolSize", "maxOverflow", "useSsl", "sslCa", "proxyHost", "proxyPort")
    } == {
        "poolSize": 10,
        "maxOverflow": 5,
        "useSsl": True,
        "sslCa": "/etc/ca.pem",
        "proxyHost": "bastion.example.com",
        "proxyPort": 2222,
    }
    assert connection["authenticationMethod"] == "tcpip"


def test_nested_llmclient_keeps_and_uses_every_setting(services: Services, tmp_path: Path) -> None:
    text = ENVELOPE.format(kind="LLMClient", name="nested") + (
        "spec:\n  config:\n    prompt:\n      provider: offline\n      defaultSystemRole: Be brief.\n"
        "      defaultTemperature: 0.0\n      defaultMaxTokens: 77\n      appName: Nested One\n"
        "      appWelcomeMessage: Hi from nested\n      allowedOrigins: [https://a.example.com]\n"
        "    styles:\n      fontFamily: serif\n  extensions: [calculator]\n"
    )
    _apply(services, tmp_path, "nested", text)
    runtime = services.runtimes.build("nested", None, services.db.memories)
    assert runtime.settings.temperature == 0.0 and runtime.settings.max_tokens == 77
    assert [tool.spec.name for tool in runtime.functions] == ["calculator"]
    prompt = services.catalogue.describe("LLMClient", "nested")["spec"]["config"]
    assert prompt["prompt"]["allowedOrigins"] == ["https://a.example.com"]
    assert prompt["styles"] == {"fontFamily": "serif"}
    view = next(v for v in services.clients() if v.name == "nested")
    assert (view.app_name, view.welcome) == ("Nested One", "Hi from nested")


def test_unknown_keys_are_kept_with_a_warning(services: Services, tmp_path: Path) -> None:
    text = ENVELOPE.format(kind="Provider", name="extra") + (
        "spec:\n  provider:\n    base_url: http://127.0.0.1:9/v1\n    region: eu-west\n"
    )
    (item,) = load_text(text, "extra.yaml")
    assert any("spec.provider.region (line 9): unknown key kept" in w for w in item.warnings)
    _apply(services, tmp_path, "extra", text)
    assert services.catalogue.describe("Provider", "extra")["spec"]["provider"]["region"] == "eu-west"
