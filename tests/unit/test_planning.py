"""Planning: more_cases against brute force, closed forms at zero failures, Bloch-Kraemer."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labeler.gates import planning
from labeler.gates.anytime import anytime_interval
from labeler.gates.planning import (
    MAX_CASES,
    Method,
    Plan,
    bloch_kraemer_units,
    cases_for_width,
    decides,
    more_cases,
    wilson_at_rate,
)
from labeler.stats.intervals import Z_95, wilson_interval

METHODS: tuple[Method, ...] = ("wilson", "anytime")


# --- Brute force, written from the intervals themselves (not from the planner's predicate).


def _interval_at(k: int, n: int, m: int, method: Method) -> tuple[float, float]:
    """The interval after n + m cases with the rate k / n held (failures k / n * (n + m))."""
    total = n + m
    if method == "wilson":
        return wilson_at_rate(k / n, total)
    interval = anytime_interval(k / n * total, total)
    assert interval is not None
    return interval


def _brute_force(k: int, n: int, threshold: float, method: Method, limit: int) -> int | None:
    """Smallest m <= limit whose interval excludes the threshold on the far side of k / n."""
    rate = k / n
    for m in range(limit + 1):
        low, high = _interval_at(k, n, m, method)
        if (rate < threshold and high <= threshold) or (rate > threshold and low >= threshold):
            return m
    return None


GRID_K = (0, 1, 2, 5, 12)
GRID_N = (1, 3, 10, 40, 100, 400)
GRID_T = (0.002, 0.01, 0.05, 0.2, 0.5, 0.9)
LIMIT = {"wilson": 20_000, "anytime": 2_500}


@pytest.mark.parametrize("method", METHODS)
def test_more_cases_equals_brute_force_on_a_grid(method: Method) -> None:
    checked = decided_now = 0
    for k in GRID_K:
        for n in GRID_N:
            if k > n:
                continue
            for threshold in GRID_T:
                plan = more_cases(k, n, threshold, method)
                assert plan.method == method
                if k / n == threshold:
                    assert plan.more_cases is None and plan.direction is None
                    continue
                assert plan.direction == ("below" if k / n < threshold else "above")
                assert plan.more_cases is not None
                limit = LIMIT[method]
                expected = _brute_force(k, n, threshold, method, min(limit, plan.more_cases))
                if plan.more_cases <= limit:
                    assert plan.more_cases == expected, (k, n, threshold)
                    checked += 1
                    decided_now += plan.more_cases == 0
                else:  # too far to scan: at least nothing up to the limit decides
                    assert expected is None, (k, n, threshold)
    assert checked > 100 and 0 < decided_now < checked


@settings(max_examples=150, deadline=None)
@given(
    n=st.integers(1, 2000),
    data=st.data(),
    threshold=st.floats(0.0, 1.0, allow_nan=False),
    method=st.sampled_from(METHODS),
)
def test_more_cases_is_the_first_deciding_m(
    n: int, data: st.DataObject, threshold: float, method: Method
) -> None:
    """Against a linear scan of the planner's own predicate, for any (k, n, T)."""
    k = data.draw(st.integers(0, n))
    plan = more_cases(k, n, threshold, method)
    if k / n == threshold:
        assert plan.more_cases is None and plan.reason is not None
        return
    if plan.more_cases is None:
        assert plan.reason is not None and plan.direction is not None
        return
    scan_from = max(0, plan.more_cases - 3000)
    assert decides(k, n, plan.more_cases, threshold, method)
    for m in range(scan_from, plan.more_cases):
        assert not decides(k, n, m, threshold, method), (k, n, m, threshold)


@settings(max_examples=40, deadline=None)
@given(
    rate=st.floats(0.0, 1.0, allow_nan=False),
    threshold=st.floats(0.001, 0.999, allow_nan=False),
    method=st.sampled_from(METHODS),
)
def test_deciding_is_monotone_in_n(rate: float, threshold: float, method: Method) -> None:
    """Once a held rate decides, every larger n decides too (what the binary search needs)."""
    if rate == threshold:
        return
    direction: planning.Direction = "below" if rate < threshold else "above"
    seen = False
    for total in range(1, 2000):
        now = planning._decided(rate, total, threshold, direction, method)
        assert now or not seen, (rate, threshold, total)
        seen |= now


