"""The Robbins confidence sequence: closed forms, edge cases, and the repeated-looks simulation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from labeler.gates.anytime import (
    ALPHA,
    anytime_interval,
    log_mixture_ratio,
    sequence_above,
    sequence_below,
)
from labeler.stats.intervals import wilson_interval


def test_no_cases_no_interval() -> None:
    assert anytime_interval(0, 0) is None
    assert not sequence_below(0, 0, 0.5)
    assert not sequence_above(0, 0, 0.5)


@pytest.mark.parametrize("n", [1, 2, 10, 100, 984, 10_000])
def test_zero_failures_closed_form(n: int) -> None:
    # k = 0: M(p) = B(1, n + 1) / (1 - p)^n = 1 / ((n + 1)(1 - p)^n), so the upper end solves
    # (n + 1)(1 - p)^n = alpha: p = 1 - (alpha / (n + 1))^(1 / n). The lower end is 0.
    interval = anytime_interval(0, n)
    assert interval is not None
    low, high = interval
    assert low == 0.0
    assert high == pytest.approx(1 - (ALPHA / (n + 1)) ** (1 / n), rel=1e-12)


@pytest.mark.parametrize("n", [1, 3, 50, 1000])
def test_all_failures_mirror_zero_failures(n: int) -> None:
    zero, every = anytime_interval(0, n), anytime_interval(n, n)
    assert zero is not None and every is not None
    assert every[1] == 1.0
    assert every[0] == pytest.approx(1 - zero[1], abs=1e-14)


def test_one_case_no_failure() -> None:
    # 1 / (2 (1 - p)) = 20  ->  p = 0.975
    interval = anytime_interval(0, 1)
    assert interval is not None
    assert interval[1] == pytest.approx(0.975, abs=1e-15)


@given(n=st.integers(1, 5000), data=st.data())
def test_ends_are_where_the_mixture_reaches_one_over_alpha(n: int, data: st.DataObject) -> None:
    k = data.draw(st.integers(0, n))
    interval = anytime_interval(k, n)
    assert interval is not None
    low, high = interval
    rate = k / n
    assert low <= rate <= high
    assert log_mixture_ratio(k, n, rate) <= 0.0  # M at the observed rate is at most 1
    level = -math.log(ALPHA)
    for end, exact in ((low, k == 0), (high, k == n)):
        if not exact:
            assert log_mixture_ratio(k, n, end) == pytest.approx(level, abs=1e-6)


@given(
    n=st.integers(1, 100_000),
    data=st.data(),
    p=st.floats(1e-6, 1 - 1e-6, allow_nan=False),
)
def test_log_ratio_is_the_lgamma_formula(n: int, data: st.DataObject, p: float) -> None:
    """log M = lgamma(k+1) + lgamma(n-k+1) - lgamma(n+2) - k log p - (n-k) log(1-p)."""
    k = data.draw(st.integers(0, n) | st.floats(0, n, allow_nan=False))
    plain = (
        math.lgamma(k + 1)
        + math.lgamma(n - k + 1)
        - math.lgamma(n + 2)
        - k * math.log(p)
        - (n - k) * math.log1p(-p)
    )
    # The plain form loses digits to cancellation (terms of size n log n); the module's does not.
    assert log_mixture_ratio(k, n, p) == pytest.approx(plain, rel=1e-9, abs=1e-8)


@given(n=st.integers(1, 3000), data=st.data())
def test_wider_than_wilson(n: int, data: st.DataObject) -> None:
    """The price of anytime validity: the sequence contains the fixed-n Wilson interval."""
    k = data.draw(st.integers(0, n))
    anytime, wilson = anytime_interval(k, n), wilson_interval(k, n)
    assert anytime is not None and wilson is not None
    assert anytime[0] <= wilson[0] + 1e-12
    assert anytime[1] >= wilson[1] - 1e-12


@given(
    n=st.integers(1, 5000),
    data=st.data(),
    threshold=st.floats(0.0, 1.0, allow_nan=False),
)
def test_side_checks_agree_with_the_interval(n: int, data: st.DataObject, threshold: float) -> None:
    k = data.draw(st.integers(0, n))
    interval = anytime_interval(k, n)
    assert interval is not None
    low, high = interval
    if min(abs(high - threshold), abs(low - threshold)) < 1e-9:
        return  # at an end itself the two computations may round differently
    assert sequence_below(k, n, threshold) == (high <= threshold)
    assert sequence_above(k, n, threshold) == (low >= threshold)


def test_real_valued_failures_interpolate() -> None:
    """A rate held at a larger n gives a non-integer failure count; lgamma handles it."""
    below, middle, above = (
        anytime_interval(7, 1000),
        anytime_interval(7.5, 1000),
        (anytime_interval(8, 1000)),
    )
    assert below is not None and middle is not None and above is not None
    assert below[0] < middle[0] < above[0]
    assert below[1] < middle[1] < above[1]


@pytest.mark.parametrize(
    ("failures", "n", "alpha"),
    [
        (-1, 10, 0.05),
        (11, 10, 0.05),
        (0, -1, 0.05),
        (1, 10, 0.0),
        (1, 10, 1.0),
        (0, math.inf, 0.05),
    ],
)
def test_bad_arguments(failures: float, n: float, alpha: float) -> None:
    with pytest.raises(ValueError):
        anytime_interval(failures, n, alpha)


def test_bad_threshold() -> None:
    with pytest.raises(ValueError):
        sequence_below(1, 10, 1.5)
    with pytest.raises(ValueError):
        sequence_above(1, 10, -0.1)


# --- Repeated looks (issue 13): the true rate is exactly the 1% threshold, the gate looks after
# --- every 50 labels up to 5,000. A "block" is a lower bound above the threshold at any look.

RUNS = 400
LOOK_EVERY = 50
LABELS = 5000
THRESHOLD = 0.01


def _repeated_looks() -> tuple[float, float, float]:
    """Share of runs with a false block (Wilson, anytime) and with the truth ever outside the
    anytime sequence. The anytime side checks stand for its interval ends (a test above ties
    them together); every tenth run also computes the ends themselves."""
    rng = np.random.default_rng(7)
    failures = np.cumsum(rng.random((RUNS, LABELS)) < THRESHOLD, axis=1)
    looks = range(LOOK_EVERY, LABELS + 1, LOOK_EVERY)
    wilson_blocks = anytime_blocks = anytime_misses = 0
    for run in range(RUNS):
        wilson_blocked = anytime_blocked = anytime_missed = False
        for n in looks:
            k = int(failures[run, n - 1])
            wilson = wilson_interval(k, n)
            assert wilson is not None
            wilson_blocked |= wilson[0] > THRESHOLD
            above = sequence_above(k, n, THRESHOLD)
            below = sequence_below(k, n, THRESHOLD)
            if run % 10 == 0:
                anytime = anytime_interval(k, n)
                assert anytime is not None
                assert above == (anytime[0] >= THRESHOLD)
                assert below == (anytime[1] <= THRESHOLD)
            anytime_blocked |= above
            anytime_missed |= above or below
        wilson_blocks += wilson_blocked
        anytime_blocks += anytime_blocked
        anytime_misses += anytime_missed
    return wilson_blocks / RUNS, anytime_blocks / RUNS, anytime_misses / RUNS


def test_repeated_looks_false_block_rate() -> None:
    wilson, anytime, missed = _repeated_looks()
    assert wilson > 0.20  # far above the nominal 2.5% one-sided
    assert anytime <= 0.025
    assert missed <= 0.05  # simultaneous coverage of the true rate at all 100 looks >= 95%
