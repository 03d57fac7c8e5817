"""The resolve screen's panel: each reviewer's bucket and note, side by side.

At its normal size the panel shows each note on one line, cut at :data:`NOTE_CHARS`, and
scrolls when chosen with ``tab``; zoomed (``z``) it shows every note in full, one reviewer
under the other, line breaks kept.
"""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from labeler.disagreements import ReviewerLabel, reviewer_letter
from labeler.display_text import make_safe, safe_inline
from labeler.resolutions import Resolution

NOTE_CHARS = 400
"""The most of a note the panel shows at its normal size."""
NOTE_MAX_CHARS = 200_000
"""Zoomed, a note is shown in full up to this length (a longer one says where it was cut)."""


def _note_cut(note: str, shown: str) -> bool:
    return shown.endswith("…") and not note.rstrip().endswith("…")


def labels_table(
    labels: list[ReviewerLabel], names: dict[str, str], resolution: Resolution | None
) -> Table:
    """One column per reviewer: key letter, name, bucket, note. Every string is made safe."""
    table = Table.grid(padding=(0, 2), expand=True)
    for _ in labels:
        table.add_column(ratio=1)
    cells = []
    for index, label in enumerate(labels):
        cell = _label_head(index, label, names, resolution)
        if label.note:
            cell.append("\n“" + safe_inline(label.note, NOTE_CHARS) + "”", style="italic")
        cells.append(cell)
    if cells:
        table.add_row(*cells)
    return table


def _label_head(
    index: int, label: ReviewerLabel, names: dict[str, str], resolution: Resolution | None
) -> Text:
    cell = Text()
    cell.append(f" {reviewer_letter(index).lower()} ", style="bold reverse")
    cell.append(f" {safe_inline(label.reviewer, 40)}\n", style="bold")
    bucket_name = names.get(label.bucket, label.bucket)
    chosen = resolution is not None and resolution.bucket == label.bucket
    cell.append(safe_inline(bucket_name, 60), style="bold green" if chosen else "bold cyan")
    return cell


def labels_in_full(
    labels: list[ReviewerLabel], names: dict[str, str], resolution: Resolution | None
) -> Text:
    """Every reviewer under the other, each note in full with its line breaks (made safe)."""
    text = Text()
    for index, label in enumerate(labels):
        if index:
            text.append("\n\n")
        text.append_text(_label_head(index, label, names, resolution))
        if label.note:
            note = make_safe(label.note, max_chars=NOTE_MAX_CHARS, max_line_chars=NOTE_MAX_CHARS)
            text.append("\n" + note.text, style="italic")
        else:
            text.append("\n(no note)", style="dim")
    return text


def resolution_text(
    resolution: Resolution | None, names: dict[str, str], draft: str | None = None
) -> Text:
    """The current resolution in words, and a reason typed but not saved yet."""
    if resolution is None:
        text = Text("not resolved yet", style="dim")
    else:
        text = Text("resolved: ", style="dim")
        if resolution.bucket is None:
            text.append("unclear", style="bold magenta")
        else:
            name = names.get(resolution.bucket, resolution.bucket)
            text.append(safe_inline(name, 60), style="bold green")
        by = safe_inline(resolution.resolver, 40)
        text.append(f"  ({resolution.method} by {by})", style="dim")
        if resolution.reason and draft is None:
            text.append("  reason: " + safe_inline(resolution.reason, 300), style="italic")
    if draft is not None:
        text.append("  reason (saved with the decision): ", style="dim")
        text.append(safe_inline(draft, 300), style="italic")
    return text


class ReviewerLabels(VerticalScroll, can_focus=False):
    """Shows the labels under dispute and the resolution so far. Not focusable: the screen
    scrolls it when ``tab`` chose it, so the arrow keys always move between cases."""

    ALLOW_MAXIMIZE = True
    DEFAULT_CSS: ClassVar[str] = """
    ReviewerLabels {
        height: auto;
        max-height: 8;
        border: round $warning;
        border-subtitle-color: $text-muted;
        padding: 0 1;
        scrollbar-size-vertical: 1;
    }
    ReviewerLabels > Static { height: auto; }
    ReviewerLabels.-active { border: round $accent; }
    ReviewerLabels.-maximized { height: 1fr; max-height: 100%; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "Labels"
        self.body = Static(id="labels-body")
        """What the panel shows (its content is the text drawn)."""
        self._shown: tuple[list[ReviewerLabel], dict[str, str], Resolution | None, str | None] = (
            [],
            {},
            None,
            None,
        )
        self.full = False
        """True while zoomed: every note in full."""

    def compose(self) -> ComposeResult:
        yield self.body

    def show(
        self,
        labels: list[ReviewerLabel],
        names: dict[str, str],
        resolution: Resolution | None,
        draft: str | None = None,
    ) -> None:
        """Redraw for a case (``draft``: a reason typed but not saved yet)."""
        self._shown = (labels, names, resolution, draft)
        self.body.update(self._content())
        self.scroll_home(animate=False)

    def set_full(self, full: bool) -> None:
        """Show every note in full (zoomed) or cut to one line each."""
        if full != self.full:
            self.full = full
            self.body.update(self._content())
            self.scroll_home(animate=False)

    def _content(self) -> RenderableType:
        labels, names, resolution, draft = self._shown
        self.border_subtitle = ""
        if not labels and resolution is None:  # the end of the queue: no case on screen
            return Text("no case on screen", style="dim")
        if self.full:
            self.border_subtitle = "every note in full · z: back"
            return Group(labels_in_full(labels, names, resolution), Text(""),
                         resolution_text(resolution, names, draft))  # fmt: skip
        if any(
            label.note and _note_cut(label.note, safe_inline(label.note, NOTE_CHARS))
            for label in labels
        ):
            self.border_subtitle = "a note is cut · tab here, z: read it in full"
        return Group(
            labels_table(labels, names, resolution), resolution_text(resolution, names, draft)
        )
