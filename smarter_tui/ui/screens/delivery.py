"""Results of a screen's thread workers, handed to the UI thread only while the screen is open."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from typing import Any

from textual.screen import Screen


def deliver(screen: Screen[Any], callback: Callable[..., object], *args: Any, **kwargs: Any) -> None:
    """From a worker thread: run `callback(*args, **kwargs)` on the UI thread, unless `screen` closed.

    A worker that outlives its screen (the user left while a text was being read, validated or
    saved) must not touch the screen's widgets, which are gone: its result is dropped. A screen
    under a dialog is still open. Notifications about a finished save belong in `callback`'s
    caller, which decides whether the user must hear about it anyway.
    """

    def guarded() -> None:
        if screen.is_attached and screen in screen.app.screen_stack:
            callback(*args, **kwargs)

    with suppress(RuntimeError):  # the app is shutting down: nobody is left to show anything to
        screen.app.call_from_thread(guarded)
