"""Request bodies and documented response shapes of the HTTP API (what /openapi.json describes).

Routes return plain JSON built by the services; these models document it and check request bodies.
Every model allows extra fields, as the Smarter platform's clients send and expect them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class Metadata(_Open):
    """The journal's `metadata`: which command ran on which kind of thing."""

    command: str
    thing: str


class ErrorBody(_Open):
    """What went wrong: the error's class, a description naming the problem, the HTTP status."""

    errorClass: str
    description: str
    status: int


class ErrorEnvelope(_Open):
    """Every error response (SMARTER-API.md §3)."""

    api: str
    data: dict[str, Any]
    error: ErrorBody
    metadata: Metadata


class Envelope(_Open):
    """A journaled response: `data` (and sometimes `message`) inside the journal's envelope."""

    api: str
    metadata: Metadata
    data: Any = None
    message: str | None = None


class ChatMessageIn(_Open):
    """One message of a prompt request (OpenAI chat format; Smarter's own roles are ignored)."""

    role: str
    content: Any = None


class PromptRequest(_Open):
    """A prompt: the session (null = a new one) and the thread whose last user message is the prompt."""

    session_key: str | None = Field(None, description="64 hexadecimal characters, or null for a new session")
    messages: list[ChatMessageIn]


class ConfigRequest(_Open):
    """A config request: the session to resume, or null for a new session."""

    session_key: str | None = None


class JarvisPromptResponse(_Open):
    """The JARVIS `/prompt` answer: the conversation and what this turn added after the prompt."""

    conversation_id: str
    new_messages: list[dict[str, Any]]


class JarvisConversation(_Open):
    """The JARVIS `/conversation/{id}` answer: the whole history, system prompt first."""

    conversation_id: str
    messages: list[dict[str, Any]]


class Resource(_Open):
    """A listed resource with its stable integer id."""

    id: int | None = None
    name: str | None = None


#: Error responses every API route may give, documented once.
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorEnvelope, "description": text}
    for status, text in (
        (400, "Bad input: the description names the field"),
        (401, "No API key given"),
        (403, "The API key is not valid here"),
        (404, "No such client, session or resource"),
        (409, "Refused: others depend on it"),
        (413, "The request body is too large"),
        (422, "An invalid manifest"),
    )
}
ERRORS[429] = {
    "model": ErrorEnvelope,
    "description": (
        "Too many wrong API keys from this address: after 10 in 60 s (`serve --max-auth-failures`) "
        "no key is checked from it, right or wrong, until the oldest leaves the window; "
        "on a prompt route, also a model provider's own 429"
    ),
    "headers": {
        "Retry-After": {
            "description": "Seconds to wait before a key is checked again",
            "schema": {"type": "integer", "minimum": 1},
        }
    },
}
