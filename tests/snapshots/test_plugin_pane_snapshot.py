"""Snapshot of the plugin pane at 120x40: the shop assistant's plugin, its exact schema, a selection."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from smarter_tui.services import Services
from tests.ui.helpers import steady, wait_for
from tests.ui.test_plugin_pane import PaneHost, built_pane


def test_plugin_pane_schema_tab(snap_compare: Any, services: Services) -> None:
    """The list with a selection marker, the "Last prompt selected" line and the Schema tab.

    The Schema tab is shown because it is fully deterministic (the manifest's status holds timestamps).
    """

    async def run_before(pilot: Pilot[Any]) -> None:
        pane = await built_pane(pilot)
        pane.focus_list()  # built after the app's first focus: the footer shows the pane's keys
        await wait_for(pilot, lambda: bool(pane.query_one("#plugin-arguments", Input).value))
        pane.show_selections([("everlasting_gobstopper", "Gobstopper")])
        pane.action_show_tab("tab-schema")
        await steady(pilot)

    assert snap_compare(PaneHost(services, "shop_assistant"), terminal_size=(120, 40), run_before=run_before)
