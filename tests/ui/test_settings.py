"""Settings through the app: theme, panes, remapped keys, and opening where the user left off."""

from __future__ import annotations

from pathlib import Path

from smarter_tui.config.settings import SettingsStore
from smarter_tui.domain.launch import LaunchRequest
from smarter_tui.services import Services
from smarter_tui.ui.app import SmarterApp
from smarter_tui.ui.widgets.assistant_message import AssistantMessage
from smarter_tui.ui.widgets.client_list import ClientList
from smarter_tui.ui.widgets.plugin_pane import PluginPane
from smarter_tui.ui.widgets.welcome_card import WelcomeCard
from tests.ui.helpers import ready, wait_for

SIZE = (120, 40)
ROOT = Path(__file__).resolve().parents[2]


def make_app(services: Services, path: Path, launch: LaunchRequest | None = None) -> SmarterApp:
    return SmarterApp(open_services=lambda: services, settings=SettingsStore(path), launch=launch)


def notifications(app: SmarterApp) -> list[str]:
    return [n.message for n in app._notifications]


async def test_theme_panes_and_keys_come_from_the_file(services: Services, tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(
        'theme = "nord"\n[panes]\nclients = false\nplugins = true\nplugins_width = 60\n'
        '[keys]\nnew_session = "ctrl+b"\n'
    )
    app = make_app(services, path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert app.theme == "nord"
        assert not app.main.query_one(ClientList).display
        plugins = app.main.query_one(PluginPane)
        assert plugins.display and plugins.outer_size.width == 60
        assert notifications(app) == []
        await app.chat.send("What is 6*7?")
        await wait_for(pilot, lambda: not app.chat.running)
        assert app.chat.query(AssistantMessage)
        app.chat.query_one("#prompt").focus()
        await pilot.press("ctrl+n")  # no longer bound: the chat stays
        await pilot.pause()
        assert app.chat.query(AssistantMessage)
        chat = app.chat
        await pilot.press("ctrl+b")  # the remapped New chat
        await wait_for(
            pilot, lambda: not app.chat.query(AssistantMessage) and bool(app.chat.query(WelcomeCard))
        )
        assert app.chat is chat and app.main.tabs.tab_count == 1  # in the same tab


async def test_a_bad_file_is_reported_in_one_line_per_key_and_defaults_used(
    services: Services, tmp_path: Path
) -> None:
    path = tmp_path / "settings.toml"
    path.write_text('theme = "no-such-theme"\n[panes]\nclients_width = 500\n[keys]\nfly = "f9"\n')
    app = make_app(services, path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        messages = notifications(app)
        assert any("panes.clients_width: must be between 16 and 60, got 500" in m for m in messages)
        assert any("keys.fly: no such action; the actions are new_session" in m for m in messages)
        assert any("theme: no theme named 'no-such-theme'" in m for m in messages)
        assert all(str(path) in m and "\n" not in m for m in messages) and len(messages) == 3
        assert app.main.query_one(ClientList).outer_size.width == 30
        assert app.theme == "textual-dark"


async def test_toggles_and_theme_are_saved_for_the_next_start(services: Services, tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    app = make_app(services, path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("f4")
        await pilot.press("f6")
        app.theme = "gruvbox"
        await wait_for(pilot, lambda: path.exists() and SettingsStore(path).load().theme == "gruvbox")
    saved = SettingsStore(path).load()
    assert saved.panes.plugins is True and saved.panes.clients is False
    again = make_app(services, path)
    async with again.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert again.theme == "gruvbox"
        assert again.main.query_one(PluginPane).display
        assert not again.main.query_one(ClientList).display
        await pilot.press("f2")  # the client list comes back when asked for
        assert again.main.query_one(ClientList).display
        assert again.focused is again.main.query_one(ClientList)


async def test_the_next_start_reopens_the_last_session(services: Services, tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    app = make_app(services, path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        clients = app.main.query_one(ClientList)
        clients.focus()
        clients.highlight_client("shop_assistant")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.chat.client.name == "shop_assistant")
        await app.chat.send("Do you have coupon codes for the Everlasting Gobstopper?")
        await wait_for(pilot, lambda: not app.chat.running)
        key = app.chat.session_key
        await wait_for(pilot, lambda: SettingsStore(path).load().last_session == key)
    assert SettingsStore(path).load().last_client == "shop_assistant"
    again = make_app(services, path)
    async with again.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: again.chat.session_key == key)
        assert again.chat.client.name == "shop_assistant"
        assert "GOBSTOPPER" in again.chat.last_answer().upper()
    # Without reopening, the last client with a new chat.
    assert SettingsStore(path).save({"reopen_last_session": False})
    third = make_app(services, path)
    async with third.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert third.chat.client.name == "shop_assistant" and third.chat.session_key is None


async def test_launch_flags_open_a_client_or_a_session_by_prefix(services: Services, tmp_path: Path) -> None:
    outcome = await services.sessions.send("What is 2**10?", client="general_assistant")
    path = tmp_path / "settings.toml"
    app = make_app(services, path, LaunchRequest(client="course_assistant"))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert app.chat.client.name == "course_assistant" and app.chat.session_key is None
        assert app.main.query_one(ClientList).highlighted_option.id == "course_assistant"
    app = make_app(services, path, LaunchRequest(session=outcome.session_key[:6]))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.chat.session_key == outcome.session_key)
        assert "1024" in app.chat.last_answer()


def test_the_readme_names_every_remappable_action() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for action in SmarterApp.remappable_actions():
        assert f"`{action}`" in readme, action
