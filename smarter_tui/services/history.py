"""Saved sessions: listing, full-text search, reading, renaming, deleting and exporting."""

from __future__ import annotations

import json
from typing import Any

from smarter_tui.domain.messages import Message, Role
from smarter_tui.domain.records import SearchHit, SessionInfo
from smarter_tui.services.sessions import SessionService
from smarter_tui.storage import Database


class HistoryService:
    """Read access to sessions plus rename/delete/export."""

    def __init__(self, db: Database, sessions: SessionService) -> None:
        self.db = db
        self.sessions = sessions

    def list(self, limit: int = 100, offset: int = 0, client: str | None = None) -> list[SessionInfo]:
        """Return sessions, newest activity first."""
        return self.db.sessions.list(limit=limit, offset=offset, client=client)

    def search(self, query: str, limit: int = 50) -> list[SearchHit]:
        """Return full-text hits over message content, best first."""
        return self.db.sessions.search(query, limit=limit)

    def messages(self, key: str, last: int | None = None) -> list[Message]:
        """Return a session's messages in order (system prompt first); raise NotFoundError."""
        info = self.sessions.session(key)
        return self.db.sessions.messages(info.session_key, last=last)

    def conversation(self, key: str) -> dict[str, Any]:
        """Return `{"session_key", "messages"}`: the whole history, system prompt first (SPEC §8.2)."""
        info = self.sessions.session(key)
        messages = self.db.sessions.messages(info.session_key)
        return {"session_key": info.session_key, "messages": [m.to_public() for m in messages]}

    def rename(self, key: str, title: str) -> None:
        """Set a session's title."""
        self.db.sessions.rename(self.sessions.session(key).session_key, title.strip())

    def delete(self, key: str) -> None:
        """Delete a session and everything recorded for it."""
        self.db.sessions.delete(self.sessions.session(key).session_key)

    def export_json(self, key: str) -> str:
        """Return a session as JSON: its summary, messages and tool calls."""
        info = self.sessions.session(key)
        messages = self.db.sessions.messages(info.session_key)
        calls = self.db.sessions.tool_calls(info.session_key)
        document = {
            "session_key": info.session_key,
            "client": info.client,
            "title": info.title,
            "created_at": info.created_at.isoformat() if info.created_at else None,
            "updated_at": info.updated_at.isoformat() if info.updated_at else None,
            "messages": [m.to_public() for m in messages],
            "tool_calls": [
                {
                    "name": c.name,
                    "source": c.source,
                    "kind": c.kind,
                    "arguments": c.arguments,
                    "result": c.result,
                    "error": c.error,
                    "duration_ms": round(c.duration_ms, 2),
                    "tool_call_id": c.tool_call_id,
                }
                for c in calls
            ],
        }
        return json.dumps(document, indent=2, ensure_ascii=False)

    def export_markdown(self, key: str) -> str:
        """Return a session as readable Markdown (tool calls as fenced JSON blocks)."""
        info = self.sessions.session(key)
        messages = self.db.sessions.messages(info.session_key)
        lines = [
            f"# {info.title or 'Untitled session'}",
            "",
            f"- client: `{info.client}`",
            f"- session: `{info.session_key}`",
        ]
        if info.created_at:
            lines.append(f"- started: {info.created_at.isoformat(timespec='seconds')}")
        for message in messages:
            lines.append("")
            if message.role is Role.SYSTEM:
                lines += ["## System", "", _quote(message.content or "")]
            elif message.role is Role.USER:
                lines += ["## User", "", message.content or ""]
            elif message.role is Role.ASSISTANT:
                heading = "## Assistant" + (" (interrupted)" if message.interrupted else "")
                lines += [heading, ""]
                if message.content:
                    lines.append(message.content)
                for call in message.tool_calls:
                    lines += ["", f"Tool call `{call.name}`:", "", "```json", call.arguments or "{}", "```"]
            else:
                lines += [f"### Tool result `{message.name}`", "", "```json", message.content or "", "```"]
        return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" for line in text.splitlines()) or ">"
