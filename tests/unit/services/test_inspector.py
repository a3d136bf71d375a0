"""PluginInspector: attached tools of the bundled clients, exact schemas, try it, usage and selections."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from smarter_tui.domain.errors import NotFoundError
from smarter_tui.domain.models import ModelProvider, ModelReply, ModelRequest, TextChunk
from smarter_tui.services import Services
from smarter_tui.services.inspector import PluginInspector, ToolView
from tests.support.memory_keyring import MemoryKeyring

GOBSTOPPER_KEYS = ["contact", "coupon_codes", "sales_promotions", "flavours", "price", "biographical"]


def names(views: list[ToolView]) -> list[tuple[str, str]]:
    """Return (name, kind) pairs of a listing."""
    return [(v.name, v.kind) for v in views]


@pytest.fixture
def inspector(services: Services) -> PluginInspector:
    """The inspector of the shared services fixture (bundled examples applied)."""
    return services.inspector


# -- attached ---------------------------------------------------------------------------------
def test_shop_assistant_has_static_plugin_and_calculator(inspector: PluginInspector) -> None:
    views = inspector.attached("shop_assistant")
    assert names(views) == [("everlasting_gobstopper", "Plugin"), ("calculator", "function")]
    plugin, function = views
    assert plugin.tool_name == "plugin_everlasting_gobstopper"
    assert plugin.directive == "search_terms"
    assert "Gobstopper" in plugin.search_terms
    assert plugin.selector.startswith("terms: Gobstopper")
    assert plugin.error is None and plugin.description
    assert function.directive is None and function.selector == "built in"
    assert function.tool_name == "calculator"


def test_course_assistant_has_sql_and_api_plugins(inspector: PluginInspector) -> None:
    assert names(inspector.attached("course_assistant")) == [
        ("course_search", "SqlPlugin"),
        ("course_details", "ApiPlugin"),
        ("calculator", "function"),
    ]


def test_general_assistant_has_functions_only(inspector: PluginInspector) -> None:
    views = inspector.attached("general_assistant")
    assert all(v.is_function for v in views)
    assert [v.name for v in views] == [
        "calculator",
        "date_calculator",
        "create_memory",
        "recall_memory",
        "get_current_weather",
    ]


def test_unknown_client_and_name_raise_not_found(inspector: PluginInspector) -> None:
    with pytest.raises(NotFoundError, match="nobody"):
        inspector.attached("nobody")
    with pytest.raises(NotFoundError, match="no_such_tool"):
        inspector.tool_schema("no_such_tool", "shop_assistant")


# -- manifest and schema ------------------------------------------------------------------------
def test_manifest_yaml_of_plugin_and_function(inspector: PluginInspector) -> None:
    text = inspector.manifest_yaml("everlasting_gobstopper")
    assert "kind: Plugin" in text and "staticData:" in text and "status:" in text
    note = inspector.manifest_yaml("calculator", "shop_assistant")
    assert "built-in function" in note and "expression" in note


def test_schema_of_static_plugin_has_inquiry_enum(inspector: PluginInspector) -> None:
    schema = inspector.tool_schema("everlasting_gobstopper", "shop_assistant")
    assert schema["type"] == "function"
    function = schema["function"]
    assert function["name"] == "plugin_everlasting_gobstopper"
    assert function["parameters"]["required"] == ["inquiry_type"]
    assert function["parameters"]["properties"]["inquiry_type"]["enum"] == GOBSTOPPER_KEYS


class RecordingProvider:
    """Wraps a real provider and keeps the `tools` of every request it receives."""

    def __init__(self, inner: ModelProvider, seen: list[list[dict[str, Any]]]) -> None:
        self.inner = inner
        self.name = inner.name
        self.offline = inner.offline
        self.seen = seen

    async def complete(self, request: ModelRequest) -> AsyncIterator[TextChunk | ModelReply]:
        self.seen.append(list(request.tools))
        async for item in self.inner.complete(request):
            yield item


@pytest.fixture
def recorded(tmp_path: Path, memory_keyring: MemoryKeyring) -> Iterator[tuple[Services, list[Any]]]:
    """Services whose providers record the tools offered in each model request."""
    from smarter_tui.config.secrets import SecretStore
    from smarter_tui.providers import make_provider

    seen: list[list[dict[str, Any]]] = []

    def factory(*args: Any, **kwargs: Any) -> ModelProvider:
        return RecordingProvider(make_provider(*args, **kwargs), seen)

    svc = Services.open(
        tmp_path / "rec.sqlite3", secrets=SecretStore(memory_keyring), provider_factory=factory
    )
    yield svc, seen
    svc.close()


async def test_schema_equals_what_the_loop_offers(recorded: tuple[Services, list[Any]]) -> None:
    services, seen = recorded
    outcome = await services.sessions.send("Tell me about the Gobstopper contact", client="shop_assistant")
    assert outcome.error is None
    offered = {tool["function"]["name"]: tool for tool in seen[0]}
    assert offered["plugin_everlasting_gobstopper"] == services.inspector.tool_schema(
        "everlasting_gobstopper", "shop_assistant"
    )
    assert offered["calculator"] == services.inspector.tool_schema("calculator", "shop_assistant")


# -- default arguments and try it -----------------------------------------------------------------
def test_default_arguments(inspector: PluginInspector) -> None:
    assert inspector.default_arguments("everlasting_gobstopper") == {"inquiry_type": "contact"}
    assert inspector.default_arguments("course_search") == {"max_price": 500, "keyword": "Python"}
    assert inspector.default_arguments("course_details") == {"course_code": "PY101"}
    assert inspector.default_arguments("calculator") == {"expression": "2**10"}
    assert inspector.default_arguments("date_calculator") == {
        "dates": ["1972-02-29", "2024-02-29"],
        "operation": "difference",
    }


async def test_try_static_plugin(inspector: PluginInspector) -> None:
    tried = await inspector.try_it(
        "everlasting_gobstopper", "shop_assistant", {"inquiry_type": "coupon_codes"}
    )
    assert tried.ok and tried.result is not None
    codes = [c["code"] for c in json.loads(tried.result)]
    assert codes == ["GOBSTOPPER10", "GOLDENTICKET"]
    assert tried.duration_ms >= 0


async def test_try_static_plugin_with_defaults(inspector: PluginInspector) -> None:
    tried = await inspector.try_it("everlasting_gobstopper", "shop_assistant", None)
    assert tried.arguments == {"inquiry_type": "contact"}
    assert tried.ok and "Willy Wonka" in (tried.result or "")


async def test_try_sql_plugin_with_test_values(inspector: PluginInspector) -> None:
    tried = await inspector.try_it("course_search", "course_assistant")
    assert tried.ok, tried.error
    rows = json.loads(tried.result or "[]")
    assert rows and all("Python" in row["title"] and row["price"] <= 500 for row in rows)


async def test_try_calculator(inspector: PluginInspector) -> None:
    tried = await inspector.try_it("calculator", "shop_assistant")
    assert tried.ok
    assert json.loads(tried.result or "{}") == {"result": 1024}


async def test_try_api_plugin_unreachable_is_an_error(inspector: PluginInspector) -> None:
    tried = await inspector.try_it("course_details", "course_assistant")
    assert tried.result is None
    assert tried.error is not None and "127.0.0.1:8765" in tried.error


async def test_try_bad_arguments_are_errors(inspector: PluginInspector) -> None:
    static = await inspector.try_it("everlasting_gobstopper", "shop_assistant", {"inquiry_type": "nope"})
    assert static.error is not None and "coupon_codes" in static.error
    calc = await inspector.try_it("calculator", "shop_assistant", {"expression": "1/0"})
    assert calc.error == "division by zero"
    sql = await inspector.try_it("course_search", "course_assistant", {})
    assert sql.error is not None and "max_price" in sql.error


async def test_try_unknown_name_raises(inspector: PluginInspector) -> None:
    with pytest.raises(NotFoundError):
        await inspector.try_it("no_such_tool", None, {})


async def test_try_it_records_nothing(inspector: PluginInspector) -> None:
    await inspector.try_it("calculator", "shop_assistant")
    assert inspector.usage("calculator") == []


# -- usage and selections ---------------------------------------------------------------------------
async def test_usage_and_selections_after_a_real_turn(services: Services) -> None:
    inspector = services.inspector
    assert inspector.usage("everlasting_gobstopper") == []
    outcome = await services.sessions.send("Tell me about the Gobstopper contact", client="shop_assistant")
    assert outcome.error is None
    calls = inspector.usage("everlasting_gobstopper")
    assert len(calls) == 1
    call = calls[0]
    assert call.session_key == outcome.session_key
    assert call.name == "plugin_everlasting_gobstopper"
    assert json.loads(call.arguments) == {"inquiry_type": "contact"}
    assert call.error is None and "Willy Wonka" in (call.result or "")

    selections = inspector.selections(outcome.session_key)
    assert [(s.plugin, s.term) for s in selections] == [("everlasting_gobstopper", "Gobstopper")]
    last = inspector.last_selections(outcome.session_key)
    assert [(s.plugin, s.term) for s in last] == [("everlasting_gobstopper", "Gobstopper")]


async def test_last_selections_only_for_the_last_prompt(services: Services) -> None:
    first = await services.sessions.send("Tell me about the Gobstopper contact", client="shop_assistant")
    # Earlier user messages still select the plugin (SPEC §3), so this prompt selects it again.
    await services.sessions.send("What is 2+2?", session_key=first.session_key)
    last = services.inspector.last_selections(first.session_key)
    assert [s.prompt for s in last] == ["What is 2+2?"]
    assert len(services.inspector.selections(first.session_key)) == 2


async def test_last_selections_empty_when_last_prompt_selected_nothing(services: Services) -> None:
    # The shop's only plugin is chosen by search terms (course_details is left to the model: `llm`).
    outcome = await services.sessions.send("What is 2+2?", client="shop_assistant")
    assert services.inspector.last_selections(outcome.session_key) == []
    assert services.inspector.selections(outcome.session_key) == []
