"""Command-line entry point: `smarter-tui [--client NAME] [--session KEY]` opens the app;
`smarter-tui COMMAND ...` runs a command."""

from __future__ import annotations

import gc
import os
import sys
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import subprocess

    from smarter_tui.domain.launch import LaunchRequest

#: Options that open the app (anything else is a command for the CLI).
LAUNCH_FLAGS = ("--client", "--session")


class _EarlyStart:
    """Reads the settings, opens the database (seeding a first run) and reads what the first
    screen shows (the clients, the chat the flags or settings open), all on a thread while
    Textual is still importing on the main thread."""

    def __init__(self, launch: LaunchRequest, worker: subprocess.Popen[bytes] | None) -> None:
        self._launch = launch
        self._worker = worker
        self._result: dict[str, Any] = {}
        self._settings_read = threading.Event()
        self._thread = threading.Thread(target=self._run, name="open-services", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            from smarter_tui.config.settings import SettingsStore

            store = SettingsStore()
            request = store.current().launch_request(self._launch)
            self._result["settings"] = store
        finally:
            self._settings_read.set()
        try:
            from smarter_tui.providers.remote import ModelWorker
            from smarter_tui.services import Services

            services = Services.open(model_worker=ModelWorker.start(self._worker))
            self._result["services"] = services
            self._result["opening"] = services.opening(request)
        except BaseException as exc:  # handed to the app (or printed, for a bad flag)
            self._result["error"] = exc

    def settings(self) -> Any:
        """Return the SettingsStore (read while Textual imports)."""
        self._settings_read.wait()
        return self._result["settings"]

    def services(self) -> Any:
        """Wait for the services; raise what opening them raised. Called from the app's worker."""
        self._thread.join()
        if "error" in self._result:
            raise self._result["error"]
        return self._result["services"]

    def opening(self) -> Any:
        """The services' `Opening` for the settings read here (call after `services`)."""
        return self._result["opening"]

    def check_launch(self) -> str | None:
        """Wait for the flags to resolve; return the one-line error to print, or None."""
        from smarter_tui.domain.errors import SmarterError

        self._thread.join()
        error = self._result.get("error")
        if isinstance(error, SmarterError):
            return error.message
        opening = self._result.get("opening")
        return opening.problem if opening is not None else None


def _spawn_model_worker() -> subprocess.Popen[bytes] | None:
    """Spawn the model worker before anything else is imported (see `providers.worker_process`):
    importing the SDK there takes longer than the app's start-up, and the first prompt waits for
    it. None when it cannot be spawned (the services try again, and say so on the first call)."""
    from smarter_tui.providers.worker_process import spawn_worker

    try:
        return spawn_worker()
    except OSError:
        return None


def opens_app(args: list[str]) -> bool:
    """True when `args` open the app: none, or launch flags first."""
    return not args or args[0].startswith(LAUNCH_FLAGS)


def parse_launch(args: list[str]) -> LaunchRequest:
    """Return the launch request of arguments that open the app (see `opens_app`).

    Exits with status 2 and a usage line for a malformed flag, like every other command.
    """
    from smarter_tui.domain.launch import LaunchRequest

    if not args:
        return LaunchRequest()
    import argparse

    parser = argparse.ArgumentParser(prog="smarter-tui", description="Open the app.")
    parser.add_argument("--client", metavar="NAME", help="start a new chat with this client")
    parser.add_argument("--session", metavar="KEY", help="reopen this session (a unique key prefix)")
    options = parser.parse_args(args)
    return LaunchRequest(client=options.client, session=options.session)


def _take_database_url(args: list[str]) -> list[str]:
    """Move leading `--database-url URL` / `--database-url=URL` into $DATABASE_URL; return the rest.

    So the app, every command and `serve` open the same database however they were started.
    """
    while args and args[0].startswith("--database-url"):
        option, _, value = args[0].partition("=")
        if option != "--database-url":
            break
        if not value:
            if len(args) < 2:
                break
            value, args = args[1], args[1:]
        os.environ["DATABASE_URL"] = value
        args = args[1:]
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the app (no arguments, or only launch flags) or a command; return the exit code."""
    args = sys.argv[1:] if argv is None else argv
    args = _take_database_url(args)
    from smarter_tui.config import code_cache

    code_cache.install()  # before Textual and the CLI import their dataclasses (see there)
    if not opens_app(args):
        from smarter_tui.cli.main import run

        return run(args)
    worker = _spawn_model_worker()  # first of all (see there)

    def drop_worker() -> None:  # not needed after all: its SDK import would outlive the message
        if worker is not None:
            worker.kill()

    try:
        launch = parse_launch(args)
    except SystemExit:  # a usage error
        drop_worker()
        raise
    # Start-up creates objects that live as long as the app (modules, classes, widgets): the
    # collector's ~120 passes over them while they are built would cost 20-35 ms for nothing.
    # The app freezes them once its first chat is shown and collects again from then on.
    gc.disable()
    early = _EarlyStart(launch, worker)
    from smarter_tui.ui import css_cache
    from smarter_tui.ui.app import SmarterApp

    css_cache.install()  # before the app parses its stylesheets (see there)
    if launch.explicit:
        problem = early.check_launch()
        if problem:
            print(f"error: {problem}", file=sys.stderr)
            drop_worker()
            return 1
    app = SmarterApp(
        open_services=early.services, opening=early.opening, settings=early.settings(), launch=launch
    )
    app.run()
    return app.return_code or 0


if __name__ == "__main__":
    sys.exit(main())
