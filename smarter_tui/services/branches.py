"""Regenerate an answer, edit and resend a prompt, delete a message: history is flagged, never lost.

A regenerate or an edited prompt starts a new branch at a user message: that message and
everything after it are flagged `superseded` (left out of the model's context, still stored,
browsable and exported), then the prompt (the same or the edited text) is sent again. Deleting
a message flags it `deleted` the same way. Nothing here removes a row.
"""

from __future__ import annotations

from dataclasses import dataclass

from smarter_tui.domain.errors import NotFoundError, RequestError
from smarter_tui.domain.messages import DELETED, SUPERSEDED, Message, Role
from smarter_tui.services.sessions import EventCallback, SessionService, TurnOutcome
from smarter_tui.storage import Database


@dataclass(frozen=True, slots=True)
class Branch:
    """A branch point: the session, the prompt to send and how many messages were superseded."""

    session_key: str
    prompt: str
    superseded: int


class BranchService:
    """The history edits of a chat; the UI and CLI call these, then send `Branch.prompt`."""

    def __init__(self, db: Database, sessions: SessionService) -> None:
        self.db = db
        self.sessions = sessions

    def _context(self, key: str) -> tuple[str, list[Message]]:
        full = self.sessions.resolve_key(key)
        return full, self.db.sessions.messages(full, context_only=True)

    def last_prompt_position(self, key: str) -> int:
        """Return the position of the last user message in the context; RequestError when none."""
        _, context = self._context(key)
        for message in reversed(context):
            if message.role is Role.USER and message.position is not None:
                return message.position
        raise RequestError("Nothing to regenerate: this chat has no prompt yet")

    def branch_from(self, key: str, position: int, prompt: str | None = None) -> Branch:
        """Supersede the user message at `position` and everything after it in the context.

        Returns the branch with the prompt to send: `prompt` (an edited text) or the message's
        own. Raises NotFoundError for an unknown session or a position outside the context,
        RequestError when that message is not a user prompt or `prompt` is blank.
        """
        full, context = self._context(key)
        index = next((i for i, m in enumerate(context) if m.position == position), None)
        if index is None:
            raise NotFoundError(f"Message {position} is not in the context of session {full[:12]}…")
        message = context[index]
        if message.role is not Role.USER:
            raise RequestError(f"Message {position} is a {message.role} message, not a prompt")
        text = message.content or "" if prompt is None else prompt
        if not text.strip():
            raise RequestError("The prompt is empty")
        later = [m.position for m in context[index:] if m.position is not None]
        count = self.db.sessions.exclude_messages(full, later, SUPERSEDED)
        return Branch(full, text, count)

    def regenerate_branch(self, key: str) -> Branch:
        """Supersede the last prompt and its answer; return the branch that resends it."""
        return self.branch_from(key, self.last_prompt_position(key))

    async def regenerate(self, key: str, on_event: EventCallback | None = None) -> TurnOutcome:
        """Run the last prompt again as a new branch; the old answer stays stored, superseded."""
        branch = self.regenerate_branch(key)
        return await self.sessions.send(branch.prompt, session_key=branch.session_key, on_event=on_event)

    async def edit_and_resend(
        self, key: str, position: int, prompt: str, on_event: EventCallback | None = None
    ) -> TurnOutcome:
        """Send an edited version of the prompt at `position` as a new branch from there."""
        branch = self.branch_from(key, position, prompt)
        return await self.sessions.send(branch.prompt, session_key=branch.session_key, on_event=on_event)

    def delete(self, key: str, position: int) -> list[int]:
        """Leave the message at `position` out of the context; return the positions flagged.

        An answer that called tools goes with its tool results (and a tool result with the
        call and its siblings): the model must never see a call without its result. The system
        prompt cannot be deleted (change it in the chat settings). Raises NotFoundError for a
        position outside the context, RequestError for the system prompt.
        """
        full, context = self._context(key)
        index = next((i for i, m in enumerate(context) if m.position == position), None)
        if index is None:
            raise NotFoundError(f"Message {position} is not in the context of session {full[:12]}…")
        message = context[index]
        if message.role is Role.SYSTEM:
            raise RequestError("The system prompt cannot be deleted; change it in the chat settings")
        group = [message]
        if message.role is Role.TOOL:
            caller = next(
                (
                    m
                    for m in reversed(context[:index])
                    if any(c.id == message.tool_call_id for c in m.tool_calls)
                ),
                None,
            )
            if caller is not None:
                group = [caller]
        if group[0].tool_calls:
            ids = {c.id for c in group[0].tool_calls}
            group += [m for m in context if m.role is Role.TOOL and m.tool_call_id in ids]
        positions = sorted({m.position for m in group if m.position is not None})
        self.db.sessions.exclude_messages(full, positions, DELETED)
        return positions
