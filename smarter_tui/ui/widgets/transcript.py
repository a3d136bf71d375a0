"""The scrolling message list: follows the end of the conversation while the user is there."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.geometry import Size


class Transcript(VerticalScroll):
    """A VerticalScroll anchored to its end (Textual's `anchor`), but top-aligned while it fits.

    Anchored, the compositor keeps the view at the end whenever content grows or re-lays out
    (streamed Markdown blocks, tool cards opening, resizes) until the user scrolls up; scrolling
    back to the end follows again. Textual's anchor also pins short content to the bottom edge,
    which would leave a new chat's welcome card hanging under empty space, so the anchor only
    takes effect once the content is taller than the view.
    """

    _follow = False

    @property  # type: ignore[override]
    def _anchored(self) -> bool:  # read by Textual's compositor and scroll code
        return self._follow and self.virtual_size.height > self.scrollable_content_region.height

    @_anchored.setter
    def _anchored(self, value: bool) -> None:
        self._follow = value

    @property
    def following(self) -> bool:
        """True while the view follows the end (the user has not scrolled away from it)."""
        return self._follow and not self._anchor_released

    def watch_virtual_size(self, old: Size, new: Size) -> None:
        # The frame in which the content first overflows was arranged top-aligned: catch up.
        if self.following and new.height > old.height:
            self.scroll_end(animate=False)
