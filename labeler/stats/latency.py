"""What counts as a latency in ``meta.latency_ms``: one rule for the review hint and the gate.

A latency is a finite, non-negative number of milliseconds, written as a JSON number or as text
that reads as one (``1840``, ``1840.5``, ``"1840"``). Anything else is *not a latency*:
``"inf"``, ``"NaN"``, a number too large to be finite, a negative number, ``true``, ``"slow"``,
a list or an object. The gate leaves such a value out of its percentiles (the case is not
measured), and the review hint says the value is unreadable. ``null`` or no ``latency_ms`` at
all means the case has no latency, and nothing is said.

This module is part of the pure core: standard library only.
"""

from __future__ import annotations

import math

LATENCY_KEY = "latency_ms"
"""The meta key that holds a case's latency."""


def parse_latency_ms(value: object) -> float | None:
    """The latency in ms that a meta value (as :func:`json.loads` gives it) says, or None.

    None for everything that is not a latency (see the module docstring), ``None`` included.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except (ValueError, OverflowError):  # "slow"; an integer too large for a float
        return None
    return number if math.isfinite(number) and number >= 0 else None
