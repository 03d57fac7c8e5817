"""SQL for ``labeler progress``: per reviewer, labels, queue left, overlap and disagreements.

Every query takes the ``--slice`` filters (matched with ``json_each``, see
:mod:`labeler.slice_filter`) and counts current cases only.
"""

from __future__ import annotations

from collections.abc import Sequence

from labeler.store.case_filters import SliceFilter, slice_sql
from labeler.store.connection import Store

LABEL_EVENT_KINDS = ("label.create", "label.change")
"""Events that count towards a reviewer's pace (imported labels and undos do not)."""


def reviewer_label_counts(
    store: Store, slices: Sequence[SliceFilter], overlap: int
) -> dict[str, tuple[int, int]]:
    """Reviewer -> (labels on current cases, of them cases with ``overlap`` labels or more)."""
    cond, params = slice_sql(slices)
    rows = store.query(
        "SELECT l.reviewer, count(*), sum(c.label_count >= ?) FROM labels l"
        " JOIN cases c ON c.seq = l.case_seq WHERE c.is_current = 1"
        + cond
        + " GROUP BY l.reviewer ORDER BY l.reviewer",
        [overlap, *params],
    )
    return {str(r[0]): (int(r[1]), int(r[2] or 0)) for r in rows}


def open_cases_for(store: Store, reviewer: str, slices: Sequence[SliceFilter], overlap: int) -> int:
    """Cases still in this reviewer's queue: fewer than ``overlap`` labels, none of theirs."""
    cond, params = slice_sql(slices)
    row = store.query(
        "SELECT count(*) FROM cases c WHERE c.is_current = 1 AND c.label_count < ?"
        " AND NOT EXISTS (SELECT 1 FROM labels l WHERE l.case_seq = c.seq AND l.reviewer = ?)"
        + cond,
        [overlap, reviewer, *params],
    )
    return int(row[0][0])


def reviewer_disagreements(
    store: Store, slices: Sequence[SliceFilter]
) -> dict[str, tuple[int, int]]:
    """Reviewer -> (open, resolved) disagreements among the cases they labeled.

    A disagreement is a current case whose labels name two buckets or more; it is resolved once
    it has a resolution (unclear included).
    """
    cond, params = slice_sql(slices)
    rows = store.query(
        "WITH split AS (SELECT l.case_seq FROM labels l JOIN cases c ON c.seq = l.case_seq"
        " WHERE c.is_current = 1" + cond + " GROUP BY l.case_seq"
        " HAVING count(DISTINCT l.bucket) > 1)"
        " SELECT l.reviewer, sum(r.case_seq IS NULL), sum(r.case_seq IS NOT NULL)"
        " FROM split s JOIN labels l ON l.case_seq = s.case_seq"
        " LEFT JOIN resolutions r ON r.case_seq = s.case_seq GROUP BY l.reviewer",
        params,
    )
    return {str(r[0]): (int(r[1] or 0), int(r[2] or 0)) for r in rows}


def label_times(store: Store, reviewer: str, limit: int = 5000) -> list[str]:
    """When this reviewer gave labels (events, newest first, at most ``limit``)."""
    marks = ", ".join("?" * len(LABEL_EVENT_KINDS))
    rows = store.query(
        f"SELECT at FROM events WHERE actor = ? AND kind IN ({marks}) ORDER BY id DESC LIMIT ?",
        [reviewer, *LABEL_EVENT_KINDS, limit],
    )
    return [str(r[0]) for r in rows]
