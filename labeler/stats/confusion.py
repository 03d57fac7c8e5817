"""The confusion matrix ``labeler stats`` prints: two reviewers' buckets on the cases both labeled.

With exactly two reviewers in play the agreement core already counts it
(:attr:`labeler.stats.agreement.AgreementReport.confusion`, also in ``--json``). With more, the
text shows the pair that shares the most cases, counted here from the same label matrix.

This module is part of the pure core: no UI imports.
"""

from __future__ import annotations

from collections.abc import Iterable

from labeler.stats.agreement import AgreementReport, Confusion, LabelMatrix, PairAgreement
from labeler.stats.agreement.tally import tally

__all__ = ["busiest_pair", "pair_confusion", "shown_confusion"]


def busiest_pair(pairs: Iterable[PairAgreement]) -> PairAgreement | None:
    """The pair with the most shared cases (ties: the first by name); None if none share one."""
    best = min(pairs, key=lambda p: (-p.cases, p.reviewers), default=None)
    return best if best is not None and best.cases > 0 else None


def pair_confusion(matrix: LabelMatrix, pair: tuple[str, str]) -> Confusion:
    """Counts of ``pair[0]``'s bucket (rows) x ``pair[1]``'s bucket (columns) on the items both
    labeled, over all of the matrix's buckets. The names must be two of the matrix's reviewers.

    The agreement core's own two-reviewer count, on the matrix restricted to the pair."""
    first, second = pair
    table = tally(matrix.restrict(pair)).confusion
    assert table is not None  # two reviewers in play
    if (first, second) != tuple(sorted(pair)):  # the tally's rows are the first name in order
        table = table.T
    return Confusion(
        reviewers=(first, second),
        buckets=matrix.buckets,
        matrix=tuple(tuple(int(x) for x in row) for row in table),
    )


def shown_confusion(matrix: LabelMatrix, agreement: AgreementReport) -> Confusion | None:
    """The two reviewers' confusion matrix, else that of the pair sharing the most cases."""
    if agreement.confusion is not None:
        return agreement.confusion
    pair = busiest_pair(agreement.pairwise.values())
    return None if pair is None else pair_confusion(matrix, pair.reviewers)
