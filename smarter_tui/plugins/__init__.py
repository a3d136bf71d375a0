"""Tool implementations: static, sql and api plugins, and the built-in functions.

Importing this package is cheap: httpx is imported only when an HTTP tool first runs.
"""

from smarter_tui.plugins.api import ApiPluginTool
from smarter_tui.plugins.functions.calculator import CalculatorTool
from smarter_tui.plugins.functions.date_calculator import DateCalculatorTool
from smarter_tui.plugins.functions.memory import CreateMemoryTool, RecallMemoryTool
from smarter_tui.plugins.functions.weather import WeatherTool
from smarter_tui.plugins.registry import build_function, build_plugin, plugin_binding
from smarter_tui.plugins.sql import SqlPluginTool
from smarter_tui.plugins.static import StaticPluginTool

__all__ = [
    "ApiPluginTool",
    "CalculatorTool",
    "CreateMemoryTool",
    "DateCalculatorTool",
    "RecallMemoryTool",
    "SqlPluginTool",
    "StaticPluginTool",
    "WeatherTool",
    "build_function",
    "build_plugin",
    "plugin_binding",
]
