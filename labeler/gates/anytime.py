"""An anytime-valid confidence sequence for a failure rate: Robbins' beta-binomial mixture.

After ``n`` reviewed cases with ``k`` failures the sequence holds every rate ``p`` with

    M_n(p) = B(k + 1, n - k + 1) / (p^k (1 - p)^(n - k))  <  1 / alpha.

``M_n(p)`` is the likelihood ratio of the uniform-prior (Beta(1, 1)) mixture against the point
``p``; under ``p`` it is a nonnegative martingale with mean 1, so by Ville's inequality the chance
that it *ever* reaches ``1 / alpha`` is at most ``alpha``. The set therefore covers the true rate
at every ``n`` simultaneously with probability at least ``1 - alpha``: the gate may look after
every label, as often as it likes, and stop whenever it wants. A fixed-n interval (Wilson) gives
no such guarantee under repeated looks.

Sources: H. Robbins (1970), "Statistical methods related to the law of the iterated logarithm",
Ann. Math. Statist. 41(5), 1397-1409 (the mixture and its confidence sequence); S. R. Howard,
A. Ramdas, J. McAuliffe, J. Sekhon (2021), "Time-uniform, nonparametric, nonasymptotic
confidence sequences", Ann. Statist. 49(2), 1055-1080 (the modern treatment).

Computation: in log space. Since ``B(k + 1, n - k + 1) = 1 / ((n + 1) C(n, k))``,
``M_n(p) = 1 / ((n + 1) P(Binomial(n, p) = k))``, and the binomial probability is computed with
Loader's saddle-point form (``math.lgamma`` for small arguments, Stirling's series beyond), so
``log M`` keeps full accuracy into the billions of cases, where a plain difference of ``lgamma``
values of size ``n log n`` would lose it. ``log M_n(p)`` is convex in ``p`` and at most 0 at the
observed rate ``k / n`` (``B`` is the integral of ``p^k (1 - p)^(n - k)`` over [0, 1], which is
at most its maximum), so the set is an open interval around ``k / n`` and each end is found by
bisection. With ``k = 0`` the lower end is 0, with ``k = n`` the upper end is 1.

``failures`` may be a real number (the gamma function extends the formula continuously): that
is how :mod:`labeler.gates.planning` holds an observed rate fixed at a larger ``n``.

This module is part of the pure core: standard library only.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Final

__all__ = [
    "ALPHA",
    "anytime_interval",
    "log_mixture_ratio",
    "sequence_above",
    "sequence_below",
]

#: The default error level: the sequence covers the true rate at all n at once with 95%.
ALPHA: Final = 0.05

_BISECTION_STEPS: Final = 200  # stops earlier, once the bracket cannot shrink any more


def _check(failures: float, n: float, alpha: float) -> None:
    if not (math.isfinite(n) and n >= 0):
        raise ValueError(f"n must be a finite non-negative number, got {n}")
    if not (math.isfinite(failures) and 0 <= failures <= n):
        raise ValueError(f"failures must be between 0 and n={n}, got {failures}")
    if not (math.isfinite(alpha) and 0 < alpha < 1):
        raise ValueError(f"alpha must be strictly between 0 and 1, got {alpha}")


_LN_SQRT_2PI: Final = 0.5 * math.log(2 * math.pi)
_LN_2PI: Final = math.log(2 * math.pi)


def _stirlerr(x: float) -> float:
    """log Gamma(x + 1) - [(x + 1/2) log x - x + log sqrt(2 pi)]: Stirling's error, x > 0.

    The series for large ``x`` avoids the cancellation of two numbers of size ``x log x``
    (Loader 2000; the constants are those of R's ``stirlerr``).
    """
    if x <= 15:
        return math.lgamma(x + 1) - (x + 0.5) * math.log(x) + x - _LN_SQRT_2PI
    x2 = x * x
    s0, s1, s2, s3, s4 = 1 / 12, 1 / 360, 1 / 1260, 1 / 1680, 1 / 1188
    if x > 500:
        return (s0 - s1 / x2) / x
    if x > 80:
        return (s0 - (s1 - s2 / x2) / x2) / x
    if x > 35:
        return (s0 - (s1 - (s2 - s3 / x2) / x2) / x2) / x
    return (s0 - (s1 - (s2 - (s3 - s4 / x2) / x2) / x2) / x2) / x


def _log_ratio_in(failures: float, n: float) -> Callable[[float], float]:
    """``p -> log M_n(p)`` for ``0 < p < 1``, with the parts that do not depend on ``p`` computed
    once.

    Because ``B(k + 1, n - k + 1) = 1 / ((n + 1) C(n, k))``, ``M_n(p)`` is
    ``1 / ((n + 1) P(Binomial(n, p) = k))``. The binomial probability is written in Loader's
    saddle-point form (C. Loader (2000), "Fast and accurate computation of binomial
    probabilities", the method of R's ``dbinom``):

        log P = stirlerr(n) - stirlerr(k) - stirlerr(n - k) - log(2 pi k (n - k) / n) / 2 - D(p)

    with ``D(p) = k log(r / p) + (n - k) log((1 - r) / (1 - p))``, ``r = k / n`` (n times the
    Kullback-Leibler divergence). No term is of size ``n log n``, so nothing large cancels: the
    result keeps its accuracy into the billions of cases, where a difference of ``lgamma``
    values would lose six digits. ``failures`` may be any real in [0, n].
    """
    rest = n - failures
    log_n1 = math.log(n + 1)
    if failures == 0:
        return lambda p: -log_n1 - n * math.log1p(-p)
    if rest == 0:
        return lambda p: -log_n1 - n * math.log(p)
    rate = failures / n
    log_rate = math.log(failures) - math.log(n)  # log r and log(1 - r), even where r underflows
    log_rest_rate = math.log(rest) - math.log(n)
    constant = -log_n1 - (
        _stirlerr(n)
        - _stirlerr(failures)
        - _stirlerr(rest)
        # log((n - k) / n) from n - k itself, which is exact near k = n: 1 - k/n is not.
        - 0.5 * (_LN_2PI + math.log(failures) + log_rest_rate)
    )

    def log_ratio(p: float) -> float:
        # log(r / p) as log1p((r - p) / p) near p = r, where a difference of logs would lose
        # digits; as log r - log p elsewhere (also safe when r / p is tiny). Likewise for 1 - p.
        up = (rate - p) / p
        down = (p - rate) / (1 - p)
        log_up = math.log1p(up) if abs(up) < 0.5 else log_rate - math.log(p)
        log_down = math.log1p(down) if abs(down) < 0.5 else log_rest_rate - math.log1p(-p)
        return constant + failures * log_up + rest * log_down

    return log_ratio


def _log_ratio(failures: float, n: float, p: float) -> float:
    """log M_n(p) = -log(n + 1) - log P(Binomial(n, p) = failures), for n > 0."""
    if p <= 0 or p >= 1:
        ruled_out = (p <= 0 and failures > 0) or (p >= 1 and n - failures > 0)
        return math.inf if ruled_out else -math.log(n + 1)
    return _log_ratio_in(failures, n)(p)


def log_mixture_ratio(failures: float, n: float, p: float) -> float:
    """``log M_n(p)``: the log of the mixture's likelihood ratio against the rate ``p``.

    ``p`` is in the sequence exactly when this is below ``log(1 / alpha)``. It is ``+inf`` where
    ``p`` rules the data out (``p = 0`` with a failure, ``p = 1`` with a non-failure).
    """
    _check(failures, n, ALPHA)
    if n == 0:
        return 0.0
    if not 0 <= p <= 1:
        raise ValueError(f"p must be between 0 and 1, got {p}")
    return _log_ratio(failures, n, p)


def _bisect(
    log_ratio: Callable[[float], float], level: float, inside: float, outside: float
) -> float:
    """The point between ``inside`` (log M < level) and ``outside`` where log M = level."""
    for _ in range(_BISECTION_STEPS):
        middle = (inside + outside) / 2
        if middle in (inside, outside):
            break
        if log_ratio(middle) < level:
            inside = middle
        else:
            outside = middle
    return (inside + outside) / 2


def anytime_interval(failures: float, n: float, alpha: float = ALPHA) -> tuple[float, float] | None:
    """The Robbins confidence sequence (low, high) after ``failures`` out of ``n`` cases.

    Returns None when ``n`` is 0 (no data, no interval), as
    :func:`labeler.stats.intervals.wilson_interval` does; the set itself would be all of [0, 1].
    The ends are found by bisection until the bracket cannot shrink, so they are as exact as
    ``log M`` itself. The lower end is exactly 0.0 when ``failures`` is 0 and the upper end
    exactly 1.0 when ``failures`` equals ``n``. Raises ``ValueError`` for ``failures`` outside
    0..n, a negative or non-finite ``n``, or ``alpha`` outside (0, 1).
    """
    _check(failures, n, alpha)
    if n == 0:
        return None
    level = -math.log(alpha)
    rate = failures / n
    log_ratio = _log_ratio_in(failures, n)
    low = 0.0 if failures == 0 else _bisect(log_ratio, level, rate, 0.0)
    high = 1.0 if failures == n else _bisect(log_ratio, level, rate, 1.0)
    return low, high


def _check_threshold(threshold: float) -> None:
    if not 0 <= threshold <= 1:
        raise ValueError(f"threshold must be between 0 and 1, got {threshold}")


def sequence_below(failures: float, n: float, threshold: float, alpha: float = ALPHA) -> bool:
    """True when the whole sequence lies below ``threshold``: its upper end is at most it.

    Computed without bisection: the sequence is an open interval around ``failures / n``, so
    its upper end is at most the threshold exactly when ``threshold > failures / n`` and
    ``M_n(threshold) >= 1 / alpha`` (the threshold is not in the sequence). ``n`` = 0 gives
    False: nothing is excluded yet.
    """
    _check(failures, n, alpha)
    _check_threshold(threshold)
    if n == 0 or threshold * n <= failures:
        return False
    return _log_ratio(failures, n, threshold) >= -math.log(alpha)


def sequence_above(failures: float, n: float, threshold: float, alpha: float = ALPHA) -> bool:
    """True when the whole sequence lies above ``threshold``: its lower end is at least it.

    The mirror image of :func:`sequence_below`.
    """
    _check(failures, n, alpha)
    _check_threshold(threshold)
    if n == 0 or threshold * n >= failures:
        return False
    return _log_ratio(failures, n, threshold) >= -math.log(alpha)
