"""Queries of the resolve queue: disagreements paged by ``seq``, their count, confused pairs,
and the labels on one case.

A *disagreement* is a current case with labels in more than one distinct bucket. Every
function takes the :class:`~labeler.store.connection.Store` (or, inside a caller's write
transaction, the connection from ``store.write()``) and plain values or frozen dataclasses, and
returns plain values or frozen dataclasses, so another backend can implement the same set.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from labeler.store.case_filters import SliceFilter, slice_sql
from labeler.store.connection import Store


@dataclass(frozen=True)
class ResolveSpec:
    """What a resolve session walks: slice filters, and optionally one confused bucket pair.

    ``pair`` is unordered: ``("a", "b")`` and ``("b", "a")`` select the same cases.
    """

    slices: tuple[SliceFilter, ...] = ()
    pair: tuple[str, str] | None = None

    def __post_init__(self) -> None:
        if self.pair is not None and self.pair[0] == self.pair[1]:
            raise ValueError(f"--pair: name two different buckets, not {self.pair[0]!r} twice")


@dataclass(frozen=True)
class ReviewerLabel:
    """One reviewer's label on a case, as the resolve screen shows it (raw, untrusted text)."""

    reviewer: str
    bucket: str
    note: str | None
    labeled_at: str


# Pages walk the primary key from the cursor and stop after ``limit`` hits. Without NOT INDEXED,
# SQLite picks the cases_queue index for ``label_count >= 2`` and then sorts every current
# labeled case to find the first page (hundreds of ms on 200k cases instead of ~10 ms).
_PAGE_FROM = "SELECT c.seq FROM cases c NOT INDEXED WHERE "


def disagreement_condition(
    spec: ResolveSpec, *, include_resolved: bool
) -> tuple[str, list[object]]:
    """The SQL condition on cases ``c`` for the disagreements of ``spec``, and its parameters.

    The text starts with a space and has no leading ``AND``: use it as ``"... WHERE" + cond``.
    For the store's own queries only.
    """
    sql = (
        " c.is_current = 1 AND c.label_count >= 2"
        " AND (SELECT min(l.bucket) <> max(l.bucket) FROM labels l WHERE l.case_seq = c.seq)"
    )
    params: list[object] = []
    if not include_resolved:
        sql += " AND NOT EXISTS (SELECT 1 FROM resolutions r WHERE r.case_seq = c.seq)"
    if spec.pair is not None:
        sql += (
            " AND EXISTS (SELECT 1 FROM labels p WHERE p.case_seq = c.seq AND p.bucket = ?)"
            " AND EXISTS (SELECT 1 FROM labels q WHERE q.case_seq = c.seq AND q.bucket = ?)"
        )
        params.extend(spec.pair)
    cond, slice_params = slice_sql(spec.slices)
    return sql + cond, params + list(slice_params)


def bucket_keys(store: Store) -> set[str]:
    """Every bucket key of the store's taxonomy."""
    return {str(r[0]) for r in store.query("SELECT key FROM buckets")}


def seqs_after(
    store: Store, spec: ResolveSpec, after_seq: int, limit: int, *, include_resolved: bool
) -> list[int]:
    """The next ``limit`` disagreements of ``spec`` after ``after_seq``, in ``seq`` order."""
    cond, params = disagreement_condition(spec, include_resolved=include_resolved)
    rows = store.query(
        _PAGE_FROM + "c.seq > ? AND" + cond + " ORDER BY c.seq LIMIT ?",
        [after_seq, *params, limit],
    )
    return [int(r[0]) for r in rows]


def seqs_before(
    store: Store, spec: ResolveSpec, before_seq: int, limit: int, *, include_resolved: bool
) -> list[int]:
    """Disagreements of ``spec`` before ``before_seq``, nearest first."""
    cond, params = disagreement_condition(spec, include_resolved=include_resolved)
    rows = store.query(
        _PAGE_FROM + "c.seq < ? AND" + cond + " ORDER BY c.seq DESC LIMIT ?",
        [before_seq, *params, limit],
    )
    return [int(r[0]) for r in rows]


def is_disagreement(store: Store, spec: ResolveSpec, case_seq: int) -> bool:
    """True if the case is a disagreement within ``spec`` (resolved or not)."""
    cond, params = disagreement_condition(spec, include_resolved=True)
    rows = store.query("SELECT 1 FROM cases c WHERE c.seq = ? AND" + cond, [case_seq, *params])
    return bool(rows)


def count_disagreements(store: Store, spec: ResolveSpec) -> tuple[int, int]:
    """``(total, resolved)``: the disagreements of ``spec``, and those with a resolution."""
    cond, params = disagreement_condition(spec, include_resolved=True)
    row = store.query(
        "SELECT count(*), count(r.case_seq) FROM cases c"
        " LEFT JOIN resolutions r ON r.case_seq = c.seq WHERE" + cond,
        params,
    )[0]
    return int(row[0]), int(row[1])


def confused_pairs(store: Store, spec: ResolveSpec, limit: int) -> list[tuple[str, str, int]]:
    """``(bucket_a, bucket_b, cases)`` with ``a < b`` over the disagreements of ``spec``, most
    confused first, ties broken by bucket names."""
    cond, params = disagreement_condition(spec, include_resolved=True)
    rows = store.query(
        "WITH given AS (SELECT DISTINCT l.case_seq, l.bucket FROM labels l"
        " JOIN cases c ON c.seq = l.case_seq WHERE" + cond + ")"
        " SELECT a.bucket, b.bucket, count(*) AS n FROM given a"
        " JOIN given b ON b.case_seq = a.case_seq AND a.bucket < b.bucket"
        " GROUP BY a.bucket, b.bucket ORDER BY n DESC, a.bucket, b.bucket LIMIT ?",
        [*params, limit],
    )
    return [(str(r[0]), str(r[1]), int(r[2])) for r in rows]


def read_case_labels(conn: sqlite3.Connection, case_seq: int) -> list[ReviewerLabel]:
    """Every label on the case, sorted by reviewer name, on a connection (e.g. inside the
    caller's write transaction)."""
    rows = conn.execute(
        "SELECT reviewer, bucket, note, labeled_at FROM labels WHERE case_seq = ?"
        " ORDER BY reviewer",
        (case_seq,),
    ).fetchall()
    return [ReviewerLabel(str(r[0]), str(r[1]), r[2], str(r[3])) for r in rows]


def case_labels(store: Store, case_seq: int) -> list[ReviewerLabel]:
    """Every label on the case, sorted by reviewer name: index 0 is reviewer A, 1 is B..."""
    with store.snapshot() as conn:
        return read_case_labels(conn, case_seq)
