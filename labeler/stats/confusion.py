"""The confusion matrix ``labeler stats`` prints: two reviewers' buckets on the cases both labeled.

With exactly two reviewers in play the agreement core already counts it
(:attr:`labeler.stats.agreement.AgreementReport.confusion`, also in ``--json``). With more, the
text shows the pair that shares the most cases, counted here from the same label matrix.

This module is part of the pure core: numpy only, no UI imports.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from labeler.stats.agreement import AgreementReport, Confusion, LabelMatrix, PairAgreement

__all__ = ["busiest_pair", "pair_confusion", "shown_confusion"]


def busiest_pair(pairs: Iterable[PairAgreement]) -> PairAgreement | None:
    """The pair with the most shared cases (ties: the first by name); None if none share one."""
    best = min(pairs, key=lambda p: (-p.cases, p.reviewers), default=None)
    return best if best is not None and best.cases > 0 else None


def pair_confusion(matrix: LabelMatrix, pair: tuple[str, str]) -> Confusion:
    """Counts of ``pair[0]``'s bucket (rows) x ``pair[1]``'s bucket (columns) on the items both
    labeled, over all of the matrix's buckets. The names must be two of the matrix's reviewers."""
    first, second = pair
    codes = {name: i for i, name in enumerate(matrix.reviewers)}
    a, b = codes[first], codes[second]
    n = len(matrix.buckets)
    reviewer_codes = np.asarray(matrix.reviewer_codes)
    keep = (reviewer_codes == a) | (reviewer_codes == b)
    items = np.asarray(matrix.item_codes)[keep]
    who = reviewer_codes[keep]
    buckets = np.asarray(matrix.bucket_codes)[keep]
    # Rows are sorted by (item, reviewer code), so a shared item is two neighbouring rows.
    shared = np.flatnonzero(items[1:] == items[:-1]) if len(items) > 1 else np.array([], int)
    left, right = buckets[shared], buckets[shared + 1]
    swapped = who[shared] != a  # the first reviewer's code is the larger one
    rows = np.where(swapped, right, left)
    cols = np.where(swapped, left, right)
    counts = np.bincount(rows * n + cols, minlength=n * n).reshape(n, n)
    return Confusion(
        reviewers=(first, second),
        buckets=matrix.buckets,
        matrix=tuple(tuple(int(x) for x in row) for row in counts),
    )


def shown_confusion(matrix: LabelMatrix, agreement: AgreementReport) -> Confusion | None:
    """The two reviewers' confusion matrix, else that of the pair sharing the most cases."""
    if agreement.confusion is not None:
        return agreement.confusion
    pair = busiest_pair(agreement.pairwise.values())
    return None if pair is None else pair_confusion(matrix, pair.reviewers)
