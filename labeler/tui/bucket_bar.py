"""The bucket bar: every bucket of the taxonomy with its shortcut key, always visible.

The bar is laid out for its width: it wraps between buckets, never inside a bucket's name.
"""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual.widget import Widget

from labeler.buckets import BucketInfo
from labeler.text.display import safe_inline

CHOSEN = "✓"
"""Marks the chosen bucket's key."""


def bar_text(buckets: list[BucketInfo], current: str | None, width: int = 0) -> Text:
    """The bar as styled text, wrapped at ``width`` cells (0: one line); current highlighted."""
    text = Text(no_wrap=True, overflow="ellipsis")
    used = 0
    for b in buckets:
        chosen = b.key == current
        # The chosen bucket is marked by a glyph in the key's first cell, not only by colour
        # (NO_COLOR), and in the same cells as the unmarked key (the layout never changes).
        key = f"{CHOSEN if chosen else ' '}{safe_inline(b.shortcut, 1)} "
        name = " " + safe_inline(b.name, 40)
        size = cell_len(key) + cell_len(name)
        if used:
            if width and used + 2 + size > width:
                text.append("\n")
                used = 0
            else:
                text.append("  ")
                used += 2
        text.append(key, style="bold black on green" if chosen else "bold reverse")
        text.append(name, style="bold green" if chosen else "")
        used += size
    return text


class BucketBar(Widget):
    """Shows the taxonomy's buckets and their keys."""

    DEFAULT_CSS: ClassVar[str] = """
    BucketBar {
        height: auto;
        max-height: 4;
        background: $panel;
        padding: 0 1;
    }
    """

    def __init__(self, buckets: list[BucketInfo], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._buckets = buckets
        self._current: str | None = None

    def render(self) -> Text:
        """The bar laid out for the current width."""
        return bar_text(self._buckets, self._current, self.content_region.width)

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        """As many rows as the wrapped bar needs."""
        return len(bar_text(self._buckets, self._current, width).plain.split("\n"))

    def highlight(self, key: str | None) -> None:
        """Highlight the bucket ``key`` (the reviewer's own label), or none."""
        if key != self._current:
            self._current = key
            self.refresh()  # same size: highlighting never changes the layout
