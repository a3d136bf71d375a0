"""The Textual application: owns the services, wires panes together, runs slow work in workers."""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import App, InvalidThemeError, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import TabbedContent

from smarter_tui.config.settings import Settings, SettingsStore
from smarter_tui.domain.errors import SmarterError
from smarter_tui.domain.launch import LaunchRequest
from smarter_tui.domain.terminal import terminal_safe
from smarter_tui.ui.messages import CatalogueChanged
from smarter_tui.ui.screens.key_modal import KeyModal
from smarter_tui.ui.screens.main_screen import MainScreen
from smarter_tui.ui.widgets.chat_pane import REOPEN_LAST, ChatPane
from smarter_tui.ui.widgets.client_list import ClientList
from smarter_tui.ui.widgets.plugin_pane import PluginPane

#: Seconds between two looks at the catalogue version (one primary-key read in a worker).
CATALOGUE_POLL = 2.0

if TYPE_CHECKING:
    from smarter_tui.services import Services
    from smarter_tui.services.chat_settings import EffectiveChat
    from smarter_tui.services.clients import ClientView
    from smarter_tui.services.launch import Opening


#: Seconds after which the collector runs again even if start-up never showed a chat.
START_UP_GC_LIMIT = 10.0


class SmarterApp(App[None]):
    """smarter-tui: choose a client, chat with streaming answers, inspect plugins, browse history."""

    TITLE = "smarter-tui"
    CSS_PATH = "styles/app.tcss"
    # F-keys and Ctrl+N/O are free in the prompt editor; priority keeps F7/F8 from selecting text there.
    # Every binding has an id (the action's name), so `[keys]` in settings.toml can remap it.
    BINDINGS = [
        Binding("ctrl+n", "new_session", "New chat", id="new_session"),
        Binding("f2", "switch_client", "Clients", id="switch_client"),
        Binding("f3", "open_history", "History", id="open_history"),
        Binding("f4", "toggle_plugins", "Plugins", id="toggle_plugins"),
        Binding("f5", "debug_view", "Debug", id="debug_view"),
        Binding("f6", "toggle_clients", "Client list", show=False, id="toggle_clients"),
        # F10 (not F6: it is the client list's) with priority: the prompt's TextArea must not take it.
        Binding("f10", "open_manifests", "Manifests", priority=True, id="open_manifests"),
        Binding("ctrl+o", "export", "Export", id="export"),
        Binding("f7", "copy_answer", "Copy answer", priority=True, id="copy_answer"),
        Binding("f8", "copy_code", "Copy code", priority=True, id="copy_code"),
        Binding("ctrl+r", "regenerate", "Regenerate", show=False, id="regenerate"),
        Binding("f9", "messages", "Messages", show=False, id="messages"),
        Binding("ctrl+g", "chat_settings", "Chat settings", show=False, id="chat_settings"),
    ]

    def __init__(
        self,
        open_services: Callable[[], Services] | None = None,
        *,
        opening: Callable[[], Opening] | None = None,
        settings: SettingsStore | None = None,
        launch: LaunchRequest | None = None,
    ) -> None:
        """Build the app; `settings` defaults to the settings file, `launch` to no flags.

        `open_services` returns the services (default: open them); `opening` what the first
        screen shows, read with them from these settings (default: asked of the services).
        """
        super().__init__()
        self._open_services = open_services
        self._opening = opening
        self.services: Services | None = None
        self.clients: list[ClientView] = []
        self.settings_store = settings or SettingsStore()
        self.settings: Settings = self.settings_store.current()
        self.settings_problems = list(self.settings_store.problems)
        self._launch = launch or LaunchRequest()
        self._catalogue_seen: int | None = None  # the catalogue version the client list shows
        self._warm_frozen = False  # the first warm-up froze what it imported
        self._catalogue_looking = False  # a worker reads the version now (not exclusive: cancelled
        # workers fail `workers.wait_for_complete()`, so a look is skipped instead)
        self.main = MainScreen(self.settings.panes)
        self._apply_keymap(self.settings.keys)

    # -- settings ---------------------------------------------------------------------------
    @classmethod
    def remappable_actions(cls) -> list[str]:
        """Return the binding ids `[keys]` may remap (the app's and the main screen's)."""
        return [b.id for b in (*cls.BINDINGS, *MainScreen.BINDINGS) if isinstance(b, Binding) and b.id]

    def _apply_keymap(self, keys: dict[str, str]) -> None:
        known = self.remappable_actions()
        unknown = sorted(set(keys) - set(known))
        if unknown:
            self.settings_problems.append(
                f"{self.settings_store.path}: keys.{unknown[0]}: no such action; the actions are "
                f"{', '.join(known)}"
            )
        self.set_keymap({action: value for action, value in keys.items() if action in known})

    def _apply_settings(self) -> None:
        """Theme from the settings (the main screen has the panes); report what was wrong in the file."""
        try:
            self.theme = self.settings.theme
        except InvalidThemeError:
            self.settings_problems.append(
                f"{self.settings_store.path}: theme: no theme named {self.settings.theme!r} "
                f"(see 'Change theme' in the command palette); using {self.theme!r}"
            )
        for problem in self.settings_problems:
            self.notify(problem, title="Settings", severity="warning", timeout=12)
        self.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, theme: Any) -> None:
        if theme.name != self.settings.theme:
            self.save_settings({"theme": theme.name})

    def save_settings(self, changes: dict[str, Any]) -> None:
        """Apply dotted-key `changes` to the settings now and write them to the file in a worker."""
        for dotted, value in changes.items():
            *tables, name = dotted.split(".")
            target: Any = self.settings
            for part in tables:
                target = getattr(target, part)
            setattr(target, name, value)
        self._write_settings(changes)

    @work(thread=True, group="settings")
    def _write_settings(self, changes: dict[str, Any]) -> None:
        try:
            self.settings_store.save(changes)
        except OSError as exc:  # a read-only config directory must not break the app
            self.call_from_thread(self.notify, f"Settings not saved: {exc}", severity="warning")

    def _remember(self, client: str, session_key: str | None) -> None:
        """Save the client and session on screen, for the next start-up (only when they changed)."""
        changes: dict[str, Any] = {}
        if client != self.settings.last_client:
            changes["last_client"] = client
        if (session_key or "") != self.settings.last_session:
            changes["last_session"] = session_key or ""
        if changes:
            self.save_settings(changes)

    # -- start-up: paint first, then open the database and warm up in workers -------------------
    def get_default_screen(self) -> MainScreen:
        # The main screen is the app's first screen: pushing it over Textual's default one would
        # compose, style and paint a screen that is never seen, and resume the main one after it.
        return self.main

    def on_mount(self) -> None:
        self._apply_settings()
        self._load_services()
        self.set_timer(START_UP_GC_LIMIT, gc.enable)  # however start-up went (see _started)
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(signum, self._terminate, signum)

    def notify(self, message: str, *, title: str = "", **kwargs: Any) -> None:
        """Show a notification; its text (errors may quote the model or a server) is made inert."""
        super().notify(terminal_safe(str(message)), title=terminal_safe(title), **kwargs)

    def _terminate(self, signum: int) -> None:
        """SIGTERM or SIGHUP (the terminal closed): save like Esc does, then leave.

        Every running answer is cancelled and waited for, so what was shown is stored (marked
        interrupted) before the process goes. Without a terminal the normal exit may block on
        writing to it, so a watchdog ends the process once the text is safe.
        """
        asyncio.get_running_loop().create_task(self._save_and_exit(128 + signum))

    async def _save_and_exit(self, code: int) -> None:
        if self.services is not None:
            await self.services.turns.cancel_all(timeout=5.0)
        watchdog = threading.Timer(2.0, os._exit, (code,))
        watchdog.daemon = True
        watchdog.start()
        self.exit(return_code=code)

    @work(thread=True, exclusive=True, group="startup")
    def _load_services(self) -> None:
        try:
            if self._open_services is not None:
                services = self._open_services()
            else:
                from smarter_tui.services import Services

                services = Services.open(model_worker=True)
            if self._opening is not None:
                opening = self._opening()
            else:
                opening = services.opening(self.settings.launch_request(self._launch))
        except SmarterError as exc:
            self.call_from_thread(self.notify, exc.message, title="Cannot start", severity="error")
            gc.enable()
            return
        self.call_from_thread(self._services_ready, services, opening)  # type: ignore[arg-type]  # textual types async callbacks as Never

    async def _services_ready(self, services: Services, opening: Opening) -> None:
        if opening.problem:
            self.notify(opening.problem, title="Cannot open", severity="error")
        self.services = services
        self.clients = clients = opening.clients
        target = opening.target
        self._catalogue_seen = opening.version
        self.set_interval(CATALOGUE_POLL, self._check_catalogue, name="catalogue-watch")
        await self.chat.mounted()  # the chat tabs compose their first chat after the screen
        self.main.use_services(services)
        self.main.query_one(ClientList).set_clients(clients)
        if clients:
            wanted = target.client or "general_assistant"
            default = next((c for c in clients if c.name == wanted), clients[0])
            self.main.query_one(ClientList).highlight_client(default.name)
            if target.session_key:
                self._open_session(target.session_key)
                self.call_after_refresh(self._warm_up, target.client)
            else:
                await self.start_chat(default)
        self.call_after_refresh(self._started)

    def _started(self) -> None:
        """The first chat is on screen: what exists now lives as long as the app; keep it out of
        every later GC pass (fewer pauses), and collect again (`main` paused the collector)."""
        gc.freeze()
        gc.enable()

    @work(thread=True, group="startup")
    def _warm_up(self, client: str | None) -> None:
        """Prepare the first model call of `client`'s chat (see `Services.warm_up`), then import
        the answers' Markdown widget and the tool cards, which start-up leaves out (see
        `WelcomeCard`, `chat_pane.tool_card`): a prompt sent meanwhile needs the former first,
        the latter only with its answer's first text or tool call."""
        if self.services is None:
            return
        self.services.warm_up(client)
        import smarter_tui.ui.widgets.assistant_message  # noqa: F401
        import smarter_tui.ui.widgets.tool_card  # noqa: F401

        # What this imported lives as long as the app, like what start-up froze: left in the
        # collected generations, every full collection would walk it again. Once only: a later
        # chat's warm-up imports nothing new, and freezing then would keep the last chat's
        # transcript, removed but not yet collected, for good (~6 MB a long answer; gc never
        # looks at frozen objects again).
        if not self._warm_frozen:
            self._warm_frozen = True
            gc.freeze()

    def on_unmount(self) -> None:
        gc.unfreeze()
        if self.services is not None:
            self.services.close()

    # -- clients and chats ------------------------------------------------------------------
    @property
    def chat(self) -> ChatPane:
        """The chat of the tab on screen: every action on "the chat" acts on this one."""
        return self.main.chat

    async def start_chat(self, client: ClientView) -> None:
        """Start a new chat with `client`, asking for its key first when the provider needs one."""
        if client.problem:
            self.notify(client.problem, title=client.app_name, severity="error")
            return
        if client.needs_key and client.key_name and self.services is not None:
            self.push_screen(
                KeyModal(self.services.keys, client.provider, client.key_name),
                lambda masked: self._key_stored(client, masked),
            )
            return
        await self.chat.new_chat(client)
        # After the next full paint, so preparing the model call does not compete with drawing.
        self.call_after_refresh(self._warm_up, client.name)
        self._show_title(client, None)
        self.main.query_one(PluginPane).show_client(client.name)
        self._remember(client.name, None)
        self._check_catalogue()  # a welcome text changed since the last look shows right away

    def _show_title(self, client: ClientView, session_key: str | None) -> None:
        """Title the app with the chat on screen: its client, and its session or (new) its model."""
        shown = f"session {session_key[:8]}" if session_key else f"{client.provider}/{client.model}"
        self.sub_title = f"{client.app_name} · {shown}"

    def _key_stored(self, client: ClientView, masked: str | None) -> None:
        if masked is None:
            return
        self.notify(f"Key stored ({masked}).", title=client.provider)
        self._refresh_clients(select=client.name)

    @work(thread=True, exclusive=True, group="clients")
    def _refresh_clients(self, select: str | None = None) -> None:
        assert self.services is not None
        clients = self.services.clients()
        self.call_from_thread(self._clients_refreshed, clients, select)  # type: ignore[arg-type]

    async def _clients_refreshed(self, clients: list[ClientView], select: str | None) -> None:
        await self._show_clients(clients)
        chosen = next((c for c in clients if c.name == select), None)
        if chosen is not None:
            await self.start_chat(chosen)

    async def _show_clients(self, clients: list[ClientView]) -> None:
        """List `clients` (keeping the highlight) and hand each open chat its client's new version."""
        if not self.is_running:
            return
        self.clients = clients
        client_list = self.main.query_one(ClientList)
        highlighted = client_list.highlighted
        current = None
        if highlighted is not None and highlighted < len(client_list.clients):
            current = client_list.clients[highlighted].name
        client_list.set_clients(clients)
        if current is not None:
            client_list.highlight_client(current)
        by_name = {c.name: c for c in clients}
        for pane in self.main.query(ChatPane):
            if pane.client is not None and pane.client.name in by_name:
                await pane.update_client(by_name[pane.client.name])
        shown = self.chat.client
        if shown is not None and self.chat.session_key is None:
            self._show_title(shown, None)

    # -- catalogue changes made elsewhere (the CLI, serve, another machine) ----------------
    def on_app_focus(self) -> None:
        """Back in the terminal: the catalogue may have changed meanwhile."""
        self._check_catalogue()

    def _check_catalogue(self) -> None:
        """Look at the catalogue version in a worker, unless a look is under way already."""
        if self.services is None or self._catalogue_seen is None or self._catalogue_looking:
            return
        self._catalogue_looking = True
        self._look_at_catalogue(self.services)

    @work(thread=True, group="catalogue-watch")
    def _look_at_catalogue(self, services: Services) -> None:
        """Read the catalogue version; when it moved, read the clients again and show them."""
        try:
            self._read_catalogue(services)
        finally:
            self._catalogue_looking = False

    def _read_catalogue(self, services: Services) -> None:
        try:
            version = services.catalogue.version()
            if version == self._catalogue_seen:
                return
            clients = services.clients()
        except Exception:  # noqa: BLE001 - a look that fails (database busy, gone) is retried next tick
            return
        if self.is_running:
            self.call_from_thread(self._catalogue_moved, version, clients)  # type: ignore[arg-type]

    async def _catalogue_moved(self, version: int, clients: list[ClientView]) -> None:
        if self._catalogue_seen is not None and version <= self._catalogue_seen:
            return  # an older look that finished late
        self._catalogue_seen = version
        await self._show_clients(clients)
        # query, not query_one: a change seen while the app shuts down finds no pane, and that is fine.
        for pane in self.main.query(PluginPane):
            pane.reload()

    @on(ClientList.Selected)
    async def _client_selected(self, event: ClientList.Selected) -> None:
        await self.start_chat(event.client)

    @on(ChatPane.SelectionsChanged)
    def _selections(self, event: ChatPane.SelectionsChanged) -> None:
        if event.chat is self.chat:  # a chat in another tab keeps its selections for later
            self.main.query_one(PluginPane).show_selections(event.items)

    @on(ChatPane.EarlierRequested)
    def _earlier_requested(self, event: ChatPane.EarlierRequested) -> None:
        if event.chat is self.chat and event.chat.session_key is not None:
            self._open_session(event.chat.session_key, last=event.last)

    @on(ChatPane.TurnCompleted)
    def _turn_completed(self, event: ChatPane.TurnCompleted) -> None:
        if event.chat is not self.chat or not self.is_running:
            return  # another tab's answer ended: nothing on screen changes but its tab label
        if self.chat.client is not None and event.session_key:
            self._remember(self.chat.client.name, event.session_key)
        pane = self.main.query_one(PluginPane)
        if pane.display:
            pane.reload()  # the usage history now includes this turn

    # -- tabs: several chats, each with its own turn ---------------------------------------
    @on(TabbedContent.TabActivated, "#chats")
    def _tab_switched(self, event: TabbedContent.TabActivated) -> None:
        """Another tab came to the front: the client list, plugin pane, title and footer follow it."""
        chat = self.chat
        self.main.refresh_bindings()  # "Cancel answer" is about this tab's answer
        chat.focus_prompt()
        if chat.client is None:
            return
        self.main.query_one(ClientList).highlight_client(chat.client.name)
        plugins = self.main.query_one(PluginPane)
        plugins.show_client(chat.client.name)
        if chat.running or chat.session_key is None:
            plugins.show_selections(chat.selections)
        else:
            plugins.load_selections(chat.session_key)
        self._show_title(chat.client, chat.session_key)
        self._remember(chat.client.name, chat.session_key)

    async def action_new_tab(self) -> None:
        """Open a new tab with a new chat (with the current chat's client)."""
        client = self.chat.client or next(iter(self.clients), None)
        await self.main.tabs.open_tab()
        if client is not None:
            await self.start_chat(client)

    async def action_close_tab(self) -> None:
        """Close the tab on screen; an answer running in it is cancelled and saved as interrupted."""
        tabs = self.main.tabs
        if tabs.tab_count < 2:
            self.notify("This is the only chat tab (Ctrl+N starts a new chat in it).", severity="warning")
            return
        chat = self.chat
        await chat.close()
        await tabs.close_tab(chat)

    def action_next_tab(self) -> None:
        """Show the next chat tab."""
        self.main.tabs.step(1)

    def action_previous_tab(self) -> None:
        """Show the previous chat tab."""
        self.main.tabs.step(-1)

    # -- actions ----------------------------------------------------------------------------
    async def action_new_session(self) -> None:
        """Start a new chat with the current client."""
        if self.chat.client is not None:
            await self.start_chat(self.chat.client)

    def action_toggle_plugins(self) -> None:
        """Show the plugin pane (focusing its list) or hide it (focusing the prompt); saved."""
        shown = self.main.show_plugins(not self.main.panes.plugins)
        self.save_settings({"panes.plugins": shown})

    def action_toggle_clients(self) -> None:
        """Show or hide the client list; the choice is saved."""
        shown = self.main.show_clients(not self.main.panes.clients)
        self.save_settings({"panes.clients": shown})

    def action_switch_client(self) -> None:
        """Show the client list when hidden (closing the plugin pane where both do not fit), focus it."""
        if not self.main.panes.clients:
            self.save_settings({"panes.clients": True})
        self.main.focus_clients()

    def action_open_history(self) -> None:
        """Open the history browser; a chosen session opens in the chat."""
        from smarter_tui.ui.screens.history_screen import HistoryScreen

        if self.services is not None:
            self.push_screen(HistoryScreen(self.services.history), self._history_closed)

    def _history_closed(self, session_key: str | None) -> None:
        if session_key:
            self._open_session(session_key)

    @work(thread=True, exclusive=True, group="open-session")
    def _open_session(
        self,
        session_key: str,
        branch: tuple[int | None, str | None] | None = None,
        last: int = REOPEN_LAST,
    ) -> None:
        """Show a saved session (its current branch, its `last` messages); with `branch`, first
        start a new branch: (None, None) regenerates the last answer, (position, text) resends an
        edited prompt. More than REOPEN_LAST (earlier messages asked for) are all shown."""
        assert self.services is not None
        prompt = None
        try:
            if branch is not None:
                position, text = branch
                services = self.services.branches
                made = (
                    services.regenerate_branch(session_key)
                    if position is None
                    else services.branch_from(session_key, position, text)
                )
                prompt = made.prompt
            info = self.services.sessions.session(session_key)
            messages, earlier = self.services.history.transcript(session_key, last=last)
            calls = self.services.sessions.tool_calls(session_key)
            effective = self.services.chat_settings.effective(info.client, session_key)
        except SmarterError as exc:
            self.call_from_thread(self.notify, exc.message, severity="error")
            return
        client = next((c for c in self.clients if c.name == info.client), None)
        if client is None:
            self.call_from_thread(
                self.notify, f"The client '{info.client}' no longer exists.", severity="error"
            )
            return
        self.call_from_thread(
            self._show_session,  # type: ignore[arg-type]
            client,
            session_key,
            messages,
            calls,
            earlier,
            prompt,
            effective,
            last <= REOPEN_LAST,
        )

    async def _show_session(
        self,
        client: ClientView,
        key: str,
        messages: list[Any],
        calls: list[Any],
        earlier: int,
        prompt: str | None = None,
        effective: EffectiveChat | None = None,
        bounded: bool = True,
    ) -> None:
        if not self.is_running:  # the worker finished after the app began to exit
            return
        tabs = self.main.tabs
        chat = tabs.chat_showing(key)
        if chat is not None:
            tabs.show(chat)  # the tab already showing it comes to the front
            if chat.running and prompt is None:
                return  # it is answering there: leave it be
        elif self.chat.running:
            chat = await tabs.open_tab()  # never cancel an answer to show another session
        else:
            chat = self.chat
        if not await chat.show_session(client, key, messages, calls, earlier, bounded):
            return  # the app is closing
        if effective is not None:
            self._show_chat_settings(effective, chat)
        if prompt is not None:
            await chat.send(prompt)
        if not self.is_running:  # the app began to exit while the session was shown
            return
        if not self.main.query(ClientList) or not self.main.query(PluginPane):
            return  # the app closing takes the panes down, the chat's tab last
        self.main.query_one(ClientList).highlight_client(client.name)
        pane = self.main.query_one(PluginPane)
        pane.show_client(client.name)
        pane.load_selections(key)
        self._show_title(client, key)
        self._remember(client.name, key)

    # -- editing the chat: regenerate, edit and resend, copy, delete (services do the work) -----
    def _editable_session(self) -> str | None:
        """Return the chat's session key when its history can change now; else say why."""
        if self.chat.running:
            self.notify("An answer is still streaming; press Esc to cancel it first.", severity="warning")
            return None
        if self.chat.session_key is None:
            self.notify("Nothing to change yet: send a prompt first.", severity="warning")
            return None
        return self.chat.session_key

    def action_regenerate(self) -> None:
        """Answer the last prompt again; the old answer stays in the history, superseded."""
        key = self._editable_session()
        if key is not None:
            self._open_session(key, branch=(None, None))

    def action_messages(self) -> None:
        """Browse the chat's messages: copy any, delete one from the context, edit and resend."""
        from smarter_tui.ui.screens.messages_screen import MessagesScreen

        key = self._editable_session()
        if key is not None and self.services is not None:
            self.push_screen(MessagesScreen(self.services, key), self._messages_closed)

    def _messages_closed(self, result: Any) -> None:
        key = self.chat.session_key
        if key is None or result is None:
            return
        if result.edit is not None:
            self._open_session(key, branch=result.edit)
        elif result.changed:
            self._open_session(key)  # a deleted message leaves the transcript too

    # -- this chat's own settings --------------------------------------------------------
    def _show_chat_settings(self, effective: EffectiveChat, chat: ChatPane) -> None:
        """Put the chat's model and its own settings in its status line."""
        status = chat.status
        own = effective.own
        status.model = f"{effective.provider}/{effective.model}" if own.provider else effective.model
        status.offline = effective.offline
        parts = []
        if own.temperature is not None:  # the client's own temperature is not news
            parts.append(f"temp {own.temperature:g}")
        if own.system_prompt:
            parts.append("own system prompt")
        status.chat_settings = " · ".join(parts)

    def action_chat_settings(self) -> None:
        """Change this chat's provider, model, temperature or system prompt (not the manifest)."""
        if self.chat.running:
            self.notify("An answer is still streaming; press Esc to cancel it first.", severity="warning")
            return
        if self.chat.client is not None and self.services is not None:
            self._open_chat_settings(self.chat.client.name, self.chat.session_key)

    @work(thread=True, exclusive=True, group="chat-settings")
    def _open_chat_settings(self, client: str, session_key: str | None) -> None:
        from smarter_tui.ui.screens.chat_settings_modal import ChatSettingsModal

        assert self.services is not None
        try:
            current = self.services.chat_settings.effective(client, session_key)
            providers = self.services.chat_settings.providers()
        except SmarterError as exc:
            self.call_from_thread(self.notify, exc.message, severity="error")
            return
        modal = ChatSettingsModal(self.services, client, session_key, current, providers)
        self.call_from_thread(self.push_screen, modal, lambda key: self._chat_settings_saved(client, key))

    def _chat_settings_saved(self, client: str, key: str | None) -> None:
        chat = self.chat  # the dialog was modal: this is the tab it was opened from
        if key is None or chat.client is None or chat.client.name != client:
            return
        if chat.session_key is None:  # a new chat: its first prompt creates this session
            chat.session_key = key
        self._refresh_chat_settings(client, key, chat)

    @work(thread=True, group="chat-settings")
    def _refresh_chat_settings(self, client: str, key: str, chat: ChatPane) -> None:
        assert self.services is not None
        effective = self.services.chat_settings.effective(client, key)
        self.call_from_thread(self._show_chat_settings, effective, chat)
        self.call_from_thread(self.notify, "Used from the next turn.", title="Chat settings saved")

    def action_open_manifests(self) -> None:
        """Open the manifest browser (edit, create from an example, copy, delete)."""
        from smarter_tui.ui.screens.manifest_browser_screen import ManifestBrowserScreen

        if self.services is not None:
            self.push_screen(ManifestBrowserScreen())

    def edit_manifest(self, kind: str, name: str) -> None:
        """Open one stored manifest in the editor."""
        from smarter_tui.ui.screens.manifest_editor_screen import ManifestEditorScreen

        if self.services is not None:
            self.push_screen(ManifestEditorScreen(kind, name))

    @on(CatalogueChanged)
    def _catalogue_changed(self, event: CatalogueChanged) -> None:
        """Show saved changes: the client list and the plugin pane are read again (the chat goes on;
        its next turn is built from the stored manifests, so it uses the new version)."""
        self._check_catalogue()  # the save moved the catalogue version

    def action_debug_view(self) -> None:
        """Show the last turn's model requests and responses."""
        key = self.chat.session_key
        from smarter_tui.ui.screens.debug_screen import DebugScreen  # its TextArea theme: off start-up

        self.push_screen(DebugScreen(self.chat.debug_json(), f"session {key[:8]}" if key else "new chat"))

    def action_export(self) -> None:
        """Export the current session as Markdown into the data directory."""
        if self.chat.session_key is None:
            self.notify("Nothing to export yet: send a prompt first.", severity="warning")
            return
        self._export(self.chat.session_key)

    @work(thread=True, group="export")
    def _export(self, session_key: str) -> None:
        assert self.services is not None
        try:
            path = self.services.history.export_to_file(session_key, "markdown")
        except (SmarterError, OSError) as exc:
            self.call_from_thread(self.notify, str(exc), title="Export failed", severity="error")
            return
        self.call_from_thread(self.notify, str(path), title="Exported")

    def action_copy_answer(self) -> None:
        """Copy the last answer to the clipboard."""
        self._copy(self.chat.last_answer(), "answer")

    def action_copy_code(self) -> None:
        """Copy the last code block of the last answer to the clipboard."""
        self._copy(self.chat.last_code_block(), "code block")

    def _copy(self, text: str, what: str) -> None:
        if not text:
            self.notify(f"No {what} to copy.", severity="warning")
            return
        self.copy_to_clipboard(text)
        self.notify(f"Copied the last {what} ({len(text)} characters).")

    def deliver_screenshot(
        self, filename: str | None = None, path: str | None = None, time_format: str | None = None
    ) -> str | None:
        """Save a screenshot (the palette's "Save screenshot") into a folder that exists.

        Textual writes into ~/Downloads and, where there is none, fails with a notice that does
        not say why; without one it goes to `screenshots/` in the data directory instead.
        """
        if path is None:
            from platformdirs import user_downloads_path

            from smarter_tui.config.paths import data_dir

            downloads = user_downloads_path()
            target = downloads if downloads.is_dir() else data_dir() / "screenshots"
            target.mkdir(parents=True, exist_ok=True)
            path = str(target)
        return super().deliver_screenshot(filename, path, time_format)

    def _fatal_error(self) -> None:
        """Report a crash like Textual does, but without local variables: they may hold a key."""
        from rich.segment import Segments
        from rich.traceback import Traceback

        self.bell()
        traceback = Traceback(show_locals=False, width=None)
        self._exit_renderables.append(Segments(self.console.render(traceback, self.console.options)))
        self._close_messages_no_wait()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Command-palette entries for every action (the footer shows their keys)."""
        yield from super().get_system_commands(screen)
        yield SystemCommand(
            "New chat", "Start a new session with the current client", self.action_new_session
        )
        yield SystemCommand("Switch client", "Focus the client list", self.action_switch_client)
        yield SystemCommand("Toggle client list", "Show or hide the client list", self.action_toggle_clients)
        yield SystemCommand(
            "Open history", "Browse, search and reopen saved sessions", self.action_open_history
        )
        yield SystemCommand("Inspect plugins", "Show or hide the plugin pane", self.action_toggle_plugins)
        yield SystemCommand(
            "Manifests", "Browse, edit, create and delete manifests (F10)", self.action_open_manifests
        )
        yield SystemCommand(
            "Export session", "Write the session as Markdown to the data directory", self.action_export
        )
        yield SystemCommand(
            "Toggle debug view", "Model requests and responses of the last turn", self.action_debug_view
        )
        yield SystemCommand(
            "Copy last answer", "Copy the last answer to the clipboard", self.action_copy_answer
        )
        yield SystemCommand("Copy last code block", "Copy the last code block", self.action_copy_code)
        yield SystemCommand(
            "Regenerate answer",
            "Answer the last prompt again (the old answer is kept)",
            self.action_regenerate,
        )
        yield SystemCommand(
            "Chat settings",
            "Provider, model, temperature, system prompt of this chat",
            self.action_chat_settings,
        )
        yield SystemCommand(
            "Messages", "Copy any message, delete one from the context, edit and resend", self.action_messages
        )
        yield SystemCommand("New tab", "Open another chat in a new tab (Ctrl+T)", self.action_new_tab)
        yield SystemCommand(
            "Close tab", "Close this chat's tab; a running answer is saved (Ctrl+W)", self.action_close_tab
        )
        yield SystemCommand("Next tab", "Show the next chat tab (Ctrl+PageDown)", self.action_next_tab)
        yield SystemCommand(
            "Previous tab", "Show the previous chat tab (Ctrl+PageUp)", self.action_previous_tab
        )
