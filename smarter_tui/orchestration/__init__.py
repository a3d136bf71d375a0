"""The tool-call loop: plugin selection, model rounds, tool execution, typed events."""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from smarter_tui.orchestration.loop import TurnSettings, run_turn
    from smarter_tui.orchestration.selection import select_plugins, term_refers_to

__all__ = ["TurnSettings", "run_turn", "select_plugins", "term_refers_to"]

_HOMES = {
    "TurnSettings": "loop",
    "run_turn": "loop",
    "select_plugins": "selection",
    "term_refers_to": "selection",
}


def __getattr__(name: str) -> Any:
    """Import the loop when one of its names is first used: reading `orchestration.history`'s
    constants (as the client list does at start-up) should not import the whole turn machinery."""
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_HOMES[name]}"), name)
