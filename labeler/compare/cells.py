"""One cell per bucket and scope: both versions' rates, the difference with its 95% interval,
and a verdict.

Verdicts: ``regressed`` when the interval of the candidate's rate minus the baseline's lies
above 0, ``improved`` when it lies below 0, else ``no evidence``.

Unresolved cases count in no bucket (:func:`labeler.stats.compute.case_finals`). When the
candidate's
unresolved cases that some reviewer put in the bucket could change the verdict if they landed
there, they are counted against the candidate (the pessimistic way, as the gate does), and the
cell says so.

This module is part of the pure core: no textual, rich or click.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from labeler.compare.data import BoolArray, CompareData, Scope
from labeler.compare.intervals import (
    PairedTable,
    mcnemar_exact_p,
    newcombe_difference,
    paired_difference,
)
from labeler.compare.results import (
    IMPROVED,
    NO_EVIDENCE,
    REGRESSED,
    Cell,
    Interval,
    PairedDetail,
    Rate,
    Unresolved,
    Verdict,
)


def verdict_of(interval: Interval | None, worse_when: str = "higher") -> Verdict:
    """``regressed`` when the whole interval says the candidate is worse, ``improved`` when it
    says better, else ``no evidence``. ``worse_when`` is "higher" for failure rates and latency,
    "lower" for the share of outputs that parse."""
    if interval is None:
        return NO_EVIDENCE
    low, high = interval
    if low > 0:
        return REGRESSED if worse_when == "higher" else IMPROVED
    if high < 0:
        return IMPROVED if worse_when == "higher" else REGRESSED
    return NO_EVIDENCE


def _per_1000(interval: Interval | None) -> Interval | None:
    return None if interval is None else (interval[0] * 1000, interval[1] * 1000)


@dataclass(frozen=True)
class Estimate:
    """The rates, difference and interval from one set of counts."""

    baseline: Rate
    candidate: Rate
    difference_per_1000: float | None
    ci95: Interval | None
    paired: PairedDetail | None = None

    @property
    def verdict(self) -> Verdict:
        """The verdict of the interval."""
        return verdict_of(self.ci95)


def unpaired_estimate(k_base: int, n_base: int, k_cand: int, n_cand: int) -> Estimate:
    """Two independent groups of cases: Newcombe's hybrid score interval."""
    base, cand = Rate(n_base, k_base), Rate(n_cand, k_cand)
    difference = (
        None if base.per_1000 is None or cand.per_1000 is None else cand.per_1000 - base.per_1000
    )
    interval = _per_1000(newcombe_difference(k_base, n_base, k_cand, n_cand))
    return Estimate(base, cand, difference, interval)


def paired_estimate(in_base: BoolArray, in_cand: BoolArray) -> Estimate:
    """The same inputs seen by both versions: Newcombe's paired score interval and McNemar."""
    table = PairedTable(
        both=int((in_base & in_cand).sum()),
        baseline_only=int((in_base & ~in_cand).sum()),
        candidate_only=int((~in_base & in_cand).sum()),
        neither=int((~in_base & ~in_cand).sum()),
    )
    n = table.pairs
    base = Rate(n, table.both + table.baseline_only)
    cand = Rate(n, table.both + table.candidate_only)
    difference = None if n == 0 else (table.candidate_only - table.baseline_only) * 1000 / n
    detail = PairedDetail(
        pairs=n,
        both=table.both,
        baseline_only=table.baseline_only,
        candidate_only=table.candidate_only,
        neither=table.neither,
        mcnemar_p=mcnemar_exact_p(table.baseline_only, table.candidate_only),
    )
    return Estimate(base, cand, difference, _per_1000(paired_difference(table)), detail)


@dataclass(frozen=True)
class BucketEstimates:
    """A bucket in a scope counted two ways, and the unresolved cases that make the difference."""

    final: Estimate
    """Final buckets only."""
    worst: Estimate
    """The candidate's unresolved cases some reviewer put in the bucket counted in it."""
    unresolved: tuple[int, int]
    """Unresolved cases some reviewer put in the bucket: baseline, candidate."""


def bucket_estimates(data: CompareData, bucket: str, scope: Scope) -> BucketEstimates:
    """``bucket`` (or :data:`labeler.compare.data.ANY_FAILURE`) in ``scope``, counted both ways."""
    inside = data.in_bucket(bucket)
    named = data.named(bucket)
    mask = data.scope_mask(scope)
    if data.paired:
        base_i, cand_i = data.pairs[:, 0], data.pairs[:, 1]
        keep = mask[base_i] & mask[cand_i] & data.reviewed[base_i] & data.reviewed[cand_i]
        base_i, cand_i = base_i[keep], cand_i[keep]
        return BucketEstimates(
            paired_estimate(inside[base_i], inside[cand_i]),
            paired_estimate(inside[base_i], inside[cand_i] | named[cand_i]),
            (int(named[base_i].sum()), int(named[cand_i].sum())),
        )
    base = mask & data.reviewed & ~data.is_candidate
    cand = mask & data.reviewed & data.is_candidate
    k_base, n_base = int((base & inside).sum()), int(base.sum())
    k_cand, n_cand = int((cand & inside).sum()), int(cand.sum())
    counts = (int((base & named).sum()), int((cand & named).sum()))
    return BucketEstimates(
        unpaired_estimate(k_base, n_base, k_cand, n_cand),
        unpaired_estimate(k_base, n_base, k_cand + counts[1], n_cand),
        counts,
    )


def bucket_cell(data: CompareData, bucket: str, scope: Scope) -> Cell:
    """The cell of ``bucket`` in ``scope``: the pessimistic counts when they change the verdict."""
    both = bucket_estimates(data, bucket, scope)
    final, worst, named = both.final, both.worst, both.unresolved
    counted = named[1] > 0 and worst.verdict != final.verdict
    used = worst if counted else final
    return Cell(
        bucket=bucket,
        scope=scope,
        baseline=used.baseline,
        candidate=used.candidate,
        difference_per_1000=used.difference_per_1000,
        ci95=used.ci95,
        verdict=used.verdict,
        unresolved=Unresolved(baseline=named[0], candidate=named[1], counted=counted),
        paired=used.paired,
    )


def reviewed_in(data: CompareData, scope: Scope) -> tuple[int, int]:
    """Reviewed cases of the baseline and the candidate in a scope (pairs, when paired)."""
    mask = data.scope_mask(scope) & data.reviewed
    if data.paired:
        both = mask[data.pairs[:, 0]] & mask[data.pairs[:, 1]]
        return int(both.sum()), int(both.sum())
    return int((mask & ~data.is_candidate).sum()), int((mask & data.is_candidate).sum())


def all_cells(data: CompareData, buckets: list[str]) -> list[Cell]:
    """Every bucket in every scope, scope by scope (all cases first)."""
    return [bucket_cell(data, bucket, scope) for scope in data.scopes() for bucket in buckets]


def any_reviewed(data: CompareData) -> bool:
    """True when both versions have a reviewed case."""
    return bool(np.any(data.reviewed & data.is_candidate)) and bool(
        np.any(data.reviewed & ~data.is_candidate)
    )
