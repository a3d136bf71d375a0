"""This chat's own settings: provider, model (from the provider's list), temperature, system prompt."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Select, Static, TextArea

from smarter_tui.domain.errors import SmarterError
from smarter_tui.domain.records import ChatSettings

if TYPE_CHECKING:
    from smarter_tui.services import Services
    from smarter_tui.services.chat_settings import EffectiveChat


class ChatSettingsModal(ModalScreen[str | None]):
    """Edits one chat's settings; dismisses with the chat's session key once saved, None if not.

    The manifest is never changed: the settings are stored with the session and used from its
    next turn. Listing models and saving run in workers through the services.
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        services: Services,
        client: str,
        session_key: str | None,
        current: EffectiveChat,
        providers: list[str],
    ) -> None:
        """Edit the chat of `client` (`session_key` None: a chat with no prompt yet)."""
        super().__init__(classes="modal")
        self.services = services
        self.client = client
        self.session_key = session_key
        self.current = current
        self.providers = providers
        self.models: list[str] = []

    def compose(self) -> ComposeResult:
        current = self.current
        # Scrolls: at 80x24 the whole form does not fit.
        with VerticalScroll(classes="dialog chat-settings-dialog"):
            yield Label(Content.from_markup("[b]Settings of this chat[/]"))
            yield Static(
                "Used from the next turn and kept with the session; the client's manifest does not "
                "change. Leave a field as it is to keep the client's value.",
                classes="hint",
            )
            providers = self.services.chat_settings.providers()
            yield Label("Provider")
            yield Select(
                [(p, p) for p in providers], value=current.provider, allow_blank=False, id="provider"
            )
            yield Label("Model (Enter on a listed one picks it)")
            yield Input(current.model, id="model", compact=True)
            yield OptionList(id="models")
            yield Label("Temperature (0 to 2; empty: the client's)")
            temperature = "" if current.temperature is None else f"{current.temperature:g}"
            yield Input(temperature, placeholder="client default", id="temperature", compact=True)
            yield Label("System prompt")
            yield TextArea(current.system_prompt, id="system-prompt", soft_wrap=True)
            yield Static("", id="settings-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Client's settings", id="reset")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self._list_models(self.current.provider)
        self.query_one("#model", Input).focus()

    @on(Select.Changed, "#provider")
    def _provider_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self._list_models(event.value)

    @work(exclusive=True, group="models")
    async def _list_models(self, provider: str) -> None:
        """Ask the provider for its models (on the app's loop, where turns and provider clients live)."""
        self._show_models([], "asking the provider for its models…")
        try:
            names = await self.services.chat_settings.models(provider)
        except SmarterError as exc:
            self._show_models([], f"no model list: {exc.message}")
            return
        self._show_models(names, "" if names else "the provider lists no models")

    def _show_models(self, names: list[str], note: str) -> None:
        options = self.query_one("#models", OptionList)
        options.clear_options()
        options.add_options(names or [Content(note)])
        options.disabled = not names
        self.models = names

    @on(OptionList.OptionSelected, "#models")
    def _model_picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.models:
            self.query_one("#model", Input).value = self.models[event.option_index]

    def _form(self) -> ChatSettings | None:
        """Return the settings the form holds, or None (with the reason shown) when invalid."""
        text = self.query_one("#temperature", Input).value.strip()
        try:
            temperature = float(text) if text else None
        except ValueError:
            self.query_one("#settings-error", Static).update(
                f"The temperature must be a number, not {text!r}."
            )
            return None
        provider = self.query_one("#provider", Select).value
        return ChatSettings(
            provider=provider if isinstance(provider, str) else None,
            model=self.query_one("#model", Input).value,
            temperature=temperature,
            system_prompt=self.query_one("#system-prompt", TextArea).text,
        )

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        """Validate and store the settings."""
        settings = self._form()
        if settings is not None:
            self._save(settings)

    @on(Button.Pressed, "#reset")
    def _reset(self) -> None:
        self._save(ChatSettings())

    @work(thread=True, exclusive=True, group="save")
    def _save(self, settings: ChatSettings) -> None:
        try:
            key = self.services.chat_settings.save(self.client, self.session_key, settings)
        except SmarterError as exc:
            self.app.call_from_thread(self.query_one("#settings-error", Static).update, exc.message)
            return
        self.app.call_from_thread(self.dismiss, key)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Close without saving."""
        self.dismiss(None)
