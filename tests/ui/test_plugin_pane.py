"""Pilot tests of the plugin pane: listing, manifest and schema, selections, and "Try it"."""

from __future__ import annotations

import json

from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import Button, DataTable, Footer, Input, OptionList, TabbedContent

from smarter_tui.services import Services
from smarter_tui.ui.widgets.plugin_pane import PluginPane
from tests.ui.helpers import click, text_of, wait_for


class PaneHost(App[None]):
    """A minimal host: the pane (handed the plugin inspector, as the main screen does), a footer."""

    def __init__(self, services: Services, client: str | None = None) -> None:
        super().__init__()
        self.services = services
        self.client = client
        self.tries: list[PluginPane.TryFinished] = []

    def compose(self) -> ComposeResult:
        pane = PluginPane(id="pane")
        pane.inspector = self.services.inspector
        yield pane
        yield Footer()

    def on_mount(self) -> None:
        if self.client:
            self.query_one(PluginPane).show_client(self.client)

    def on_plugin_pane_try_finished(self, event: PluginPane.TryFinished) -> None:
        self.tries.append(event)


async def built_pane(pilot: Pilot[None]) -> PluginPane:
    """Return the host's pane once it has composed its children (on its first show)."""
    pane = pilot.app.query_one(PluginPane)
    await wait_for(pilot, lambda: pane.built)
    return pane


def option_ids(pane: PluginPane) -> list[str | None]:
    """Return the ids (tool names) of the listed options."""
    return [option.id for option in pane.query_one("#plugin-list", OptionList).options]


async def test_show_client_lists_plugins_and_functions(services: Services) -> None:
    app = PaneHost(services, "shop_assistant")
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await built_pane(pilot)
        await wait_for(pilot, lambda: len(option_ids(pane)) == 2)
        assert option_ids(pane) == ["everlasting_gobstopper", "calculator"]
        assert pane.border_title == "Plugins · shop_assistant"
        pane.show_client("course_assistant")
        await wait_for(pilot, lambda: len(option_ids(pane)) == 3)
        assert option_ids(pane) == ["course_search", "course_details", "calculator"]
        labels = [str(option.prompt) for option in pane.query_one("#plugin-list", OptionList).options]
        assert "SqlPlugin" in labels[0] and "ApiPlugin" in labels[1] and "function" in labels[2]


async def test_highlight_shows_manifest_schema_and_defaults(services: Services) -> None:
    app = PaneHost(services, "shop_assistant")
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await built_pane(pilot)
        await wait_for(pilot, lambda: "staticData" in text_of(pane, "#plugin-manifest"))
        assert "kind: Plugin" in text_of(pane, "#plugin-manifest")
        schema = text_of(pane, "#plugin-schema")
        assert '"name": "plugin_everlasting_gobstopper"' in schema and '"inquiry_type"' in schema
        assert json.loads(pane.query_one("#plugin-arguments", Input).value) == {"inquiry_type": "contact"}

        pane.query_one("#plugin-list", OptionList).focus()
        await pilot.press("down")
        await wait_for(pilot, lambda: "built-in function" in text_of(pane, "#plugin-manifest"))
        assert '"name": "calculator"' in text_of(pane, "#plugin-schema")
        assert json.loads(pane.query_one("#plugin-arguments", Input).value) == {"expression": "2**10"}


async def test_try_static_plugin_shows_coupon_codes(services: Services) -> None:
    app = PaneHost(services, "shop_assistant")
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await built_pane(pilot)
        arguments = pane.query_one("#plugin-arguments", Input)
        await wait_for(pilot, lambda: bool(arguments.value))
        arguments.value = '{"inquiry_type": "coupon_codes"}'
        pane.query_one("#plugin-tabs", TabbedContent).active = "tab-try"
        await pilot.pause()
        await click(pilot, "#plugin-run")
        await wait_for(pilot, lambda: len(app.tries) == 1)
        await pilot.pause()
        finished = app.tries[0]
        assert finished.name == "everlasting_gobstopper" and finished.result.error is None
        shown = text_of(pane, "#plugin-try-result")
        assert "✓ Result" in shown and "GOBSTOPPER10" in shown and "GOLDENTICKET" in shown
        assert not pane.query_one("#plugin-run", Button).disabled


