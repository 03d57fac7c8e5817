"""Landis & Koch (1977) words for kappa / alpha values."""

from __future__ import annotations

import math

__all__ = ["BANDS", "MIN_IN_BUCKET", "MIN_PAIRABLE", "TOO_FEW", "band", "band_for"]

MIN_PAIRABLE = 30
"""Fewer pairable cases (two or more labels) than this: no band, "too few cases"."""
MIN_IN_BUCKET = 5
"""Per bucket: fewer pairable cases where some reviewer gave the bucket than this: the same."""
TOO_FEW = "too few cases"

# (inclusive upper bound, word). Landis & Koch print the bands as 0.00-0.20, 0.21-0.40, ...
# which leaves gaps for values such as 0.205; here every band includes its upper bound and
# excludes its lower one: 0.20 is "slight", 0.2000001 is "fair", 0.0 is "slight", -0.01 "poor".
BANDS: tuple[tuple[float, str], ...] = (
    (0.20, "slight"),
    (0.40, "fair"),
    (0.60, "moderate"),
    (0.80, "substantial"),
    (1.00, "almost perfect"),
)

# Kappa and alpha never exceed 1; allow for floating-point noise just above it.
_TOLERANCE = 1e-9


def band(value: float) -> str:
    """Landis & Koch word for an agreement value in [-1, 1] (alpha may go below -1).

    Convention: ``< 0`` is "poor"; otherwise the first band whose upper bound is ``>= value``:
    [0, 0.20] "slight", (0.20, 0.40] "fair", (0.40, 0.60] "moderate", (0.60, 0.80]
    "substantial", (0.80, 1] "almost perfect". ``ValueError`` for NaN, infinities and values
    above 1; pass ``None`` (undefined) values to the caller's own "undefined" text instead.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"band() needs a number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"band() needs a finite number, got {value!r}")
    if value > 1.0 + _TOLERANCE:
        raise ValueError(f"agreement values are at most 1, got {value!r}")
    if value < 0:
        return "poor"
    for upper, word in BANDS:
        if value <= upper:
            return word
    return BANDS[-1][1]


def band_for(value: float, pairable: int, in_bucket: int | None = None) -> str:
    """:func:`band`, or "too few cases" when the value rests on fewer than
    :data:`MIN_PAIRABLE` pairable cases or (per bucket, ``in_bucket``) fewer than
    :data:`MIN_IN_BUCKET` pairable cases in the bucket: a word like "almost perfect" needs more
    than a handful of cases behind it."""
    if pairable < MIN_PAIRABLE or (in_bucket is not None and in_bucket < MIN_IN_BUCKET):
        return TOO_FEW
    return band(value)
