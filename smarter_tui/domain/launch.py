"""Where the app opens: what the user asked for (flags, remembered settings) and what it resolved to."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LaunchRequest:
    """What the user asked for on the command line, and what the settings remember."""

    client: str | None = None
    session: str | None = None  # a full key or a unique prefix (6+ hex characters)
    last_client: str = ""
    last_session: str = ""
    reopen_last_session: bool = True

    @property
    def explicit(self) -> bool:
        """Return True when `--client` or `--session` was given (errors are then the user's)."""
        return bool(self.client or self.session)


@dataclass(frozen=True, slots=True)
class LaunchTarget:
    """The chat to open: a client (None: the app's default) and optionally a session to reopen."""

    client: str | None = None
    session_key: str | None = None
