"""Nothing applied changes meaning on the way back: one test per silent change found (issue 7)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from smarter.models.sam import SAM_MODELS

from smarter_tui.config.paths import data_dir
from smarter_tui.manifests import load_text
from smarter_tui.services import Services

ENVELOPE = "apiVersion: smarter.sh/v1\nkind: {kind}\nmetadata:\n  name: {name}\n  description: null\n"


def _apply(services: Services, folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(text)
    services.catalogue.apply_paths([path])


def _stock_database(folder: Path, file: str, quantity: int) -> Path:
    """Create `folder` with a SQLite stock table holding LMP-001 x `quantity`; return the folder."""
    folder.mkdir(parents=True)
    with sqlite3.connect(folder / file) as db:
        db.execute("CREATE TABLE stock (sku TEXT, quantity INTEGER)")
        db.execute("INSERT INTO stock VALUES ('LMP-001', ?)", (quantity,))
    return folder


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
    folder = _stock_database(tmp_path / "manifests" / "shop", "stock.sqlite3", 7)
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


def test_an_explicit_null_is_kept_on_apply_save_and_describe(services: Services, tmp_path: Path) -> None:
    text = ENVELOPE.format(kind="Plugin", name="nulls").replace(
        "metadata:\n", "metadata:\n  pluginClass: static\n"
    ) + (
        "spec:\n  selector: {directive: always}\n  prompt:\n    provider: null\n    model: null\n"
        "  data:\n    description: null\n    staticData: {answer: 42}\n"
    )
    _apply(services, tmp_path, "nulls", text)
    described = services.catalogue.describe("Plugin", "nulls", status=False)
    assert described["spec"]["prompt"]["provider"] is None and "model" in described["spec"]["prompt"]
    assert "description" in described["spec"]["data"] and described["spec"]["data"]["description"] is None
    SAM_MODELS["Plugin"].model_validate(described)  # today's Smarter takes the nulls
    # saved from the editor: the same
    services.authoring.save(text.replace("answer: 42", "answer: 43"))
    stored = services.catalogue.get("Plugin", "nulls").manifest
    assert stored["spec"]["prompt"] == {"provider": None, "model": None, "systemRole": ""}
    assert "provider: null" in services.catalogue.describe_yaml("Plugin", "nulls")


API_PLUGIN = ENVELOPE.format(kind="ApiPlugin", name="orders_by_day").replace(
    "metadata:\n", "metadata:\n  pluginClass: api\n"
) + (
    "spec:\n  connection: course_api\n  selector: {{directive: always}}\n  apiData:\n"
    "    endpoint: /orders/\n    method: {method}\n"
    "    parameters:\n      - {{name: day, type: {type}, required: true}}\n"
)


def test_method_and_parameter_type_keep_the_users_case(services: Services, tmp_path: Path) -> None:
    from smarter_tui.manifests.specs import plugin_spec_of

    _apply(services, tmp_path, "orders_by_day", API_PLUGIN.format(method="post", type="Integer"))
    api = services.catalogue.describe("ApiPlugin", "orders_by_day")["spec"]["apiData"]
    assert api["method"] == "post" and api["parameters"][0]["type"] == "Integer"
    # what runs compares case-insensitively: the canonical forms
    spec = plugin_spec_of(services.catalogue.get("ApiPlugin", "orders_by_day").manifest)
    assert spec.method == "POST" and spec.parameters[0].type == "integer"  # type: ignore[attr-defined]
    _, tool = services.runtimes.plugin_tool("orders_by_day")
    assert tool.spec.parameters["properties"]["day"]["type"] == "integer"
    # a value that is none of them, in any case, is still an error naming the choices
    from smarter_tui.services.authoring import validate_text

    report = validate_text(API_PLUGIN.format(method="Fetch", type="Integer"), "bad.yaml")
    (error,) = report.errors
    assert (
        error.field == "spec.apiData.method"
        and error.message == "expected one of GET, POST, PUT, PATCH, DELETE; got 'Fetch'"
    )
    (error,) = validate_text(API_PLUGIN.format(method="GET", type="whole"), "bad.yaml").errors
    assert error.field == "spec.apiData.parameters[0].type" and "integer, boolean" in error.message


SECRET_WITH_COMMENTS = """\
# The shop's API key: rotate it every quarter.
apiVersion: smarter.sh/v1
kind: Secret
metadata:
  name: shop_key   # used by the shop connection
  description: The shop API key.
  version: 0.1.0
spec:
  config:
    value: sk-shop-0123456789abcdef   # the real value goes to the keyring
    expiration_date: 2027-03-31       # rotate before this
