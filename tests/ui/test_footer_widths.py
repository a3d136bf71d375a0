"""The footer at every width from 80 columns: F7/F8 and Esc are never cut off (issue #10)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from textual.widgets._footer import FooterKey

from smarter_tui.services import Services
from smarter_tui.ui.app import SmarterApp
from tests.support.gated import WAIT, gated_services
from tests.support.memory_keyring import MemoryKeyring
from tests.ui.helpers import ready, wait_for
from tests.ui.test_app import make_app


def footer(app: SmarterApp) -> list[FooterKey]:
    return sorted(app.screen.query(FooterKey), key=lambda k: k.region.x)


def fits(app: SmarterApp) -> bool:
    """True when every footer key is laid out whole, inside the screen, none covering another."""
    keys = footer(app)
    width = app.screen.size.width
    inside = all(k.region.width >= len(k.key_display) + 1 + len(k.description) for k in keys)
    apart = all(a.region.right <= b.region.x for a, b in zip(keys, keys[1:], strict=False))
    return bool(keys) and inside and apart and all(k.region.right <= width for k in keys)


def shown(app: SmarterApp) -> dict[str, str]:
    return {k.key: k.description for k in footer(app)}


@pytest.mark.parametrize("width", [80, 90, 100, 120, 160])
async def test_footer_fits_with_copy_keys_and_while_an_answer_runs(
    tmp_path: Path, memory_keyring: MemoryKeyring, width: int
) -> None:
    gate = threading.Event()
    services = gated_services(tmp_path / "footer.sqlite3", memory_keyring, gate)
    app = make_app(services)
    async with app.run_test(size=(width, 24)) as pilot:
        chat = await ready(pilot)
        await wait_for(pilot, lambda: fits(app) and {"f7", "f8", "ctrl+p"} <= set(shown(app)))
        idle = shown(app)
        if width >= 120:  # where they fit, the full labels
            assert idle["f7"] == "Copy answer" and idle["f8"] == "Copy code" and "ctrl+o" in idle
        else:
            assert idle["f7"] == "Copy" and idle["f8"] == "Code"
        await chat.send(f"Tell me a story {WAIT}")
        await wait_for(pilot, lambda: chat.running and "escape" in shown(app) and fits(app))
        assert {"f7", "f8", "f2", "f3", "f4"} <= set(shown(app))  # the optional keys gave way
        gate.set()
        await wait_for(pilot, lambda: not chat.running)
        await wait_for(pilot, lambda: "escape" not in shown(app) and fits(app))
        assert shown(app) == idle  # and come back once the answer ended
    services.close()


@pytest.mark.parametrize("width", [80, 90, 100, 120])
async def test_footer_fits_with_the_plugin_pane_keys(services: Services, width: int) -> None:
    app = make_app(services)
    async with app.run_test(size=(width, 30)) as pilot:
        await ready(pilot)
        await pilot.press("f4")
        await wait_for(pilot, lambda: app.focused is not None and app.focused.id == "plugin-list")
        # The pane's own keys, F4 to close it and F7/F8, all whole: the app's other keys give way.
        await wait_for(pilot, lambda: fits(app) and {"t", "a", "x", "e", "f4", "f7", "f8"} <= set(shown(app)))
