"""Helpers for Pilot tests of the app."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from rich.console import Console
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Static


async def wait_for(
    pilot: Pilot,
    condition: Callable[[], bool],
    timeout: float = 30.0,
    *,
    seen: Callable[[], object] | None = None,
) -> None:
    """Let the app run until `condition()` holds; fail after `timeout` seconds, saying what
    `seen()` (if given) returned last, so an intermittent failure tells what it waited on."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            detail = f": last seen {seen()!r}" if seen is not None else ""
            raise AssertionError(f"condition not met in time{detail}")
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


async def ready(pilot: Pilot):  # type: ignore[no-untyped-def, type-arg]
    """Wait until the chat is set up (new_chat ends by focusing the prompt) and laid out; return it."""
    app = pilot.app
    await wait_for(
        pilot,
        lambda: (
            app.chat.client is not None
            and app.focused is app.chat.query_one("#prompt")
            and all(child.region.height for child in app.chat.transcript.children)
        ),
    )
    return app.chat


async def click(pilot: Pilot, target: str | Widget, offset: tuple[int, int] = (0, 0)) -> None:  # type: ignore[type-arg]
    """Click `target` once it is laid out on the screen and nothing covers that point.

    Pilot clicks at the widget's region, which is empty until the first layout after mounting:
    a click then lands on whatever is at (0, 0), the header's command-palette icon. A Button
    ignores clicks while it still shows its last press (class `-active`, 0.2 s).
    """
    screen = pilot.app.screen
    widget = screen.query_one(target) if isinstance(target, str) else target

    def reachable() -> bool:
        region = widget.region
        if not region.area or widget.has_class("-active"):
            return False
        try:
            hit, _ = screen.get_widget_at(region.x + offset[0], region.y + offset[1])
        except Exception:  # noqa: BLE001 - nothing at that point yet
            return False
        return hit is widget or widget in hit.ancestors_with_self

    await wait_for(pilot, reachable)
    await pilot.click(target, offset=offset)
