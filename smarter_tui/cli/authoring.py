"""Manifest authoring commands: `validate`, `edit` (kubectl-style), `example-manifest`, `json-schema`."""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from smarter_tui.cli.arguments import add_filename_argument
from smarter_tui.cli.output import to_json
from smarter_tui.domain.errors import SmarterError

if TYPE_CHECKING:
    from smarter_tui.services import Services
    from smarter_tui.services.authoring import ManifestProblem

#: Lines `edit` puts on top of a re-opened file; they (and only they) are removed again on save,
#: so the user's own leading comments are kept.
HEADER_PREFIX = "# smarter-tui| "


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the authoring commands to the `smarter-tui` argument parser."""
    validate = commands.add_parser("validate", help="check manifests without storing: every error, with line")
    add_filename_argument(
        validate, "a manifest file or a directory of them (repeatable); - reads standard input"
    )
    validate.add_argument("-o", "--output", choices=("text", "json"), default="text")
    edit = commands.add_parser("edit", help="edit a stored manifest in $VISUAL/$EDITOR, then apply it")
    edit.add_argument("kind")
    edit.add_argument("name")
    example = commands.add_parser("example-manifest", help="print a valid, commented example of a kind")
    example.add_argument("kind")
    schema = commands.add_parser("json-schema", help="print the JSON Schema (draft 2020-12) of a kind")
    schema.add_argument("kind")


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate files (or stdin): print every error and warning; exit 1 when any error."""
    from smarter_tui.services.authoring import ValidationReport, validate_paths, validate_text

    paths = [f for f in args.files if f != "-"]
    report = validate_paths(paths) if paths else ValidationReport()
    if "-" in args.files:
        piped = validate_text(sys.stdin.read(), "<stdin>")
        report = ValidationReport(
            [*report.errors, *piped.errors],
            [*report.warnings, *piped.warnings],
            [*report.manifests, *piped.manifests],
        )
    if args.output == "json":
        print(to_json(report.to_public()))
    else:
        for problem in report.warnings:
            print(f"warning: {problem.text}", file=sys.stderr)
        for problem in report.errors:
            print(f"error: {problem.text}", file=sys.stderr)
        for kind, name in report.manifests:
            print(f"{kind.lower()}/{name} valid")
        if report.errors:
            print(f"{len(report.errors)} error(s); nothing was stored", file=sys.stderr)
    return 0 if report.valid else 1


def cmd_example_manifest(args: argparse.Namespace) -> int:
    """Print the commented example of a kind."""
    from smarter_tui.services.authoring import example_manifest

    print(example_manifest(args.kind), end="")
    return 0


def cmd_json_schema(args: argparse.Namespace) -> int:
    """Print a kind's JSON Schema."""
    from smarter_tui.services.authoring import json_schema

    print(to_json(json_schema(args.kind)))
    return 0


#: Commands that need no database: they run without opening the services (and seeding).
STANDALONE: dict[str, Callable[[argparse.Namespace], int]] = {
    "validate": cmd_validate,
    "example-manifest": cmd_example_manifest,
    "json-schema": cmd_json_schema,
}
WITHOUT_SERVICES = frozenset(STANDALONE)


def _editor() -> list[str]:
    command = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    return shlex.split(command)


def _strip_header(text: str) -> str:
    lines = text.splitlines(keepends=True)
    while lines and lines[0].startswith(HEADER_PREFIX.rstrip()):
        lines.pop(0)
    return "".join(lines)


def _header(problems: list[ManifestProblem], offset: int) -> str:
    """Return the comment block naming every problem, lines counted in the re-opened file."""
    rows = ["The edit was not applied: fix what is listed below, save and quit (no change cancels)."]
    for problem in problems:
        where = (
            f"{problem.field} (line {problem.line + offset})"
            if problem.field
            else f"line {problem.line + offset}"
        )
        rows.append(f"error: {where}: {problem.message}")
    return "".join(f"{HEADER_PREFIX}{row}\n" for row in rows)


def _reopen_text(text: str, problems: list[ManifestProblem]) -> str:
    # The header's own length is known once its rows are: count them first, then number the lines.
    offset = len(_header(problems, 0).splitlines())
    return _header(problems, offset) + text


def cmd_edit(services: Services, args: argparse.Namespace) -> int:
    """Open the stored text in the editor; on save validate and apply; re-open on errors."""
    from smarter_tui.manifests import load_text
    from smarter_tui.services.authoring import ManifestProblem, validate_text

    entry = services.catalogue.get(args.kind, args.name)
    original = services.catalogue.source_text(entry.kind, entry.name)
    label = f"{entry.kind.lower()}/{entry.name}"
    shown = original
    with tempfile.TemporaryDirectory(prefix="smarter-tui-edit-") as folder:
        path = Path(folder) / f"{entry.name}.yaml"
        while True:
            path.write_text(shown, encoding="utf-8")
            try:
                done = subprocess.run([*_editor(), str(path)], check=False)
            except FileNotFoundError as exc:
                raise SmarterError(
                    f"cannot start the editor ({exc.filename}); set $VISUAL or $EDITOR"
                ) from None
            if done.returncode != 0:
                raise SmarterError(f"the editor exited with status {done.returncode}; nothing was stored")
            edited = _strip_header(path.read_text(encoding="utf-8"))
            if edited == original or not edited.strip():
                print(f"{label}: no changes, nothing stored")
                return 0
            if shown is not original and edited == _strip_header(shown):
                # Saved again as re-opened, errors and all (kubectl does the same): give up.
                raise SmarterError(f"{label}: edit cancelled, the errors above remain; nothing was stored")
            report = validate_text(edited, f"{entry.name}.yaml")
            problems = list(report.errors)
            if not problems and report.manifests != [(entry.kind, entry.name)]:
                got = ", ".join(f"{k} {n}" for k, n in report.manifests) or "nothing"
                message = f"expected exactly one {entry.kind} named {entry.name}; got {got}"
                problems.append(ManifestProblem("error", 1, "", message, 1))
            if not problems:
                try:
                    applied = services.catalogue.apply_loaded(
                        load_text(edited, f"{entry.name}.yaml"), base_dir=entry.base_dir
                    )
                except SmarterError as exc:
                    problems.append(ManifestProblem("error", 1, "", exc.message, 1))
                else:
                    for warning in report.warnings:
                        print(f"warning: {warning.text}", file=sys.stderr)
                    print(f"{label} {'edited' if applied[0].action != 'unchanged' else 'unchanged'}")
                    return 0
            for problem in problems:
                print(f"error: {problem.text or problem.message}", file=sys.stderr)
            shown = _reopen_text(edited, problems)
