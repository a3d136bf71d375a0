"""Command-line entry point: `smarter-tui` opens the app; `smarter-tui COMMAND ...` runs a command."""

from __future__ import annotations

import sys
import threading
from typing import Any


def _open_services_early() -> Any:
    """Start opening the database (and seeding a first run) while Textual is still importing.

    Returns a callable the app calls from its start-up worker; it waits for the result.
    """
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            from smarter_tui.services import Services

            result["services"] = Services.open()
        except BaseException as exc:  # handed to the app, which reports it
            result["error"] = exc

    thread = threading.Thread(target=run, name="open-services", daemon=True)
    thread.start()

    def wait() -> Any:
        thread.join()
        if "error" in result:
            raise result["error"]
        return result["services"]

    return wait


def main(argv: list[str] | None = None) -> int:
    """Run the app (no arguments) or a command; return the process exit code."""
    args = sys.argv[1:] if argv is None else argv
    if not args:
        open_services = _open_services_early()
        from smarter_tui.ui.app import SmarterApp

        app = SmarterApp(open_services=open_services)
        app.run()
        return app.return_code or 0
    from smarter_tui.cli.main import run

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
