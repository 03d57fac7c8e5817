"""The resolve queue: cases whose reviewers disagree, paged from SQL, and what they confuse.

A *disagreement* is a current case with labels in more than one distinct bucket. A case where
everyone gave the same bucket is agreed and never listed; a case with a single label is not a
disagreement. The queue holds the disagreements without a resolution (an ``unclear``
resolution counts as one), in import order (``seq``), optionally narrowed by ``--slice``
filters and by ``--pair A,B`` (only cases where both buckets were given, i.e. confused).

Resolving a case removes it from the queue, so a screen cannot page back through the queue to
the case it has just resolved. :class:`ResolveTrail` remembers the cases a screen has shown, in
``seq`` order, so that ``j``/``k`` (and undo) can step back to them; ``include_resolved=True`` on
:func:`next_page` and :func:`previous_page` walks every disagreement, resolved or not.

Reviewers on a case are shown as A, B, C... in the order of their names
(:func:`case_labels`), so the letters are stable however the labels were written.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import NamedTuple

from labeler.slice_filter import SliceFilter, slice_sql
from labeler.store.connection import Store

PAGE_SIZE = 64

# Pages walk the primary key from the cursor and stop after ``limit`` hits. Without NOT INDEXED,
# SQLite picks the cases_queue index for ``label_count >= 2`` and then sorts every current
# labeled case to find the first page (hundreds of ms on 200k cases instead of ~10 ms).
_PAGE_FROM = "SELECT c.seq FROM cases c NOT INDEXED WHERE "


def parse_pair(text: str) -> tuple[str, str]:
    """Parse ``--pair BUCKET_A,BUCKET_B``; raise ValueError with the fix for a bad one."""
    first, sep, second = text.partition(",")
    first, second = first.strip(), second.strip()
    if not sep or not first or not second or "," in second:
        raise ValueError(
            f"--pair {text!r}: write it as two bucket keys, e.g. --pair wrong_intent,bad_extraction"
        )
    if first == second:
        raise ValueError(f"--pair {text!r}: name two different buckets")
    return first, second


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


def check_spec(store: Store, spec: ResolveSpec) -> None:
    """Raise ValueError naming a ``--pair`` bucket that is not in the store's taxonomy."""
    if spec.pair is None:
        return
    known = {str(r[0]) for r in store.query("SELECT key FROM buckets")}
    missing = [b for b in spec.pair if b not in known]
    if missing:
        raise ValueError(
            f"--pair: there is no bucket {missing[0]!r} in this store's taxonomy "
            "(`labeler taxonomy STORE` lists the keys)"
        )


def disagreement_condition(
    spec: ResolveSpec, *, include_resolved: bool
) -> tuple[str, list[object]]:
    """The SQL condition on cases ``c`` for the disagreements of ``spec``, and its parameters.

    The text starts with a space and has no leading ``AND``: use it as ``"... WHERE" + cond``.
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


def next_page(
    store: Store,
    spec: ResolveSpec,
    after_seq: int,
    limit: int = PAGE_SIZE,
    *,
    include_resolved: bool = False,
) -> list[int]:
    """The next ``limit`` case numbers of the queue after ``after_seq``, in ``seq`` order.

    With ``include_resolved`` every disagreement is listed, resolved or not.
    """
    cond, params = disagreement_condition(spec, include_resolved=include_resolved)
    rows = store.query(
        _PAGE_FROM + "c.seq > ? AND" + cond + " ORDER BY c.seq LIMIT ?",
        [after_seq, *params, limit],
    )
    return [int(r[0]) for r in rows]


def previous_page(
    store: Store,
    spec: ResolveSpec,
    before_seq: int,
    limit: int = PAGE_SIZE,
    *,
    include_resolved: bool = False,
) -> list[int]:
    """Queue cases before ``before_seq``, nearest first (for walking back)."""
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


class ResolveProgress(NamedTuple):
    """``resolved`` of ``total`` disagreements in the filter (unpacks as a tuple)."""

    resolved: int
    total: int

    @property
    def remaining(self) -> int:
        """Disagreements without a resolution yet."""
        return self.total - self.resolved


def progress(store: Store, spec: ResolveSpec) -> ResolveProgress:
    """How far the resolvers are, for "resolved 12 / 47".

    ``total`` counts the disagreements in the filter, resolved or not; ``resolved`` those with a
    resolution of any method, ``unclear`` included. A resolved case whose labels were later
    changed so that they agree is no longer a disagreement and is not counted. This scans the
    current cases with two or more labels: on a large store, run it in a worker.
    """
    cond, params = disagreement_condition(spec, include_resolved=True)
    row = store.query(
        "SELECT count(*), count(r.case_seq) FROM cases c"
        " LEFT JOIN resolutions r ON r.case_seq = c.seq WHERE" + cond,
        params,
    )[0]
    return ResolveProgress(resolved=int(row[1]), total=int(row[0]))


def confused_pairs(store: Store, spec: ResolveSpec, limit: int = 10) -> list[tuple[str, str, int]]:
    """The bucket pairs reviewers confuse most: ``(bucket_a, bucket_b, cases)``, ``a < b``.

    Each disagreement counts once for every unordered pair of different buckets given on it
    (two reviewers: one pair; three reviewers who all differ: three pairs; ``x, x, y``: the one
    pair ``x``/``y``). So the count of a pair equals the number of cases ``--pair a,b`` selects
    with resolved ones included. All disagreements in the filter are counted, resolved or not:
    the point is which bucket definitions are ambiguous, not what is left to do. Most confused
    first; ties broken by bucket names.
    """
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


@dataclass(frozen=True)
class ReviewerLabel:
    """One reviewer's label on a case, as the resolve screen shows it (raw, untrusted text)."""

    reviewer: str
    bucket: str
    note: str | None
    labeled_at: str


