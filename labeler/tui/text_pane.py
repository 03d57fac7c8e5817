"""A scrollable pane of safe text that draws only the lines on screen.

Wrapping is done once per text and width (plain slicing for ASCII, cell-aware for the rest) and
each visible row is a single segment, so moving to the next case costs a few hundred
microseconds of Python whatever the size of the text. Text is never parsed as markup.
"""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len, chop_cells
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from labeler.case_display import LineKind, PaneContent, PaneLine

KIND_STYLES: dict[LineKind, Style] = {
    "text": Style(),
    "role": Style(bold=True, color="cyan"),
    "title": Style(bold=True, color="yellow"),
    "note": Style(italic=True, dim=True),
    "empty": Style(),
}


def wrap_line(text: str, width: int) -> list[str]:
    """Cut one line into rows of at most ``width`` cells, preferring to break after a space."""
    if width <= 0:
        return [text]
    if text.isascii():
        if len(text) <= width:
            return [text]
        rows: list[str] = []
        start = 0
        end_all = len(text)
        while end_all - start > width:
            end = start + width
            space = text.rfind(" ", start + 1, end + 1)
            cut = space + 1 if space > start + width // 3 else end
            rows.append(text[start:cut])
            start = cut
        rows.append(text[start:])
        return rows
    if cell_len(text) <= width:
        return [text]
    return chop_cells(text, width)


class TextPane(ScrollView, can_focus=False):
    """Shows a :class:`PaneContent`. Not focusable: the screen scrolls the chosen pane, so the
    arrow keys always move between cases."""

    DEFAULT_CSS: ClassVar[str] = """
    TextPane {
        border: round $panel;
        padding: 0 1;
        scrollbar-size-vertical: 1;
        overflow-x: hidden;
        overflow-y: scroll;
    }
    TextPane:focus {
        border: round $accent;
    }
    """

    def __init__(self, title: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = title
        self._lines: list[PaneLine] = []
        self._rows: list[tuple[str, LineKind]] = []
        self._wrapped_width = -1
        self._base_style: Style | None = None

    @property
    def row_count(self) -> int:
        """Rows after wrapping at the current width."""
        return len(self._rows)

    def set_content(self, content: PaneContent) -> None:
        """Show new content from its top."""
        self._lines = content.lines
        self._wrapped_width = -1
        self._rewrap(self.scrollable_content_region.width)
        self.scroll_to(0, 0, animate=False, immediate=True)
        self.refresh()

    def plain_text(self) -> str:
        """All rows joined (used by tests and benchmarks)."""
        return "\n".join(text for text, _ in self._rows)

    def _rewrap(self, width: int) -> None:
        if width == self._wrapped_width:
            return
        rows: list[tuple[str, LineKind]] = []
        for line in self._lines:
            for part in wrap_line(line.text, width):
                rows.append((part, line.kind))
        self._rows = rows
        self._wrapped_width = width
        # A new text changes only what the pane scrolls over, never the layout of the screen:
        # set the virtual size without the layout pass that assigning the reactive would cause.
        self.set_reactive(TextPane.virtual_size, Size(max(width, 1), len(rows)))
        self._refresh_scrollbars()
        self.refresh()

    def on_resize(self) -> None:
        """Wrap again for the new width."""
        self._rewrap(self.scrollable_content_region.width)

    def render_lines(self, crop: Region) -> list[Strip]:
        """Draw the visible rows, computing the pane's style once for all of them."""
        self._base_style = self.rich_style
        try:
            return super().render_lines(crop)
        finally:
            self._base_style = None

    def render_line(self, y: int) -> Strip:
        """Draw one visible row."""
        width = self.scrollable_content_region.width
        if width != self._wrapped_width:
            self._rewrap(width)
        index = self.scroll_offset.y + y
        base = self._base_style or self.rich_style
        if index >= len(self._rows):
            return Strip.blank(width, base)
        text, kind = self._rows[index]
        style = base + KIND_STYLES[kind]
        return Strip([Segment(text, style)]).extend_cell_length(width, base)
