"""F2's client list: typing a client's first letters moves the highlight there."""

from __future__ import annotations

from pathlib import Path

import pytest

from smarter_tui.services import Services
from smarter_tui.ui.app import SmarterApp
from smarter_tui.ui.widgets import client_list
from smarter_tui.ui.widgets.client_list import ClientList
from tests.ui.helpers import ready, wait_for

PAUSE = 0.3
ASSETS = Path(__file__).resolve().parents[2] / "assets" / "manifests"


def highlighted(clients: ClientList) -> str:
    assert clients.highlighted is not None
    return str(clients.clients[clients.highlighted].app_name)


async def test_typing_jumps_to_the_client_a_pause_starts_again(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client_list, "TYPE_AHEAD_PAUSE", PAUSE)
    app = SmarterApp(open_services=lambda: services)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("f2")
        clients = app.main.query_one(ClientList)
        await wait_for(pilot, lambda: app.focused is clients)
        await pilot.press("w")
        assert highlighted(clients) == "Wonka Shop"
        await pilot.press("c")  # w, c: no client starts so; the highlight stays
        assert highlighted(clients) == "Wonka Shop"
        await pilot.pause(PAUSE + 0.1)
        await pilot.press("g", "e", "n")  # one prefix
        assert highlighted(clients) == "General Assistant"
        await pilot.pause(PAUSE + 0.1)
        await pilot.press("s")  # the manifest name counts too: shop_assistant
        assert highlighted(clients) == "Wonka Shop"
        await pilot.pause(PAUSE + 0.1)
        await pilot.press("c")
        assert highlighted(clients) == "Course Catalogue"
        await pilot.press("enter")  # still chooses the highlighted client
        await wait_for(
            pilot, lambda: app.chat.client is not None and app.chat.client.app_name == "Course Catalogue"
        )


async def test_the_same_letter_again_goes_to_the_next_client_it_starts(services: Services) -> None:
    text = (ASSETS / "general_assistant.yaml").read_text(encoding="utf-8")
    text = text.replace("name: general_assistant", "name: gadget_helper").replace(
        "appName: General Assistant", "appName: Gadget Helper"
    )
    services.authoring.save(text)
    app = SmarterApp(open_services=lambda: services)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        clients = app.main.query_one(ClientList)
        await pilot.press("f2")
        await wait_for(pilot, lambda: app.focused is clients)
        await pilot.press("g")
        first = highlighted(clients)
        await pilot.press("g")
        second = highlighted(clients)
        await pilot.press("g")
        assert {first, second} == {"Gadget Helper", "General Assistant"}
        assert highlighted(clients) == first  # round again
