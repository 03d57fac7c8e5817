"""Cutting a pane's safe lines into rows of a given width (done once per text and width).

Plain slicing for ASCII, cell-aware chopping for the rest. Pure functions over strings, so the
review screen can wrap the next case on a worker thread while the reviewer reads this one.
"""

from __future__ import annotations

from typing import NamedTuple

from rich.cells import cell_len, chop_cells

from labeler.case_display import LineKind, PaneLine


class Row(NamedTuple):
    """One screen row of a pane: its text, the kind of line it comes from, and its width."""

    text: str
    kind: LineKind
    cells: int


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


def wrap_rows(lines: list[PaneLine], width: int) -> list[Row]:
    """All rows of ``lines`` at ``width`` cells, each with its cell width."""
    rows: list[Row] = []
    append = rows.append
    for line in lines:
        kind = line.kind
        for part in wrap_line(line.text, width):
            append(Row(part, kind, len(part) if part.isascii() else cell_len(part)))
    return rows