"""


def test_a_secrets_comments_survive_a_save_from_the_editor(services: Services) -> None:
    services.authoring.save(SECRET_WITH_COMMENTS)
    shown = services.authoring.text("Secret", "shop_key")
    assert "# The shop's API key: rotate it every quarter.\n" in shown
    assert "# used by the shop connection" in shown and "# rotate before this" in shown
    assert "value: '****cdef'" in shown and "sk-shop-0123456789abcdef" not in shown
    assert "sk-shop" not in services.catalogue.get("Secret", "shop_key").source_text
    # saved again with the mask unchanged and a comment added: comments kept, value kept
    services.authoring.save("# checked in March\n" + shown)
    again = services.authoring.text("Secret", "shop_key")
    assert again.startswith("# checked in March\n# The shop's API key") and "# rotate before this" in again
    assert services.secrets.get("shop_key") == "sk-shop-0123456789abcdef"
    # the value written in a comment too: the text is written anew, without the value anywhere
    leaky = SECRET_WITH_COMMENTS.replace("rotate before this", "was sk-shop-0123456789abcdef")
    services.authoring.save(leaky)
    assert "0123456789abcdef" not in services.catalogue.get("Secret", "shop_key").source_text


async def test_the_editors_save_keeps_resolving_a_relative_sqlite_path_against_the_manifests_folder(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _stock_database(tmp_path / "manifests" / "depot", "depot.sqlite3", 9)
    connection = ENVELOPE.format(kind="SqlConnection", name="depot_db") + (
        "spec:\n  connection:\n    dbEngine: sqlite\n    database: ./depot.sqlite3\n"
    )
    plugin = ENVELOPE.format(kind="SqlPlugin", name="depot").replace(
        "metadata:\n", "metadata:\n  pluginClass: sql\n"
    ) + (
        "spec:\n  connection: depot_db\n  selector: {directive: always}\n  sqlData:\n"
        "    sqlQuery: SELECT quantity FROM stock WHERE sku = {sku}\n"
        "    parameters: [{name: sku, type: string, required: true}]\n"
    )
    _apply(services, folder, "depot", connection + "---\n" + plugin)
    monkeypatch.chdir(tmp_path)  # the app runs from anywhere
    edited = services.authoring.text("SqlConnection", "depot_db").replace(
        "  description: null\n", "  description: The depot's stock.\n"
    )
    (applied,) = services.authoring.save(edited)
    assert applied.action == "updated"
    assert services.catalogue.get("SqlConnection", "depot_db").base_dir == str(folder.resolve())
    _, tool = services.runtimes.plugin_tool("depot")
    assert json.loads(await tool.run({"sku": "LMP-001"})) == [{"quantity": 9}]


STATIC_PLUGIN = ENVELOPE.format(kind="Plugin", name="cased").replace(
    "metadata:\n", "metadata:\n  pluginClass: {plugin_class}\n"
) + (
    "spec:\n  selector:\n    directive: {directive}\n{terms}"
    "  data:\n    description: Cased values.\n    staticData: {{answer: 42}}\n"
)


def test_plugin_class_keeps_the_users_case(services: Services, tmp_path: Path) -> None:
    from smarter_tui.manifests.specs import plugin_spec_of

    text = STATIC_PLUGIN.format(plugin_class="Static", directive="always", terms="")
    _apply(services, tmp_path, "cased", text)
    described = services.catalogue.describe("Plugin", "cased")
    assert described["metadata"]["pluginClass"] == "Static"
    SAM_MODELS["Plugin"].model_validate(described)
    assert "pluginClass: Static" in services.catalogue.describe_yaml("Plugin", "cased")
    # what runs reads the kind: the plugin is a static one
    assert plugin_spec_of(services.catalogue.get("Plugin", "cased").manifest).plugin_class == "static"
    # a class that disagrees with the kind is still refused, in any case
    from smarter_tui.services.authoring import validate_text

    (error,) = validate_text(text.replace("Static", "SQL"), "bad.yaml").errors
    assert error.field == "metadata.pluginClass" and "use kind SqlPlugin" in error.message


@pytest.mark.parametrize(
    ("directive", "terms", "canonical"),
    [
        ("Always", "", "always"),
        ("LLM", "", "llm"),
        ("Search_Terms", "    searchTerms: [gum]\n", "search_terms"),
    ],
)
def test_selector_directive_keeps_the_users_case(
    services: Services, tmp_path: Path, directive: str, terms: str, canonical: str
) -> None:
    from smarter_tui.manifests.specs import plugin_spec_of
    from smarter_tui.plugins.registry import plugin_binding

    text = STATIC_PLUGIN.format(plugin_class="static", directive=directive, terms=terms)
    _apply(services, tmp_path, "cased", text)
    described = services.catalogue.describe("Plugin", "cased")
    assert described["spec"]["selector"]["directive"] == directive
    SAM_MODELS["Plugin"].model_validate(described)
    # what runs compares case-insensitively: the canonical form, and the rules that go with it
    spec = plugin_spec_of(services.catalogue.get("Plugin", "cased").manifest)
    assert spec.selector.directive == canonical
    _, tool = services.runtimes.plugin_tool("cased")
    assert plugin_binding(spec, tool).directive.value == canonical
