"""The chat settings dialog (Ctrl+G): provider and model from the provider's list, temperature,
system prompt; saved with the session, used by the next turn, shown in the status line."""

from __future__ import annotations

from pathlib import Path

from smarter_tui.domain.records import ChatSettings
from smarter_tui.services import Services
from smarter_tui.ui.app import SmarterApp
from smarter_tui.ui.screens.chat_settings_modal import ChatSettingsModal
from tests.support.fake_openai import FakeOpenAI, Reply
from tests.ui.helpers import click, ready, wait_for

SIZE = (120, 40)


async def open_dialog(pilot) -> ChatSettingsModal:  # type: ignore[no-untyped-def]
    await pilot.press("ctrl+g")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ChatSettingsModal))
    screen = pilot.app.screen
    await wait_for(pilot, lambda: bool(screen.models))
    return screen


async def test_a_new_chat_with_its_own_temperature_and_system_prompt(services: Services) -> None:
    app = SmarterApp(open_services=lambda: services)
    async with app.run_test(size=SIZE) as pilot:
        chat = await ready(pilot)
        screen = await open_dialog(pilot)
        assert screen.models == ["offline-demo"]  # the offline provider lists its own
        screen.query_one("#temperature").value = "7"
        await click(pilot, "#save")
        await wait_for(
            pilot, lambda: "from 0 to 2, not 7" in str(screen.query_one("#settings-error").render())
        )
        screen.query_one("#temperature").value = "0.3"
        screen.query_one("#system-prompt").text = "You answer in haiku."
        await click(pilot, "#save")
        await wait_for(pilot, lambda: app.screen is app.main)
        await wait_for(pilot, lambda: chat.status.chat_settings == "temp 0.3 · own system prompt")
        key = chat.session_key
        assert key and services.db.sessions.get(key) is None  # created by the first prompt
        await chat.send("What is 6*7?")
        await wait_for(pilot, lambda: not chat.running)
        assert chat.session_key == key
        assert services.db.sessions.chat_settings(key) == {
            "system_prompt": "You answer in haiku.",
            "temperature": 0.3,
        }
        assert '"temperature": 0.3' in chat.debug_json() and "You answer in haiku." in chat.debug_json()


async def test_switch_provider_and_pick_a_listed_model(
    services: Services, fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    fake_openai.models = ["big-model", "small-model"]
    manifest = tmp_path / "provider.yaml"
    manifest.write_text(
        "apiVersion: smarter.sh/v1\nkind: Provider\nmetadata: {name: loopback, description: test}\n"
        f'spec:\n  provider: {{baseUrl: "{fake_openai.base_url}", defaultModel: small-model, apiKey: null}}\n'
    )
    services.catalogue.apply_paths([manifest])
    outcome = await services.sessions.send("What is 6*7?", client="general_assistant")
    app = SmarterApp(open_services=lambda: services)
    async with app.run_test(size=SIZE) as pilot:
        chat = await ready(pilot)
        app._open_session(outcome.session_key)
        await wait_for(pilot, lambda: chat.session_key == outcome.session_key)
        screen = await open_dialog(pilot)
        screen.query_one("#provider").value = "loopback"
        await wait_for(pilot, lambda: screen.models == ["big-model", "small-model"])
        models = screen.query_one("#models")
        models.focus()
        models.highlighted = 0
        await pilot.press("enter")
        assert screen.query_one("#model").value == "big-model"
        await click(pilot, "#save")
        await wait_for(pilot, lambda: app.screen is app.main)
        await wait_for(pilot, lambda: chat.status.model == "loopback/big-model")
        assert not chat.status.offline
        fake_openai.enqueue(Reply(text="Hello from the big model"))
        await chat.send("Who are you?")
        await wait_for(pilot, lambda: not chat.running)
        assert "Hello from the big model" in chat.last_answer()
        assert fake_openai.requests[-1]["model"] == "big-model"
    # Reopened later: the status line shows the chat's own model again.
    again = SmarterApp(open_services=lambda: services)
    async with again.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: again.chat.session_key == outcome.session_key)
        await wait_for(pilot, lambda: again.chat.status.model == "loopback/big-model")
    assert services.sessions.chat_settings(outcome.session_key) == ChatSettings("loopback", "big-model")