async def test_try_calculator_with_the_t_binding(services: Services) -> None:
    app = PaneHost(services, "general_assistant")
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await built_pane(pilot)
        await wait_for(pilot, lambda: "2**10" in pane.query_one("#plugin-arguments", Input).value)
        pane.query_one("#plugin-list", OptionList).focus()
        await pilot.press("t")
        await wait_for(pilot, lambda: len(app.tries) == 1)
        await pilot.pause()
        assert pane.query_one("#plugin-tabs", TabbedContent).active == "tab-try"
        assert '"result": 1024' in text_of(pane, "#plugin-try-result")


async def test_try_unreachable_api_plugin_shows_error(services: Services) -> None:
    app = PaneHost(services, "course_assistant")
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await built_pane(pilot)
        await wait_for(pilot, lambda: len(option_ids(pane)) == 3)
        option_list = pane.query_one("#plugin-list", OptionList)
        option_list.focus()
        await pilot.press("down")
        await wait_for(pilot, lambda: "PY101" in pane.query_one("#plugin-arguments", Input).value)
        await pilot.press("t")
        await wait_for(pilot, lambda: len(app.tries) == 1)
        await pilot.pause()
        assert app.tries[0].name == "course_details"
        shown = text_of(pane, "#plugin-try-result")
        assert "✗ Error" in shown and "127.0.0.1:8765" in shown


async def test_invalid_json_arguments_are_reported(services: Services) -> None:
    app = PaneHost(services, "shop_assistant")
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await built_pane(pilot)
        arguments = pane.query_one("#plugin-arguments", Input)
        await wait_for(pilot, lambda: bool(arguments.value))
        pane.query_one("#plugin-tabs", TabbedContent).active = "tab-try"
        await pilot.pause()
        arguments.value = "{not json"
        arguments.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert "not valid JSON" in text_of(pane, "#plugin-try-result")
        arguments.value = "[1, 2]"
        await pilot.press("enter")
        await pilot.pause()
        assert "must be a JSON object" in text_of(pane, "#plugin-try-result")
        assert app.tries == []


async def test_show_selections_renders_terms(services: Services) -> None:
    app = PaneHost(services, "shop_assistant")
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await built_pane(pilot)
        await wait_for(pilot, lambda: len(option_ids(pane)) == 2)
        assert text_of(pane, "#plugin-selections").strip() == "Last prompt selected: —"
        pane.show_selections([])
        await pilot.pause()
        assert text_of(pane, "#plugin-selections").strip() == "Last prompt selected: none"
        pane.show_selections([("everlasting_gobstopper", "Gobstopper"), ("calculator", "always")])
        await pilot.pause()
        line = text_of(pane, "#plugin-selections").strip()
        assert line == "Last prompt selected: everlasting_gobstopper (Gobstopper), calculator (always)"
        first = str(pane.query_one("#plugin-list", OptionList).options[0].prompt)
        assert first.startswith("●")


async def test_usage_and_selections_after_a_turn(services: Services) -> None:
    app = PaneHost(services, "shop_assistant")
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await built_pane(pilot)
        table = pane.query_one("#plugin-usage", DataTable)
        await wait_for(pilot, lambda: bool(pane.query_one("#plugin-arguments", Input).value))
        assert table.row_count == 0
        outcome = await services.sessions.send(
            "Tell me about the Gobstopper contact", client="shop_assistant"
        )
        pane.reload()
        pane.load_selections(outcome.session_key)
        await wait_for(pilot, lambda: table.row_count == 1)
        row = table.get_row_at(0)
        assert row[1] == outcome.session_key[:8]
        assert "contact" in row[2]
        assert row[3].endswith(" ms")
        await wait_for(pilot, lambda: "(Gobstopper)" in text_of(pane, "#plugin-selections"))
        assert pane.selected == {"everlasting_gobstopper": "Gobstopper"}


async def test_t_typed_in_the_arguments_input_is_text(services: Services) -> None:
    app = PaneHost(services, "shop_assistant")
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await built_pane(pilot)
        arguments = pane.query_one("#plugin-arguments", Input)
        await wait_for(pilot, lambda: bool(arguments.value))
        pane.action_show_tab("tab-try")
        arguments.value = ""
        arguments.focus()
        await pilot.press("t")
        await pilot.pause()
        assert arguments.value == "t" and app.tries == []
