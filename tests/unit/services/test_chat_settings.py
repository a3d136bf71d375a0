"""Per-chat settings: provider, model (from the provider's own list), temperature, system prompt.

Stored with the session, used by its next turn (the first one too, for a new chat), never
written into the client's manifest. The OpenAI-compatible side runs against a loopback server.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from smarter_tui.domain.errors import NotFoundError, RequestError
from smarter_tui.domain.events import ModelRequestSent
from smarter_tui.domain.records import ChatSettings
from smarter_tui.manifests.specs import llmclient_spec_of
from smarter_tui.services import Services
from tests.support.fake_openai import FakeOpenAI, Reply


@pytest.fixture
def loopback(services: Services, fake_openai: FakeOpenAI, tmp_path: Path) -> FakeOpenAI:
    """A Provider manifest `loopback` pointing at the fake server, which serves two models."""
    fake_openai.models = ["big-model", "small-model"]
    path = tmp_path / "provider.yaml"
    path.write_text(
        "apiVersion: smarter.sh/v1\nkind: Provider\nmetadata: {name: loopback, description: test}\n"
        f'spec:\n  provider: {{baseUrl: "{fake_openai.base_url}", defaultModel: small-model, apiKey: null}}\n'
    )
    services.catalogue.apply_paths([path])
    return fake_openai


def requests_of(events: list) -> list[dict]:  # type: ignore[type-arg]
    return [e.request for e in events if isinstance(e, ModelRequestSent)]


async def test_model_lists_come_from_the_provider(services: Services, loopback: FakeOpenAI) -> None:
    assert await services.chat_settings.models("offline") == ["offline-demo"]
    assert await services.chat_settings.models("loopback") == ["big-model", "small-model"]
    assert {"offline", "openai", "ollama", "loopback"} <= set(services.chat_settings.providers())


async def test_a_new_chat_uses_its_settings_from_the_first_turn(services: Services) -> None:
    key = services.chat_settings.save(
        "general_assistant", None, ChatSettings(temperature=0.3, system_prompt="You answer in French.")
    )
    assert services.db.sessions.get(key) is None  # no session until a prompt is sent
    events: list = []  # type: ignore[type-arg]
    await services.sessions.send(
        "What is 6*7?", client="general_assistant", session_key=key, on_event=events.append
    )
    (first, *_) = requests_of(events)
    assert first["temperature"] == 0.3
    assert first["messages"][0]["content"].startswith("You answer in French.")
    assert services.db.sessions.chat_settings(key) == {
        "system_prompt": "You answer in French.",
        "temperature": 0.3,
    }
    effective = services.chat_settings.effective("general_assistant", key)
    assert (effective.temperature, effective.system_prompt, effective.customised) == (
        0.3,
        "You answer in French.",
        True,
    )
    # The stored system message is still the client's: the override lives with the chat.
    assert services.history.messages(key)[0].content != "You answer in French."


async def test_switching_provider_and_model_mid_chat(services: Services, loopback: FakeOpenAI) -> None:
    outcome = await services.sessions.send("What is 6*7?", client="general_assistant")
    key = outcome.session_key
    assert services.chat_settings.effective("general_assistant", key).provider == "offline"
    services.chat_settings.save(
        "general_assistant", key, ChatSettings(provider="loopback", model="big-model")
    )
    effective = services.chat_settings.effective("general_assistant", key)
    assert (effective.provider, effective.model, effective.offline) == ("loopback", "big-model", False)
    loopback.enqueue(Reply(text="Served by the loopback model"))
    second = await services.sessions.send("And now?", session_key=key)
    assert second.answer == "Served by the loopback model"
    (sent,) = loopback.requests
    assert sent["model"] == "big-model"
    # The whole history went along, and the manifest did not change.
    assert [m["content"] for m in sent["messages"] if m["role"] == "user"] == ["What is 6*7?", "And now?"]
    manifest = services.catalogue.get("llmclient", "general_assistant").manifest
    assert llmclient_spec_of(manifest).provider == "offline"
    # Another provider without a model: that provider's default model.
    services.chat_settings.save("general_assistant", key, ChatSettings(provider="loopback"))
    assert services.chat_settings.effective("general_assistant", key).model == "small-model"
    # Back to the client's own settings.
    services.chat_settings.save("general_assistant", key, ChatSettings())
    assert services.db.sessions.chat_settings(key) == {}
    assert not services.chat_settings.effective("general_assistant", key).customised


@pytest.mark.parametrize(
    ("settings", "error", "message"),
    [
        (ChatSettings(temperature=2.5), RequestError, "from 0 to 2, not 2.5"),
        (ChatSettings(temperature=float("nan")), RequestError, "must be a number"),
        (ChatSettings(provider="nowhere"), NotFoundError, "No provider named 'nowhere'"),
    ],
)
def test_bad_values_are_refused(
    services: Services, settings: ChatSettings, error: type, message: str
) -> None:
    with pytest.raises(error, match=message):
        services.chat_settings.save("general_assistant", None, settings)


async def test_values_equal_to_the_clients_are_not_overrides(services: Services) -> None:
    base = services.chat_settings.effective("general_assistant")
    key = services.chat_settings.save(
        "general_assistant",
        None,
        ChatSettings(provider=base.provider, model=base.model, system_prompt=base.system_prompt),
    )
    assert services.sessions.chat_settings(key) == ChatSettings()
    other = await services.sessions.send("Hi", client="shop_assistant")
    with pytest.raises(RequestError, match="belongs to client 'shop_assistant'"):
        services.chat_settings.save("general_assistant", other.session_key, ChatSettings(temperature=1.0))
