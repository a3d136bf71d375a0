"""Helpers for Pilot tests of the app."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from rich.console import Console
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Static


async def wait_for(pilot: Pilot, condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Let the app run until `condition()` holds; fail after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await pilot.pause(0.02)


def text_of(widget: Widget, selector: str) -> str:
    """Return the plain text a Static below `widget` currently shows."""
    console = Console(width=200, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(widget.query_one(selector, Static).content)
    return console.export_text()


async def steady(pilot: Pilot) -> None:  # type: ignore[type-arg]
    """Stop every cursor on screen from blinking (a snapshot must not depend on the blink phase)."""
    from textual.widgets import Input, TextArea

    for widget in pilot.app.screen.query("TextArea, Input"):
        if isinstance(widget, TextArea | Input):
            widget.cursor_blink = False  # the cursor stays shown, steadily
    await pilot.pause()
