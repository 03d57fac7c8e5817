"""Percent agreement, Cohen's kappa, Fleiss' kappa and nominal Krippendorff's alpha.

Definitions (all over the reviewers in play; an item "has labels" if one of them labeled it and
is "pairable" if two or more did):

* Percent agreement: mean over pairable items of (agreeing reviewer pairs / reviewer pairs);
  every item weighs the same.
* Cohen's kappa: only with exactly two reviewers in play, over the items both labeled.
* Fleiss' kappa: only when every item with labels has the same number ``m >= 2`` of labels.
* Krippendorff's alpha (nominal): any number of reviewers, missing labels allowed; single-label
  items are not pairable and left out. From the coincidence matrix ``o``:
  ``alpha = 1 - (n - 1) * sum_{c != k} o_ck / sum_{c != k} n_c n_k``.
* Gwet's AC1 (:mod:`labeler.stats.agreement.gwet`): chance-corrected like kappa, but it stays high
  when the reviewers agree on a skewed distribution (where kappa and alpha collapse: the kappa
  paradox).
* Per bucket: the same on the binary question "is it this bucket or not".

A value that the data cannot define (no labels, one reviewer, no overlap, every label in one
bucket so that chance agreement is 1 / expected disagreement is 0) is ``None`` with a reason —
never a made-up 0 or 1 and never NaN.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from labeler.stats.agreement.bootstrap import BootstrapResult, bootstrap_alpha
from labeler.stats.agreement.gwet import AC1, gwet_ac1_from_tally
from labeler.stats.agreement.matrix import IntArray, LabelMatrix
from labeler.stats.agreement.report import (
    AC1_KEY,
    METRICS,
    AgreementReport,
    BucketAgreement,
    Confusion,
    PairAgreement,
)
from labeler.stats.agreement.tally import Tally, pair_slot, tally

__all__ = ["compute_agreement"]

Value = tuple[float | None, str | None]

NO_LABELS = "no labels from the reviewers in play"
NO_PAIRS = "no item has labels from two or more reviewers"
CI = "krippendorff_alpha_ci95"


def _finite(value: float) -> Value:
    if math.isfinite(value):
        return float(value), None
    return None, "the computation did not give a finite number"


def _cohen(cases: int, agreeing: int, chance: int, same_reason: str) -> Value:
    """Kappa from integer counts: ``chance`` is sum_c (first's count of c) * (second's count).

    ``(n * agreeing - chance) / (n**2 - chance)`` equals ``(p_o - p_e) / (1 - p_e)``.
    """
    if cases == 0:
        return None, "no item was labeled by both reviewers"
    denominator = cases * cases - chance
    if denominator == 0:
        return None, same_reason
    return _finite((cases * agreeing - chance) / denominator)


def _alpha(values: int, off_diagonal: float, expected: int, zero_reason: str) -> Value:
    """``1 - (n - 1) * off_diagonal / expected``; ``expected`` is n**2 - sum_c n_c**2."""
    if expected == 0:
        return None, zero_reason
    return _finite(1.0 - (values - 1) * off_diagonal / expected)


def _fleiss(mean_agreement: float | None, chance: float, chance_is_one: bool, reason: str) -> Value:
    if mean_agreement is None:
        return None, NO_PAIRS
    if chance_is_one:
        return None, reason
    return _finite((mean_agreement - chance) / (1.0 - chance))


def _two_reviewers_reason(reviewers: Sequence[str]) -> str | None:
    if len(reviewers) == 2:
        return None
    if not reviewers:
        return "no reviewers in play"
    if len(reviewers) == 1:
        return f"needs exactly two reviewers; only {reviewers[0]!r} is in play"
    return f"needs exactly two reviewers; {len(reviewers)} are in play (see pairwise)"


def _fleiss_reason(data: Tally) -> str | None:
    sizes = data.label_sizes
    if not sizes:
        return NO_LABELS
    if len(sizes) > 1:
        listed = ", ".join(str(size) for size in sizes)
        return (
            f"items have different numbers of labels ({listed}); Fleiss' kappa needs the same "
            "number on every item with labels"
        )
    if sizes[0] < 2:
        return "every item with labels has a single label"
    return None


def _percent(data: Tally, disagreeing: Sequence[int]) -> float | None:
    if data.pairable_items == 0:
        return None
    total = 0.0
    for group, pairs in zip(data.groups, disagreeing, strict=True):
        total += group.items - pairs / group.pairs_per_item
    return total / data.pairable_items


def _off_diagonal(data: Tally, disagreeing: Sequence[int]) -> float:
    """Sum of off-diagonal coincidences: each disagreeing pair in an item of m adds 2/(m-1)."""
    total = 0.0
    for group, pairs in zip(data.groups, disagreeing, strict=True):
        total += 2.0 * pairs / (group.m - 1)
    return total


def _overall(data: Tally) -> dict[str, Value]:
    results: dict[str, Value] = {}
    disagreeing = [group.disagreeing_pairs for group in data.groups]
    percent = _percent(data, disagreeing)
    results["percent_agreement"] = (None, NO_PAIRS) if percent is None else _finite(percent)

    reviewers = data.reviewers
    not_two = _two_reviewers_reason(reviewers)
    if not_two is not None:
        results["cohen_kappa"] = (None, not_two)
    else:
        slot = 0  # the only pair
        first, second = data.pair_first[slot], data.pair_second[slot]
        used = sorted({data.buckets[int(c)] for c in np.flatnonzero(first + second)})
        results["cohen_kappa"] = _cohen(
            int(data.pair_cases[slot]),
            int(data.pair_agreeing[slot]),
            int(first @ second),
            f"both reviewers put every shared item in the same bucket {used[0]!r}, so chance "
            "agreement is 1"
            if used
            else "",
        )

    fleiss_reason = _fleiss_reason(data)
    if fleiss_reason is not None:
        results["fleiss_kappa"] = (None, fleiss_reason)
    else:
        group = data.groups[0]
        total = group.items * group.m
        squares = int(group.bucket_labels @ group.bucket_labels)
        results["fleiss_kappa"] = _fleiss(
            percent,
            squares / (total * total),
            squares == total * total,
            "every label is in the same bucket, so chance agreement is 1",
        )

    if data.pairable_items == 0:
        results["krippendorff_alpha"] = (None, NO_PAIRS)
    else:
        marginals = sum(
            (group.bucket_labels for group in data.groups), np.zeros(len(data.buckets), np.int64)
        )
        values = int(marginals.sum())
        results["krippendorff_alpha"] = _alpha(
            values,
            _off_diagonal(data, disagreeing),
            values * values - int(marginals @ marginals),
            "every pairable label is in the same bucket, so expected disagreement is 0",
        )
    return results


def _per_bucket(data: Tally, index: int) -> BucketAgreement:
    name = data.buckets[index]
    results: dict[str, Value] = {}
    disagreeing = [int(group.bucket_disagreeing_pairs[index]) for group in data.groups]
    percent = _percent(data, disagreeing)
    results["percent_agreement"] = (None, NO_PAIRS) if percent is None else _finite(percent)

    not_two = _two_reviewers_reason(data.reviewers)
    if not_two is not None or data.confusion is None:
        results["cohen_kappa"] = (None, not_two or "needs exactly two reviewers")
    else:
        table = data.confusion
        cases = int(table.sum())
        both = int(table[index, index])
        first = int(table[index, :].sum())
        second = int(table[:, index].sum())
        results["cohen_kappa"] = _cohen(
            cases,
            cases - first - second + 2 * both,
            first * second + (cases - first) * (cases - second),
            f"neither reviewer used {name!r} on a shared item, so chance agreement is 1"
            if first == 0
            else f"both reviewers used {name!r} on every shared item, so chance agreement is 1",
        )

    fleiss_reason = _fleiss_reason(data)
    if fleiss_reason is not None:
        results["fleiss_kappa"] = (None, fleiss_reason)
    else:
        group = data.groups[0]
        total = group.items * group.m
        hits = int(group.bucket_labels[index])
        share = hits / total
        results["fleiss_kappa"] = _fleiss(
            percent,
            share * share + (1.0 - share) * (1.0 - share),
            hits in (0, total),
            f"{'no' if hits == 0 else 'every'} label is {name!r}, so chance agreement is 1",
        )

    if data.pairable_items == 0:
        results["krippendorff_alpha"] = (None, NO_PAIRS)
    else:
        values = sum(group.items * group.m for group in data.groups)
        hits = sum(int(group.bucket_labels[index]) for group in data.groups)
        results["krippendorff_alpha"] = _alpha(
            values,
            _off_diagonal(data, disagreeing),
            2 * hits * (values - hits),
            f"{'no' if hits == 0 else 'every'} pairable label is {name!r}, so expected "
            "disagreement is 0",
        )
    return BucketAgreement(
        bucket=name,
        percent_agreement=results["percent_agreement"][0],
        cohen_kappa=results["cohen_kappa"][0],
        fleiss_kappa=results["fleiss_kappa"][0],
        krippendorff_alpha=results["krippendorff_alpha"][0],
        labels=int(data.bucket_labels[index]),
        undefined={key: str(results[key][1]) for key in METRICS if results[key][0] is None},
    )


def _pairwise(data: Tally) -> dict[tuple[str, str], PairAgreement]:
    reviewers = data.reviewers
    pairs: dict[tuple[str, str], PairAgreement] = {}
    for a in range(len(reviewers)):
        for b in range(a + 1, len(reviewers)):
            slot = int(pair_slot(a, b, len(reviewers)))
            first: IntArray = data.pair_first[slot]
            second: IntArray = data.pair_second[slot]
            cases = int(data.pair_cases[slot])
            kappa, reason = _cohen(
                cases,
                int(data.pair_agreeing[slot]),
                int(first @ second),
                "both reviewers put every shared item in the same bucket, so chance agreement is 1",
            )
            names = (reviewers[a], reviewers[b])
            pairs[names] = PairAgreement(
                reviewers=names,
                cases=cases,
                cohen_kappa=kappa,
                undefined={} if reason is None else {"cohen_kappa": reason},
            )
    return pairs


def compute_agreement(
    matrix: LabelMatrix,
    reviewers: Sequence[str] | None = None,
    bootstrap: int = 0,
    seed: int | None = None,
) -> AgreementReport:
    """Agreement of the reviewers in play (``reviewers``, default all) on ``matrix``.

    ``bootstrap`` > 0 adds a 95% percentile interval for alpha from that many item resamples,
    drawn from ``numpy.random.default_rng(seed)``.
    """
    if isinstance(bootstrap, bool) or not isinstance(bootstrap, int) or bootstrap < 0:
        raise ValueError(f"bootstrap must be a non-negative int, got {bootstrap!r}")
    if reviewers is not None:
        if isinstance(reviewers, str):
            raise TypeError("reviewers must be a sequence of names, not one string")
        matrix = matrix.restrict(reviewers)
    data = tally(matrix, with_patterns=bootstrap > 0)
    overall = _overall(data)
    undefined = {key: str(overall[key][1]) for key in METRICS if overall[key][0] is None}
    ac1 = gwet_ac1_from_tally(data)
    if ac1.overall.value is None:
        undefined[AC1_KEY] = str(ac1.overall.reason)
    in_bucket = _pairable_in_bucket(matrix, len(data.buckets))

    alpha = overall["krippendorff_alpha"][0]
    if bootstrap == 0:
        boot = BootstrapResult(None, "bootstrap not requested (bootstrap=0)", 0, 0)
    elif alpha is None:
        reason = f"krippendorff_alpha is undefined: {overall['krippendorff_alpha'][1]}"
        boot = BootstrapResult(None, reason, bootstrap, 0)
    else:
        assert data.patterns is not None
        boot = bootstrap_alpha(data.patterns, bootstrap, seed)
    if boot.ci95 is None:
        undefined[CI] = str(boot.reason)

    confusion = None
    if data.confusion is not None:
        first, second = data.reviewers
        confusion = Confusion(
            reviewers=(first, second),
            buckets=data.buckets,
            matrix=tuple(tuple(int(x) for x in row) for row in data.confusion),
        )
    return AgreementReport(
        reviewers=data.reviewers,
        buckets=data.buckets,
        percent_agreement=overall["percent_agreement"][0],
        cohen_kappa=overall["cohen_kappa"][0],
        fleiss_kappa=overall["fleiss_kappa"][0],
        krippendorff_alpha=alpha,
        krippendorff_alpha_ci95=boot.ci95,
        undefined=undefined,
        per_bucket={
            name: _with_ac1(_per_bucket(data, i), ac1.per_bucket[name], int(in_bucket[i]))
            for i, name in enumerate(data.buckets)
        },
        pairwise=_pairwise(data),
        confusion=confusion,
        items_with_labels=data.items_with_labels,
        pairable_items=data.pairable_items,
        bootstrap_replicates=boot.replicates,
        bootstrap_defined=boot.defined,
        gwet_ac1=ac1.overall.value,
    )


def _with_ac1(entry: BucketAgreement, ac1: AC1, pairable_in_bucket: int) -> BucketAgreement:
    undefined = dict(entry.undefined)
    if ac1.value is None:
        undefined[AC1_KEY] = str(ac1.reason)
    return replace(
        entry, gwet_ac1=ac1.value, pairable_in_bucket=pairable_in_bucket, undefined=undefined
    )


def _pairable_in_bucket(matrix: LabelMatrix, n_buckets: int) -> IntArray:
    """Per bucket: pairable items (two or more labels) on which some reviewer gave it."""
    items = np.asarray(matrix.item_codes)
    if not len(items) or not n_buckets:
        return np.zeros(n_buckets, dtype=np.int64)
    per_item = np.bincount(items)
    pairable = per_item[items] >= 2
    seen = np.zeros((len(per_item), n_buckets), dtype=bool)
    seen[items[pairable], np.asarray(matrix.bucket_codes)[pairable]] = True
    counts: IntArray = seen.sum(axis=0).astype(np.int64)
    return counts
