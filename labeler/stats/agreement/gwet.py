"""Gwet's AC1 for several reviewers with missing labels, overall and per bucket (one vs rest).

Definitions, as in Gwet (2008) and the ``irrCAC`` package (``gwet.ac1.raw`` in R, ``CAC.gwet``
in Python) with identity weights. A case "has labels" if at least one reviewer labeled it;
``r_i`` is its number of labels and ``r_ik`` the number in bucket ``k``:

* ``pa``: over the ``n2`` cases with at least two labels, the mean of
  ``sum_k r_ik (r_ik - 1) / (r_i (r_i - 1))`` (the share of agreeing reviewer pairs; every such
  case weighs the same, whatever its number of labels);
* ``pi_k``: over *all* cases with labels (single-label cases included), the mean of
  ``r_ik / r_i``;
* ``pe = sum_k pi_k (1 - pi_k) / (q - 1)``, with ``q`` the number of buckets that occur in the
  labels;
* ``AC1 = (pa - pe) / (1 - pe)``.

Per bucket, the same on the binary question "this bucket or not" (``q`` = 2 when both answers
occur): ``pe = 2 pi (1 - pi)``.

AC1 is undefined (None, with a reason) when no case has two labels or fewer than two buckets
occur. Otherwise ``pe <= 1 / q <= 1 / 2``, so the division is always safe. Unlike kappa and alpha,
AC1 stays high when reviewers agree on a skewed distribution (the "kappa paradox": almost every
case "not a failure", reviewers agreeing on 94% of cases, kappa near 0 and AC1 near 0.94).

Sources: K. L. Gwet (2008), "Computing inter-rater reliability and its variance in the presence
of high agreement", British Journal of Mathematical and Statistical Psychology 61, 29-48;
K. L. Gwet (2014), *Handbook of Inter-Rater Reliability*, 4th ed., Advanced Analytics, ch. 2;
the ``irrCAC`` R and Python packages.

Two inputs: :func:`gwet_ac1` takes a plain mapping ``case -> buckets given by the reviewers``;
:func:`gwet_ac1_from_tally` takes the integer :class:`~labeler.stats.agreement.tally.Tally` the
other
metrics are computed from. Both give the same numbers (up to float rounding in the last place).

This module is part of the pure core: numpy only through the tally.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from labeler.stats.agreement.tally import Tally

__all__ = ["AC1", "AC1Report", "gwet_ac1", "gwet_ac1_from_tally"]

NO_LABELS = "no case has a label"
NO_PAIRS = "no case has labels from two or more reviewers"


@dataclass(frozen=True)
class AC1:
    """Gwet's AC1 with its parts; ``value``, ``pa`` and ``pe`` are None with a ``reason``."""

    value: float | None
    pa: float | None
    pe: float | None
    cases: int  # cases with at least one label
    pairable: int  # cases with at least two labels (n2)
    categories: int  # q: buckets (or, per bucket, answers) that occur in the labels
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "pa": self.pa,
            "pe": self.pe,
            "cases": self.cases,
            "pairable": self.pairable,
            "categories": self.categories,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class AC1Report:
    """AC1 over all buckets and one vs rest for each bucket (in taxonomy or sorted order)."""

    overall: AC1
    per_bucket: Mapping[str, AC1]

    def to_json(self) -> dict[str, Any]:
        return {
            "overall": self.overall.to_json(),
            "per_bucket": {name: entry.to_json() for name, entry in self.per_bucket.items()},
        }


def _finish(
    pa_sum: float, pairable: int, pi_sums: Sequence[float], cases: int, one_bucket_reason: str
) -> AC1:
    """AC1 from ``sum of per-case pa`` over pairable cases and ``sum of per-case shares``."""
    q = sum(1 for total in pi_sums if total > 0)
    if cases == 0:
        return AC1(None, None, None, 0, 0, 0, NO_LABELS)
    if pairable == 0:
        return AC1(None, None, None, cases, 0, q, NO_PAIRS)
    if q < 2:
        return AC1(None, None, None, cases, pairable, q, one_bucket_reason)
    pa = pa_sum / pairable
    pe = math.fsum(total / cases * (1 - total / cases) for total in pi_sums) / (q - 1)
    value = (pa - pe) / (1 - pe)
    if not math.isfinite(value):  # cannot happen (pe <= 1/2), kept as a guard against NaN
        return AC1(None, None, None, cases, pairable, q, "the computation did not give a number")
    return AC1(value, pa, pe, cases, pairable, q)


