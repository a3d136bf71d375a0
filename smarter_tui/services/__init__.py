"""The facade used by the UI, the CLI and the HTTP API."""

from smarter_tui.services.app import Services

__all__ = ["Services"]
