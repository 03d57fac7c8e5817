"""How many more cases before a rule decides, and how many doubly labeled cases agreement needs.

Three small planners, all pure arithmetic:

* :func:`more_cases`: further reviewed cases ``m`` before the 95% interval of a rate rule
  excludes its threshold, **if the observed rate holds**, for the fixed-n Wilson interval or
  the anytime-valid Robbins sequence (:mod:`labeler.gates.anytime`);
* :func:`bloch_kraemer_units`: doubly labeled units needed to show a minimum nominal
  Krippendorff's alpha (Bloch & Kraemer 1989, as used by Krippendorff 2019);
* :func:`cases_for_width`: cases needed to shrink a bootstrap interval to a target width,
  extrapolating its width by ``1 / sqrt(n)``.

Rates and thresholds here are shares in [0, 1] (a gate's ``max_per_1000`` divided by 1000).

This module is part of the pure core: standard library only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Final, Literal

from labeler.gates.anytime import ALPHA, sequence_above, sequence_below
from labeler.stats.intervals import Z_95

__all__ = [
    "MAX_CASES",
    "Direction",
    "Method",
    "Plan",
    "bloch_kraemer_units",
    "cases_for_width",
    "decides",
    "more_cases",
    "wilson_at_rate",
]

Method = Literal["wilson", "anytime"]
Direction = Literal["below", "above"]
METHODS: Final = ("wilson", "anytime")

#: The search stops at this many cases in all (``n + m``): no review pool is that large, so a
#: plan past it is reported as "too many" rather than as a number.
MAX_CASES: Final = 10**9

RATE_EQUALS_THRESHOLD: Final = (
    "the observed rate equals the threshold: no number of further cases decides at this rate"
)
NO_CASES: Final = "no reviewed cases: there is no observed rate to project"


@dataclass(frozen=True)
class Plan:
    """Further cases ``more_cases`` after which the interval would exclude the threshold.

    ``direction`` says which side the interval would end up on: ``"below"`` (the rule would
    pass: the upper end at or under the threshold) or ``"above"`` (it would fail: the lower end
    at or over it). ``more_cases`` is 0 when the interval already excludes the threshold
    ("decided now"), and None with a ``reason`` when no number can be given (the observed rate
    equals the threshold, no cases yet, or more than :data:`MAX_CASES` in all would be needed;
    ``direction`` is still set in the last case). The projection assumes the observed rate
    ``k / n`` holds and that the reviewed cases are a random sample.
    """

    more_cases: int | None
    direction: Direction | None
    method: Method
    reason: str | None = None


def wilson_at_rate(rate: float, n: float, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval for an observed ``rate`` over ``n`` > 0 cases.

    The same arithmetic as :func:`labeler.stats.intervals.wilson_interval` (which takes a
    count): the
    interval depends on the count only through ``rate = count / n``, so this gives bit-for-bit
    the same numbers at ``rate = count / n``, and extends them to a rate held at any ``n``.
    """
    if not (math.isfinite(n) and n > 0):
        raise ValueError(f"n must be a positive finite number, got {n}")
    if not 0 <= rate <= 1:
        raise ValueError(f"rate must be between 0 and 1, got {rate}")
    p = rate
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half_width = (z / denominator) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    low = 0.0 if rate == 0 else max(0.0, centre - half_width)
    high = 1.0 if rate == 1 else min(1.0, centre + half_width)
    return low, high


def _check_counts(k: int, n: int, threshold: float) -> None:
    if n < 0:
        raise ValueError(f"n must not be negative, got {n}")
    if not 0 <= k <= n:
        raise ValueError(f"k must be between 0 and n={n}, got {k}")
    if not (math.isfinite(threshold) and 0 <= threshold <= 1):
        raise ValueError(f"threshold must be a share between 0 and 1, got {threshold}")


