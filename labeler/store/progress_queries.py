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
) -> dict[str, tuple[int, int, int]]:
    """Reviewer -> (labels on current cases, of them on cases with ``overlap`` labels or more,
    of them on cases with fewer), by reviewer name; reviewers without such a label are left out.

    Without ``--slice``, no case row is read for the common case: every reviewer's labels are
    counted on the ``labels_reviewer`` index, less their labels on old case versions and on
    cases below the overlap (both few: a join over them only). With ``--slice``, each labeled
    case in the slices is read (its slices decide), joined to its labels.
    """
    if slices:
        cond, params = slice_sql(slices)
        rows = store.query(
            "SELECT l.reviewer, count(*), sum(c.label_count < ?) FROM cases c"
            " JOIN labels l ON l.case_seq = c.seq WHERE c.is_current = 1 AND c.label_count > 0"
            + cond
            + " GROUP BY l.reviewer",
            [overlap, *params],
        )
        counts = {str(r[0]): (int(r[1]), int(r[2] or 0)) for r in rows}
    else:
        every = store.query("SELECT reviewer, count(*) FROM labels GROUP BY reviewer")
        old = _labels_on_cases(store, "c.is_current = 0", [])
        below = _labels_on_cases(
            store, "c.is_current = 1 AND c.label_count BETWEEN 1 AND ?", [overlap - 1]
        )
        counts = {
            str(r[0]): (int(r[1]) - old.get(str(r[0]), 0), below.get(str(r[0]), 0)) for r in every
        }
    return {
        reviewer: (labels, labels - below, below)
        for reviewer, (labels, below) in sorted(counts.items())
        if labels > 0
    }


def _labels_on_cases(store: Store, where: str, params: list[object]) -> dict[str, int]:
    """Reviewer -> their labels on the cases ``c`` matching ``where`` (walked on an index)."""
    rows = store.query(
        "SELECT l.reviewer, count(*) FROM cases c JOIN labels l ON l.case_seq = c.seq WHERE "
        + where
        + " GROUP BY l.reviewer",
        params,
    )
    return {str(r[0]): int(r[1]) for r in rows}


def open_case_count(store: Store, slices: Sequence[SliceFilter], overlap: int) -> int:
    """Current cases (in the slices) with fewer than ``overlap`` labels: every reviewer's queue
    before their own labels are taken out."""
    cond, params = slice_sql(slices)
    row = store.query(
        "SELECT count(*) FROM cases c WHERE c.is_current = 1 AND c.label_count < ?" + cond,
        [overlap, *params],
    )
    return int(row[0][0])


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

    Read from the ``case_status`` view, the SQL twin of the final rule
    (:func:`labeler.stats.counts.final_codes`): a disagreement is a current case whose labels
    name two buckets or more (``distinct_buckets``); it is resolved once it has a resolution,
    unclear included. Each case's labels are read once (materialized), then joined to reviewers.
    """
    cond, params = slice_sql(slices)
    rows = store.query(
        "WITH split AS MATERIALIZED (SELECT c.case_seq, c.resolution_method FROM case_status c"
        " WHERE c.label_count > 1 AND c.distinct_buckets > 1" + cond + ")"
        " SELECT l.reviewer, sum(s.resolution_method IS NULL),"
        " sum(s.resolution_method IS NOT NULL)"
        " FROM split s JOIN labels l ON l.case_seq = s.case_seq GROUP BY l.reviewer",
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
