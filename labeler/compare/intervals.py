"""Intervals for the difference between two versions: unpaired, paired, and by bootstrap.

Every difference is *candidate minus baseline*, so a positive difference of a failure rate is a
regression.

* :func:`newcombe_difference`: two independent proportions, Newcombe's hybrid score interval
  (Newcombe 1998, "Interval estimation for the difference between independent proportions",
  Stat Med 17:873-890, method 10) from two Wilson intervals, without continuity correction.
  It is what ``statsmodels.stats.proportion.confint_proportions_2indep(count1, nobs1, count2,
  nobs2, method="newcomb", compare="diff")`` gives with the candidate as sample 1.
* :func:`paired_difference`: the same cases (pairs) seen by both versions, Newcombe's score
  interval for paired data (Newcombe 1998, "Improved confidence intervals for the difference
  between binomial proportions based on paired data", Stat Med 17:2635-2650, method 10), with
  the paper's correction of the phi coefficient. His worked example, 36 pairs positive on both,
  12 on the first only, 2 on the second only, none on neither, gives 0.0569 to 0.3404.
* :func:`mcnemar_exact_p`: the exact (binomial) two-sided McNemar p-value on discordant pairs.
* :func:`bootstrap_percentile_difference`: a percentile bootstrap of the difference between two
  percentiles (latency p50, p95), resampling cases (or pairs) with a seeded generator.

This module is part of the pure core: standard library and numpy only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from labeler.stats.intervals import Z_95, wilson_interval

__all__ = [
    "PairedTable",
    "bootstrap_percentile_difference",
    "mcnemar_exact_p",
    "newcombe_difference",
    "paired_difference",
]

Interval = tuple[float, float]


def newcombe_difference(
    k_baseline: int, n_baseline: int, k_candidate: int, n_candidate: int, z: float = Z_95
) -> Interval | None:
    """The 95% interval of ``k_candidate/n_candidate - k_baseline/n_baseline`` (None if a
    version has no case): Newcombe's hybrid score interval (method 10)."""
    base = wilson_interval(k_baseline, n_baseline, z)
    cand = wilson_interval(k_candidate, n_candidate, z)
    if base is None or cand is None:
        return None
    p_base, p_cand = k_baseline / n_baseline, k_candidate / n_candidate
    difference = p_cand - p_base
    low = difference - math.sqrt((p_cand - cand[0]) ** 2 + (base[1] - p_base) ** 2)
    high = difference + math.sqrt((cand[1] - p_cand) ** 2 + (p_base - base[0]) ** 2)
    return max(-1.0, low), min(1.0, high)


@dataclass(frozen=True)
class PairedTable:
    """Pairs (one case per version) by whether each case is in the bucket."""

    both: int
    baseline_only: int
    candidate_only: int
    neither: int

    @property
    def pairs(self) -> int:
        """Every pair in the table."""
        return self.both + self.baseline_only + self.candidate_only + self.neither

    @property
    def discordant(self) -> int:
        """Pairs where exactly one version is in the bucket."""
        return self.baseline_only + self.candidate_only


def _phi(table: PairedTable) -> float:
    """Newcombe's corrected phi: ``ad - bc`` shrunk by ``n/2`` towards 0 when positive."""
    a, b, c, d = table.both, table.candidate_only, table.baseline_only, table.neither
    denominator = (a + b) * (c + d) * (a + c) * (b + d)
    if denominator == 0:
        return 0.0
    cross = a * d - b * c
    if cross > table.pairs / 2:
        corrected = cross - table.pairs / 2
    elif cross < 0:
        corrected = float(cross)
    else:
        corrected = 0.0
    return corrected / math.sqrt(denominator)


