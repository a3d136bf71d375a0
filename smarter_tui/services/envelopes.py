"""Request/response shapes of the Smarter prompt API (SPEC §8.1) and the JARVIS API (SPEC §8.2)."""

from __future__ import annotations

from typing import Any

from smarter_tui.domain.errors import RequestError, SmarterError
from smarter_tui.services.sessions import TurnOutcome, check_session_key

ALLOWED_ROLES = {"system", "assistant", "user", "tool"}
#: Smarter's informational roles: clients resend them with a thread; they are never the model's.
IGNORED_ROLES = {"smarter", "smarter_error"}
API_VERSION = "smarter.sh/v1"


def _text(content: Any) -> Any:
    """Return a message's text: the content string, or its text parts joined (OpenAI content parts)."""
    if isinstance(content, list):
        parts = [p.get("text") for p in content if isinstance(p, dict) and p.get("type") == "text"]
        return "\n\n".join(t for t in parts if isinstance(t, str))
    return content


def parse_prompt_request(body: Any) -> tuple[str | None, str]:
    """Return (session_key or None, prompt) from a Smarter prompt request; raise RequestError."""
    if not isinstance(body, dict):
        raise RequestError("The request body must be a JSON object")
    key = body.get("session_key")
    if key is not None:
        if not isinstance(key, str):
            raise RequestError("session_key must be a string of 64 hexadecimal characters")
        key = check_session_key(key)
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise RequestError("messages must be a non-empty list of {role, content} objects")
    prompt = None
    for index, message in enumerate(messages):
        if not isinstance(message, dict):
            raise RequestError(f"messages[{index}] must be an object with role and content")
        role = message.get("role")
        if role in IGNORED_ROLES:
            continue
        if role not in ALLOWED_ROLES:
            raise RequestError(
                f"messages[{index}].role must be one of {', '.join(sorted(ALLOWED_ROLES))}; got {role!r}"
            )
        if role == "user":
            prompt = _text(message.get("content"))
    if not isinstance(prompt, str) or not prompt.strip():
        raise RequestError("messages must contain a user message with non-empty content")
    return key, prompt


def prompt_response(outcome: TurnOutcome, client: str) -> dict[str, Any]:
    """Return the journaled Smarter envelope for a finished turn."""
    finished = outcome.finished
    return {
        "data": {
            "session_key": outcome.session_key,
            "response": finished.response if finished else {},
            "new_messages": [m.to_public() for m in outcome.new_messages],
            "metadata": {
                "tool_calls": outcome.tool_calls,
                "model": finished.model if finished else None,
                "temperature": finished.temperature if finished else None,
                "max_completion_tokens": finished.max_tokens if finished else None,
                "input_text": outcome.prompt,
            },
        },
        "api": API_VERSION,
        "metadata": {"command": "prompt", "thing": "LLMClient", "name": client},
    }


def prompt_response_v2(outcome: TurnOutcome, client: str, status: int = 200) -> dict[str, Any]:
    """Return chat contract v2's prompt response (the SDK's `PromptChatApiPromptResponse`).

    `data.messages` is what the turn added after the user's message; a failed turn (status != 200)
    adds a `smarter_error` message and an `error` object, with what happened before kept.
    """
    finished = outcome.finished
    messages = [m.to_public() for m in outcome.added_by_model()]
    document: dict[str, Any] = {
        "api": API_VERSION,
        "metadata": {"command": "prompt", "thing": "LLMClient", "name": client},
        "data": {
            "contract": 2,
            "status": status,
            "session_key": outcome.session_key,
            "messages": messages,
            "completion": finished.response if finished and finished.response else None,
            "plugins": list(outcome.plugins),
            "tools": list(outcome.tools),
        },
    }
    if status != 200:
        description = outcome.error or "The turn did not finish"
        messages.append({"role": "smarter_error", "content": description})
        document["error"] = {"errorClass": "LLMProviderError", "description": description, "status": status}
    return document


def error_response(error: SmarterError | str, status: int, command: str = "prompt") -> dict[str, Any]:
    """Return the Smarter error envelope (sent with a real HTTP status, never 200)."""
    description = error.message if isinstance(error, SmarterError) else error
    error_class = type(error).__name__ if isinstance(error, SmarterError) else "SmarterError"
    return {
        "data": {},
        "error": {"errorClass": error_class, "description": description, "status": status},
        "api": API_VERSION,
        "metadata": {"command": command, "thing": "LLMClient"},
    }


def jarvis_prompt_response(outcome: TurnOutcome) -> dict[str, Any]:
    """Return `{"conversation_id", "new_messages"}`: what the model added this turn (SPEC §8.2)."""
    return {
        "conversation_id": outcome.session_key,
        "new_messages": [m.to_public() for m in outcome.added_by_model()],
    }


def cli_prompt_response(outcome: TurnOutcome) -> dict[str, Any]:
    """Return `{"session_key", "new_messages", "error"}` for `smarter-tui prompt -o json`.

    `error` is null for a turn that finished, else `{"message", "status"}` (status: the
    provider's HTTP status, or null).
    """
    error = {"message": outcome.error, "status": outcome.status} if outcome.error else None
    return {
        "session_key": outcome.session_key,
        "new_messages": [m.to_public() for m in outcome.added_by_model()],
        "error": error,
    }


def cli_prompt_failure(error: SmarterError, session_key: str | None) -> dict[str, Any]:
    """Return the `prompt -o json` document for a turn that could not start (no key, no client, ...)."""
    return {
        "session_key": session_key,
        "new_messages": [],
        "error": {"message": error.message, "status": None},
    }
