"""Small statistics for reports and the release gate: Wilson intervals and percentiles.

This module is part of the pure core: standard library only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

__all__ = ["Z_95", "percentile", "wilson_interval"]

#: The two-sided 95% normal quantile, Φ⁻¹(0.975).
Z_95: Final = 1.959963984540054


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float] | None:
    """Return the Wilson score interval (low, high) for `successes` out of `n` trials.

    Returns None when `n` is 0 (no data, no interval). The default `z` gives a two-sided 95%
    interval. Both bounds lie in [0, 1]; the lower bound is exactly 0.0 when `successes` is 0
    and the upper bound exactly 1.0 when `successes` equals `n`. Raises `ValueError` if `n` is
    negative, `successes` is not within 0..n, or `z` is not a positive finite number.
    """
    if n < 0:
        raise ValueError(f"n must not be negative, got {n}")
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be between 0 and n={n}, got {successes}")
    if not (math.isfinite(z) and z > 0):
        raise ValueError(f"z must be a positive finite number, got {z}")
    if n == 0:
        return None
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half_width = (z / denominator) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    low = 0.0 if successes == 0 else max(0.0, centre - half_width)
    high = 1.0 if successes == n else min(1.0, centre + half_width)
    return low, high


def percentile(values: Sequence[float], q: float) -> float | None:
    """Return the `q`-th percentile (q in 0..100) of `values`, or None if `values` is empty.

    Uses linear interpolation between the two nearest ranks, like ``numpy.percentile`` with its
    default ``method="linear"`` (Hyndman and Fan type 7), including numpy's way of
    interpolating so results agree to the last bit in ordinary cases. Raises `ValueError` if
    `q` is outside [0, 100] or a value is NaN.
    """
    if not 0 <= q <= 100:  # also rejects NaN
        raise ValueError(f"q must be between 0 and 100, got {q}")
    if not values:
        return None
    ordered = sorted(float(value) for value in values)
    if any(math.isnan(value) for value in ordered):
        raise ValueError("values must not contain NaN")
    count = len(ordered)
    virtual_index = (count - 1) * (q / 100)
    if virtual_index >= count - 1:
        return ordered[-1]
    below = math.floor(virtual_index)
    lower, upper = ordered[below], ordered[below + 1]
    weight = virtual_index - below
    difference = upper - lower
    if weight >= 0.5:
        return upper - difference * (1 - weight)
    return lower + difference * weight
