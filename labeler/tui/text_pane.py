"""A scrollable pane of safe text that draws its own frame and only the rows on screen.

Moving to the next case redraws all three panes, so this is the hottest path of the review
screen. Textual's usual path (the styles cache adding border, padding and a scroll bar widget
line by line, then the compositor cutting the pane around the scroll bar) cost about 20 ms per
case at 200x50 on our 2-core machine. Here ``render_lines`` builds each row as one strip of a
few segments, border, title and scroll bar included, with styles looked up once per style
change: about 1 ms for the three panes. ``benchmarks/RESULTS.md`` has the measurements.

The pane's CSS padding reserves the cells of that frame, so Textual's own geometry (content
region, scroll limits, page size) stays right. Text is never parsed as markup: each row is one
plain segment, so it carries no link or action.
"""

from __future__ import annotations

from typing import ClassVar, NamedTuple

from rich.segment import Segment
from rich.style import Style
from textual.filter import ANSIToTruecolor
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from labeler.review.case_display import LineKind, PaneContent, PaneLine
from labeler.tui.pane_rows import Row, row_of_line, wrap_rows

FRAME_LEFT = 2
"""Cells left of the text: the border and a space."""
FRAME_RIGHT = 3
"""Cells right of the text: a space, the scroll bar and the border."""

KIND_COMPONENTS: dict[LineKind, str] = {
    "text": "text-pane--text",
    "role": "text-pane--role",
    "title": "text-pane--heading",
    "note": "text-pane--note",
    "empty": "text-pane--text",
    "expected-title": "text-pane--expected-title",
    "expected": "text-pane--expected",
}


class PaneStyles(NamedTuple):
    """The Rich styles of one pane's parts, looked up from CSS once per style change."""

    base: Style
    border: Style
    title: Style
    track: Style
    thumb: Style
    more: Style
    kinds: dict[LineKind, Style]


