"""Tests for labeler.stats.intervals: Wilson score intervals and numpy-compatible percentiles."""

from __future__ import annotations

import ast
import math
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labeler.stats import intervals
from labeler.stats.intervals import Z_95, percentile, wilson_interval


@pytest.mark.parametrize(
    ("successes", "n", "expected"),
    [
        # Hand-checked: with p = 0 the upper bound is z²/(n + z²) = 3.8415/13.8415.
        (0, 10, (0.0, 0.2775)),
        # p = 1/2: centre 0.5, half-width z/(1+z²/n)·sqrt(1/(4n) + z²/(4n²)) = 0.2634.
        (5, 10, (0.2366, 0.7634)),
        (10, 10, (0.7225, 1.0)),
        (1, 1, (0.2065, 1.0)),
        (0, 1, (0.0, 0.7935)),
        # Newcombe (1998), Statistics in Medicine 17:857, table I: 81/263 -> 0.2553 to 0.3662.
        (81, 263, (0.2553, 0.3662)),
        # Newcombe table I: 15/148 -> 0.0624 to 0.1605.
        (15, 148, (0.0624, 0.1605)),
    ],
)
def test_known_wilson_values(successes: int, n: int, expected: tuple[float, float]) -> None:
    interval = wilson_interval(successes, n)
    assert interval is not None
    assert interval == pytest.approx(expected, abs=5e-5)


def test_closed_forms_at_the_edges() -> None:
    z2 = Z_95 * Z_95
    for n in (1, 2, 7, 100, 10_000):
        none_right = wilson_interval(0, n)
        all_right = wilson_interval(n, n)
        assert none_right is not None and all_right is not None
        assert none_right[0] == 0.0
        assert none_right[1] == pytest.approx(z2 / (n + z2), rel=1e-12)
        assert all_right[0] == pytest.approx(n / (n + z2), rel=1e-12)
        assert all_right[1] == 1.0


def test_matches_statsmodels() -> None:
    proportion = pytest.importorskip("statsmodels.stats.proportion")
    for successes, n in [(0, 10), (3, 10), (5, 10), (9, 10), (81, 263), (1, 1000), (999, 1000)]:
        low, high = proportion.proportion_confint(successes, n, alpha=0.05, method="wilson")
        assert wilson_interval(successes, n) == pytest.approx((low, high), abs=1e-12)


def test_other_z() -> None:
    # z = 1 gives a narrower interval around the same centre region.
    wide = wilson_interval(5, 10)
    narrow = wilson_interval(5, 10, z=1.0)
    assert wide is not None and narrow is not None
    assert wide[0] < narrow[0] < 0.5 < narrow[1] < wide[1]


def test_no_data_gives_none() -> None:
    assert wilson_interval(0, 0) is None


@pytest.mark.parametrize(
    ("successes", "n", "z"),
    [(-1, 10, Z_95), (11, 10, Z_95), (0, -1, Z_95), (1, 10, 0.0), (1, 10, -1.0),
     (1, 10, math.nan), (1, 10, math.inf)],
)  # fmt: skip
def test_wilson_rejects_bad_input(successes: int, n: int, z: float) -> None:
    with pytest.raises(ValueError):
        wilson_interval(successes, n, z)


@given(st.integers(min_value=1, max_value=10**9).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
))  # fmt: skip
def test_property_wilson_bounds(pair: tuple[int, int]) -> None:
    successes, n = pair
    interval = wilson_interval(successes, n)
    assert interval is not None
    low, high = interval
    assert 0.0 <= low <= successes / n <= high <= 1.0


def test_percentile_examples() -> None:
    assert percentile([], 50) is None
    assert percentile([7], 0) == 7.0
    assert percentile([7], 100) == 7.0
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([4, 1, 3, 2], 25) == 1.75
    assert percentile([10, 20], 90) == 19.0
    assert percentile([1, 2, 3], 100) == 3.0
    assert percentile([1, 2, 3], 0) == 1.0
    assert percentile((5.0, -1.0, math.inf), 100) == math.inf


def test_percentile_rejects_bad_input() -> None:
    for q in (-0.1, 100.1, math.nan):
        with pytest.raises(ValueError, match="q must be"):
            percentile([1.0], q)
    with pytest.raises(ValueError, match="NaN"):
        percentile([1.0, math.nan], 50)


finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)


@settings(max_examples=500)
@given(
    st.lists(st.one_of(finite, st.integers(min_value=-1000, max_value=1000)), min_size=1),
    st.one_of(st.floats(min_value=0, max_value=100), st.sampled_from([0, 25, 50, 75, 90, 100])),
)
def test_property_percentile_matches_numpy(values: list[float], q: float) -> None:
    ours = percentile(values, q)
    theirs = float(np.percentile(np.asarray(values, dtype=float), q))
    assert ours is not None
    assert ours == pytest.approx(theirs, rel=1e-12, abs=1e-9)
    assert min(values) <= ours <= max(values)


def test_module_imports_only_stdlib() -> None:
    tree = ast.parse(Path(intervals.__file__).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        for name in names:
            assert name.split(".")[0] in sys.stdlib_module_names | {"__future__"}, name
