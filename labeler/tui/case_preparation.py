"""Everything the panes need to show a case, made ready on the prefetch thread.

``prepare_case`` runs on :class:`labeler.review.prefetch.Prefetcher`'s thread: it loads the
case, makes
its texts safe and wraps them at the panes' widths. It touches no widget.
"""

from __future__ import annotations

from dataclasses import dataclass

from labeler.cases import Case, load_case
from labeler.review.case_display import CaseDisplay, case_display
from labeler.store.connection import Store
from labeler.tui.pane_rows import Row, wrap_rows

PaneWidths = tuple[int, int, int]
"""Text widths of the input, context and output panes."""


@dataclass(frozen=True)
class PreparedCase:
    """A loaded case, its safe display and its rows wrapped for each pane."""

    case: Case
    display: CaseDisplay
    widths: PaneWidths
    rows: tuple[list[Row], list[Row], list[Row]]
    """The rows of each pane, wrapped at ``widths``."""


def prepare_case(store: Store, seq: int, widths: PaneWidths) -> PreparedCase | None:
    """Load case ``seq`` and wrap it at ``widths`` (None if there is no such case)."""
    case = load_case(store, seq)
    if case is None:
        return None
    display = case_display(case)
    panes = (display.input, display.context, display.output)
    rows = tuple(wrap_rows(pane.lines, width) for pane, width in zip(panes, widths, strict=True))
    return PreparedCase(case, display, widths, (rows[0], rows[1], rows[2]))
