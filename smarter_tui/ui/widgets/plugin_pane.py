"""The plugin pane: a client's plugins and functions, why they were selected, and how each looks and runs."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from rich.console import Group, RenderableType
from rich.text import Text
from textual import on, work
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Button, Input, OptionList, Static, TabbedContent
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from smarter_tui.domain.terminal import terminal_safe

if TYPE_CHECKING:
    from rich.syntax import Syntax
    from textual.widgets import DataTable

    from smarter_tui.domain.records import ToolCallRecord
    from smarter_tui.services.authoring import AuthoringService
    from smarter_tui.services.inspector import PluginInspector, ToolView, TryResult

#: Syntax theme for manifests, schemas and results (no background: it follows the app theme).
_THEME = "monokai"
#: Longest arguments text shown in a usage row.
_ARGUMENTS_WIDTH = 48


def _syntax(code: str, lexer: str) -> Syntax:
    """Return highlighted code that wraps and uses the pane's background."""
    # Imported here: rich.syntax brings pygments (~25 ms), which start-up never needs.
    from rich.syntax import Syntax

    return Syntax(code, lexer, theme=_THEME, background_color="default", word_wrap=True)


def _pretty(text: str) -> RenderableType:
    """Return `text` as highlighted, indented JSON when it parses, else as plain text."""
    try:
        value = json.loads(text)
    except (ValueError, TypeError):
        return Text(text)
    return _syntax(json.dumps(value, indent=2, ensure_ascii=False), "json")


def _short(text: str, width: int) -> str:
    """Return `text` on one line, cut to `width` characters with an ellipsis."""
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"


