"""A prompt sent while the pane is still putting up a new chat goes to that chat, after it."""

from __future__ import annotations

import asyncio

from smarter_tui.services import Services
from smarter_tui.ui.app import SmarterApp
from smarter_tui.ui.widgets.assistant_message import AssistantMessage
from smarter_tui.ui.widgets.user_message import UserMessage
from smarter_tui.ui.widgets.welcome_card import WelcomeCard
from tests.ui.helpers import wait_for
from tests.ui.test_long_chat import SIZE, ready_chat


async def test_a_prompt_sent_while_a_new_chat_opens_waits_for_it(services: Services) -> None:
    # Seen in CI under load: the first chat's `new_chat` had set its client but not yet shown its
    # welcome card when a prompt came; when it went on, it reset the status line to `ready`
    # under the prompt's turn and mounted the welcome card below the prompt.
    app = SmarterApp(open_services=lambda: services)
    async with app.run_test(size=SIZE) as pilot:
        chat = await ready_chat(pilot, app)
        course = next(c for c in app.clients if c.name == "course_assistant")
        opening = asyncio.create_task(app.start_chat(course))
        for _ in range(100):  # until new_chat has begun: the client is set, the transcript changing
            if chat.client is course:
                break
            await asyncio.sleep(0)
        assert chat.client is course and not opening.done()
        await chat.send("What is 6*7?")
        await opening
        await wait_for(pilot, lambda: chat.completed_turns == 1)
        kinds = [type(w) for w in chat.transcript.children]
        assert kinds[0] is WelcomeCard and kinds.index(UserMessage) > 0, kinds
        assert chat.transcript.query(AssistantMessage)
        assert chat.status.state == "ready" and chat.status.session_key == chat.session_key
        assert services.history.find(chat.session_key).client == "course_assistant"  # type: ignore[union-attr]
