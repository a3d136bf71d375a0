"""Argument parsing, error handling and the commands of `smarter-tui`."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import signal
import sys
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from smarter_tui import __version__
from smarter_tui.cli import authoring
from smarter_tui.cli.arguments import add_filename_argument
from smarter_tui.cli.output import TerminalSafeStream, table, to_json
from smarter_tui.domain.errors import SmarterError

if TYPE_CHECKING:
    from smarter_tui.services import Services

SESSION_KINDS = ("session", "sessions")
MEMORY_KINDS = ("memory", "memories")
KEY_HELP = "the full key or a unique prefix of at least 6 characters"


def _positive(text: str) -> int:
    """Return a whole number of at least 1 (argparse type)."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"a whole number of at least 1, not {text!r}")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of every command."""
    parser = argparse.ArgumentParser(
        prog="smarter-tui",
        description="A terminal home for LLM assistants built from Smarter-style manifests.",
    )
    parser.add_argument("--version", action="version", version=f"smarter-tui {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    # Handled by __main__ before this parser (they open the app); listed here for --help.
    parser.add_argument("--client", metavar="NAME", help="open the app with a new chat with this client")
    parser.add_argument(
        "--session", metavar="KEY", help="open the app on this session (any unique key prefix, 6+ chars)"
    )
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="use this PostgreSQL database (postgresql://user@host:5432/db) instead of $DATABASE_URL "
        "or the local SQLite file",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    apply = commands.add_parser("apply", help="validate and store manifests (all or nothing per file)")
    add_filename_argument(apply, "a manifest file or a directory of them (repeatable)")

    get = commands.add_parser("get", help="list llmclients, plugins, sessions, connections, ...")
    get.add_argument("kind")
    get.add_argument("-o", "--output", choices=("table", "json", "yaml"), default="table")

    describe = commands.add_parser("describe", help="print a stored manifest (round-trips through apply)")
    describe.add_argument("kind")
    describe.add_argument("name")
    describe.add_argument("-o", "--output", choices=("yaml", "json"), default="yaml")

    delete = commands.add_parser("delete", help="delete a manifest (refused while others use it)")
    delete.add_argument("kind")
    delete.add_argument("name")

    prompt = commands.add_parser("prompt", help="one headless turn with a client")
    prompt.add_argument("client")
    prompt.add_argument("text")
    prompt.add_argument("--session", metavar="KEY", help=f"continue this session ({KEY_HELP})")
    prompt.add_argument("-o", "--output", choices=("text", "json"), default="text")

    config = commands.add_parser("config", help="print the config object of a client (JSON)")
    config.add_argument("client")
    config.add_argument("--session", metavar="KEY", help=f"that session ({KEY_HELP})")
    config.add_argument("--legacy", action="store_true", help="name llm_client keys 'chatbot'")

    history = commands.add_parser("history", help="list sessions, or print one session's history")
    history.add_argument("key", nargs="?", help=f"print this session ({KEY_HELP})")
    history.add_argument("--search", metavar="Q", help="full-text search over messages")
    history.add_argument("-o", "--output", choices=("table", "json"), default="table")

    export = commands.add_parser("export", help="export a session as Markdown or JSON")
    export.add_argument("key", help=KEY_HELP)
    export.add_argument("-o", "--output", choices=("markdown", "json"), default="markdown")

    authoring.add_parsers(commands)

    keys = commands.add_parser("keys", help="manage secret values in the keyring")
    keys.add_argument("action", choices=("set", "delete", "list"))
    keys.add_argument("name", nargs="?", help="secret or provider name ('database': the PostgreSQL password)")

    commands.add_parser("settings", help="print the settings file's path and values; check it")
    apikey = commands.add_parser(
        "apikey", help="API keys for `serve` (a key is printed once; a hash is stored)"
    )
    apikey.add_argument("action", choices=("create", "list", "delete"))
    apikey.add_argument("name", nargs="?", help="the key's name")

    serve = commands.add_parser("serve", help="the HTTP API (Smarter prompt API, manifest API, JARVIS)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=9357, help="port (default 9357, a local Smarter's)")
    serve.add_argument(
        "--default-client", metavar="NAME", help="the JARVIS routes' client (general_assistant)"
    )
    serve.add_argument(
        "--max-auth-failures",
        type=_positive,
        metavar="N",
        help="wrong API keys one address may send per 60 s before it gets 429 (default 10)",
    )

    db = commands.add_parser("db", help="the database: status, migrate, copy to or from another one")
    db.add_argument("action", choices=("status", "migrate", "copy"))
    db.add_argument("--to", metavar="URL", help="copy: the destination (postgresql:// URL or SQLite file)")
    db.add_argument("--from", dest="source", metavar="URL", help="copy: the source, copied into this one")
    db.add_argument("-o", "--output", choices=("text", "json"), default="text")
    return parser


def run(argv: list[str]) -> int:
    """Parse `argv`, run the command and return its exit code (errors: one line on stderr)."""
    streams = sys.stdout, sys.stderr
    sys.stdout = TerminalSafeStream(sys.stdout)  # type: ignore[assignment]
    sys.stderr = TerminalSafeStream(sys.stderr)  # type: ignore[assignment]
    try:
        return _run(argv)
    finally:
        sys.stdout, sys.stderr = streams


def _run(argv: list[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args.command = "overview"
    services: Services | None = None
    try:
        if args.command in authoring.WITHOUT_SERVICES:
            return authoring.STANDALONE[args.command](args)
        if args.command == "db":
            return cmd_db(args)
        if args.command == "keys" and args.action != "list" and args.name == "database":
            return cmd_database_key(args)  # the password needed to open the database at all
        from smarter_tui.services import Services

        services = Services.open(database_url=args.database_url)
        return COMMANDS[args.command](services, args)
    except SmarterError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"error: {' '.join(exc.message.splitlines())}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # unexpected: one line unless --debug
        if args.debug:
            traceback.print_exc()
        print(f"error: {type(exc).__name__}: {exc} (run with --debug for details)", file=sys.stderr)
        return 2
    finally:
        if services is not None:
            services.close()


# -- commands -----------------------------------------------------------------------------------
def cmd_overview(services: Services, args: argparse.Namespace) -> int:
    """Without a command: show the clients and how to use them (the app comes in a later release)."""
    where = services.db.path.parent if services.db.path else services.db.location
    print(f"smarter-tui {__version__} — data in {where}\n")
    cmd_get(services, argparse.Namespace(kind="llmclients", output="table"))
    print('\nTry: smarter-tui prompt general_assistant "What is 2**16 + 17?"')
    print("     smarter-tui --help")
    return 0


def _entry_rows(services: Services, kind: str) -> tuple[list[dict[str, Any]], list[str]]:
    entries = services.catalogue.list(kind)
    rows = []
    for e in entries:
        row: dict[str, Any] = {
            "name": e.name,
            "kind": e.kind,
            "description": e.description,
            "updated": e.updated_at.isoformat(timespec="seconds") if e.updated_at else None,
        }
        if e.kind == "LLMClient":
            from smarter_tui.manifests.specs import llmclient_spec_of

            client = llmclient_spec_of(e.manifest)
            row["provider"] = client.provider
            row["plugins"] = ",".join(client.plugins)
        elif e.kind == "Provider":
            from smarter_tui.manifests.specs import provider_spec_of

            provider = provider_spec_of(e.manifest)
            row["base_url"] = provider.base_url or "(offline)"
            row["model"] = provider.default_model
            row["source"] = "built-in" if e.builtin else "manifest"
        rows.append(row)
    columns = ["name", "kind", "description", "updated"]
    if any(r["kind"] == "LLMClient" for r in rows):
        columns = ["name", "provider", "plugins", "description"]
    elif rows and all(r["kind"] == "Provider" for r in rows):
        columns = ["name", "source", "base_url", "model", "description"]
    return rows, columns


def _emit(rows: list[dict[str, Any]], columns: list[str], output: str, full: list[Any] | None = None) -> None:
    if output == "json":
        print(to_json(full if full is not None else rows))
    elif output == "yaml":
        import yaml

        print(
            yaml.safe_dump_all(full if full is not None else rows, sort_keys=False, allow_unicode=True),
            end="",
        )
    else:
        table(rows, columns)


def cmd_get(services: Services, args: argparse.Namespace) -> int:
    """List things of a kind."""
    kind = args.kind.lower()
    if kind in SESSION_KINDS:
        sessions = services.history.list(limit=1000)
        rows = [_session_row(s) for s in sessions]
        _emit(rows, ["key", "client", "title", "messages", "updated"], args.output)
    elif kind in MEMORY_KINDS:
        memories = services.db.memories.list(limit=1000)
        rows = [
            {"id": i, "memory": text, "created": created.isoformat(timespec="seconds")}
            for i, text, created in memories
        ]
        _emit(rows, ["id", "memory", "created"], args.output)
    else:
        rows, columns = _entry_rows(services, kind)
        if args.output == "table":
            _emit(rows, columns, "table")
        else:
            entries = services.catalogue.list(kind)
            _emit(rows, columns, args.output, [services.catalogue.describe(e.kind, e.name) for e in entries])
    return 0


def _session_row(s: Any) -> dict[str, Any]:
    return {
        "key": s.session_key,
        "client": s.client,
        "title": s.title,
        "messages": s.message_count,
        "updated": s.updated_at.isoformat(timespec="seconds") if s.updated_at else None,
    }


def cmd_describe(services: Services, args: argparse.Namespace) -> int:
    """Print one manifest."""
    if args.output == "json":
        print(to_json(services.catalogue.describe(args.kind, args.name)))
    else:
        print(services.catalogue.describe_yaml(args.kind, args.name), end="")
    return 0


def cmd_apply(services: Services, args: argparse.Namespace) -> int:
    """Apply manifests and report what changed."""
    for applied in services.catalogue.apply_paths(args.files):
        for warning in applied.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        print(f"{applied.kind.lower()}/{applied.name} {applied.action}")
    return 0


def cmd_delete(services: Services, args: argparse.Namespace) -> int:
    """Delete one manifest."""
    entry = services.catalogue.get(args.kind, args.name)
    services.catalogue.delete(args.kind, args.name)
    print(f"{entry.kind.lower()}/{entry.name} deleted")
    return 0


def cmd_prompt(services: Services, args: argparse.Namespace) -> int:
    """Run one turn; stream text to the terminal or print the JSON result.

    SIGTERM and SIGHUP (a closed terminal) end the turn like Ctrl+C: the answer so far is saved,
    marked interrupted, and the process exits 128 + the signal number.
    """
    from smarter_tui.domain.events import TextDelta, ToolCallFinished, ToolCallStarted
    from smarter_tui.domain.limits import short_echo
    from smarter_tui.services.envelopes import cli_prompt_failure, cli_prompt_response

    streaming = args.output == "text"
    terminal = {"gone": False}

    def write(stream: Any, text: str) -> None:
        if terminal["gone"]:
            return
        try:
            stream.write(text)
            stream.flush()
        except OSError:  # the terminal went away (SIGHUP): the turn is still saved
            terminal["gone"] = True

    def show(event: Any) -> None:
        if not streaming:
            return
        if isinstance(event, TextDelta):
            write(sys.stdout, event.text)
        elif isinstance(event, ToolCallStarted):
            write(sys.stderr, f"⚙ {event.call.name}({short_echo(event.call.arguments)})\n")
        elif isinstance(event, ToolCallFinished):
            outcome = f"error: {event.error}" if event.error else event.result
            write(sys.stderr, f"  → {short_echo(outcome)} ({event.duration_ms:.0f} ms)\n")

    received: list[int] = []

    async def turn() -> Any:
        task = asyncio.current_task()
        loop = asyncio.get_running_loop()

        def stop(signum: int) -> None:
            received.append(signum)
            if task is not None:
                task.cancel()

        for signum in (signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(signum, stop, signum)
        try:
            return await services.sessions.send(
                args.text, client=args.client, session_key=args.session, on_event=show
            )
        except asyncio.CancelledError:
            if received:
                return None
            raise

    try:
        outcome = asyncio.run(turn())
    except SmarterError as exc:
        if not streaming:  # a JSON reader gets a document with the error too, not only stderr
            print(to_json(cli_prompt_failure(exc, None)))
        raise
    if outcome is None:
        write(
            sys.stderr, f"\ninterrupted by {signal.Signals(received[0]).name}: the answer so far is saved\n"
        )
        return 128 + received[0]
    if streaming:
        write(sys.stdout, "\n")
    else:
        print(to_json(cli_prompt_response(outcome)))
    if outcome.error:
        write(sys.stderr, f"error: {outcome.error} (session {outcome.session_key} is intact)\n")
        return 1
    if streaming:
        write(sys.stderr, f"session: {outcome.session_key}\n")
    return 0


def cmd_config(services: Services, args: argparse.Namespace) -> int:
    """Print the config object."""
    print(to_json(services.config.config(args.client, args.session, legacy=args.legacy)))
    return 0


def cmd_history(services: Services, args: argparse.Namespace) -> int:
    """List sessions, search messages, or print one session."""
    if args.key:
        conversation = services.history.conversation(args.key)
        if args.output == "json":
            print(to_json(conversation))
        else:
            rows = [
                {
                    "#": m.get("position", i),
                    "role": m["role"],
                    "note": _note(m),
                    "content": m.get("content") or _calls(m),
                }
                for i, m in enumerate(conversation["messages"])
            ]
            table(rows, ["#", "role", "note", "content"])
    elif args.search:
        hits = services.history.search(args.search)
        rows = [{"key": h.session_key, "title": h.title, "role": h.role, "snippet": h.snippet} for h in hits]
        _emit(rows, ["key", "title", "role", "snippet"], args.output)
    else:
        rows = [_session_row(s) for s in services.history.list(limit=1000)]
        _emit(rows, ["key", "client", "title", "messages", "updated"], args.output)
    return 0


def _note(message: dict[str, Any]) -> str:
    """Return what the history table says about a message beside its text.

    A regenerated or edited branch keeps the old messages, superseded; a message deleted from
    the context stays stored too; neither is sent to the model again.
    """
    notes = [message["excluded"]] if message.get("excluded") else []
    if message.get("interrupted"):
        notes.append("interrupted")
    return ", ".join(notes)


def _calls(message: dict[str, Any]) -> str:
    return ", ".join(
        f"{c['function']['name']}({c['function']['arguments']})" for c in message.get("tool_calls") or []
    )


def cmd_export(services: Services, args: argparse.Namespace) -> int:
    """Print a session as Markdown or JSON."""
    if args.output == "json":
        print(services.history.export_json(args.key))
    else:
        print(services.history.export_markdown(args.key), end="")
    return 0


def cmd_keys(services: Services, args: argparse.Namespace) -> int:
    """Set, delete or list secret values (values are read from a prompt or stdin, never argv)."""
    if args.action == "list":
        rows = [
            {"name": k.name, "used_by": k.used_by, "stored": "yes" if k.stored else "no"}
            for k in services.keys.list()
        ]
        table(rows, ["name", "used_by", "stored"])
        reason = services.secrets.unavailable_reason()
        if reason:
            print(f"note: {reason}", file=sys.stderr)
        return 0
    if not args.name:
        raise SmarterError(f"keys {args.action} needs a NAME")
    if args.action == "delete":
        deleted = services.keys.delete(args.name)
        print(f"{args.name}: {'deleted' if deleted else 'nothing stored'}")
        return 0
    reason = services.secrets.unavailable_reason(services.keys.secret_name(args.name))
    if reason:
        raise SmarterError(reason)
    secret = services.keys.set(args.name, _read_value(args.name))
    print(f"{secret}: stored in the keyring")
    return 0


def cmd_settings(services: Services, args: argparse.Namespace) -> int:
    """Print the settings file's path and every value in effect; exit 1 when the file has problems."""
    import dataclasses
    import json

    from smarter_tui.config.settings import SettingsStore, documented_keys

    store = SettingsStore()
    settings = store.load()
    print(f"# {store.path}" + ("" if store.path.exists() else " (not created yet: defaults)"))
    for dotted, _default, _doc in documented_keys():
        value: Any = settings
        for part in dotted.split("."):
            value = getattr(value, part)
        if dataclasses.is_dataclass(value):
            continue
        print(f"{dotted} = {json.dumps(value)}")
    for problem in store.problems:
        print(problem, file=sys.stderr)
    return 1 if store.problems else 0


def cmd_apikey(services: Services, args: argparse.Namespace) -> int:
    """Create, list or delete the API keys of `serve`; a new key is printed once, alone on the last line."""
    if args.action == "list":
        rows = [
            {
                "name": k.name,
                "created": k.created_at.isoformat(timespec="seconds") if k.created_at else None,
                "last used": k.last_used_at.isoformat(timespec="seconds") if k.last_used_at else "never",
            }
            for k in services.api_keys.list()
        ]
        table(rows, ["name", "created", "last used"])
        return 0
    if not args.name:
        raise SmarterError(f"apikey {args.action} needs a NAME")
    if args.action == "delete":
        services.api_keys.delete(args.name)
        print(f"apikey/{args.name} deleted")
        return 0
    created = services.api_keys.create(args.name)
    print(f"API key {created.record.name!r} created. It is shown this once (only a hash is stored):")
    print(created.key)
    return 0


def cmd_serve(services: Services, args: argparse.Namespace) -> int:
    """Run the HTTP API until SIGINT/SIGTERM (FastAPI and uvicorn load only for this command)."""
    from smarter_tui.server.run import serve

    return serve(services, args.host, args.port, args.default_client, args.max_auth_failures)


def _read_value(name: str) -> str:
    """Read a secret value from a hidden prompt, or a line of stdin when it is not a terminal."""
    if sys.stdin.isatty():
        return getpass.getpass(f"Value for {name}: ")
    return sys.stdin.readline().rstrip("\n")


def cmd_database_key(args: argparse.Namespace) -> int:
    """Set or delete the PostgreSQL password in the keyring, without opening the database."""
    from smarter_tui.config.paths import DATABASE_SECRET
    from smarter_tui.config.secrets import SecretStore

    secrets = SecretStore()
    if args.action == "delete":
        print(f"{DATABASE_SECRET}: {'deleted' if secrets.delete(DATABASE_SECRET) else 'nothing stored'}")
        return 0
    value = _read_value(args.name).strip()
    if not value:
        raise SmarterError("The value is empty")
    secrets.set(DATABASE_SECRET, value)
    print(f"{DATABASE_SECRET}: stored in the keyring")
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    """Show the database's status, migrate it, or copy it to (or from) another database."""
    from smarter_tui.services.database import DatabaseAdmin

    admin = DatabaseAdmin(database_url=args.database_url)
    if args.action == "status":
        info = admin.status()
        if args.output == "json":
            print(to_json(info))
            return 0
        print(f"engine:         {info['engine']}")
        print(f"location:       {info['location']}")
        print(f"schema version: {info['schema_version']} (latest {info['latest_version']})")
        table([{"table": t, "rows": n} for t, n in info["counts"].items()], ["table", "rows"])
        return 0
    if args.action == "migrate":
        before, after = admin.migrate()
        print(
            f"schema version {before} -> {after}"
            if after != before
            else f"schema version {after}: up to date"
        )
        return 0

    def progress(done: int, total: int) -> None:
        print(f"\rsessions: {done}/{total}", end="", file=sys.stderr, flush=True)

    report = admin.copy(to=args.to, source=args.source, progress=progress)
    print(file=sys.stderr)
    rows = [{"table": t, "source": s, "destination": d} for t, (s, d) in report.counts.items()]
    if args.output == "json":
        print(to_json({"source": report.source, "destination": report.destination, "counts": rows}))
    else:
        print(f"copied {report.source} -> {report.destination}")
        table(rows, ["table", "source", "destination"])
    if not report.complete:
        raise SmarterError("db copy: the destination holds fewer rows than the source (see the table)")
    return 0


COMMANDS: dict[str, Callable[[Services, argparse.Namespace], int]] = {
    "edit": authoring.cmd_edit,
    "overview": cmd_overview,
    "apply": cmd_apply,
    "get": cmd_get,
    "describe": cmd_describe,
    "delete": cmd_delete,
    "prompt": cmd_prompt,
    "config": cmd_config,
    "history": cmd_history,
    "export": cmd_export,
    "keys": cmd_keys,
    "settings": cmd_settings,
    "apikey": cmd_apikey,
    "serve": cmd_serve,
}
