"""The memory functions: `create_memory` stores a long-term fact, `recall_memory` finds them.

The backend is called directly, not in a worker thread: each call is one tiny indexed
statement, and storage backends may hold a connection bound to the loop's thread.
"""

from __future__ import annotations

from typing import Any

from smarter_tui.domain.tools import MemoryBackend, ToolKind, ToolSpec
from smarter_tui.plugins._common import to_json

MAX_MEMORY_CHARS = 2000
RECALL_LIMIT = 5


class CreateMemoryTool:
    """`create_memory`: returns {"stored": true, "id": n, "memory": text} or {"error": ...}."""

    def __init__(self, backend: MemoryBackend, session_key: str | None = None) -> None:
        """Create the tool over a memory backend; `session_key` is recorded with each memory."""
        self.backend = backend
        self.session_key = session_key
        self.spec = ToolSpec(
            name="create_memory",
            description=(
                "Store a long-term fact about the user for later conversations. Write it in the "
                "third person, e.g. 'The User has a dog called Rex.'"
            ),
            parameters={
                "type": "object",
                "properties": {"memory": {"type": "string", "description": "The fact to remember."}},
                "required": ["memory"],
            },
            kind=ToolKind.FUNCTION,
            source="create_memory",
        )

    async def run(self, arguments: dict[str, Any]) -> str:
        """Store `arguments["memory"]` and return its id."""
        memory = (arguments or {}).get("memory")
        if not isinstance(memory, str) or not memory.strip():
            return to_json({"error": "'memory' must be a non-empty string"})
        text = " ".join(memory.split())
        if len(text) > MAX_MEMORY_CHARS:
            return to_json({"error": f"a memory is limited to {MAX_MEMORY_CHARS} characters"})
        try:
            memory_id = self.backend.add(text, self.session_key)
        except Exception as exc:  # the backend's failure is reported to the model, not raised
            return to_json({"error": f"could not store the memory: {exc}"})
        return to_json({"stored": True, "id": memory_id, "memory": text})


class RecallMemoryTool:
    """`recall_memory`: returns a JSON list of the best-matching memories (maybe empty)."""

    def __init__(self, backend: MemoryBackend, limit: int = RECALL_LIMIT) -> None:
        """Create the tool over a memory backend; at most `limit` memories are returned."""
        self.backend = backend
        self.limit = limit
        self.spec = ToolSpec(
            name="recall_memory",
            description=(
                "Search the long-term memories stored about the user in earlier conversations. "
                "Returns the best matches."
            ),
            parameters={
                "type": "object",
                "properties": {"query": {"type": "string", "description": "Words to look for."}},
                "required": ["query"],
            },
            kind=ToolKind.FUNCTION,
            source="recall_memory",
        )

    async def run(self, arguments: dict[str, Any]) -> str:
        """Return the matching memories as a JSON list of strings."""
        query = (arguments or {}).get("query")
        if not isinstance(query, str) or not query.strip():
            return to_json({"error": "'query' must be a non-empty string"})
        try:
            found = self.backend.search(query.strip(), self.limit)
        except Exception as exc:
            return to_json({"error": f"could not search the memories: {exc}"})
        return to_json([str(item) for item in found][: self.limit])
