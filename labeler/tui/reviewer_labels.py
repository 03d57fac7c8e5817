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
from textual.css.scalar import Scalar
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from labeler.resolve.disagreements import ReviewerLabel, reviewer_letter
from labeler.resolve.resolutions import Resolution
from labeler.text.display import make_safe, safe_inline

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


class ReviewerLabels(ScrollView, can_focus=False):
    """Shows the labels under dispute and the resolution so far. Not focusable: the screen
    scrolls it when ``tab`` chose it, so the arrow keys always move between cases.

    The content is drawn once per case into lines at the panel's width; the panel's height
    follows the number of lines (up to its CSS max-height), so that moving to a case whose
    labels take as many lines as the last one's changes no layout (a layout pass of the whole
    screen costs more than a frame on a loaded machine).
    """

    ALLOW_MAXIMIZE = True
    DEFAULT_CSS: ClassVar[str] = """
    ReviewerLabels {
        height: auto;
        max-height: 8;
        border: round $warning;
        border-subtitle-color: $text-muted;
        padding: 0 1;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
        scrollbar-gutter: stable;
    }
    ReviewerLabels.-active { border: round $accent; }
    ReviewerLabels.-maximized { max-height: 100%; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "Labels"
        self.shown: RenderableType = Text("")
        """What the panel shows (drawn into lines at its width)."""
        self._shown: tuple[list[ReviewerLabel], dict[str, str], Resolution | None, str | None] = (
            [],
            {},
            None,
            None,
        )
        self._lines: list[Strip] = []
        self._drawn_width = -1
        self.full = False
        """True while zoomed: every note in full."""

    def show(
        self,
        labels: list[ReviewerLabel],
        names: dict[str, str],
        resolution: Resolution | None,
        draft: str | None = None,
    ) -> None:
        """Redraw for a case (``draft``: a reason typed but not saved yet)."""
        self._shown = (labels, names, resolution, draft)
        self._redraw()

    def set_full(self, full: bool) -> None:
        """Show every note in full (zoomed) or cut to one line each."""
        if full != self.full:
            self.full = full
            self._redraw()

    def _redraw(self) -> None:
        self.shown = self._content()
        self._drawn_width = -1
        self._draw(self.scrollable_content_region.width)
        self.scroll_to(0, 0, animate=False, immediate=True, force=True)

    def _draw(self, width: int) -> None:
        if width == self._drawn_width:
            return
        self._drawn_width = width
        if width <= 0:
            self._lines = []
        else:
            console = self.app.console
            options = console.options.update(width=width, height=None)
            rendered = console.render_lines(self.shown, options, pad=True, new_lines=False)
            self._lines = [Strip(line, width) for line in rendered]
        self.set_reactive(ScrollView.virtual_size, Size(width, len(self._lines)))
        height: int | str = "1fr" if self.full else len(self._lines) + 2  # + the border
        if self.styles.height != Scalar.parse(str(height)):
            self.styles.height = height  # a layout pass only when the height changes
        self.refresh()

    def on_resize(self) -> None:
        """Draw again at the new width."""
        self._draw(self.scrollable_content_region.width)

    def render_line(self, y: int) -> Strip:
        """One row of the drawn content, scrolled."""
        index = y + self.scroll_offset.y
        width = self.scrollable_content_region.width
        style = self.rich_style
        if 0 <= index < len(self._lines):
            return self._lines[index].apply_style(style)
        return Strip.blank(width, style)

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
