"""Where the app opens: `--client`, `--session`, or by default the last client and session used."""

from __future__ import annotations

from dataclasses import dataclass

from smarter_tui.domain.errors import RequestError, SmarterError
from smarter_tui.domain.launch import LaunchRequest, LaunchTarget
from smarter_tui.services.clients import ClientView
from smarter_tui.services.runtime import RuntimeBuilder
from smarter_tui.services.sessions import SessionService


@dataclass(frozen=True, slots=True)
class Opening:
    """What the app's first screen shows: the clients, read at catalogue `version`, and the chat
    to open; `problem` says why the requested chat cannot be opened (`target` is then the default)."""

    version: int
    clients: list[ClientView]
    target: LaunchTarget
    problem: str | None = None


def resolve_launch(
    request: LaunchRequest, sessions: SessionService, runtimes: RuntimeBuilder
) -> LaunchTarget:
    """Return the chat to open for `request`.

    A `--session` or `--client` that does not resolve raises the SmarterError to print (unknown
    client, unknown or ambiguous prefix, a session of another client). What the settings remember
    is only a preference: a deleted session falls back to the last client, a deleted client to
    the app's default, without an error.
    """
    if request.session:
        key = sessions.resolve_key(request.session)
        owner = sessions.session(key).client
        if request.client and request.client != owner:
            raise RequestError(f"Session {key[:12]}… belongs to client {owner!r}, not {request.client!r}")
        runtimes.client(owner)  # the session's client may have been deleted since
        return LaunchTarget(owner, key)
    if request.client:
        runtimes.client(request.client)
        return LaunchTarget(request.client)
    if request.reopen_last_session and request.last_session:
        try:
            key = sessions.resolve_key(request.last_session)
            owner = sessions.session(key).client
            runtimes.client(owner)
            return LaunchTarget(owner, key)
        except SmarterError:
            pass  # deleted since: fall back to the last client
    if request.last_client:
        try:
            runtimes.client(request.last_client)
            return LaunchTarget(request.last_client)
        except SmarterError:
            pass
    return LaunchTarget()
