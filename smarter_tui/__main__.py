"""Command-line entry point: `smarter-tui [command] ...` (no command opens the app)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    from smarter_tui.cli.main import run

    return run(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
