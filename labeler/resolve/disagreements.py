"""The resolve queue: cases whose reviewers disagree, paged from SQL, and what they confuse.

A *disagreement* is a current case with labels in more than one distinct bucket. A case where
everyone gave the same bucket is agreed and never listed; a case with a single label is not a
disagreement. The queue holds the disagreements without a resolution (an ``unclear``
resolution counts as one), in import order (``seq``), optionally narrowed by ``--slice``
filters and by ``--pair A,B`` (only cases where both buckets were given, i.e. confused).

Resolving a case removes it from the queue; ``include_resolved=True`` on :func:`next_page` and
:func:`previous_page` walks every disagreement, resolved or not. The queries live in
:mod:`labeler.store.disagreements`.

Reviewers on a case are shown as A, B, C... in the order of their names
(:func:`case_labels`), so the letters are stable however the labels were written.
"""

from __future__ import annotations

from typing import NamedTuple

from labeler.store import disagreements as queries
from labeler.store.connection import Store
from labeler.store.disagreements import ResolveSpec, ReviewerLabel, case_labels, is_disagreement
from labeler.store.tallies import read_case_tallies

__all__ = [
    "PAGE_SIZE",
    "ResolveProgress",
    "ResolveSpec",
    "ReviewerLabel",
    "case_labels",
    "check_spec",
    "confused_pairs",
    "is_disagreement",
    "kept_progress",
    "next_page",
    "parse_pair",
    "previous_page",
    "progress",
    "reviewer_letter",
]

PAGE_SIZE = 64


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


def check_spec(store: Store, spec: ResolveSpec) -> None:
    """Raise ValueError naming a ``--pair`` bucket that is not in the store's taxonomy."""
    if spec.pair is None:
        return
    known = queries.bucket_keys(store)
    missing = [b for b in spec.pair if b not in known]
    if missing:
        raise ValueError(
            f"--pair: there is no bucket {missing[0]!r} in this store's taxonomy "
            "(`labeler taxonomy STORE` lists the keys)"
        )


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
    return queries.seqs_after(store, spec, after_seq, limit, include_resolved=include_resolved)


def previous_page(
    store: Store,
    spec: ResolveSpec,
    before_seq: int,
    limit: int = PAGE_SIZE,
    *,
    include_resolved: bool = False,
) -> list[int]:
    """Queue cases before ``before_seq``, nearest first (for walking back)."""
    return queries.seqs_before(store, spec, before_seq, limit, include_resolved=include_resolved)


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
    total, resolved = queries.count_disagreements(store, spec)
    return ResolveProgress(resolved=resolved, total=total)


def kept_progress(store: Store) -> ResolveProgress:
    """:func:`progress` of the whole store (no filter) from the counts it keeps by trigger
    (:mod:`labeler.store.tallies`): a few rows, whatever the store's size."""
    with store.snapshot() as conn:
        tallies = read_case_tallies(conn)
    disagreements = [t for t in tallies if t.bucket_count > 1]
    return ResolveProgress(
        resolved=sum(t.cases for t in disagreements if t.resolved),
        total=sum(t.cases for t in disagreements),
    )


def confused_pairs(store: Store, spec: ResolveSpec, limit: int = 10) -> list[tuple[str, str, int]]:
    """The bucket pairs reviewers confuse most: ``(bucket_a, bucket_b, cases)``, ``a < b``.

    Each disagreement counts once for every unordered pair of different buckets given on it
    (two reviewers: one pair; three reviewers who all differ: three pairs; ``x, x, y``: the one
    pair ``x``/``y``). So the count of a pair equals the number of cases ``--pair a,b`` selects
    with resolved ones included. All disagreements in the filter are counted, resolved or not:
    the point is which bucket definitions are ambiguous, not what is left to do. Most confused
    first; ties broken by bucket names.
    """
    return queries.confused_pairs(store, spec, limit)


def reviewer_letter(index: int) -> str:
    """The letter of the reviewer at ``index`` in :func:`case_labels`: A, B, ... Z, then 27..."""
    return chr(ord("A") + index) if 0 <= index < 26 else str(index + 1)
