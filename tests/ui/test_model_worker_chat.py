"""The app as users run it: model calls made by the model worker process (real SDK, FakeOpenAI)."""

from __future__ import annotations

from pathlib import Path

from smarter_tui.config.secrets import SecretStore
from smarter_tui.domain.messages import Role
from smarter_tui.services import Services
from smarter_tui.ui.app import SmarterApp
from smarter_tui.ui.widgets.prompt_input import PromptInput
from tests.support.fake_openai import FakeOpenAI, Reply
from tests.support.memory_keyring import MemoryKeyring
from tests.ui.helpers import ready, wait_for

MANIFESTS = """
apiVersion: smarter.sh/v1
kind: Provider
metadata: {{name: loopback, description: test server}}
spec:
  provider: {{baseUrl: "{url}", defaultModel: fake-model, apiKey: null}}
---
apiVersion: smarter.sh/v1
kind: LLMClient
metadata: {{name: remote, description: a client of the test server}}
spec:
  config: {{provider: loopback, appName: Remote, defaultSystemRole: You are a test.}}
  functions: []
  plugins: []
"""


async def test_chat_cancel_and_chat_again_through_the_worker(tmp_path: Path, fake_openai: FakeOpenAI) -> None:
    services = Services.open(tmp_path / "db.sqlite3", secrets=SecretStore(MemoryKeyring()), model_worker=True)
    (tmp_path / "remote.yaml").write_text(MANIFESTS.format(url=fake_openai.base_url))
    services.catalogue.apply_paths([tmp_path / "remote.yaml"])
    worker = services.model_worker
    assert worker is not None and worker._channel is not None
    app = SmarterApp(open_services=lambda: services)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = await ready(pilot)
        await app.start_chat(next(c for c in app.clients if c.name == "remote"))
        fake_openai.enqueue(Reply(text="one two three four five six seven eight", delay=0.3))
        await chat.send("Talk slowly.")
        await wait_for(pilot, lambda: "one" in chat.last_answer())
        await pilot.press("escape")
        await wait_for(pilot, lambda: not chat.running)
        assert fake_openai.wait_for_disconnect(5.0)
        fake_openai.enqueue(Reply(text="Back again"))
        prompt = chat.query_one(PromptInput)
        prompt.text = "Again?"
        prompt.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: not chat.running and "Back again" in chat.last_answer())
        assert chat.session_key is not None
        stored = services.history.messages(chat.session_key)
        assert [m.role for m in stored] == [Role.SYSTEM, Role.USER, Role.ASSISTANT, Role.USER, Role.ASSISTANT]
    process = worker._channel.process if worker._channel else None
    services.close()
    assert process is None or process.poll() is not None
