"""Arguments several commands share (`apply -f` and `validate -f`), spelled once."""

from __future__ import annotations

import argparse


def add_filename_argument(parser: argparse.ArgumentParser, help_text: str) -> None:
    """Add the repeatable, required `-f/--filename FILE|DIR` option (read as `args.files`)."""
    parser.add_argument(
        "-f",
        "--filename",
        dest="files",
        action="append",
        required=True,
        metavar="FILE|DIR",
        help=help_text,
    )
