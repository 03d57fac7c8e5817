"""The intervals of ``labeler compare`` against references.

* Unpaired: Newcombe's hybrid score interval must match statsmodels'
  ``confint_proportions_2indep(..., method="newcomb", compare="diff")`` on a grid of counts, and
  Newcombe's own worked example (Newcombe 1998, Stat Med 17:873-890, Table II: 56/70 - 48/80
  gives 0.0524 to 0.3339).
* Paired: Newcombe's method 10 for paired data must give the limits of his worked example
  (Newcombe 1998, "Improved confidence intervals for the difference between binomial
  proportions based on paired data", Stat Med 17:2635-2650: e = 36 pairs positive on both,
  f = 12 on the first only, g = 2 on the second only, h = 0; theta = 0.2, 95% 0.0569 to 0.3404).
* McNemar: the exact p-value must match statsmodels' ``mcnemar(..., exact=True)``.
* Latency bootstrap: resampling by order statistics has the exact bootstrap distribution
  (enumerated on three values) and agrees with resampling cases.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.proportion import confint_proportions_2indep

from labeler.compare.intervals import (
    PairedTable,
    _resampled_percentile,
    bootstrap_percentile_difference,
    mcnemar_exact_p,
    newcombe_difference,
    paired_difference,
)

SIZES = (1, 2, 3, 7, 20, 101)


@pytest.mark.parametrize(("n_base", "n_cand"), list(itertools.product(SIZES, (1, 4, 9, 50))))
def test_newcombe_matches_statsmodels_on_a_grid_of_counts(n_base: int, n_cand: int) -> None:
    for k_base in range(0, n_base + 1, max(1, n_base // 30)):
        for k_cand in range(0, n_cand + 1, max(1, n_cand // 30)):
            # statsmodels computes sample 1 minus sample 2: the candidate is sample 1.
            low, high = confint_proportions_2indep(
                k_cand, n_cand, k_base, n_base, method="newcomb", compare="diff"
            )
            got = newcombe_difference(k_base, n_base, k_cand, n_cand)
            assert got is not None
            assert got[0] == pytest.approx(low, abs=1e-12)
            assert got[1] == pytest.approx(high, abs=1e-12)


def test_newcombe_matches_statsmodels_on_large_counts() -> None:
    for k_base, n_base, k_cand, n_cand in [(212, 1000, 174, 1000), (3, 40_000, 31, 38_000)]:
        low, high = confint_proportions_2indep(
            k_cand, n_cand, k_base, n_base, method="newcomb", compare="diff"
        )
        got = newcombe_difference(k_base, n_base, k_cand, n_cand)
        assert got == pytest.approx((low, high), abs=1e-12)


def test_newcombe_unpaired_published_example() -> None:
    # Newcombe (1998), Table II, method 10: 56/70 minus 48/80.
    got = newcombe_difference(48, 80, 56, 70)
    assert got is not None
    assert (round(got[0], 4), round(got[1], 4)) == (0.0524, 0.3339)


def test_no_interval_without_cases() -> None:
    assert newcombe_difference(0, 0, 3, 10) is None
    assert newcombe_difference(3, 10, 0, 0) is None
    assert paired_difference(PairedTable(0, 0, 0, 0)) is None


def test_paired_interval_matches_newcombes_worked_example() -> None:
    # Newcombe (1998), paired data, method 10: e=36, f=12, g=2, h=0 gives 0.0569 to 0.3404.
    # "First" is the candidate here: f (first only) is candidate_only, g is baseline_only.
    table = PairedTable(both=36, baseline_only=2, candidate_only=12, neither=0)
    got = paired_difference(table)
    assert got is not None
    assert (round(got[0], 4), round(got[1], 4)) == (0.0569, 0.3404)
    # The point estimate (f - g) / n lies inside.
    assert got[0] < (12 - 2) / 50 < got[1]


def test_paired_interval_is_antisymmetric_and_bounded() -> None:
    for a, b, c, d in itertools.product((0, 1, 5, 30), repeat=4):
        table = PairedTable(a, b, c, d)
        got = paired_difference(table)
        if table.pairs == 0:
            assert got is None
            continue
        assert got is not None
        swapped = paired_difference(PairedTable(a, c, b, d))
        assert swapped is not None
        assert swapped[0] == pytest.approx(-got[1], abs=1e-12)
        assert swapped[1] == pytest.approx(-got[0], abs=1e-12)
        point = (c - b) / table.pairs
        assert -1.0 <= got[0] <= point + 1e-12 <= got[1] + 2e-12 <= 1.0 + 2e-12


def test_exact_mcnemar_matches_statsmodels() -> None:
    for b, c in itertools.product(range(0, 40, 3), range(0, 40, 2)):
        expected = mcnemar([[7, b], [c, 9]], exact=True).pvalue
        assert mcnemar_exact_p(b, c) == pytest.approx(expected, abs=1e-12)
    assert mcnemar_exact_p(0, 0) == 1.0
    # Large counts stay finite and exact enough.
    expected = mcnemar([[0, 900], [1000, 0]], exact=True).pvalue
    assert mcnemar_exact_p(900, 1000) == pytest.approx(expected, rel=1e-9)


def test_bootstrap_is_seeded_and_covers_a_clear_shift() -> None:
    rng = np.random.default_rng(3)
    base = rng.normal(1000, 100, 400).tolist()
    cand = (rng.normal(1000, 100, 400) + 300).tolist()
    first = bootstrap_percentile_difference(base, cand, [50, 95], 500, seed=7)
    again = bootstrap_percentile_difference(base, cand, [50, 95], 500, seed=7)
    assert first == again
    low, high = first[0] or (0.0, 0.0)
    assert 200 < low < 300 < high < 400
    paired = bootstrap_percentile_difference(base, cand, [50], 300, seed=1, paired=True)
    assert paired[0] is not None


def test_bootstrap_needs_two_values_per_version() -> None:
    assert bootstrap_percentile_difference([1.0], [1.0, 2.0], [50], 100, 0) == [None]
    assert bootstrap_percentile_difference([1.0, 2.0], [1.0, 2.0], [50, 95], 0, 0) == [None, None]


@pytest.mark.parametrize("q", [50.0, 95.0, 12.5])
def test_resampling_by_order_statistics_has_the_exact_bootstrap_distribution(q: float) -> None:
    # Every resample of three values, enumerated: the exact bootstrap distribution.
    values = np.array([1.0, 2.0, 4.0])
    exact: dict[float, float] = {}
    for pick in itertools.product(range(3), repeat=3):
        got = float(np.percentile(values[list(pick)], q, method="linear"))
        exact[round(got, 9)] = exact.get(round(got, 9), 0.0) + 1 / 27
    draws = _resampled_percentile(values, q, 200_000, np.random.default_rng(11))
    seen, counts = np.unique(np.round(draws, 9), return_counts=True)
    assert set(seen.tolist()) <= set(exact)
    for value, count in zip(seen.tolist(), counts.tolist(), strict=True):
        assert count / 200_000 == pytest.approx(exact[value], abs=0.005)


def test_the_fast_bootstrap_agrees_with_resampling_cases() -> None:
    rng = np.random.default_rng(5)
    base, cand = rng.lognormal(7, 0.6, 300), rng.lognormal(7.1, 0.6, 250)
    fast = bootstrap_percentile_difference(base.tolist(), cand.tolist(), [50, 95], 20_000, 1)
    replicates = 20_000
    resampled_base = np.percentile(
        base[rng.integers(0, 300, (replicates, 300))], [50, 95], axis=1, method="linear"
    )
    resampled_cand = np.percentile(
        cand[rng.integers(0, 250, (replicates, 250))], [50, 95], axis=1, method="linear"
    )
    slow = np.percentile(resampled_cand - resampled_base, [2.5, 97.5], axis=1).T
    for got, expected in zip(fast, slow, strict=True):
        assert got is not None
        width = expected[1] - expected[0]
        assert abs(got[0] - expected[0]) < 0.05 * width
        assert abs(got[1] - expected[1]) < 0.05 * width
