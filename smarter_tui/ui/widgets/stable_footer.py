"""A Footer that is rebuilt only when the keys it shows change."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class StableFooter(Footer):
    """Textual's Footer, without the rebuilds that change nothing.

    Textual's Footer removes and mounts all its keys again (then lays its screen out again, a
    frame later) each time its screen publishes its bindings: on every focus change, and when
    the screen is covered or uncovered by another one, even when the keys shown stay the same.
    Opening the manifest editor rebuilt its own Footer and the covered main screen's: with the
    Footer mounted after the first paint, 9 layout passes until the editor was idle, now 4
    (benchmarks/manifest_editor.py). This one compares what it would show with what it shows
    and is only rebuilt when they differ.

    Like Textual's, it is empty until its screen first publishes its bindings, then composed a
    frame later (and laid out in 3 more passes: keys, footer, screen). `keys_now=True` composes
    the keys with the footer, in its screen's first frame: for a screen whose keys do not depend
    on its focus or its size (Textual orders them by the focus chain, which is not set yet).
    """

    def __init__(self, *children: Any, keys_now: bool = False, **kwargs: Any) -> None:
        super().__init__(*children, **kwargs)
        self._shown: tuple[object, ...] | None = None
        if keys_now:
            self.set_reactive(Footer._bindings_ready, True)

    def _showing(self) -> tuple[object, ...]:
        """Return everything the keys are composed from (what `compose` reads)."""
        app = self.app
        active = self.screen.active_bindings
        keys = tuple(
            (binding, app.get_key_display(binding), enabled, tooltip)
            for _node, binding, enabled, tooltip in active.values()
            if binding.show
        )
        palette: tuple[object, ...] | None = None
        if (found := active.get(app.COMMAND_PALETTE_BINDING)) is not None:
            palette = (found.binding, app.get_key_display(found.binding), found.enabled, found.tooltip)
        return (self.show_command_palette, app.ENABLE_COMMAND_PALETTE, palette, keys)

    def compose(self) -> ComposeResult:
        """The keys, as Textual composes them; what they are made from is kept to compare.

        Each key starts in its final style: a FooterKey starts compact (without the class that
        says so) and is then bound to the footer's style, two restyles of every key of a
        non-compact footer when it is mounted (half the CSS work of opening the editor).
        """
        self._shown = self._showing() if self._bindings_ready else None
        compact = self.compact
        for widget in super().compose():
            # The keys whose style Textual binds to the footer's (not the command palette's).
            if isinstance(widget, FooterKey) and "compact" in (widget._reactive_connect or {}):
                widget.set_reactive(FooterKey.compact, compact)
                widget.set_class(compact, "-compact", update=False)
            yield widget

    def bindings_changed(self, screen: Screen[Any]) -> None:
        """Rebuild the keys after the next frame if the screen's bindings changed what they show.

        Textual's `Footer.bindings_changed`, with the comparison: several publications before
        that frame are one check, and a rebuild only when the keys differ.
        """
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self._recompose_if_changed)

    async def recompose(self) -> None:
        """Rebuild the keys, and let the replaced ones go.

        Each FooterKey binds `compact` to the footer (`data_bind`): a watcher kept in the
        footer's list, which Textual prunes only when `compact` changes (never, here). So every
        rebuild (each answer starting and ending changes the keys: "Cancel answer") kept its ~10
        keys alive for good, ~1 MB per answer in a long chat (benchmarks/tui_long_chat.py).
        """
        await super().recompose()
        watchers = getattr(self, "__watchers", {}).get("compact")
        if watchers:  # the same test Textual applies when `compact` changes
            watchers[:] = [(node, callback) for node, callback in watchers if not node._closing]

    async def _recompose_if_changed(self) -> None:
        if not self.is_attached:  # its screen closed after the publication
            return
        if self._shown is None or self._showing() != self._shown:
            await self.recompose()