class TextPane(ScrollView, can_focus=False):
    """Shows a :class:`PaneContent`. Not focusable: the screen scrolls the chosen pane, so the
    arrow keys always move between cases. The class ``-active`` marks the chosen pane."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "text-pane--border",
        "text-pane--title",
        "text-pane--scrollbar",
        "text-pane--scrollbar-thumb",
        "text-pane--more",
        *KIND_COMPONENTS.values(),
    }

    DEFAULT_CSS: ClassVar[str] = """
    TextPane {
        /* render_lines draws a rounded border, the title and a scroll bar in these cells. */
        padding: 1 3 1 2;
        overflow: hidden hidden;
        scrollbar-size: 0 0;
    }
    TextPane > .text-pane--border { color: $panel-lighten-2; }
    TextPane.-active > .text-pane--border { color: $accent; }
    TextPane > .text-pane--title { color: $foreground-muted; text-style: bold; }
    TextPane.-active > .text-pane--title { color: $accent; text-style: bold; }
    TextPane > .text-pane--scrollbar { background: $scrollbar-background; }
    TextPane > .text-pane--scrollbar-thumb { background: $scrollbar; }
    TextPane > .text-pane--text { }
    TextPane > .text-pane--role { color: $text-secondary; text-style: bold; }
    TextPane > .text-pane--heading { color: $text-warning; text-style: bold; }
    TextPane > .text-pane--note { text-style: italic dim; }
    TextPane > .text-pane--expected-title { color: $text-success; text-style: bold; }
    TextPane > .text-pane--expected { color: $text-success; }
    TextPane > .text-pane--more { color: $text-warning; text-style: bold; }
    """

    def __init__(self, title: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = title
        self._lines: list[PaneLine] = []
        self._start_line = 0
        self._rows: list[Row] = []
        self._wrapped_width = -1
        self._styles: PaneStyles | None = None

    # -- content --------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        """Rows after wrapping at the current width."""
        return len(self._rows)

    @property
    def text_width(self) -> int:
        """Cells available for text on one row (0 before the first layout: no wrapping)."""
        return self.scrollable_content_region.width

    def set_content(self, content: PaneContent, rows: list[Row] | None = None) -> None:
        """Show new content from its top. ``rows`` may hold the lines already wrapped at
        :attr:`text_width` (prepared on a worker); otherwise they are wrapped here."""
        self._lines = content.lines
        self._start_line = content.start_line
        if rows is not None:
            self._set_rows(rows, self.text_width)
        else:
            self._wrapped_width = -1
            self._rewrap(self.text_width)
        self.scroll_to(0, self.start_row(), animate=False, immediate=True, force=True)
        self.refresh()

    def start_row(self) -> int:
        """The row the content opens at (a chat's last user message), 0 for most texts."""
        if self._start_line <= 0:
            return 0
        return row_of_line(self._lines, self._start_line, self._wrapped_width)

    def plain_text(self) -> str:
        """All rows joined (used by tests and benchmarks)."""
        return "\n".join(row.text for row in self._rows)

    def _rewrap(self, width: int) -> None:
        if width != self._wrapped_width:
            self._set_rows(wrap_rows(self._lines, width), width)

    def _set_rows(self, rows: list[Row], width: int) -> None:
        self._rows = rows
        self._wrapped_width = width
        # A new text changes only what the pane scrolls over, never the layout of the screen:
        # set the virtual size without the layout pass that assigning the reactive would cause.
        self.set_reactive(TextPane.virtual_size, Size(width, len(rows)))
        self.refresh()

    def on_resize(self) -> None:
        """Wrap again for the new width."""
        self._rewrap(self.text_width)

    # -- scrolling --------------------------------------------------------------------------

    @property
    def allow_vertical_scroll(self) -> bool:
        """The pane scrolls whenever its text is taller than it (it has no Textual scroll bar)."""
        return self.max_scroll_y > 0

    def scroll_page(self, pages: int) -> None:
        """Scroll by whole pages of text (negative: up)."""
        height = self.scrollable_content_region.height
        self.scroll_to(y=self.scroll_y + pages * height, animate=False, force=True)

    def scroll_to_edge(self, end: bool) -> None:
        """Scroll to the last row (``end``) or the first."""
        self.scroll_to(y=self.max_scroll_y if end else 0, animate=False, force=True)

    # -- drawing ----------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        """Forget the looked-up styles when the CSS, the theme or the classes change."""
        self._styles = None
        super().notify_style_update()

    def _pane_styles(self) -> PaneStyles:
        if self._styles is None:
            component = self.get_component_rich_style
            self._styles = PaneStyles(
                base=self.rich_style,
                border=component("text-pane--border"),
                title=component("text-pane--title"),
                track=component("text-pane--scrollbar"),
                thumb=component("text-pane--scrollbar-thumb"),
                more=component("text-pane--more"),
                kinds={kind: component(name) for kind, name in KIND_COMPONENTS.items()},
            )
        return self._styles

    def _edge(self, top: bool, width: int, styles: PaneStyles, more: int) -> Strip:
        """The top border (the title, and how many rows are above) or the bottom border (how
        many rows are below): words, so they show without colour too."""
        if width < 2:
            return Strip.blank(width, styles.border)
        inner = width - 2
        left, right = ("╭", "╮") if top else ("╰", "╯")
        title = f" {self.border_title or ''} " if top and inner >= 5 else ""
        title = title[: max(inner - 1, 0)]
        word = "line" if more == 1 else "lines"
        note = (
            (f" ▲ {more:,} {word} above " if top else f" ▼ {more:,} more {word} ") if more else ""
        )
        if len(title) + len(note) + 2 > inner:
            note = ""
        rest = inner - (1 + len(title) if title else 0) - (len(note) + 1 if note else 0)
        segments = [Segment(left + "─" if title else left, styles.border)]
        if title:
            segments.append(Segment(title, styles.title))
        segments.append(Segment("─" * rest, styles.border))
        if note:
            segments.append(Segment(note, styles.more))
            segments.append(Segment("─", styles.border))
        segments.append(Segment(right, styles.border))
        return Strip(segments, width)

    def _thumb(self, track_height: int) -> range:
        """The rows of the scroll bar's thumb (empty when everything fits)."""
        total = len(self._rows)
        if total <= track_height or track_height <= 0:
            return range(0)
        size = max(1, round(track_height * track_height / total))
        top = round((track_height - size) * self.scroll_offset.y / max(self.max_scroll_y, 1))
        return range(top, top + size)

    def render_lines(self, crop: Region) -> list[Strip]:
        """Draw the rows in ``crop``: border, title, visible text and scroll bar."""
        width, height = self.outer_size
        styles = self._pane_styles()
        text_width = width - FRAME_LEFT - FRAME_RIGHT
        if width < FRAME_LEFT + FRAME_RIGHT + 1:
            return [Strip.blank(crop.width, styles.base)] * crop.height
        if text_width != self._wrapped_width:
            self._rewrap(text_width)
        rows = self._rows
        first = self.scroll_offset.y
        thumb = self._thumb(height - 2)
        base = styles.base
        kinds = styles.kinds
        border = Segment("│", styles.border)
        space = Segment(" ", base)
        track = Segment(" ", styles.track)
        thumb_cell = Segment(" ", styles.thumb)
        # The pane's colours come from the theme (true colour), so ANSIToTruecolor would find
        # nothing to convert; the other filters (NO_COLOR's greys, dimming) still apply.
        filters = [f for f in self.app.get_line_filters() if not isinstance(f, ANSIToTruecolor)]
        whole = crop.x == 0 and crop.width == width
        strips: list[Strip] = []
        for y in crop.line_range:
            if y == 0:
                strip = self._edge(True, width, styles, first)
            elif y == height - 1:
                below = max(len(rows) - first - (height - 2), 0)
                strip = self._edge(False, width, styles, below)
            else:
                index = first + y - 1
                bar = thumb_cell if (y - 1) in thumb else track
                if index < len(rows):
                    text, kind, cells = rows[index]
                    pad = Segment(" " * (text_width - cells + 1), base)
                    strip = Strip(
                        [border, space, Segment(text, kinds[kind]), pad, bar, border],
                        width,
                    )
                else:
                    pad = Segment(" " * (text_width + 1), base)
                    strip = Strip([border, space, pad, bar, border], width)
            strips.append(strip if whole else strip.crop(crop.x, crop.right))
        if filters:
            background = self.background_colors[1]
            for line_filter in filters:
                strips = [strip.apply_filter(line_filter, background) for strip in strips]
        return strips