def _one_bucket_reason(names: Iterable[str]) -> str:
    used = sorted(names)
    if not used:
        return NO_LABELS
    return f"every label is {used[0]!r}, so chance agreement cannot be corrected for"


def _binary_reason(bucket: str, hits: float) -> str:
    if hits == 0:
        return f"no label is {bucket!r}, so 'this bucket or not' has one answer"
    return f"every label is {bucket!r}, so 'this bucket or not' has one answer"


def gwet_ac1(
    labels: Mapping[Any, Sequence[str]], buckets: Sequence[str] | None = None
) -> AC1Report:
    """AC1 from ``case -> buckets`` (one entry per reviewer who labeled the case).

    Cases with an empty list count nowhere. ``buckets`` fixes which per-bucket entries appear
    and their order (default: the buckets used, sorted); a label outside it is a ``ValueError``.
    ``q`` counts only the buckets that occur in the labels, as ``irrCAC`` does by default.
    """
    for case, given in labels.items():
        if isinstance(given, str):
            raise TypeError(f"case {case!r}: give a list of buckets, not one string")
    counts = [Counter(given) for given in labels.values() if len(given) > 0]
    used = set().union(*counts) if counts else set()
    if buckets is None:
        names = tuple(sorted(used))
    else:
        names = tuple(buckets)
        unknown = sorted(used - set(names))
        if unknown:
            raise ValueError(f"labels use buckets not in the list: {unknown!r}")
    position = {name: index for index, name in enumerate(names)}

    pa_parts: list[float] = []
    binary_pa_parts: list[list[float]] = [[] for _ in names]
    shares: list[list[float]] = [[] for _ in names]
    for case in counts:
        r = sum(case.values())
        for name, count in case.items():
            shares[position[name]].append(count / r)
        if r < 2:
            continue
        pairs = r * (r - 1)
        pa_parts.append(sum(c * (c - 1) for c in case.values()) / pairs)
        for index, name in enumerate(names):
            hit = case.get(name, 0)
            binary_pa_parts[index].append((hit * (hit - 1) + (r - hit) * (r - hit - 1)) / pairs)

    cases, pairable = len(counts), len(pa_parts)
    pi_sums = [math.fsum(parts) for parts in shares]
    overall = _finish(math.fsum(pa_parts), pairable, pi_sums, cases, _one_bucket_reason(used))
    per_bucket = {
        name: _finish(
            math.fsum(binary_pa_parts[index]),
            pairable,
            [pi_sums[index], cases - pi_sums[index]],
            cases,
            _binary_reason(name, pi_sums[index]),
        )
        for index, name in enumerate(names)
    }
    return AC1Report(overall, per_bucket)


def gwet_ac1_from_tally(data: Tally) -> AC1Report:
    """AC1 from the integer tally that :func:`labeler.stats.agreement.compute_agreement` uses.

    Within the group of cases with ``m`` labels, per-case sums add up to group totals:
    ``sum_i r_ik / r_i = (labels in bucket k) / m`` and ``sum_i pa_i = cases - disagreeing pairs
    / (m (m - 1) / 2)``. Single-label cases are the labels outside every group.
    """
    buckets = data.buckets
    single = [int(x) for x in data.bucket_labels]
    for group in data.groups:
        for index in range(len(buckets)):
            single[index] -= int(group.bucket_labels[index])
    cases = data.items_with_labels
    pairable = data.pairable_items

    pi_sums: list[float] = []
    for index in range(len(buckets)):
        parts = [float(single[index])]
        parts += [int(group.bucket_labels[index]) / group.m for group in data.groups]
        pi_sums.append(math.fsum(parts))
    pa_sum = math.fsum(
        group.items - group.disagreeing_pairs / group.pairs_per_item for group in data.groups
    )
    used = [name for name, labels in zip(buckets, data.bucket_labels, strict=True) if labels > 0]
    overall = _finish(pa_sum, pairable, pi_sums, cases, _one_bucket_reason(used))
    per_bucket: dict[str, AC1] = {}
    for index, name in enumerate(buckets):
        binary_pa = math.fsum(
            group.items - int(group.bucket_disagreeing_pairs[index]) / group.pairs_per_item
            for group in data.groups
        )
        per_bucket[name] = _finish(
            binary_pa,
            pairable,
            [pi_sums[index], cases - pi_sums[index]],
            cases,
            _binary_reason(name, pi_sums[index]),
        )
    return AC1Report(overall, per_bucket)