def test_wilson_at_rate_is_the_project_wilson_interval() -> None:
    for n in range(1, 301):
        for k in range(n + 1):
            assert wilson_at_rate(k / n, n) == wilson_interval(k, n)


def test_decided_now_is_zero() -> None:
    plan = more_cases(30, 1000, 0.01, "wilson")  # Wilson lower end 0.0211 > 0.01
    assert plan == Plan(0, "above", "wilson", None)
    low, _ = wilson_interval(30, 1000) or (0.0, 0.0)
    assert low > 0.01


# --- Closed forms at zero failures.


ZERO_THRESHOLDS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.25, 0.5, 0.9)


@pytest.mark.parametrize("threshold", ZERO_THRESHOLDS)
@pytest.mark.parametrize("n", [1, 7, 60, 500])
def test_wilson_zero_failures_closed_form(threshold: float, n: int) -> None:
    # Upper end at k = 0 is z^2 / (N + z^2) <= T  <=>  N >= z^2 (1 - T) / T.
    needed = math.ceil(Z_95**2 * (1 - threshold) / threshold)
    plan = more_cases(0, n, threshold, "wilson")
    assert plan.direction == "below"
    assert plan.more_cases == max(0, needed - n)


@pytest.mark.parametrize("threshold", ZERO_THRESHOLDS)
def test_wilson_all_failures_closed_form(threshold: float) -> None:
    # Lower end at k = N is N / (N + z^2) >= T  <=>  N >= z^2 T / (1 - T).
    needed = math.ceil(Z_95**2 * threshold / (1 - threshold))
    plan = more_cases(1, 1, threshold, "wilson")
    assert plan.direction == "above"
    assert plan.more_cases == max(0, needed - 1)


@pytest.mark.parametrize("threshold", ZERO_THRESHOLDS)
def test_anytime_zero_failures_closed_form(threshold: float) -> None:
    # M_N(T) at k = 0 is 1 / ((N + 1)(1 - T)^N) >= 20  <=>  (N + 1)(1 - T)^N <= 0.05.
    total = 1
    while math.log(total + 1) + total * math.log1p(-threshold) > math.log(0.05):
        total += 1
    assert more_cases(0, 1, threshold, "anytime").more_cases == total - 1


def test_zero_failure_values_from_the_design_notes() -> None:
    # shared/design/stop-rule.md, "Cases needed before the 95% interval excludes the threshold".
    assert 1 + (more_cases(0, 1, 0.01, "wilson").more_cases or 0) == 381
    assert 1 + (more_cases(0, 1, 0.01, "anytime").more_cases or 0) == 984
    assert 1 + (more_cases(0, 1, 0.005, "wilson").more_cases or 0) == 765
    assert 1 + (more_cases(0, 1, 0.005, "anytime").more_cases or 0) == 2127


# --- Cases without a number.


@pytest.mark.parametrize("method", METHODS)
def test_rate_equal_to_threshold_cannot_decide(method: Method) -> None:
    for k, n, threshold in ((1, 100, 0.01), (0, 50, 0.0), (5, 5, 1.0), (1, 2, 0.5)):
        plan = more_cases(k, n, threshold, method)
        assert plan.more_cases is None and plan.direction is None
        assert plan.reason == planning.RATE_EQUALS_THRESHOLD


@pytest.mark.parametrize("method", METHODS)
def test_no_cases(method: Method) -> None:
    assert more_cases(0, 0, 0.01, method) == Plan(None, None, method, planning.NO_CASES)
    assert not decides(0, 0, 1000, 0.01, method)


@pytest.mark.parametrize("method", METHODS)
def test_too_many_cases_has_a_reason_and_a_direction(method: Method) -> None:
    plan = more_cases(99_999, 10_000_000, 0.01, method)  # 0.0099999 against 0.01
    assert plan.more_cases is None and plan.direction == "below"
    assert plan.reason is not None and f"{MAX_CASES:,}" in plan.reason


@pytest.mark.parametrize("method", METHODS)
def test_extreme_thresholds(method: Method) -> None:
    # A rate of 0.3 is below a threshold of 1 and above one of 0, and both intervals already
    # exclude those: the upper end is under 1 unless every case failed, the lower end over 0
    # unless none did.
    assert more_cases(3, 10, 1.0, method).more_cases == 0
    assert more_cases(3, 10, 0.0, method).more_cases == 0