def _decided(rate: float, total: int, threshold: float, direction: Direction, method: str) -> bool:
    """Does the interval at ``total`` cases and observed ``rate`` exclude the threshold?"""
    if method == "wilson":
        low, high = wilson_at_rate(rate, total)
        return high <= threshold if direction == "below" else low >= threshold
    failures = rate * total
    if direction == "below":
        return sequence_below(failures, total, threshold, ALPHA)
    return sequence_above(failures, total, threshold, ALPHA)


def decides(k: int, n: int, m: int, threshold: float, method: Method) -> bool:
    """Would the interval exclude ``threshold`` after ``m`` more cases at the rate ``k / n``?

    "Exclude" means the upper end is at or under the threshold when ``k / n`` is below it, or
    the lower end at or over it when ``k / n`` is above it (the gate's own pass test is
    ``upper <= threshold``). The failures at ``n + m`` cases are the real number
    ``(k / n) * (n + m)``: the rate is held exactly rather than rounded to whole failures, which
    keeps the answer monotone in ``m`` (see :func:`more_cases`). False when ``n`` is 0 or the
    rate equals the threshold.
    """
    _check_counts(k, n, threshold)
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if m < 0:
        raise ValueError(f"m must not be negative, got {m}")
    if n == 0:
        return False
    rate = k / n
    if rate == threshold:
        return False
    return _decided(rate, n + m, threshold, "below" if rate < threshold else "above", method)


def more_cases(k: int, n: int, threshold: float, method: Method) -> Plan:
    """The smallest ``m >= 0`` with :func:`decides` true for ``(k, n, m, threshold, method)``.

    "Decided" is monotone in ``m``, so an exponential search followed by a binary search finds
    the same ``m`` as a linear scan, in about ``2 log2 m`` interval evaluations (the unit tests
    compare it with a linear scan on a grid). Why it is monotone, at a held rate ``r``:

    * Wilson's interval is ``{p : (r - p)^2 <= z^2 p (1 - p) / N}``; the right side falls with
      ``N`` for every ``p``, so the intervals are nested.
    * Robbins: ``log M_N(p) = N KL(r || p) + log M_N(r)`` with ``log M_N(r) <= 0``, and its
      derivative in ``N`` is ``KL(r || p) - b_N`` with ``b_N = psi(N + 2) - r psi(rN + 1) -
      (1 - r) psi((1 - r)N + 1) - H(r)`` between ``0.19 / N`` and ``1 / N`` (checked numerically
      over r in [0, 1], N up to 10^7). Wherever ``p`` is excluded, ``N KL >= log M_N(p) >=
      log(1 / alpha) = 3.0 > 1``, so ``log M_N(p)`` is still growing there: once excluded, ``p``
      stays excluded.

    The failures at ``n + m`` cases are the real number ``(k / n)(n + m)`` (see :func:`decides`);
    rounding them to whole cases would make "decided" flicker near the boundary. With a rate of
    0 this is the bound at zero failures: for Wilson ``n + m = ceil(z^2 (1 - T) / T)``.
    """
    _check_counts(k, n, threshold)
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if n == 0:
        return Plan(None, None, method, NO_CASES)
    rate = k / n
    if rate == threshold:
        return Plan(None, None, method, RATE_EQUALS_THRESHOLD)
    direction: Direction = "below" if rate < threshold else "above"

    def decided(m: int) -> bool:
        return _decided(rate, n + m, threshold, direction, method)

    if decided(0):
        return Plan(0, direction, method)
    too_many = Plan(
        None,
        direction,
        method,
        f"more than {MAX_CASES:,} cases in all would be needed at the observed rate {k}/{n}",
    )
    # Exponential search: double m until decided; decided(undecided) is always False.
    undecided, step = 0, 1
    while n + step < MAX_CASES and not decided(step):
        undecided, step = step, 2 * step
    if n + step >= MAX_CASES:
        step = MAX_CASES - n
        if step <= undecided or not decided(step):
            return too_many
    # Binary search between the last undecided m and the first decided one.
    enough = step
    while enough - undecided > 1:
        middle = (undecided + enough) // 2
        if decided(middle):
            enough = middle
        else:
            undecided = middle
    return Plan(enough, direction, method)


