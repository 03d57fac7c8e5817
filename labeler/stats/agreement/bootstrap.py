"""Bootstrap confidence interval for nominal Krippendorff's alpha, resampling items.

An item's contribution to the coincidence matrix depends only on its label multiset (its
"pattern"): with ``n_c`` labels in bucket ``c`` out of ``m``, it adds ``n_c`` to the marginal of
``c`` and ``(m**2 - sum n_c**2) / (m - 1)`` to the off-diagonal total. Nominal alpha is

    alpha = 1 - (n - 1) * off_diagonal / (n**2 - sum_c n_c**2)

so a resample of items is fully described by how often each pattern was drawn. Drawing ``N``
items uniformly with replacement gives pattern counts that are multinomial(N, weight / N), so
each replicate is one multinomial draw plus three small matrix products — the same distribution
as resampling items one by one, at a cost independent of the number of items.

Only pairable items (two or more labels) are resampled: single-label items add nothing to any
term of alpha, so including them would only add noise to the effective sample size.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from labeler.stats.agreement.matrix import IntArray

__all__ = ["BootstrapResult", "PatternTable", "bootstrap_alpha", "group_patterns"]

FloatArray = npt.NDArray[np.float64]

# Replicates x patterns entries drawn per chunk.
_CHUNK_ENTRIES = 1 << 22
_LOW, _HIGH = 2.5, 97.5
# Label multisets are packed into one int64 per item while base**m stays below this.
_MAX_PACKED = 2**62


def group_patterns(bucket_block: IntArray, n_buckets: int) -> tuple[int, IntArray, IntArray]:
    """Distinct label multisets among items with ``m`` labels, in lexicographic order.

    ``bucket_block`` is ``(k, m)``: the buckets of ``k`` items. Returns ``(m, patterns, weights)``
    with ``patterns`` ``(P, m)`` (sorted bucket codes) and ``weights`` the items per pattern.
    """
    m = int(bucket_block.shape[1])
    ordered = np.sort(bucket_block, axis=1)
    base = max(n_buckets, 1)
    if base**m < _MAX_PACKED:
        powers = np.array([base ** (m - 1 - j) for j in range(m)], dtype=np.int64)
        codes = ordered @ powers
        unique_codes, weights = np.unique(codes, return_counts=True)
        patterns = (unique_codes[:, None] // powers[None, :]) % base
    else:
        patterns, weights = np.unique(ordered, axis=0, return_counts=True)
    return m, patterns.astype(np.int64), weights.astype(np.int64)


@dataclass(frozen=True)
class PatternTable:
    """Per pattern: label count ``m``, labels per bucket, ``m**2 - sum n_c**2``, items.

    Patterns are stored by ascending ``m``; ``groups`` lists ``(m, start, stop)`` slices.
    """

    sizes: FloatArray  # (P,)
    bucket_counts: FloatArray  # (P, B)
    disagreements: FloatArray  # (P,) ordered disagreeing label pairs, an integer
    weights: IntArray  # (P,)
    groups: tuple[tuple[int, int, int], ...]

    @classmethod
    def from_parts(
        cls, parts: Sequence[tuple[int, IntArray, IntArray]], n_buckets: int
    ) -> PatternTable:
        sizes: list[FloatArray] = [np.zeros(0)]
        counts: list[FloatArray] = [np.zeros((0, n_buckets))]
        disagreements: list[FloatArray] = [np.zeros(0)]
        weights: list[IntArray] = [np.zeros(0, dtype=np.int64)]
        groups: list[tuple[int, int, int]] = []
        start = 0
        for m, patterns, pattern_weights in parts:
            n_patterns = len(patterns)
            owner = np.repeat(np.arange(n_patterns, dtype=np.int64), m)
            per_bucket = np.bincount(
                owner * n_buckets + patterns.ravel(), minlength=n_patterns * n_buckets
            ).reshape(n_patterns, n_buckets)
            squares = (per_bucket * per_bucket).sum(axis=1)
            sizes.append(np.full(n_patterns, float(m)))
            counts.append(per_bucket.astype(np.float64))
            disagreements.append((m * m - squares).astype(np.float64))
            weights.append(pattern_weights)
            groups.append((m, start, start + n_patterns))
            start += n_patterns
        return cls(
            sizes=np.concatenate(sizes),
            bucket_counts=np.concatenate(counts),
            disagreements=np.concatenate(disagreements),
            weights=np.concatenate(weights),
            groups=tuple(groups),
        )

    def alphas(self, counts: FloatArray) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
        """Alpha for each row of pattern ``counts`` (R, P); second value marks defined rows.

        Every matrix product sums integers far below 2**53, so it is exact in float64 whatever
        the summation order (results do not depend on chunking), and the "expected
        disagreement is 0" test is an exact comparison. The off-diagonal total divides each
        group's integer sum by ``m - 1`` and adds the groups in ascending ``m``.
        """
        n = counts @ self.sizes
        per_bucket = counts @ self.bucket_counts
        off = np.zeros(len(counts))
        for m, start, stop in self.groups:
            off += (counts[:, start:stop] @ self.disagreements[start:stop]) / (m - 1.0)
        expected = n * n - np.einsum("ij,ij->i", per_bucket, per_bucket)
        defined = expected > 0
        safe = np.where(defined, expected, 1.0)
        return 1.0 - (n - 1.0) * off / safe, defined


@dataclass(frozen=True)
class BootstrapResult:
    ci95: tuple[float, float] | None
    reason: str | None  # why ci95 is None
    replicates: int
    defined: int  # replicates with a defined alpha (the ones the interval uses)


def bootstrap_alpha(table: PatternTable, replicates: int, seed: int | None) -> BootstrapResult:
    """Percentile (2.5, 97.5) interval of alpha over ``replicates`` item resamples."""
    if replicates <= 0:
        return BootstrapResult(None, "bootstrap not requested (bootstrap=0)", 0, 0)
    total = int(table.weights.sum())
    if total == 0:
        return BootstrapResult(None, "no pairable items to resample", replicates, 0)
    rng = np.random.default_rng(seed)
    probabilities = table.weights / total
    chunk = max(1, _CHUNK_ENTRIES // len(probabilities))
    kept: list[FloatArray] = []
    for start in range(0, replicates, chunk):
        size = min(chunk, replicates - start)
        counts = rng.multinomial(total, probabilities, size=size).astype(np.float64)
        values, defined = table.alphas(counts)
        kept.append(values[defined])
    values = np.concatenate(kept)
    undefined = replicates - len(values)
    if undefined * 2 > replicates:
        reason = (
            f"alpha was undefined in {undefined} of {replicates} bootstrap replicates "
            "(more than half): nearly all labels are in one bucket"
        )
        return BootstrapResult(None, reason, replicates, len(values))
    low, high = (float(x) for x in np.percentile(values, [_LOW, _HIGH]))
    if not (math.isfinite(low) and math.isfinite(high)):
        return BootstrapResult(None, "bootstrap interval is not finite", replicates, len(values))
    return BootstrapResult((low, high), None, replicates, len(values))
