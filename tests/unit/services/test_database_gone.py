"""The database goes away mid-answer: a clear error, the answer kept in memory, saved once it is back."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import psycopg
import pytest

from smarter_tui.domain.errors import DatabaseUnavailableError
from smarter_tui.domain.events import TextDelta, TurnEvent
from smarter_tui.domain.messages import Role
from smarter_tui.services import Services
from tests.support.postgres import PostgresServer

pytestmark = pytest.mark.engines("postgresql")


class Outage:
    """Takes the test database away (no connections, existing ones ended) and brings it back."""

    def __init__(self, server: PostgresServer, url: str) -> None:
        self.admin = psycopg.connect(server.url(), autocommit=True)
        self.name = urlsplit(url).path.lstrip("/")

    def begin(self) -> None:
        self.admin.execute(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS false')
        self.admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (self.name,)
        )

    def end(self) -> None:
        self.admin.execute(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS true')


@pytest.fixture
def outage(postgres_server: PostgresServer, database_target: str) -> Iterator[Outage]:
    cut = Outage(postgres_server, database_target)
    try:
        yield cut
    finally:
        cut.end()
        cut.admin.close()


async def test_answer_survives_the_database_going_away(services: Services, outage: Outage) -> None:
    first = await services.sessions.send("What is 2 + 2?", client="general_assistant")
    key = first.session_key
    shown: list[str] = []

    def cut_after_first_words(event: TurnEvent) -> None:
        if isinstance(event, TextDelta):
            if not shown:
                outage.begin()  # the first words are stored; everything after cannot be
            shown.append(event.text)

    with pytest.raises(DatabaseUnavailableError) as caught:
        await services.sessions.send(
            "Tell me about the weather", session_key=key, on_event=cut_after_first_words
        )
    assert "The database went away mid-answer" in str(caught.value)
    assert "kept in memory" in str(caught.value) and len(shown) > 1
    # while it is away, a new prompt is refused rather than stored ahead of the kept answer
    with pytest.raises(DatabaseUnavailableError, match="still away"):
        await services.sessions.send("Are you there?", session_key=key)

    outage.end()
    last = await services.sessions.send("And 3 + 3?", session_key=key)
    assert last.error is None
    messages = services.db.sessions.messages(key)
    assert [m.position for m in messages] == list(range(len(messages)))
    weather = next(i for i, m in enumerate(messages) if m.content == "Tell me about the weather")
    kept = messages[weather + 1]
    assert messages[weather + 2].content == "And 3 + 3?"  # the kept answer was saved before it
    assert kept.content == "".join(shown) and not kept.interrupted  # the whole answer, as shown
    assert [m.content for m in messages if m.role is Role.USER] == [
        "What is 2 + 2?",
        "Tell me about the weather",
        "And 3 + 3?",
    ]
    assert services.db.sessions.message_count(key) == len(messages)