def reviewer_letter(index: int) -> str:
    """The letter of the reviewer at ``index`` in :func:`case_labels`: A, B, ... Z, then 27..."""
    return chr(ord("A") + index) if 0 <= index < 26 else str(index + 1)


def read_case_labels(conn: sqlite3.Connection, case_seq: int) -> list[ReviewerLabel]:
    """:func:`case_labels` on a connection, e.g. inside the caller's write transaction."""
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


class ResolveTrail:
    """The cases a resolve screen has shown, for ``j``/``k`` navigation and undo.

    The trail is a list of case numbers in increasing ``seq`` order, with a position in it.
    :meth:`forward` replays the trail, then asks the queue for the next *unresolved*
    disagreement after the last case of the trail. :meth:`back` replays the trail backwards,
    then steps to the previous disagreement before the first case of the trail, *resolved or
    not* (so a resolver can walk back into earlier decisions). A case resolved on the screen
    stays on the trail, so it can always be stepped back to.

    Not thread-safe: drive it from one thread (each step is one short indexed query at most).
    """

    def __init__(self, store: Store, spec: ResolveSpec) -> None:
        self.store = store
        self.spec = spec
        self.visited: list[int] = []
        """Case numbers shown so far, in increasing ``seq`` order."""
        self.position: int = -1
        """Index of the current case in :attr:`visited` (-1 before the first step)."""

    @property
    def current(self) -> int | None:
        """The case the screen shows, or None before the first step or past the end."""
        if 0 <= self.position < len(self.visited):
            return self.visited[self.position]
        return None

    def forward(self) -> int | None:
        """Step to the next case; None (and position past the end) when the queue is done."""
        if self.position + 1 < len(self.visited):
            self.position += 1
            return self.visited[self.position]
        after = self.visited[-1] if self.visited else 0
        page = next_page(self.store, self.spec, after, 1)
        if not page:
            self.position = len(self.visited)
            return None
        self.visited.append(page[0])
        self.position = len(self.visited) - 1
        return page[0]

    def back(self) -> int | None:
        """Step to the previous case; None (position unchanged) when there is none before."""
        if self.position > 0:
            self.position = min(self.position, len(self.visited)) - 1
            return self.visited[self.position]
        before = self.visited[0] if self.visited else None
        if before is None:
            return None
        page = previous_page(self.store, self.spec, before, 1, include_resolved=True)
        if not page:
            return None
        self.visited.insert(0, page[0])
        self.position = 0
        return page[0]

    def restart(self) -> int | None:
        """Forget the trail and go to the first unresolved case (e.g. after skipping some)."""
        self.visited = []
        self.position = -1
        return self.forward()