def _z_one_tailed(significance: float) -> float:
    return NormalDist().inv_cdf(1 - significance)


def bloch_kraemer_units(
    alpha_min: float, p_c: float, significance: float = 0.05, coders: int = 2
) -> int:
    """Doubly labeled units needed to show nominal alpha >= ``alpha_min`` (2 coders by default).

    Bloch & Kraemer (1989, eq. 3.7, p. 276), as Krippendorff (2019, ch. 12, the table of
    minimum sample sizes for nominal data) uses it::

        N = coders * z^2 * [ (1 + a)(3 - a) / (4 (1 - a) p_c (1 - p_c)) - a ],   a = alpha_min

    rounded up, with ``z`` the one-tailed normal quantile at ``significance`` (1.645 at 0.05)
    and ``p_c`` the probability of the rarest value (here: a bucket's prevalence, one vs rest).
    Worked values: 139 units for ``alpha_min`` 0.8 and 81 for 0.667 at ``p_c`` = 0.25 and
    significance 0.05. The factor ``coders`` is the manual's adjustment for more than two
    coders ("multiply z^2 by the number of coders"); with the default 2 it is the formula as
    published.

    Sources: D. A. Bloch and H. C. Kraemer (1989), "2 x 2 kappa coefficients: measures of
    agreement or association", Biometrics 45(1), 269-287; K. Krippendorff (2019), *Content
    Analysis: An Introduction to Its Methodology*, 4th ed., Sage, ch. 12; the worked values
    and the coder adjustment as quoted in the ATLAS.ti 8 manual *Inter-Coder Agreement
    Analysis* (S. Friese, 2019/2020), section "Sample Size".
    """
    if not (math.isfinite(alpha_min) and 0 <= alpha_min < 1):
        raise ValueError(f"alpha_min must be in [0, 1), got {alpha_min}")
    if not (math.isfinite(p_c) and 0 < p_c < 1):
        raise ValueError(f"p_c must be strictly between 0 and 1, got {p_c}")
    if not (math.isfinite(significance) and 0 < significance < 0.5):
        raise ValueError(f"significance must be in (0, 0.5), got {significance}")
    if isinstance(coders, bool) or not isinstance(coders, int) or coders < 2:
        raise ValueError(f"coders must be an int >= 2, got {coders!r}")
    z = _z_one_tailed(significance)
    a = alpha_min
    bracket = (1 + a) * (3 - a) / (4 * (1 - a) * p_c * (1 - p_c)) - a
    return math.ceil(coders * z * z * bracket)


#: Relative slack so that a float product like 400.00000000000006 is not rounded up to 401.
_CEIL_SLACK: Final = 1e-9


def cases_for_width(width_now: float, n_now: int, target_width: float) -> int:
    """Cases needed in all for a bootstrap interval of ``width_now`` at ``n_now`` to shrink to
    ``target_width``, assuming the width falls like ``1 / sqrt(n)``::

        n = ceil(n_now * (width_now / target_width)^2)

    Never less than ``n_now`` (a target the interval already meets needs no more cases). Works
    the same for half-widths as for full widths, as long as both arguments are the same kind.
    An extrapolation, not a guarantee: the bootstrap under-covers at small ``n``.
    """
    if isinstance(n_now, bool) or not isinstance(n_now, int) or n_now < 1:
        raise ValueError(f"n_now must be a positive int, got {n_now!r}")
    for name, value in (("width_now", width_now), ("target_width", target_width)):
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be a positive finite number, got {value}")
    if width_now <= target_width:
        return n_now
    needed = n_now * (width_now / target_width) ** 2
    return max(n_now, math.ceil(needed * (1 - _CEIL_SLACK)))
