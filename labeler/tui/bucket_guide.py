"""The bucket guide: each bucket's key, name and guideline, in a side panel beside the case.

Toggled by a key on the review screen, so the guideline can be read without covering the case
(the help screen covers it). Every string is plain text, never markup.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from labeler.buckets import BucketInfo
from labeler.text.display import safe_inline


def guide_text(buckets: list[BucketInfo]) -> Text:
    """One entry per bucket: the key, the name, then its guideline (or that it has none)."""
    text = Text()
    for i, b in enumerate(buckets):
        if i:
            text.append("\n")
        text.append(f" {safe_inline(b.shortcut, 1)} ", style="bold reverse")
        text.append(f" {safe_inline(b.name, 60)}", style="bold")
        if b.must_pass:
            text.append("  must-pass", style="bold red")
        text.append("\n")
        if b.description:
            text.append(safe_inline(b.description, 2000) + "\n")
        else:
            text.append("(no guideline)\n", style="dim")
    return text


class BucketGuide(VerticalScroll, can_focus=False):
    """The side panel of bucket guidelines (hidden until toggled)."""

    DEFAULT_CSS: ClassVar[str] = """
    BucketGuide {
        dock: right;
        width: 40%;
        max-width: 60;
        min-width: 28;
        border: round $accent;
        background: $surface;
        padding: 0 1;
        display: none;
    }
    BucketGuide.-shown { display: block; }
    """

    def __init__(self, buckets: list[BucketInfo], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._buckets = buckets
        self.border_title = "Buckets — d hides"

    def compose(self) -> ComposeResult:
        yield Static(guide_text(self._buckets))

    def toggle(self) -> bool:
        """Show or hide the guide; True when it is now shown."""
        self.toggle_class("-shown")
        return self.has_class("-shown")
