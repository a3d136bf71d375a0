"""The tool-call loop: plugin selection, model rounds, tool execution, typed events."""

from smarter_tui.orchestration.loop import TurnSettings, run_turn
from smarter_tui.orchestration.selection import select_plugins, term_refers_to

__all__ = ["TurnSettings", "run_turn", "select_plugins", "term_refers_to"]
