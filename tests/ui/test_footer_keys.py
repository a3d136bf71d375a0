"""The footer lets go of the keys it replaced (Textual's Footer kept every recompose's keys)."""

from __future__ import annotations

import gc

import pytest
from textual.widgets._footer import FooterKey

from smarter_tui.services import Services
from smarter_tui.ui.app import SmarterApp
from tests.ui.helpers import wait_for


def detached_footer_keys() -> int:
    gc.collect()
    return sum(isinstance(o, FooterKey) and not o.is_attached for o in gc.get_objects())


async def test_bindings_changes_leave_no_footer_keys_behind(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gc, "freeze", lambda: None)  # frozen objects would hide from gc.get_objects
    app = SmarterApp(open_services=lambda: services)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.chat.client is not None and app.focused is app.chat.prompt)
        await pilot.pause(0.3)
        before = detached_footer_keys()
        for _ in range(6):  # as each answer does, starting and ending
            app.chat.running = True
            await pilot.pause(0.05)
            app.chat.running = False
            await pilot.pause(0.05)
        await pilot.pause(0.3)
        after = detached_footer_keys()
        assert after <= before
