"""The services facade: one object the CLI, the TUI and the HTTP API build and share."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from smarter_tui.config.paths import DATABASE_SECRET, database_target
from smarter_tui.config.secrets import SecretStore
from smarter_tui.domain.errors import SmarterError
from smarter_tui.domain.launch import LaunchRequest, LaunchTarget
from smarter_tui.domain.models import ModelProvider
from smarter_tui.providers import make_provider, preload
from smarter_tui.providers.remote import ModelWorker
from smarter_tui.services.api_keys import ApiKeyService
from smarter_tui.services.branches import BranchService
from smarter_tui.services.catalogue import Applied, CatalogueService
from smarter_tui.services.chat_settings import ChatSettingsService
from smarter_tui.services.clients import ClientView, list_clients
from smarter_tui.services.config_object import ConfigService
from smarter_tui.services.history import HistoryService
from smarter_tui.services.inspector import PluginInspector
from smarter_tui.services.keys import KeyService
from smarter_tui.services.launch import Opening, resolve_launch
from smarter_tui.services.resources import ResourceService
from smarter_tui.services.runtime import RuntimeBuilder, preload_turn
from smarter_tui.services.seed import seed_examples
from smarter_tui.services.sessions import SessionService
from smarter_tui.services.turns import TurnService
from smarter_tui.storage import Database, open_database
from smarter_tui.storage.database import is_database_url

if TYPE_CHECKING:
    from smarter_tui.services.authoring import AuthoringService

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Services:
    """Every service, built over one database and one secret store."""

    db: Database
    secrets: SecretStore
    catalogue: CatalogueService
    runtimes: RuntimeBuilder
    sessions: SessionService
    branches: BranchService
    chat_settings: ChatSettingsService
    history: HistoryService
    config: ConfigService
    keys: KeyService
    inspector: PluginInspector
    api_keys: ApiKeyService
    resources: ResourceService
    turns: TurnService
    model_worker: ModelWorker | None = field(default=None, repr=False)
    _authoring: AuthoringService | None = field(default=None, repr=False)

    @property
    def authoring(self) -> AuthoringService:
        """The authoring service (editor, validate, examples), built when first used.

        Its module is imported then, not at start-up: the chat does not need it.
        """
        if self._authoring is None:
            from smarter_tui.services.authoring import AuthoringService

            self._authoring = AuthoringService(self.db, self.secrets, self.catalogue)
        return self._authoring

    @classmethod
    def open(
        cls,
        path: Path | str | None = None,
        *,
        database_url: str | None = None,
        secrets: SecretStore | None = None,
        seed_examples: bool = True,
        provider_factory: Callable[..., ModelProvider] = make_provider,
        weather_urls: tuple[str, str] | None = None,
        model_worker: bool | ModelWorker = False,
    ) -> Services:
        """Open (creating and migrating) the database and build the services.

        `path` is a SQLite file or a postgresql:// URL; without it `database_url`, $DATABASE_URL
        or the SQLite file in the data directory is used. A URL without a password takes the
        keyring's `database` secret. On an empty catalogue the bundled examples are applied once
        (`seed_examples`). With `model_worker` (the TUI), model calls are made in a worker
        process started first of all, so the SDK is imported there while the database opens;
        a `ModelWorker` is one the caller started earlier still.
        """
        worker = ModelWorker.start() if model_worker is True else model_worker or None
        if worker is not None:
            provider_factory = worker.make_provider
        secrets = secrets or SecretStore()
        target = path if path is not None else database_target(database_url)
        password = secrets.get(DATABASE_SECRET) if is_database_url(target) else None
        db = open_database(target, password=password)
        runtimes = RuntimeBuilder(db, secrets, provider_factory, weather_urls)
        sessions = SessionService(db, runtimes)
        catalogue = CatalogueService(db, secrets)
        services = cls(
            db=db,
            secrets=secrets,
            catalogue=catalogue,
            runtimes=runtimes,
            sessions=sessions,
            branches=BranchService(db, sessions),
            chat_settings=ChatSettingsService(db, runtimes, sessions),
            history=HistoryService(db, sessions),
            config=ConfigService(db, runtimes, sessions),
            keys=KeyService(db, secrets),
            inspector=PluginInspector(db, runtimes, catalogue),
            api_keys=ApiKeyService(db),
            resources=ResourceService(db),
            turns=TurnService(sessions),
            model_worker=worker,
        )
        if seed_examples and db.catalogue.is_empty():
            services.seed_examples()
        return services

    def seed_examples(self) -> list[Applied]:
        """Apply the bundled example manifests (only called on an empty catalogue: never overwrites)."""
        return seed_examples(self.catalogue)

    def clients(self) -> list[ClientView]:
        """Return the LLM clients as the client pane lists them."""
        return list_clients(self.db, self.runtimes, self.secrets)

    def launch_target(self, request: LaunchRequest) -> LaunchTarget:
        """Return the chat the app opens with (see `resolve_launch`; raises for a bad flag)."""
        return resolve_launch(request, self.sessions, self.runtimes)

    def opening(self, request: LaunchRequest) -> Opening:
        """Read what the app shows first for `request`: the clients and the chat to open.

        Start-up reads it on the thread that opens the services, while Textual imports: read
        later, its queries waited for the GIL behind the screen being composed (40-80 ms, 3
        starts in 10, measured in `benchmarks/tui_startup.py`'s set-up).
        """
        version = self.catalogue.version()  # before the clients: a later write is seen later
        clients = self.clients()
        try:
            return Opening(version, clients, self.launch_target(request))
        except SmarterError as exc:  # e.g. --session of a session deleted meanwhile
            return Opening(version, clients, LaunchTarget(), exc.message)

    def warm_up(self, client: str | None = None) -> None:
        """Prepare the first model call ahead of time; call from a worker thread.

        That is importing the turn machinery (the loop, the plugins: left out of start-up) and,
        in-process, the SDK. With the model worker, which imports the SDK itself, it is also
        building `client`'s provider there (its SDK client) before the first prompt.
        """
        preload_turn()
        if self.model_worker is None:
            preload()
        if client is not None:
            with contextlib.suppress(SmarterError):  # a missing key is said when the chat starts
                self.runtimes.prepare(client)

    def close(self) -> None:
        """Close the database (and end the model worker)."""
        if self.model_worker is not None:
            self.model_worker.close()
        self.db.close()
