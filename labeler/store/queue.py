"""SQL for a reviewer's queue: keyset pages, the first open case, queue counts.

Every function takes the :class:`Store` handle and plain values (slice filters as
:class:`SliceFilter` tuples) and returns plain values, so a second backend can implement the
same set. The algorithm (which walks are merged, where the keyset cursor starts) is described in
:mod:`labeler.review.queue`; only the statements live here.
"""

from __future__ import annotations

from collections.abc import Sequence

from labeler.store.case_filters import SliceFilter, slice_sql
from labeler.store.connection import Store
from labeler.store.order import open_page


def revisit_page(
    store: Store, reviewer: str, slices: Sequence[SliceFilter], after_seq: int, limit: int
) -> list[int]:
    """The next ``limit`` current cases ``reviewer`` labeled after ``after_seq`` (``seq`` order)."""
    cond, params = slice_sql(slices)
    sql = (
        "SELECT c.seq FROM labels l JOIN cases c ON c.seq = l.case_seq"
        " WHERE l.reviewer = ? AND l.case_seq > ? AND c.is_current = 1"
        + cond
        + " ORDER BY l.case_seq LIMIT ?"
    )
    args: list[object] = [reviewer, after_seq, *params, limit]
    return [int(r[0]) for r in store.query(sql, args)]


def open_random_page(
    store: Store,
    reviewer: str,
    overlap: int,
    slices: Sequence[SliceFilter],
    after_seq: int,
    limit: int,
) -> list[int]:
    """The next ``limit`` open cases after ``after_seq`` in the store's random order (see
    :func:`labeler.store.order.open_page`), read in one snapshot."""
    cond, params = slice_sql(slices)
    with store.snapshot() as conn:
        return open_page(conn, reviewer, overlap, after_seq, limit, cond, params)


def open_import_page(
    store: Store,
    reviewer: str,
    overlap: int,
    slices: Sequence[SliceFilter],
    low: int,
    limit: int,
) -> list[int]:
    """The first ``limit`` open cases from ``low`` on (import order) without a label of
    ``reviewer``: one walk of ``cases_queue`` per label count below ``overlap``, merged in
    ``seq`` order, ``EXCEPT`` the reviewer's labels from ``low`` on."""
    cond, params = slice_sql(slices)
    arms = " UNION ALL ".join(
        "SELECT c.seq FROM cases c WHERE c.is_current = 1 AND c.label_count = ?"
        " AND c.seq >= ?" + cond
        for _ in range(overlap)
    )
    args: list[object] = [arg for count in range(overlap) for arg in (count, low, *params)]
    sql = (
        arms + " EXCEPT SELECT l.case_seq FROM labels l WHERE l.reviewer = ? AND l.case_seq >= ?"
        " ORDER BY 1 LIMIT ?"
    )
    return [int(r[0]) for r in store.query(sql, [*args, reviewer, low, limit])]


def first_open_seq(store: Store, overlap: int, after_seq: int) -> int | None:
    """The first current case after ``after_seq`` with fewer than ``overlap`` labels, whoever
    labeled it (one index seek per label count); None if there is none."""
    firsts = (
        "SELECT (SELECT seq FROM cases WHERE is_current = 1 AND label_count = ? AND seq > ?"
        " ORDER BY seq LIMIT 1) AS s"
    )
    sql = f"SELECT min(s) FROM ({' UNION ALL '.join([firsts] * overlap)})"
    args = [arg for count in range(overlap) for arg in (count, after_seq)]
    row = store.query(sql, args)
    return None if not row or row[0][0] is None else int(row[0][0])


def is_open_for(store: Store, reviewer: str, overlap: int, seq: int) -> bool:
    """Whether case ``seq`` has fewer than ``overlap`` labels and none from ``reviewer`` (one
    primary-key lookup)."""
    row = store.query(
        "SELECT c.label_count < ? AND NOT EXISTS (SELECT 1 FROM labels l"
        " WHERE l.case_seq = c.seq AND l.reviewer = ?) FROM cases c WHERE c.seq = ?",
        (overlap, reviewer, seq),
    )
    return bool(row and row[0][0])


def labeled_count(store: Store, reviewer: str, slices: Sequence[SliceFilter]) -> int:
    """Current cases (in the slices) that ``reviewer`` labeled."""
    cond, params = slice_sql(slices)
    row = store.query(
        "SELECT count(*) FROM labels l JOIN cases c ON c.seq = l.case_seq"
        " WHERE l.reviewer = ? AND c.is_current = 1" + cond,
        [reviewer, *params],
    )
    return int(row[0][0])


def current_case_count(store: Store, slices: Sequence[SliceFilter]) -> int:
    """Current cases (in the slices)."""
    cond, params = slice_sql(slices)
    row = store.query("SELECT count(*) FROM cases c WHERE c.is_current = 1" + cond, params)
    return int(row[0][0])


def case_id_of(store: Store, seq: int) -> str | None:
    """The id of case number ``seq`` (None if there is no such case)."""
    rows = store.query("SELECT case_id FROM cases WHERE seq = ?", (seq,))
    return str(rows[0][0]) if rows else None


def bucket_keys(store: Store) -> list[str]:
    """The keys of the store's buckets, in their order."""
    return [str(r[0]) for r in store.query("SELECT key FROM buckets ORDER BY position")]
