"""HistoryService additions used by the history browser: count, per-session search, export to file."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from smarter_tui.domain.errors import NotFoundError, RequestError
from smarter_tui.domain.messages import Message, Role
from smarter_tui.domain.records import SessionInfo
from smarter_tui.services import Services


def _insert(services: Services, count: int) -> list[str]:
    keys = [f"{i:064x}" for i in range(1, count + 1)]
    items = [
        (
            SessionInfo(key, "general_assistant", None, datetime(2024, 1, 1, tzinfo=UTC)),
            [
                Message(Role.SYSTEM, "You are helpful."),
                Message(Role.USER, f"Tell me about zebra number {i}"),
                Message(Role.ASSISTANT, f"Zebra {i} has stripes. Zebra facts follow."),
            ],
        )
        for i, key in enumerate(keys)
    ]
    services.db.sessions.bulk_import(items)
    return keys


def test_count(services: Services) -> None:
    before = services.history.count()
    _insert(services, 3)
    assert services.history.count() == before + 3
    assert services.history.count(client="general_assistant") >= 3


def test_search_sessions_one_hit_per_session(services: Services) -> None:
    keys = _insert(services, 4)
    hits = services.history.search_sessions("zebra")
    assert sorted(h.session_key for h in hits) == sorted(keys)
    assert all("«" in h.snippet for h in hits)
    assert len(services.history.search_sessions("zebra", limit=2)) == 2
    assert services.history.search_sessions("   ") == []
    assert services.history.search_sessions("zebra", limit=0) == []


def test_get(services: Services) -> None:
    (key,) = _insert(services, 1)
    assert services.history.get(key).title == "Tell me about zebra number 0"
    with pytest.raises(NotFoundError):
        services.history.get("f" * 64)


def test_messages_by_full_key_or_prefix(services: Services, caplog: pytest.LogCaptureFixture) -> None:
    (key,) = _insert(services, 1)
    with caplog.at_level("DEBUG", logger="peewee"):
        shown = services.history.messages(key.upper(), last=2)
        assert len(caplog.records) == 1  # a full key: the messages' one query finds the session
    assert [m.role for m in shown] == [Role.USER, Role.ASSISTANT]
    assert services.history.messages(key[:10]) == services.history.messages(key)  # a unique prefix
    with pytest.raises(NotFoundError, match=f"No session key starts with {'f' * 64}"):
        services.history.messages("F" * 64, last=50)
    with pytest.raises(NotFoundError, match="No session key starts with fedcba"):
        services.history.messages("fedcba")


def test_export_to_file_default_directory(services: Services, isolated_home: Path) -> None:
    (key,) = _insert(services, 1)
    md = services.history.export_to_file(key, "markdown")
    assert md.parent == isolated_home / "exports"
    assert md.name == f"tell-me-about-zebra-number-0-{key[:12]}.md"
    assert md.read_text(encoding="utf-8") == services.history.export_markdown(key)
    js = services.history.export_to_file(key, "json")
    assert js.suffix == ".json"
    assert json.loads(js.read_text(encoding="utf-8"))["session_key"] == key


def test_export_to_file_errors(services: Services, tmp_path: Path) -> None:
    (key,) = _insert(services, 1)
    with pytest.raises(RequestError):
        services.history.export_to_file(key, "pdf", tmp_path)  # type: ignore[arg-type]
    with pytest.raises(NotFoundError):
        services.history.export_to_file("e" * 64, "json", tmp_path)
    path = services.history.export_to_file(key, "json", tmp_path / "out")
    assert path.parent == tmp_path / "out"
