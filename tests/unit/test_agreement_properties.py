"""Property tests against reference implementations.

References: ``krippendorff.alpha`` (nominal), ``statsmodels.stats.inter_rater.fleiss_kappa`` and
``sklearn.metrics.cohen_kappa_score``; percent agreement against a brute-force pair count.
Generated data: 2-6 reviewers, missing labels, skewed buckets (Hypothesis favours small codes),
non-ASCII names and missing-value lookalikes ("NA", "None", "nan", "") as names.
"""

from __future__ import annotations

import itertools
import json
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import krippendorff
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import fleiss_kappa

from labeler.stats.agreement import AgreementReport, LabelMatrix, compute_agreement
from labeler.stats.agreement import bootstrap as bootstrap_module
from labeler.stats.agreement import tally as tally_module
from labeler.stats.agreement.tally import tally

BUCKET_POOL = [
    "NA",
    "None",
    "null",
    "nan",
    "",
    "ok",
    "wrong_intent",
    "ünsafe",
    "日本語",
    "NaN",
    " ",
]
REVIEWER_POOL = ["NA", "None", "nan", "", "ann", "bøb", "陈", "null"]
TRAP_ITEMS = ["NA", "None", "null", "nan", ""]
METRICS = ("percent_agreement", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha")

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@dataclass(frozen=True)
class Data:
    reviewers: list[str]
    buckets: list[str]
    items: list[str]
    grid: list[list[int]]  # item x reviewer -> bucket index, -1 = missing

    @property
    def rows(self) -> list[tuple[str, str, str]]:
        return [
            (item, reviewer, self.buckets[code])
            for item, codes in zip(self.items, self.grid, strict=True)
            for reviewer, code in zip(self.reviewers, codes, strict=True)
            if code >= 0
        ]

    def matrix(self) -> LabelMatrix:
        return LabelMatrix.from_rows(self.rows, buckets=self.buckets)

    def reliability(self, bucket: int | None = None) -> np.ndarray:
        """reviewers x items float codes for krippendorff (NaN = missing); binary if bucket."""
        out = np.full((len(self.reviewers), len(self.items)), np.nan)
        for i, codes in enumerate(self.grid):
            for r, code in enumerate(codes):
                if code >= 0:
                    out[r, i] = code if bucket is None else float(code == bucket)
        return out


@st.composite
def label_data(
    draw: st.DrawFn, mode: str | None = None, reviewers: tuple[int, int] = (2, 6)
) -> Data:
    mode = mode or draw(st.sampled_from(["missing", "complete", "fixed_m"]))
    n_reviewers = draw(st.integers(*reviewers))
    names = draw(
        st.lists(
            st.sampled_from(REVIEWER_POOL), min_size=n_reviewers, max_size=n_reviewers, unique=True
        )
    )
    buckets = draw(st.lists(st.sampled_from(BUCKET_POOL), min_size=1, max_size=5, unique=True))
    n_items = draw(st.integers(1, 25))
    items = [
        TRAP_ITEMS[i] if i < len(TRAP_ITEMS) else f"case-{i}"
        for i in (draw(st.permutations(range(n_items))) if draw(st.booleans()) else range(n_items))
    ]
    bucket_code = st.integers(0, len(buckets) - 1)
    grid: list[list[int]] = []
    m = draw(st.integers(1, n_reviewers)) if mode == "fixed_m" else 0
    for _ in range(n_items):
        if mode == "complete":
            row = draw(st.lists(bucket_code, min_size=n_reviewers, max_size=n_reviewers))
        elif mode == "fixed_m":
            chosen = set(draw(st.permutations(range(n_reviewers)))[:m])
            row = [draw(bucket_code) if r in chosen else -1 for r in range(n_reviewers)]
        else:
            row = draw(
                st.lists(
                    st.integers(-1, len(buckets) - 1), min_size=n_reviewers, max_size=n_reviewers
                )
            )
        grid.append(row)
    return Data(names, buckets, items, grid)


def finite_or_none(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def ref_alpha(data: Data, bucket: int | None = None) -> float | None:
    reliability = data.reliability(bucket)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            value = krippendorff.alpha(reliability_data=reliability, level_of_measurement="nominal")
        except ValueError:  # "more than one value in the domain", "at least one unit ..."
            return None
    return finite_or_none(value)


def ref_fleiss(data: Data, bucket: int | None = None) -> float | None:
    counts = [
        [sum(1 for c in codes if c == b) for b in range(len(data.buckets))]
        for codes in data.grid
        if any(c >= 0 for c in codes)
    ]
    if not counts:
        return None
    table = np.array(counts)
    if bucket is not None:
        table = np.stack([table[:, bucket], table.sum(axis=1) - table[:, bucket]], axis=1)
    sizes = set(table.sum(axis=1).tolist())
    if len(sizes) != 1 or sizes.pop() < 2:
        return None
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return finite_or_none(fleiss_kappa(table, method="fleiss"))


def shared(data: Data, a: int, b: int) -> tuple[list[str], list[str]]:
    pairs = [(codes[a], codes[b]) for codes in data.grid if codes[a] >= 0 and codes[b] >= 0]
    return [data.buckets[x] for x, _ in pairs], [data.buckets[y] for _, y in pairs]


def ref_cohen(first: Sequence[object], second: Sequence[object]) -> float | None:
    if not first:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return finite_or_none(cohen_kappa_score(first, second))


def brute_percent(data: Data, bucket: int | None = None) -> float | None:
    shares = []
    for codes in data.grid:
        labels = [c if bucket is None else c == bucket for c in codes if c >= 0]
        if len(labels) >= 2:
            pairs = list(itertools.combinations(labels, 2))
            shares.append(sum(x == y for x, y in pairs) / len(pairs))
    return sum(shares) / len(shares) if shares else None


def assert_consistent(report: AgreementReport) -> None:
    data = report.to_json()
    json.dumps(data, allow_nan=False)
    for key in (*METRICS, "krippendorff_alpha_ci95"):
        assert (data[key] is None) == (key in data["undefined"]), key
    for entry in data["per_bucket"].values():
        for key in METRICS:
            assert (entry[key] is None) == (key in entry["undefined"]), key
            if entry[key] is not None:
                assert math.isfinite(entry[key])
    for entry in data["pairwise"].values():
        assert (entry["cohen_kappa"] is None) == ("cohen_kappa" in entry["undefined"])


def close(ours: float | None, reference: float | None) -> bool:
    if reference is None:
        return ours is None
    return ours is not None and ours == pytest.approx(reference, abs=1e-9)


# --- Krippendorff's alpha ------------------------------------------------------------------------


@SETTINGS
@given(label_data())
def test_alpha_matches_krippendorff(data: Data) -> None:
    reference = ref_alpha(data)
    assume(reference is not None)
    report = compute_agreement(data.matrix())
    assert report.krippendorff_alpha == pytest.approx(reference, abs=1e-9)


@SETTINGS
@given(label_data())
def test_per_bucket_alpha_matches_krippendorff_on_binary_data(data: Data) -> None:
    report = compute_agreement(data.matrix())
    for index, name in enumerate(data.buckets):
        entry = report.per_bucket[name]
        reference = ref_alpha(data, bucket=index)
        assert close(entry.krippendorff_alpha, reference), (name, entry, reference)
        if reference is None:
            assert entry.undefined["krippendorff_alpha"]


# --- Fleiss' kappa -------------------------------------------------------------------------------


@SETTINGS
@given(label_data(mode="complete"))
def test_fleiss_matches_statsmodels_complete(data: Data) -> None:
    reference = ref_fleiss(data)
    assume(reference is not None)
    report = compute_agreement(data.matrix())
    assert report.fleiss_kappa == pytest.approx(reference, abs=1e-9)


@SETTINGS
@given(label_data(mode="fixed_m"))
def test_fleiss_and_per_bucket_match_statsmodels_fixed_m(data: Data) -> None:
    report = compute_agreement(data.matrix())
    assert close(report.fleiss_kappa, ref_fleiss(data))
    for index, name in enumerate(data.buckets):
        assert close(report.per_bucket[name].fleiss_kappa, ref_fleiss(data, bucket=index))
    assert_consistent(report)


@SETTINGS
@given(label_data(mode="missing"))
def test_fleiss_is_none_unless_label_counts_are_equal(data: Data) -> None:
    sizes = {sum(c >= 0 for c in codes) for codes in data.grid} - {0}
    report = compute_agreement(data.matrix())
    if len(sizes) != 1 or min(sizes) < 2:
        assert report.fleiss_kappa is None
        assert report.undefined["fleiss_kappa"]
    else:
        assert close(report.fleiss_kappa, ref_fleiss(data))


# --- Cohen's kappa -------------------------------------------------------------------------------


@SETTINGS
@given(label_data(reviewers=(2, 2)))
def test_cohen_matches_sklearn_two_reviewers(data: Data) -> None:
    first, second = shared(data, 0, 1)
    reference = ref_cohen(first, second)
    assume(reference is not None)
    report = compute_agreement(data.matrix())
    # Reviewers are sorted by name in the report; kappa is symmetric.
    assert report.cohen_kappa == pytest.approx(reference, abs=1e-9)
    for name in data.buckets:
        binary = ref_cohen([x == name for x in first], [y == name for y in second])
        assert close(report.per_bucket[name].cohen_kappa, binary)
    assert report.confusion is not None
    assert sum(map(sum, report.confusion.matrix)) == len(first)


@SETTINGS
@given(label_data(reviewers=(3, 6)))
def test_pairwise_and_restricted_cohen_match_sklearn(data: Data) -> None:
    matrix = data.matrix()
    report = compute_agreement(matrix, reviewers=data.reviewers)  # all in play, even unlabeled
    assert report.cohen_kappa is None
    assert report.confusion is None
    for a, b in itertools.combinations(range(len(data.reviewers)), 2):
        first, second = shared(data, a, b)
        key = tuple(sorted((data.reviewers[a], data.reviewers[b])))
        entry = report.pairwise[key]  # type: ignore[index]
        assert entry.cases == len(first)
        assert close(entry.cohen_kappa, ref_cohen(first, second))
    restricted = compute_agreement(matrix, reviewers=data.reviewers[:2])
    assert close(restricted.cohen_kappa, ref_cohen(*shared(data, 0, 1)))


# --- Percent agreement, undefined values, invariance -------------------------------------------


@SETTINGS
@given(label_data())
def test_percent_agreement_matches_brute_force(data: Data) -> None:
    report = compute_agreement(data.matrix())
    assert close(report.percent_agreement, brute_percent(data))
    for index, name in enumerate(data.buckets):
        assert close(report.per_bucket[name].percent_agreement, brute_percent(data, index))
    assert report.pairable_items == sum(1 for codes in data.grid if sum(c >= 0 for c in codes) >= 2)
    assert report.items_with_labels == sum(1 for codes in data.grid if max(codes) >= 0)
    for index, name in enumerate(data.buckets):
        assert report.per_bucket[name].labels == sum(row.count(index) for row in data.grid)


@st.composite
def degenerate_data(draw: st.DrawFn) -> Data:
    """Data where alpha is undefined: one bucket used, one reviewer, or no shared items."""
    data = draw(label_data())
    kind = draw(st.sampled_from(["one_bucket", "one_reviewer", "disjoint"]))
    grid = [list(codes) for codes in data.grid]
    if kind == "one_bucket":
        only = draw(st.integers(0, len(data.buckets) - 1))
        grid = [[only if c >= 0 else -1 for c in codes] for codes in grid]
    elif kind == "one_reviewer":
        grid = [[c if r == 0 else -1 for r, c in enumerate(codes)] for codes in grid]
    else:
        grid = [
            [c if r == i % len(codes) else -1 for r, c in enumerate(codes)]
            for i, codes in enumerate(grid)
        ]
    return Data(data.reviewers, data.buckets, data.items, grid)


@SETTINGS
@given(degenerate_data())
def test_undefined_where_references_are_undefined(data: Data) -> None:
    assert ref_alpha(data) is None
    report = compute_agreement(data.matrix(), reviewers=data.reviewers, bootstrap=10, seed=0)
    assert report.krippendorff_alpha is None
    assert report.undefined["krippendorff_alpha"]
    assert report.krippendorff_alpha_ci95 is None
    assert report.undefined["krippendorff_alpha_ci95"]
    assert close(report.fleiss_kappa, ref_fleiss(data))
    for a, b in itertools.combinations(range(len(data.reviewers)), 2):
        key = tuple(sorted((data.reviewers[a], data.reviewers[b])))
        entry = report.pairwise[key]  # type: ignore[index]
        assert close(entry.cohen_kappa, ref_cohen(*shared(data, a, b)))
    assert_consistent(report)


@SETTINGS
@given(label_data(), st.randoms(use_true_random=False))
def test_row_order_and_item_order_change_nothing(data: Data, rnd: object) -> None:
    rows = data.rows
    shuffled = rows[:]
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    first = compute_agreement(LabelMatrix.from_rows(rows, data.buckets), bootstrap=25, seed=3)
    second = compute_agreement(LabelMatrix.from_rows(shuffled, data.buckets), bootstrap=25, seed=3)
    assert first.to_json() == second.to_json()  # exact equality, bootstrap included
    assert_consistent(first)


@SETTINGS
@given(label_data(reviewers=(2, 6)), st.data())
def test_restriction_equals_building_from_the_subset(data: Data, pick: st.DataObject) -> None:
    subset = pick.draw(
        st.lists(
            st.sampled_from(data.reviewers), min_size=1, max_size=len(data.reviewers), unique=True
        )
    )
    restricted = compute_agreement(data.matrix(), reviewers=subset, bootstrap=10, seed=1)
    rows = [row for row in data.rows if row[1] in subset]
    rebuilt = compute_agreement(
        LabelMatrix.from_rows(rows, data.buckets), reviewers=subset, bootstrap=10, seed=1
    )
    assert restricted.to_json() == rebuilt.to_json()


@SETTINGS
@given(label_data())
def test_pattern_table_reproduces_alpha(data: Data) -> None:
    matrix = data.matrix()
    report = compute_agreement(matrix)
    patterns = tally(matrix, with_patterns=True).patterns
    assert patterns is not None
    assert int(patterns.weights.sum()) == report.pairable_items
    if report.pairable_items == 0:
        return
    values, defined = patterns.alphas(patterns.weights[None, :].astype(np.float64))
    if report.krippendorff_alpha is None:
        assert not bool(defined[0])
    else:
        assert bool(defined[0])
        assert values[0] == pytest.approx(report.krippendorff_alpha, abs=1e-12)


@SETTINGS
@given(label_data())
def test_chunked_and_fallback_paths_give_identical_reports(data: Data) -> None:
    """Tiny chunk sizes and the unpacked pattern path must not change a single number."""
    matrix = data.matrix()
    expected = compute_agreement(matrix, bootstrap=7, seed=5).to_json()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tally_module, "_CHUNK_RECORDS", 1)
        patch.setattr(bootstrap_module, "_CHUNK_ENTRIES", 1)
        patch.setattr(bootstrap_module, "_MAX_PACKED", 0)
        assert compute_agreement(matrix, bootstrap=7, seed=5).to_json() == expected