def test_plan_is_frozen() -> None:
    plan = more_cases(1, 10, 0.5, "wilson")
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.more_cases = 3  # type: ignore[misc]


@pytest.mark.parametrize(
    ("k", "n", "threshold", "method"),
    [
        (-1, 10, 0.1, "wilson"),
        (11, 10, 0.1, "wilson"),
        (1, -1, 0.1, "wilson"),
        (1, 10, 1.5, "anytime"),
        (1, 10, math.nan, "anytime"),
        (1, 10, 0.1, "jeffreys"),
    ],
)
def test_bad_arguments(k: int, n: int, threshold: float, method: str) -> None:
    with pytest.raises(ValueError):
        more_cases(k, n, threshold, method)  # type: ignore[arg-type]


def test_search_is_logarithmic(monkeypatch: pytest.MonkeyPatch) -> None:
    """Exponential then binary search: about 2 log2(m) interval evaluations, not m."""
    calls = 0
    real: Callable[..., bool] = planning._decided

    def counting(*args: object) -> bool:
        nonlocal calls
        calls += 1
        return real(*args)

    monkeypatch.setattr(planning, "_decided", counting)
    plan = more_cases(3, 400, 0.01, "anytime")
    assert plan.more_cases is not None and plan.more_cases > 20_000
    assert calls <= 2 * math.log2(plan.more_cases) + 3


# --- Agreement planning.


def test_bloch_kraemer_worked_values() -> None:
    # Krippendorff (2019) via Bloch & Kraemer (1989, eq. 3.7), p = 0.05, two coders.
    assert bloch_kraemer_units(0.8, 0.25) == 139
    assert bloch_kraemer_units(0.667, 0.25) == 81


def test_bloch_kraemer_formula() -> None:
    # By hand at alpha_min 0.8, p_c 0.25: (1.8 * 2.2) / (4 * 0.2 * 0.1875) - 0.8 = 25.6;
    # 2 * 1.6449^2 * 25.6 = 138.5..., rounded up to 139.
    z = 1.6448536269514722
    assert 2 * z * z * 25.6 == pytest.approx(138.53, abs=0.01)
    # The design notes' table (shared/design/stop-rule.md), computed with the same formula.
    assert [bloch_kraemer_units(0.667, p) for p in (0.25, 0.10, 0.05, 0.02)] == [81, 172, 330, 803]
    assert [bloch_kraemer_units(0.8, p) for p in (0.25, 0.10, 0.05, 0.02)] == [139, 294, 560, 1363]
    # Symmetric in p_c, three coders multiply z^2 by 3 instead of 2.
    assert bloch_kraemer_units(0.8, 0.75) == 139
    assert bloch_kraemer_units(0.8, 0.25, coders=3) == math.ceil(3 * z * z * 25.6)


@pytest.mark.parametrize(
    "arguments",
    [(1.0, 0.25), (-0.1, 0.25), (0.8, 0.0), (0.8, 1.0), (0.8, 0.25, 0.0), (0.8, 0.25, 0.05, 1)],
)
def test_bloch_kraemer_bad_arguments(arguments: tuple[float, ...]) -> None:
    with pytest.raises(ValueError):
        bloch_kraemer_units(*arguments)  # type: ignore[arg-type]


def test_cases_for_width() -> None:
    assert cases_for_width(0.1, 100, 0.05) == 400  # half the width: four times the cases
    assert cases_for_width(0.1, 100, 0.1) == 100
    assert cases_for_width(0.05, 100, 0.1) == 100  # already narrow enough
    # The design notes' bootstrap table: half-width 0.099 at n = 100 -> 0.051 near n = 400.
    assert cases_for_width(0.099, 100, 0.051) == math.ceil(100 * (0.099 / 0.051) ** 2)
    assert 350 <= cases_for_width(0.099, 100, 0.051) <= 400


@pytest.mark.parametrize(
    "arguments", [(0.1, 0, 0.05), (0.0, 100, 0.05), (0.1, 100, 0.0), (math.inf, 100, 0.05)]
)
def test_cases_for_width_bad_arguments(arguments: tuple[float, int, float]) -> None:
    with pytest.raises(ValueError):
        cases_for_width(*arguments)
