"""Memory tools over an in-memory fake MemoryBackend."""

from __future__ import annotations

import json

from smarter_tui.plugins.functions.memory import CreateMemoryTool, RecallMemoryTool

from .conftest import FakeMemory


async def test_create_and_recall(fake_memory: FakeMemory) -> None:
    create = CreateMemoryTool(fake_memory, session_key="ab" * 32)
    recall = RecallMemoryTool(fake_memory)
    first = json.loads(await create.run({"memory": "The User has a dog called Rex."}))
    assert first == {"stored": True, "id": 1, "memory": "The User has a dog called Rex."}
    second = json.loads(await create.run({"memory": "  The User  lives in Lyon. "}))
    assert second == {"stored": True, "id": 2, "memory": "The User lives in Lyon."}
    assert fake_memory.items[0] == ("The User has a dog called Rex.", "ab" * 32)
    assert json.loads(await recall.run({"query": "dog"})) == ["The User has a dog called Rex."]
    assert json.loads(await recall.run({"query": "where does the user live? Lyon"}))[0] == (
        "The User lives in Lyon."
    )


async def test_recall_nothing_is_empty_list(fake_memory: FakeMemory) -> None:
    assert json.loads(await RecallMemoryTool(fake_memory).run({"query": "cat"})) == []


async def test_bad_arguments_and_backend_failure(fake_memory: FakeMemory) -> None:
    assert "error" in json.loads(await CreateMemoryTool(fake_memory).run({"memory": " "}))
    assert "error" in json.loads(await RecallMemoryTool(fake_memory).run({}))

    class Broken(FakeMemory):
        def add(self, text: str, session_key: str | None = None) -> int:
            raise RuntimeError("disk full")

    result = json.loads(await CreateMemoryTool(Broken()).run({"memory": "x"}))
    assert result == {"error": "could not store the memory: disk full"}


def test_specs(fake_memory: FakeMemory) -> None:
    assert CreateMemoryTool(fake_memory).spec.parameters["required"] == ["memory"]
    assert RecallMemoryTool(fake_memory).spec.parameters["required"] == ["query"]