class PluginPane(Vertical):
    """The plugins and functions of the current client, with manifest, schema, usage and "Try it".

    The screen hands it the plugin inspector (`inspector`) once the services are open; the app
    calls `show_client(name)` when the client changes and `show_selections(items)` after
    each turn; every service call runs in a thread worker and only the results reach the UI thread.
    """

    DEFAULT_CSS = """
    PluginPane {
        height: 1fr;
        border: round $primary 50%;
        border-title-color: $text-primary;
        padding: 0 1;
    }
    PluginPane:focus-within {
        border: round $primary;
    }
    PluginPane #plugin-list {
        height: auto;
        max-height: 12;
        border: none;
        padding: 0;
    }
    PluginPane #plugin-selections {
        height: auto;
        color: $text-muted;
        padding: 0 0 1 0;
    }
    PluginPane #plugin-tabs {
        height: 1fr;
    }
    PluginPane TabPane {
        padding: 0;
    }
    PluginPane .plugin-scroll {
        height: 1fr;
    }
    PluginPane #plugin-usage {
        height: 1fr;
    }
    PluginPane #plugin-try-bar {
        height: auto;
    }
    PluginPane #plugin-arguments {
        width: 1fr;
    }
    PluginPane #plugin-run {
        min-width: 9;
        margin-left: 1;
    }
    PluginPane #plugin-try-result {
        padding: 1 0 0 0;
    }
    """

    BINDINGS = [
        Binding("t", "try_it", "Try it", tooltip="Run the highlighted plugin with the arguments shown"),
        Binding("m", "show_tab('tab-manifest')", "Manifest", show=False),
        Binding("s", "show_tab('tab-schema')", "Schema", show=False),
        Binding("u", "show_tab('tab-usage')", "Usage", show=False),
        Binding("a", "attach", "Attach", tooltip="Attach another plugin to this client"),
        Binding("x", "detach", "Detach", tooltip="Detach the highlighted plugin from this client"),
        Binding("e", "edit_manifest", "Edit", tooltip="Open the highlighted plugin's manifest in the editor"),
    ]

    class TryFinished(Message):
        """A "Try it" run finished: `result` holds the arguments, result or error, and duration."""

        def __init__(self, name: str, result: TryResult) -> None:
            super().__init__()
            self.name = name
            self.result = result

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        """Build an empty pane; call `show_client` to fill it."""
        super().__init__(id=id, classes=classes)
        self.client: str | None = None
        self.tools: list[ToolView] = []
        self.selected: dict[str, str] = {}  # plugin name -> why it was selected for the last prompt
        self.prompted = False  # whether show_selections was called since the client was shown
        self.inspector: PluginInspector | None = None  # handed in by the host screen
        self.border_title = "Plugins"
        self._stale = False  # the client changed while the pane was hidden: load once it shows
        self._built = False  # children are mounted when the pane is first shown (see on_show)
        self._focus_when_built = False

    # -- layout ------------------------------------------------------------------------------
    @property
    def built(self) -> bool:
        """Whether the pane's widgets are mounted (they are from its first show on)."""
        return self._built

    async def _build(self) -> None:
        """Compose the children now (first show), then fill them from the state kept meanwhile."""
        # Imported here: its DataTable and the body's module cost ~4 ms of every start-up.
        from smarter_tui.ui.widgets.plugin_pane_body import PluginPaneBody

        await self.mount(PluginPaneBody())
        self._built = True
        self._usage().add_columns("When", "Session", "Arguments", "Duration", "Error")
        self._render_selections()
        if self._focus_when_built:
            self._focus_when_built = False
            self.focus_list()

    def _usage(self) -> DataTable[str | Text]:
        """The usage table (built: see `_build`)."""
        return cast("DataTable[str | Text]", self.query_one("#plugin-usage"))

    # -- public API (UI thread) ----------------------------------------------------------------
    def _need_inspector(self) -> PluginInspector:
        """Return the inspector; raise when the host has not handed one in yet."""
        if self.inspector is None:
            raise RuntimeError("The plugin pane is not connected to the services yet.")
        return self.inspector

    @property
    def authoring(self) -> AuthoringService:
        """Return the app's authoring service (attach/detach edit the client's manifest)."""
        services: Any = getattr(self.app, "services")  # noqa: B009 - the host app injects it
        authoring: AuthoringService = services.authoring
        return authoring

    @property
    def current(self) -> ToolView | None:
        """Return the highlighted plugin or function, if any."""
        if not self._built:
            return None
        index = self.query_one("#plugin-list", OptionList).highlighted
        if index is None or not 0 <= index < len(self.tools):
            return None
        return self.tools[index]

    def show_client(self, client_name: str) -> None:
        """Show the plugins and functions attached to `client_name` (loaded in a worker)."""
        if client_name != self.client:
            self.selected = {}
            self.prompted = False
            self._render_selections()
        self.client = client_name
        self.border_title = f"Plugins · {client_name}"
        self.reload()

    def show_selections(self, items: list[tuple[str, str]]) -> None:
        """Show which plugins the last prompt selected: (plugin name, why: matched term or "always")."""
        self.selected = dict(items)
        self.prompted = True
        if not self._built:
            return  # shown when the pane is built
        self._render_selections()
        option_list = self.query_one("#plugin-list", OptionList)
        for view in self.tools:
            option_list.replace_option_prompt(view.name, self._label(view))

    def load_selections(self, session_key: str) -> None:
        """Fetch the last prompt's selections of a session in a worker, then `show_selections` them."""
        self._load_selections(session_key)

    def focus_list(self) -> None:
        """Move the keyboard focus to the list of plugins (where `t` runs Try it)."""
        if not self._built:
            self._focus_when_built = True
            return
        self.query_one("#plugin-list", OptionList).focus()

    def reload(self) -> None:
        """Reload the current client's list and the highlighted item's details (e.g. after a turn).

        A hidden pane (the default) loads nothing until it is shown: the details read the
        manifest as YAML, which loads the manifest models, and at start-up that would compete
        with drawing the screen for a pane nobody looks at.
        """
        if self.client is None:
            return
        if not (self.display and self._built):
            self._stale = True  # loaded by on_show
            return
        self._stale = False
        self._load_client(self.client)

    async def on_show(self) -> None:
        """Build the pane on its first show; load what changed while it was hidden."""
        if not self._built:  # a second Show waits in the queue until this handler ends
            await self._build()
        if self._stale:
            self.reload()

    # -- rendering -----------------------------------------------------------------------------
    def _label(self, view: ToolView) -> Text:
        """Return an option's label: name, kind and selector, with a marker when just selected."""
        marker = ("● ", "bold green") if view.name in self.selected else ("  ", "")
        label = Text.assemble(marker, (view.name, "bold"), "  ", (view.kind, "italic dim"))
        label.append("\n    ")
        if view.error:
            label.append(_short(view.error, 60), style="red")
        else:
            label.append(_short(view.selector, 60), style="dim")
        return label

    def _render_selections(self) -> None:
        """Write the "Last prompt selected" line."""
        if not self._built:
            return  # written when the pane is built
        if self.selected:
            chosen = ", ".join(f"{name} ({why})" for name, why in self.selected.items())
        else:
            chosen = "none" if self.prompted else "—"
        self.query_one("#plugin-selections", Static).update(Text(f"Last prompt selected: {chosen}"))

    def _set_tools(self, client: str, views: list[ToolView]) -> None:
        """Fill the list with `views`, keeping the highlighted name when it is still there."""
        if client != self.client:
            return
        previous = self.current.name if self.current else None
        self.tools = views
        option_list = self.query_one("#plugin-list", OptionList)
        option_list.set_options(Option(self._label(v), id=v.name) for v in views)
        if not views:
            self._clear_details("This client has no plugins or functions.")
            return
        names = [v.name for v in views]
        option_list.highlighted = names.index(previous) if previous in names else 0

    def _clear_details(self, note: str) -> None:
        """Empty every tab, leaving `note` in the manifest tab."""
        self.query_one("#plugin-manifest", Static).update(Text(note, style="dim"))
        self.query_one("#plugin-schema", Static).update("")
        self._usage().clear()
        self.query_one("#plugin-arguments", Input).value = ""
        self.query_one("#plugin-try-result", Static).update("")

    def _set_details(
        self,
        name: str,
        manifest: str,
        schema: dict[str, Any],
        usage: list[ToolCallRecord],
        arguments: dict[str, Any],
    ) -> None:
        """Show one item's manifest, schema, usage and default arguments (if still highlighted)."""
        current = self.current
        if current is None or current.name != name:
            return
        self.query_one("#plugin-manifest", Static).update(_syntax(manifest.rstrip(), "yaml"))
        self.query_one("#plugin-schema", Static).update(_syntax(json.dumps(schema, indent=2), "json"))
        table = self._usage()
        table.clear()
        for record in usage:
            when = record.created_at.astimezone().strftime("%Y-%m-%d %H:%M:%S") if record.created_at else ""
            error = Text(_short(record.error, 60), style="red") if record.error else Text("")
            table.add_row(
                when,
                record.session_key[:8],
                _short(record.arguments, _ARGUMENTS_WIDTH),
                f"{record.duration_ms:.1f} ms",
                error,
            )
        self.query_one("#plugin-arguments", Input).value = json.dumps(arguments, ensure_ascii=False)
        note = f"{len(usage)} recorded call(s)." if usage else "Not used yet."
        self.query_one("#plugin-try-result", Static).update(
            Text(f"Press Run (or t in the list) to call {name} for real. {note}", style="dim")
        )

    def _show_error(self, target: str, message: str) -> None:
        """Show a failure in one of the tabs' areas, in red."""
        self.query_one(target, Static).update(Text(message, style="bold red"))

    def _render_try(self, result: TryResult) -> None:
        """Show a "Try it" result (pretty JSON) or its error in red, with the duration."""
        duration = f"{result.duration_ms:.1f} ms"
        if result.error is not None:
            body: RenderableType = Group(
                Text.assemble(("✗ Error", "bold red"), f" after {duration}"),
                Text(terminal_safe(result.error), style="red"),
            )
        else:
            body = Group(
                Text.assemble(("✓ Result", "bold green"), f" in {duration}"),
                _pretty(terminal_safe(result.result or "")),
            )
        self.query_one("#plugin-try-result", Static).update(body)

    # -- events ---------------------------------------------------------------------------------
    @on(OptionList.OptionHighlighted, "#plugin-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if event.option_id is not None and self.client is not None:
            self._load_details(event.option_id, self.client)

    @on(OptionList.OptionSelected, "#plugin-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on an item opens its "Try it" tab."""
        event.stop()
        self.query_one("#plugin-tabs", TabbedContent).active = "tab-try"
        self.query_one("#plugin-arguments", Input).focus()

    @on(Button.Pressed, "#plugin-run")
    @on(Input.Submitted, "#plugin-arguments")
    def _run_pressed(self, event: Message) -> None:
        event.stop()
        self.action_try_it()

    def on_plugin_pane_try_finished(self, event: PluginPane.TryFinished) -> None:
        """Render a finished try when it is about the highlighted item (the message still bubbles)."""
        current = self.current
        if current is not None and current.name == event.name:
            self._render_try(event.result)
        self.query_one("#plugin-run", Button).disabled = False

    # -- actions --------------------------------------------------------------------------------
    def action_try_it(self) -> None:
        """Run the highlighted plugin with the arguments in the input (invalid JSON is reported)."""
        current = self.current
        if current is None or self.client is None:
            self.notify("Choose a plugin or function first.", severity="warning")
            return
        self.query_one("#plugin-tabs", TabbedContent).active = "tab-try"
        text = self.query_one("#plugin-arguments", Input).value.strip()
        try:
            arguments = json.loads(text) if text else {}
        except ValueError as exc:
            self._show_error("#plugin-try-result", f"The arguments are not valid JSON: {exc}")
            return
        if not isinstance(arguments, dict):
            self._show_error("#plugin-try-result", 'The arguments must be a JSON object, e.g. {"key": 1}.')
            return
        self.query_one("#plugin-try-result", Static).update(Text(f"Running {current.name}…", style="dim"))
        self.query_one("#plugin-run", Button).disabled = True
        self._try(current.name, self.client, arguments)

    def action_attach(self) -> None:
        """Choose a stored plugin that is not attached yet and attach it to the client."""
        if self.client is not None:
            self._attach_choices(self.client)

    def action_detach(self) -> None:
        """Detach the highlighted plugin from the client (after confirming)."""
        from smarter_tui.ui.screens.confirm_modal import ConfirmModal

        current, client = self.current, self.client
        if current is None or client is None or current.is_function:
            self.notify("Highlight a plugin to detach.", severity="warning")
            return

        def answered(detach: bool | None) -> None:
            if detach:
                self._set_attached(client, current.name, False)

        modal = ConfirmModal(
            f"Detach {current.name}?",
            f"Remove it from the plugins of {client} (the client's manifest is edited, comments kept).",
            "Detach",
        )
        self.app.push_screen(modal, answered)

    def action_edit_manifest(self) -> None:
        """Open the highlighted plugin's manifest in the editor."""
        current = self.current
        if current is None or current.is_function:
            self.notify("Built-in functions have no manifest.", severity="warning")
            return
        edit: Any = getattr(self.app, "edit_manifest", None)
        if edit is not None:
            edit(current.kind, current.name)

    def action_show_tab(self, tab: str) -> None:
        """Switch the detail tabs."""
        self.query_one("#plugin-tabs", TabbedContent).active = tab

    def _if_alive(self, update: Callable[..., None], *args: Any) -> None:
        """Run a worker's result `update` unless the pane was torn down meanwhile (app exit)."""
        if self.query("#plugin-list"):
            update(*args)

    # -- workers --------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="plugin-pane-client")
    def _load_client(self, client: str) -> None:
        """Fetch the client's attached tools, then fill the list on the UI thread."""
        try:
            views = self._need_inspector().attached(client)
        except Exception as exc:  # noqa: BLE001 - shown to the user, never crashes the app
            self.app.call_from_thread(self.notify, str(exc), title="Plugins", severity="error")
            views = []
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._if_alive, self._set_tools, client, views)

    @work(thread=True, exclusive=True, group="plugin-pane-details")
    def _load_details(self, name: str, client: str) -> None:
        """Fetch an item's manifest, schema, usage and default arguments, then show them."""
        inspector = self._need_inspector()
        try:
            manifest = inspector.manifest_yaml(name, client)
            schema = inspector.tool_schema(name, client)
            usage = inspector.usage(name)
            arguments = inspector.default_arguments(name, client)
        except Exception as exc:  # noqa: BLE001 - e.g. a plugin whose connection was deleted
            if not get_current_worker().is_cancelled:
                self.app.call_from_thread(self._if_alive, self._show_error, "#plugin-manifest", str(exc))
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(
                self._if_alive, self._set_details, name, manifest, schema, usage, arguments
            )

    @work(thread=True, exclusive=True, group="plugin-pane-selections")
    def _load_selections(self, session_key: str) -> None:
        """Read the session's last selections, then show them as (plugin, matched term or "always")."""
        try:
            records = self._need_inspector().last_selections(session_key)
        except Exception as exc:  # noqa: BLE001 - shown to the user, never crashes the app
            self.app.call_from_thread(self.notify, str(exc), title="Plugins", severity="error")
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(
                self._if_alive, self.show_selections, [(r.plugin, r.term) for r in records]
            )

    @work(thread=True, exclusive=True, group="plugin-pane-attach")
    def _attach_choices(self, client: str) -> None:
        """Offer the stored plugins not attached to `client` yet."""
        from smarter_tui.ui.screens.choice_modal import ChoiceModal

        attached = {view.name for view in self.tools}
        choices = [name for name in self.authoring.names("plugin") if name not in attached]
        if not choices:
            self.app.call_from_thread(self.notify, "Every stored plugin is attached already.")
            return

        def chosen(plugin: str | None) -> None:
            if plugin:
                self._set_attached(client, plugin, True)

        modal = ChoiceModal(
            f"Attach a plugin to {client}",
            "The client's manifest is edited in place (comments kept) and saved.",
            choices,
        )
        self.app.call_from_thread(self.app.push_screen, modal, chosen)

    @work(thread=True, group="plugin-pane-attach")
    def _set_attached(self, client: str, plugin: str, attached: bool) -> None:
        """Attach or detach, then tell the app the catalogue changed (it reloads this pane)."""
        from smarter_tui.ui.messages import CatalogueChanged

        try:
            self.authoring.set_attached(client, plugin, attached)
        except Exception as exc:  # noqa: BLE001 - shown to the user, never crashes the app
            self.app.call_from_thread(self.notify, str(exc), title="Plugins", severity="error")
            return
        verb = "Attached" if attached else "Detached"
        self.app.call_from_thread(self.notify, f"{verb} {plugin} ({client} saved).")
        self.app.call_from_thread(self.app.post_message, CatalogueChanged([("LLMClient", client)]))
        self.app.call_from_thread(self.reload)

    @work(thread=True, exclusive=True, group="plugin-pane-try")
    def _try(self, name: str, client: str, arguments: dict[str, Any]) -> None:
        """Run the tool for real (its own event loop: tools may block on sqlite or the network)."""
        from smarter_tui.services.inspector import TryResult

        try:
            result = asyncio.run(self._need_inspector().try_it(name, client, arguments))
        except Exception as exc:  # noqa: BLE001 - an unknown name or client: still a readable result
            result = TryResult(arguments, None, str(exc), 0.0)
        self.post_message(self.TryFinished(name, result))
