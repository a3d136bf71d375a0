"""Command-line entry point: `smarter-tui` opens the app; `smarter-tui COMMAND ...` runs a command."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Run the app (no arguments) or a command; return the process exit code."""
    args = sys.argv[1:] if argv is None else argv
    if not args:
        from smarter_tui.ui.app import SmarterApp

        SmarterApp().run()
        return 0
    from smarter_tui.cli.main import run

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
