"""Cutting a pane's safe lines into rows of a given width (done once per text and width).

Plain slicing for ASCII, cell-aware chopping for the rest. Pure functions over strings, so the
review screen can wrap the next case on a worker thread while the reviewer reads this one.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from rich.cells import cell_len, chop_cells

from labeler.review.case_display import LineKind, PaneLine


class Row(NamedTuple):
    """One screen row of a pane: its text, the kind of line it comes from, and its width."""

    text: str
    kind: LineKind
    cells: int


_NOT_ONE_CELL = re.compile("[^\x20-\x7e\xa0-\xac\xae-\u024f\u2010-\u2027\u2030-\u205e]")
"""Any character outside the ranges where every character is one cell wide and stands alone
(printable ASCII, Latin-1 and Latin Extended letters, general punctuation; no combining mark,
format character or wide character). A line without one can be cut by slicing."""


TAB_SIZE = 4


def wrap_line(text: str, width: int) -> list[str]:
    """Cut one line into rows of at most ``width`` cells, preferring to break after a space.

    ``text`` is a line made safe by :func:`labeler.text.display.make_safe`: no control
    characters but TAB, which the caller expands (a TAB sent to a terminal would jump over
    cells and leave what was there before)."""
    if width <= 0:
        return [text]
    if text.isascii() or not _NOT_ONE_CELL.search(text):
        if len(text) <= width:
            return [text]
        rows: list[str] = []
        start = 0
        end_all = len(text)
        while end_all - start > width:
            end = start + width
            space = text.rfind(" ", start + 1, end + 1)
            if space > start + width // 3:
                # Break after the space; a space just past the row's end is dropped instead.
                rows.append(text[start : min(space + 1, end)])
                start = space + 1
            else:
                rows.append(text[start:end])
                start = end
        rows.append(text[start:])
        return rows
    if cell_len(text) <= width:
        return [text]
    return chop_cells(text, width)


def wrap_rows(lines: list[PaneLine], width: int) -> list[Row]:
    """All rows of ``lines`` at ``width`` cells, each with its cell width."""
    rows: list[Row] = []
    append = rows.append
    for line in lines:
        kind = line.kind
        text = line.text
        if "\t" in text:
            text = text.expandtabs(TAB_SIZE)
        for part in wrap_line(text, width):
            append(Row(part, kind, len(part) if part.isascii() else cell_len(part)))
    return rows


def row_of_line(lines: list[PaneLine], index: int, width: int) -> int:
    """The first row of line ``index`` once ``lines`` are wrapped at ``width`` cells."""
    if index <= 0:
        return 0
    count = 0
    for line in lines[:index]:
        text = line.text.expandtabs(TAB_SIZE) if "\t" in line.text else line.text
        count += len(wrap_line(text, width))
    return count
