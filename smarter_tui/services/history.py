"""Saved sessions: listing, full-text search, reading, renaming, deleting and exporting."""

from __future__ import annotations

import builtins
import json
from pathlib import Path
from typing import Any, Literal

from smarter_tui.config.paths import data_dir
from smarter_tui.domain.errors import NotFoundError, RequestError
from smarter_tui.domain.messages import Message, Role
from smarter_tui.domain.records import SearchHit, SessionInfo
from smarter_tui.domain.terminal import json_safe, terminal_safe
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

    def count(self, client: str | None = None) -> int:
        """Return the number of saved sessions (of one client if given)."""
        return self.db.sessions.count(client=client)

    def page(
        self, limit: int = 100, offset: int = 0, client: str | None = None
    ) -> tuple[builtins.list[SessionInfo], int]:
        """Return a page of sessions (as `list`) and the number of sessions (as `count`) at once."""
        return self.db.sessions.page(limit=limit, offset=offset, client=client)

    def search(self, query: str, limit: int = 50) -> builtins.list[SearchHit]:
        """Return full-text hits over message content, best first."""
        return self.db.sessions.search(query, limit=limit)

    def search_sessions(self, query: str, limit: int = 50) -> builtins.list[SearchHit]:
        """Return the best full-text hit of each matching session, best session first.

        At most `limit` sessions; the hit's snippet marks matched words with « ». A query with
        no words returns no hits.
        """
        if limit <= 0:
            return []
        best: dict[str, SearchHit] = {}
        # Several hits usually come from one session, so ask for more hits than sessions wanted.
        for hit in self.db.sessions.search(query, limit=limit * 5):
            best.setdefault(hit.session_key, hit)
            if len(best) >= limit:
                break
        return list(best.values())

    def find(self, key: str) -> SessionInfo | None:
        """Return a session's summary, or None when no session has this key."""
        return self.db.sessions.get(key)

    def get(self, key: str) -> SessionInfo:
        """Return a session's summary; raise NotFoundError for an unknown key."""
        return self.sessions.session(key)

    def messages(self, key: str, last: int | None = None) -> builtins.list[Message]:
        """Return a session's messages in order (system prompt first); raise NotFoundError."""
        full = self.sessions.full_key(key)  # the store's read finds the session itself
        try:
            return self.db.sessions.messages(full, last=last)
        except NotFoundError:
            raise NotFoundError(f"No session key starts with {full}") from None

    def transcript(self, key: str, last: int) -> tuple[builtins.list[Message], int]:
        """Return the last `last` messages of the current branch, and how many come before them.

        Superseded and deleted messages are left out (they stay in exports and `messages`).
        """
        info = self.sessions.session(key)
        messages = self.db.sessions.messages(info.session_key, last=last, context_only=True)
        earlier = max(0, self.db.sessions.context_count(info.session_key) - len(messages))
        return messages, earlier

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
            "tool_calls": [c.to_public() for c in calls],
        }
        return json_safe(json.dumps(document, indent=2, ensure_ascii=False))

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
            if message.excluded:
                # Kept in the export, marked: an older branch or a message the user deleted.
                lines += [f"*({message.excluded}: not in the context)*", ""]
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
            elif message.role is Role.ERROR:
                lines += ["## Error", "", _quote(message.content or "")]
            else:
                lines += [f"### Tool result `{message.name}`", "", "```json", message.content or "", "```"]
        # The text is kept; escape sequences in it become inert (`cat export.md` is safe).
        return terminal_safe("\n".join(lines) + "\n")

    def export_to_file(
        self, key: str, fmt: Literal["markdown", "json"], directory: Path | None = None
    ) -> Path:
        """Write a session as Markdown or JSON into `directory` and return the file's path.

        The default directory is `exports/` in the data directory (created if missing). The file
        is named after the start of the title and the short session key. Raises NotFoundError for
        an unknown session, RequestError for an unknown format, OSError if the file cannot be written.
        """
        if fmt == "markdown":
            text, suffix = self.export_markdown(key), ".md"
        elif fmt == "json":
            text, suffix = self.export_json(key), ".json"
        else:
            raise RequestError(f"Unknown export format {fmt!r}: expected markdown or json")
        info = self.sessions.session(key)
        folder = directory if directory is not None else data_dir() / "exports"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{_slug(info.title)}-{info.session_key[:12]}{suffix}"
        path.write_text(text, encoding="utf-8")
        return path


def _slug(title: str | None) -> str:
    words = "".join(c if c.isalnum() else " " for c in (title or "session").lower()).split()
    return "-".join(words)[:40].strip("-") or "session"


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" for line in text.splitlines()) or ">"
