"""A reviewer's queue: which case comes next, paged from SQL with a keyset cursor.

The queue is every current case with fewer than ``overlap`` labels and none from this reviewer,
in import order (``seq``). It is never loaded whole: each page starts after the last case seen,
so the next page costs microseconds whatever the reviewer's progress. The ``+`` before
``is_current`` and ``label_count`` keeps SQLite from choosing the ``cases_queue`` index, which
would make it sort every open case for each page (0.3-0.5 s on a million cases) instead of
walking the rowid range from the cursor (0.1 ms). ``revisit`` walks the
reviewer's own labeled cases instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from labeler.slice_filter import SliceFilter, slice_sql
from labeler.store.connection import Store

PAGE_SIZE = 64


@dataclass(frozen=True)
class QueueSpec:
    """What a review session walks."""

    reviewer: str
    overlap: int = 2
    slices: tuple[SliceFilter, ...] = ()
    revisit: bool = False


def next_page(store: Store, spec: QueueSpec, after_seq: int, limit: int = PAGE_SIZE) -> list[int]:
    """The next ``limit`` case numbers of the queue after ``after_seq``."""
    cond, params = slice_sql(spec.slices)
    if spec.revisit:
        sql = (
            "SELECT c.seq FROM labels l JOIN cases c ON c.seq = l.case_seq"
            " WHERE l.reviewer = ? AND l.case_seq > ? AND c.is_current = 1"
            + cond
            + " ORDER BY l.case_seq LIMIT ?"
        )
        args: list[object] = [spec.reviewer, after_seq, *params, limit]
    else:
        sql = (
            "SELECT c.seq FROM cases c WHERE c.seq > ? AND +c.is_current = 1"
            " AND +c.label_count < ?"
            " AND NOT EXISTS (SELECT 1 FROM labels l WHERE l.case_seq = c.seq"
            " AND l.reviewer = ?)" + cond + " ORDER BY c.seq LIMIT ?"
        )
        args = [after_seq, spec.overlap, spec.reviewer, *params, limit]
    return [int(r[0]) for r in store.query(sql, args)]


def still_in_queue(store: Store, spec: QueueSpec, seq: int) -> bool:
    """Whether a prefetched case still belongs to the queue (others may have filled its overlap).

    One primary-key lookup: cheap enough to make before showing each case.
    """
    if spec.revisit:
        return True
    row = store.query(
        "SELECT c.label_count < ? AND NOT EXISTS (SELECT 1 FROM labels l"
        " WHERE l.case_seq = c.seq AND l.reviewer = ?) FROM cases c WHERE c.seq = ?",
        (spec.overlap, spec.reviewer, seq),
    )
    return bool(row and row[0][0])


def resume_point(store: Store, spec: QueueSpec) -> int:
    """Where a returning reviewer starts: just after the last case they labeled (0 if none).

    Cases skipped before that point come back when the queue wraps around at its end.
    """
    if spec.revisit:
        return 0
    row = store.query("SELECT max(case_seq) FROM labels WHERE reviewer = ?", (spec.reviewer,))
    return int(row[0][0] or 0)


@dataclass(frozen=True)
class QueueProgress:
    """How far the reviewer is: ``done`` labeled (in this filter), ``remaining`` in the queue."""

    done: int
    remaining: int

    @property
    def total(self) -> int:
        """Labeled plus remaining."""
        return self.done + self.remaining


def queue_progress(store: Store, spec: QueueSpec) -> QueueProgress:
    """Count the queue (a full scan of the narrow cases table: run it in a worker)."""
    cond, params = slice_sql(spec.slices)
    done = store.query(
        "SELECT count(*) FROM labels l JOIN cases c ON c.seq = l.case_seq"
        " WHERE l.reviewer = ? AND c.is_current = 1" + cond,
        [spec.reviewer, *params],
    )[0][0]
    if spec.revisit:
        return QueueProgress(done=0, remaining=int(done))
    remaining = store.query(
        "SELECT count(*) FROM cases c WHERE c.is_current = 1 AND c.label_count < ?"
        " AND NOT EXISTS (SELECT 1 FROM labels l WHERE l.case_seq = c.seq AND l.reviewer = ?)"
        + cond,
        [spec.overlap, spec.reviewer, *params],
    )[0][0]
    return QueueProgress(done=int(done), remaining=int(remaining))
