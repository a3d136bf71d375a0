"""The first screen's styles: start-up skips Textual's restyle of the first resume (see
`MainScreen._on_screen_resume`), so every node must already have what a full restyle gives it."""

from __future__ import annotations

from pathlib import Path

import pytest

from smarter_tui.config.settings import SettingsStore
from smarter_tui.services import Services
from smarter_tui.ui.app import SmarterApp
from tests.ui.helpers import ready


def styles_of(app: SmarterApp) -> list[tuple[str, str, list[str]]]:
    """Each node of the screen: its name, its computed CSS and its pseudo-classes."""
    return [
        (repr(node), node.styles.css, sorted(node.pseudo_classes))
        for node in app.screen.walk_children(with_self=True)
    ]


@pytest.mark.parametrize("theme", ["textual-dark", "nord", "textual-light"])
async def test_the_first_screen_is_styled_as_a_full_restyle_styles_it(
    services: Services, tmp_path: Path, theme: str
) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(f'theme = "{theme}"\n')
    app = SmarterApp(open_services=lambda: services, settings=SettingsStore(path))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.pause()
        assert app.theme == theme
        shown = styles_of(app)
        app.update_styles(app.screen, animate=False)
        assert styles_of(app) == shown