def paired_difference(table: PairedTable, z: float = Z_95) -> Interval | None:
    """The 95% interval of the candidate's share minus the baseline's on the same pairs
    (Newcombe 1998, paired data, method 10); None without pairs."""
    n = table.pairs
    if n == 0:
        return None
    in_candidate = table.both + table.candidate_only
    in_baseline = table.both + table.baseline_only
    p1, p2 = in_candidate / n, in_baseline / n
    l1, u1 = wilson_interval(in_candidate, n, z) or (0.0, 0.0)
    l2, u2 = wilson_interval(in_baseline, n, z) or (0.0, 0.0)
    phi = _phi(table)
    theta = p1 - p2
    below = (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2
    above = (u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2
    low = theta - math.sqrt(max(below, 0.0))
    high = theta + math.sqrt(max(above, 0.0))
    return max(-1.0, low), min(1.0, high)


def mcnemar_exact_p(baseline_only: int, candidate_only: int) -> float:
    """The exact two-sided McNemar p-value: twice the smaller binomial tail of the discordant
    pairs at one half (1.0 without discordant pairs), capped at 1."""
    if baseline_only < 0 or candidate_only < 0:
        raise ValueError("discordant pair counts must not be negative")
    n = baseline_only + candidate_only
    if n == 0:
        return 1.0
    smaller = min(baseline_only, candidate_only)
    # log-space sum of C(n, i) / 2**n for i <= smaller: exact enough for any n.
    logs = [
        math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) for i in range(smaller + 1)
    ]
    top = max(logs)
    tail = math.exp(top - n * math.log(2)) * sum(math.exp(x - top) for x in logs)
    return min(1.0, 2 * tail)


def _percentiles(samples: np.ndarray, qs: Sequence[float]) -> np.ndarray:
    """Percentiles per row, by numpy's linear rule
    (:func:`labeler.stats.intervals.percentile`'s)."""
    result: np.ndarray = np.percentile(samples, list(qs), axis=1, method="linear")
    return result


def _resampled_percentile(
    ordered: np.ndarray, q: float, replicates: int, rng: np.random.Generator
) -> np.ndarray:
    """The ``q``-th percentile (linear rule) of ``replicates`` resamples of ``ordered`` (sorted),
    drawn without building the resamples.

    A resample is ``n`` draws of ``ceil(n * U)`` for uniform ``U``, so its ``r``-th smallest value
    is ``ordered[ceil(n * U_(r))]``, and the ``r``-th smallest of ``n`` uniforms is
    ``Beta(r, n - r + 1)``; given it, the next one is ``U_(r) + (1 - U_(r)) * Beta(1, n - r)``.
    Two draws per replicate instead of ``n``: the same distribution as resampling.
    """
    n = len(ordered)
    h = (n - 1) * q / 100
    rank = math.floor(h) + 1
    weight = h - (rank - 1)
    low_u = rng.beta(rank, n - rank + 1, size=replicates)
    low = ordered[np.clip(np.ceil(n * low_u).astype(np.int64), 1, n) - 1]
    if rank >= n or weight == 0:
        return np.asarray(low, dtype=np.float64)
    high_u = low_u + (1 - low_u) * rng.beta(1, n - rank, size=replicates)
    high = ordered[np.clip(np.ceil(n * high_u).astype(np.int64), 1, n) - 1]
    return np.asarray(low + weight * (high - low), dtype=np.float64)


_CHUNK_VALUES = 4_000_000
"""Resampled values held at once (paired resampling): about 32 MB of indices."""


def bootstrap_percentile_difference(
    baseline: Sequence[float],
    candidate: Sequence[float],
    qs: Sequence[float],
    replicates: int,
    seed: int,
    *,
    paired: bool = False,
) -> list[Interval | None]:
    """Percentile-bootstrap 95% intervals of ``percentile(candidate, q) - percentile(baseline, q)``
    for each ``q``.

    Unpaired, each version is resampled on its own (by order statistics, see
    :func:`_resampled_percentile`: fast on any number of cases); ``paired`` resamples pairs (the
    two lists are aligned, one entry per pair). None for every ``q`` when a version has fewer
    than two values or ``replicates`` is 0. The same ``seed`` gives the same intervals.
    """
    base = np.asarray(baseline, dtype=np.float64)
    cand = np.asarray(candidate, dtype=np.float64)
    if replicates <= 0 or len(base) < 2 or len(cand) < 2:
        return [None for _ in qs]
    if paired and len(base) != len(cand):
        raise ValueError("paired samples must have the same length")
    rng = np.random.default_rng(seed)
    if not paired:
        base_sorted, cand_sorted = np.sort(base), np.sort(cand)
        rows = [
            _resampled_percentile(cand_sorted, q, replicates, rng)
            - _resampled_percentile(base_sorted, q, replicates, rng)
            for q in qs
        ]
        differences = np.vstack(rows)
    else:
        chunk = max(1, _CHUNK_VALUES // len(base))
        parts: list[np.ndarray] = []
        done = 0
        while done < replicates:
            size = min(chunk, replicates - done)
            pick = rng.integers(0, len(base), size=(size, len(base)))
            parts.append(_percentiles(cand[pick], qs) - _percentiles(base[pick], qs))
            done += size
        differences = np.concatenate(parts, axis=1)
    bounds = np.percentile(differences, [2.5, 97.5], axis=1, method="linear")
    return [(float(bounds[0][i]), float(bounds[1][i])) for i in range(len(qs))]
