"""The bucket bar: every bucket of the taxonomy with its shortcut key, always visible."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.widgets import Static

from labeler.display_text import safe_inline
from labeler.taxonomy import Bucket


def bar_text(buckets: list[Bucket], current: str | None) -> Text:
    """The bar as styled text; the current label is highlighted."""
    text = Text(overflow="fold")
    for i, b in enumerate(buckets):
        if i:
            text.append("  ")
        chosen = b.key == current
        text.append(
            f" {safe_inline(b.shortcut, 1)} ",
            style="bold reverse" if not chosen else "bold black on green",
        )
        text.append(" " + safe_inline(b.name, 40), style="bold green" if chosen else "")
    return text


class BucketBar(Static):
    """Shows the taxonomy's buckets and their keys."""

    DEFAULT_CSS: ClassVar[str] = """
    BucketBar {
        height: auto;
        max-height: 4;
        background: $panel;
        padding: 0 1;
    }
    """

    def __init__(self, buckets: list[Bucket], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._buckets = buckets
        self._current: str | None = None

    def on_mount(self) -> None:
        """Draw the bar."""
        self.update(bar_text(self._buckets, self._current))

    def highlight(self, key: str | None) -> None:
        """Highlight the bucket ``key`` (the reviewer's own label), or none."""
        if key != self._current:
            self._current = key
            self.update(bar_text(self._buckets, key))
