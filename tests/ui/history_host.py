"""A tiny host App for HistoryScreen tests, and helpers to insert sessions with fixed timestamps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from textual.app import App

from smarter_tui.domain.messages import Message, Role
from smarter_tui.domain.records import SessionInfo
from smarter_tui.services import Services
from smarter_tui.ui.screens.history_screen import HistoryScreen

UNSET = "<unset>"
BASE_TIME = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)


class HostApp(App[None]):
    """Holds `services` like the real app and pushes a HistoryScreen on mount."""

    ENABLE_COMMAND_PALETTE = False

    def __init__(self, services: Services, page_size: int = 200) -> None:
        super().__init__()
        self.services = services
        self.page_size = page_size
        self.result: str | None = UNSET

    def on_mount(self) -> None:
        self.push_screen(HistoryScreen(self.services.history, page_size=self.page_size), self.record_result)

    def record_result(self, result: str | None) -> None:
        """Keep what the screen dismissed with."""
        self.result = result


def key_for(index: int) -> str:
    """Return a deterministic 64-hex session key."""
    return f"{index + 1:064x}"


def insert_sessions(
    services: Services, prompts: list[str], client: str = "general_assistant", start: int = 0
) -> list[str]:
    """Insert one session per prompt (a user prompt and an answer), the later ones more recent.

    Returns the keys in insertion order (oldest first).
    """
    items = []
    keys = []
    for offset, prompt in enumerate(prompts):
        index = start + offset
        key = key_for(index)
        at = BASE_TIME + timedelta(hours=index)
        messages = [
            Message(Role.SYSTEM, "You are a helpful assistant.", created_at=at),
            Message(Role.USER, prompt, created_at=at),
            Message(
                Role.ASSISTANT, f"Here is what I know about {prompt.lower().rstrip('?')}.", created_at=at
            ),
        ]
        items.append((SessionInfo(key, client, None, at, at), messages))
        keys.append(key)
    services.db.sessions.bulk_import(items)
    return keys
