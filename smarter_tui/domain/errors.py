"""Domain exceptions: every error a user can cause carries a human message."""

from __future__ import annotations


class SmarterError(Exception):
    """Base of every error with a message fit to show a user (one line, no traceback)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ManifestError(SmarterError):
    """A manifest file could not be read or validated; the message names file, document, field, line."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or [message]


class NotFoundError(SmarterError):
    """A named thing (client, plugin, session, ...) does not exist."""


class DependencyError(SmarterError):
    """A delete was refused because other things depend on the target."""


class SecretsUnavailableError(SmarterError):
    """No usable keyring backend: the message explains the way out."""


class MissingKeyError(SmarterError):
    """A provider needs an API key and none was found."""


class ProviderError(SmarterError):
    """A model call failed (network, HTTP status, rate limit, bad response)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ToolError(SmarterError):
    """A tool call failed; the message is returned to the model as the tool's result."""


class RequestError(SmarterError):
    """A request (CLI arguments, HTTP body) has a bad shape; maps to HTTP 400."""


class SessionBusyError(SmarterError):
    """Another turn is running on the session (in this or another process); maps to HTTP 409."""


class AmbiguousKeyError(RequestError):
    """A short session key matches more than one session; `matches` holds their full keys."""

    def __init__(self, message: str, matches: list[str]) -> None:
        super().__init__(message)
        self.matches = matches


class DatabaseUnavailableError(SmarterError):
    """The database cannot be used: driver missing, server unreachable, credentials refused, or gone."""
