"""Worked examples with published values, undefined cases and the JSON contract.

Every published value below was re-derived by hand in the comments next to it.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Mapping, Sequence

import numpy as np
import pytest

from labeler.stats.agreement import LabelMatrix, band, compute_agreement
from labeler.stats.agreement.tally import tally

Rows = list[tuple[str, str, str]]


def rows_from_columns(coders: Mapping[str, Sequence[object]]) -> Rows:
    """Reliability data as coder -> values per unit (None = missing) to label rows."""
    return [
        (f"unit{u:02d}", coder, str(value))
        for coder, values in coders.items()
        for u, value in enumerate(values)
        if value is not None
    ]


def rows_from_table(table: Sequence[Sequence[int]], categories: Sequence[str]) -> Rows:
    """Subjects x categories count table (Fleiss layout) to label rows; rater ids are arbitrary."""
    rows: Rows = []
    for s, counts in enumerate(table):
        rater = 0
        for category, count in zip(categories, counts, strict=True):
            for _ in range(count):
                rows.append((f"s{s}", f"r{rater:02d}", category))
                rater += 1
    return rows


def rows_from_confusion(counts: dict[tuple[str, str], int]) -> Rows:
    """Two-rater contingency table {(A's label, B's label): count} to label rows."""
    rows: Rows = []
    item = 0
    for (label_a, label_b), count in counts.items():
        for _ in range(count):
            rows += [(f"i{item}", "A", label_a), (f"i{item}", "B", label_b)]
            item += 1
    return rows


# --- Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", Annenberg School for
# --- Communication, University of Pennsylvania (repository.upenn.edu/asc_papers/43).

# Section A, binary data, two observers, no missing data: alpha = 0.095.
# By hand: 20 values, n_0 = 14, n_1 = 6; 4 disagreeing units -> o_01 + o_10 = 8;
# alpha = 1 - (n - 1) * 8 / (2 * 14 * 6) = 1 - 152/168 = 0.0952...
KRIPP_BINARY = {
    "A": [0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
    "B": [1, 1, 1, 0, 0, 1, 0, 0, 0, 0],
}

# Section B, nominal data, two observers, no missing data: alpha = 0.692.
# By hand: 24 values; a=4, b=6, c=6, d=6, e=2 (sum of squares 128); 3 disagreeing units
# -> off-diagonal coincidences 6; alpha = 1 - 23 * 6 / (24**2 - 128) = 1 - 138/448 = 0.6919...
KRIPP_NOMINAL = {
    "A": ["a", "a", "b", "b", "d", "c", "c", "c", "e", "d", "d", "a"],
    "B": ["b", "a", "b", "b", "b", "c", "c", "c", "e", "d", "d", "d"],
}

# Section C, nominal data, any number of observers, missing data: alpha = 0.743.
# By hand: unit 12 has one value and drops out; n = 40 pairable values (1:9, 2:13, 3:10, 4:5,
# 5:3; sum of squares 384). Off-diagonal coincidences come from unit 2 (2,2,3,2: (16-10)/3 = 2),
# unit 6 (1,2,3,4: (16-4)/3 = 4) and unit 8 (1,1,2,1: 2), total 8;
# alpha = 1 - 39 * 8 / (40**2 - 384) = 1 - 312/1216 = 0.74342...
KRIPP_MISSING = {
    "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    "C": [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
}


def test_krippendorff_2011_binary_two_observers() -> None:
    report = compute_agreement(LabelMatrix.from_rows(rows_from_columns(KRIPP_BINARY)))
    assert report.krippendorff_alpha == pytest.approx(1 - 152 / 168, abs=1e-12)
    assert round(report.krippendorff_alpha or 0, 3) == 0.095
    # With two buckets, "is it 0?" and "is it 1?" are the same question as the whole.
    for bucket in ("0", "1"):
        assert report.per_bucket[bucket].krippendorff_alpha == pytest.approx(1 - 152 / 168)
    assert report.percent_agreement == pytest.approx(0.6)
    assert report.per_bucket["0"].labels == 14
    assert report.per_bucket["1"].labels == 6


def test_krippendorff_2011_nominal_two_observers() -> None:
    report = compute_agreement(LabelMatrix.from_rows(rows_from_columns(KRIPP_NOMINAL)))
    assert report.krippendorff_alpha == pytest.approx(1 - 138 / 448, abs=1e-12)
    assert round(report.krippendorff_alpha or 0, 3) == 0.692
    assert report.items_with_labels == 12
    assert report.pairable_items == 12
    assert report.percent_agreement == pytest.approx(9 / 12)


def test_krippendorff_2011_nominal_missing_data_four_observers() -> None:
    report = compute_agreement(LabelMatrix.from_rows(rows_from_columns(KRIPP_MISSING)))
    assert report.krippendorff_alpha == pytest.approx(1 - 312 / 1216, abs=1e-12)
    assert round(report.krippendorff_alpha or 0, 3) == 0.743
    assert report.items_with_labels == 12
    assert report.pairable_items == 11  # unit 12 has a single value
    assert report.cohen_kappa is None
    assert "two reviewers" in report.undefined["cohen_kappa"]
    assert report.fleiss_kappa is None  # units have 2, 3 or 4 values
    assert "different numbers of labels" in report.undefined["fleiss_kappa"]
    assert report.confusion is None
    assert set(report.to_json()["pairwise"]) == {"A|B", "A|C", "A|D", "B|C", "B|D", "C|D"}
    # Reviewer A and B share units 1-9; they differ only on unit 6 (1 vs 2).
    assert report.pairwise[("A", "B")].cases == 9


# --- Fleiss (1971) via Wikipedia, "Fleiss' kappa", worked example: 10 subjects, 14 raters,
# --- 5 categories; P-bar = 0.378, P_e = 0.213, kappa = 0.210.
FLEISS_TABLE = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


def test_fleiss_1971_wikipedia_example() -> None:
    categories = ["1", "2", "3", "4", "5"]
    report = compute_agreement(LabelMatrix.from_rows(rows_from_table(FLEISS_TABLE, categories)))
    # By hand: sum over subjects of sum_j n_ij**2 = 196+60+70+94+74+98+58+46+66+66 = 828;
    # P-bar = (828 - 140) / (140 * 13) = 688/1820 = 0.37802;
    # p_j = (20, 28, 39, 21, 32) / 140 -> P_e = 4170 / 19600 = 0.21276;
    # kappa = (0.37802 - 0.21276) / (1 - 0.21276) = 0.20993.
    p_bar = 688 / 1820
    p_e = (20**2 + 28**2 + 39**2 + 21**2 + 32**2) / 140**2
    assert report.percent_agreement == pytest.approx(p_bar, abs=1e-12)
    assert report.fleiss_kappa == pytest.approx((p_bar - p_e) / (1 - p_e), abs=1e-12)
    assert round(report.fleiss_kappa or 0, 3) == 0.210
    # Fleiss' per-category kappa: 1 - sum_i n_ij (m - n_ij) / (N m (m - 1) p_j q_j).
    table = np.array(FLEISS_TABLE)
    for j, category in enumerate(categories):
        p = table[:, j].sum() / 140
        expected = 1 - (table[:, j] * (14 - table[:, j])).sum() / (10 * 14 * 13 * p * (1 - p))
        assert report.per_bucket[category].fleiss_kappa == pytest.approx(expected, abs=1e-12)


def test_fleiss_wikipedia_intermediate_values() -> None:
    # Guards the by-hand arithmetic above against the article's printed intermediates.
    assert sum(sum(row) for row in FLEISS_TABLE) == 140
    assert [sum(col) for col in zip(*FLEISS_TABLE, strict=True)] == [20, 28, 39, 21, 32]
    assert sum(n * n for row in FLEISS_TABLE for n in row) == 828


# --- Cohen's kappa, Wikipedia "Cohen's kappa", simple example: 50 proposals, A and B both yes 20,
# --- A yes / B no 5, A no / B yes 10, both no 15: p_o = 0.7, p_e = 0.5 * 0.6 + 0.5 * 0.4 = 0.5,
# --- kappa = 0.4. The same article's "same percentages, different numbers" tables give
# --- kappa = 0.1304 (45/15/25/15) and 0.2593 (25/35/5/35).
@pytest.mark.parametrize(
    ("counts", "published"),
    [
        ({("yes", "yes"): 20, ("yes", "no"): 5, ("no", "yes"): 10, ("no", "no"): 15}, 0.4),
        ({("yes", "yes"): 45, ("yes", "no"): 15, ("no", "yes"): 25, ("no", "no"): 15}, 0.1304),
        ({("yes", "yes"): 25, ("yes", "no"): 35, ("no", "yes"): 5, ("no", "no"): 35}, 0.2593),
    ],
)
def test_cohen_kappa_wikipedia_tables(counts: dict[tuple[str, str], int], published: float) -> None:
    report = compute_agreement(LabelMatrix.from_rows(rows_from_confusion(counts)))
    assert report.cohen_kappa == pytest.approx(published, abs=5e-5)
    assert report.pairwise[("A", "B")].cohen_kappa == report.cohen_kappa
    # With two buckets the one-vs-rest kappa is the kappa.
    assert report.per_bucket["yes"].cohen_kappa == pytest.approx(report.cohen_kappa, abs=1e-12)
    assert report.confusion is not None
    assert report.confusion.reviewers == ("A", "B")
    assert report.confusion.buckets == ("no", "yes")
    assert report.confusion.matrix == (
        (counts[("no", "no")], counts[("no", "yes")]),
        (counts[("yes", "no")], counts[("yes", "yes")]),
    )


def test_cohen_kappa_wikipedia_first_table_exact() -> None:
    counts = {("yes", "yes"): 20, ("yes", "no"): 5, ("no", "yes"): 10, ("no", "no"): 15}
    report = compute_agreement(LabelMatrix.from_rows(rows_from_confusion(counts)))
    assert report.cohen_kappa == pytest.approx(0.4, abs=1e-12)
    assert report.percent_agreement == pytest.approx(0.7, abs=1e-12)
    # Two reviewers, every item labeled by both: Fleiss applies too (it is Scott's pi here).
    p_yes = (25 + 30) / 100
    p_e = p_yes**2 + (1 - p_yes) ** 2
    assert report.fleiss_kappa == pytest.approx((0.7 - p_e) / (1 - p_e), abs=1e-12)


# --- Definitions -------------------------------------------------------------------------------


def test_percent_agreement_weighs_items_equally() -> None:
    rows = [
        ("i1", "a", "x"),
        ("i1", "b", "x"),
        ("i1", "c", "y"),  # 1 of 3 pairs agree
        ("i2", "a", "x"),
        ("i2", "b", "x"),  # 1 of 1 pair agrees
        ("i3", "c", "z"),  # single label: not pairable
    ]
    report = compute_agreement(LabelMatrix.from_rows(rows))
    assert report.percent_agreement == pytest.approx((1 / 3 + 1) / 2, abs=1e-12)
    assert report.items_with_labels == 3
    assert report.pairable_items == 2
    # One-vs-rest "is it y?": i1 -> pairs (x,x) agree, (x,y) x2 disagree -> 1/3; i2 -> 1.
    assert report.per_bucket["y"].percent_agreement == pytest.approx((1 / 3 + 1) / 2)
    assert report.per_bucket["z"].labels == 1
    assert report.per_bucket["z"].percent_agreement == pytest.approx(1.0)


def test_restricting_reviewers_gives_cohen_and_confusion() -> None:
    rows = rows_from_columns(KRIPP_MISSING)
    matrix = LabelMatrix.from_rows(rows)
    full = compute_agreement(matrix)
    two = compute_agreement(matrix, reviewers=["B", "A"])
    assert two.reviewers == ("A", "B")
    assert two.cohen_kappa == full.pairwise[("A", "B")].cohen_kappa
    assert two.cohen_kappa is not None
    assert two.confusion is not None
    assert sum(map(sum, two.confusion.matrix)) == 9
    assert two.to_json()["confusion"]["reviewers"] == ["A", "B"]
    assert list(two.to_json()["pairwise"]) == ["A|B"]
    assert matrix.restrict(["A", "B"]).labels == 9 + 11


def test_taxonomy_order_and_unused_buckets() -> None:
    rows = [("i1", "a", "x"), ("i1", "b", "x"), ("i2", "a", "y"), ("i2", "b", "x")]
    matrix = LabelMatrix.from_rows(rows, buckets=["y", "unused", "x"])
    assert matrix.buckets == ("y", "unused", "x")
    report = compute_agreement(matrix)
    assert list(report.per_bucket) == ["y", "unused", "x"]
    unused = report.per_bucket["unused"]
    assert unused.labels == 0
    assert unused.percent_agreement == 1.0  # everyone agreed it is not "unused"
    assert unused.krippendorff_alpha is None
    assert "no pairable label is 'unused'" in unused.undefined["krippendorff_alpha"]
    assert unused.cohen_kappa is None
    assert "neither reviewer used 'unused'" in unused.undefined["cohen_kappa"]
    assert report.confusion is not None
    assert report.confusion.buckets == ("y", "unused", "x")
    assert report.confusion.matrix == ((0, 0, 1), (0, 0, 0), (0, 0, 1))


# --- Input validation --------------------------------------------------------------------------


def test_duplicate_labels_are_rejected() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        LabelMatrix.from_rows([("i1", "a", "x"), ("i2", "a", "x"), ("i1", "a", "x")])
    with pytest.raises(ValueError, match="'i1' by reviewer 'a'"):
        LabelMatrix.from_rows([("i1", "a", "x"), ("i1", "b", "x"), ("i1", "a", "y")])


def test_bad_rows_are_rejected() -> None:
    with pytest.raises(ValueError, match="unknown bucket"):
        LabelMatrix.from_rows([("i1", "a", "x")], buckets=["y"])
    with pytest.raises(ValueError, match="duplicate bucket"):
        LabelMatrix.from_rows([("i1", "a", "x")], buckets=["x", "x"])
    with pytest.raises(ValueError, match="row 1"):
        LabelMatrix.from_rows([("i1", "a", "x"), ("i1", "b")])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="bucket names must be strings"):
        LabelMatrix.from_rows([("i1", "a", None)])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="item names must be strings"):
        LabelMatrix.from_rows([(1, "a", "x")])  # type: ignore[list-item]
    matrix = LabelMatrix.from_rows([("i1", "a", "x"), ("i1", "b", "x")])
    with pytest.raises(ValueError, match="repeat"):
        compute_agreement(matrix, reviewers=["a", "a"])
    with pytest.raises(TypeError):
        compute_agreement(matrix, reviewers="ab")
    with pytest.raises(ValueError, match="bootstrap"):
        compute_agreement(matrix, bootstrap=-1)


def test_named_reviewer_without_labels_is_in_play() -> None:
    matrix = LabelMatrix.from_rows([("i1", "a", "x"), ("i1", "b", "y"), ("i2", "a", "x")])
    report = compute_agreement(matrix, reviewers=["zed", "a"])
    assert report.reviewers == ("a", "zed")
    assert report.cohen_kappa is None
    assert report.undefined["cohen_kappa"] == "no item was labeled by both reviewers"
    assert report.pairwise[("a", "zed")].cases == 0
    assert report.confusion is not None
    assert report.confusion.matrix == ((0, 0), (0, 0))
    assert report.items_with_labels == 2
    assert report.pairable_items == 0


def test_numpy_strings_and_generators_are_accepted() -> None:
    names = np.array(["i1", "i1"])
    rows = ((names[k], ("a", "b")[k], np.str_("x")) for k in range(2))
    matrix = LabelMatrix.from_rows(rows)
    assert matrix.items == ("i1",)
    assert type(matrix.items[0]) is str
    assert type(matrix.buckets[0]) is str
    assert compute_agreement(matrix).percent_agreement == 1.0


def test_missing_value_lookalikes_are_ordinary_names() -> None:
    lookalikes = ["NA", "None", "null", "nan", "", "NaN", "N/A"]
    rows = []
    for i, bucket in enumerate(lookalikes):
        rows += [(f"item-{i}", "NA", bucket), (f"item-{i}", "None", bucket)]
    rows += [("nan", "NA", "NA"), ("nan", "None", "null"), ("", "NA", ""), ("", "None", "nan")]
    matrix = LabelMatrix.from_rows(rows)
    assert set(matrix.buckets) == set(lookalikes)
    assert set(matrix.reviewers) == {"NA", "None"}
    assert "" in matrix.items and "nan" in matrix.items
    report = compute_agreement(matrix)
    data = report.to_json()
    json.dumps(data, allow_nan=False)
    assert set(data["per_bucket"]) == set(lookalikes)
    assert data["per_bucket"]["NA"]["labels"] == 3
    assert data["per_bucket"]["nan"]["labels"] == 3
    assert data["per_bucket"][""]["labels"] == 3
    assert data["items_with_labels"] == len(lookalikes) + 2
    assert report.percent_agreement == pytest.approx(len(lookalikes) / (len(lookalikes) + 2))
    assert data["confusion"]["reviewers"] == ["NA", "None"]
    assert list(data["pairwise"]) == ["NA|None"]


# --- Undefined values --------------------------------------------------------------------------

ALL_METRICS = ("percent_agreement", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha")


def assert_reasons_complete(data: dict[str, object]) -> None:
    """Every None metric has a reason, and only those do; no NaN anywhere."""
    json.dumps(data, allow_nan=False)
    undefined = data["undefined"]
    assert isinstance(undefined, dict)
    for key in (*ALL_METRICS, "krippendorff_alpha_ci95", "gwet_ac1"):
        assert (data[key] is None) == (key in undefined), key
        if key in undefined:
            assert isinstance(undefined[key], str) and undefined[key]
    per_bucket = data["per_bucket"]
    assert isinstance(per_bucket, dict)
    for entry in per_bucket.values():
        for key in (*ALL_METRICS, "gwet_ac1"):
            assert (entry[key] is None) == (key in entry["undefined"]), key
    pairwise = data["pairwise"]
    assert isinstance(pairwise, dict)
    for entry in pairwise.values():
        assert (entry["cohen_kappa"] is None) == ("cohen_kappa" in entry["undefined"])


def test_empty_input() -> None:
    report = compute_agreement(LabelMatrix.from_rows([]), bootstrap=100, seed=1)
    data = report.to_json()
    assert_reasons_complete(data)
    assert all(data[key] is None for key in ALL_METRICS)
    assert data["krippendorff_alpha_ci95"] is None
    assert data["undefined"]["fleiss_kappa"] == "no labels from the reviewers in play"
    assert data["undefined"]["cohen_kappa"] == "no reviewers in play"
    assert data["per_bucket"] == {}
    assert data["pairwise"] == {}
    assert data["confusion"] is None
    assert data["items_with_labels"] == 0
    assert data["pairable_items"] == 0


def test_empty_input_with_taxonomy_and_no_reviewers_in_play() -> None:
    matrix = LabelMatrix.from_rows([("i1", "a", "x")], buckets=["x", "y"])
    report = compute_agreement(matrix, reviewers=[])
    data = report.to_json()
    assert_reasons_complete(data)
    assert data["items_with_labels"] == 0
    assert set(data["per_bucket"]) == {"x", "y"}
    assert data["per_bucket"]["x"]["labels"] == 0


def test_one_reviewer_only() -> None:
    rows = [("i1", "a", "x"), ("i2", "a", "y"), ("i3", "a", "x")]
    report = compute_agreement(LabelMatrix.from_rows(rows), bootstrap=50, seed=0)
    data = report.to_json()
    assert_reasons_complete(data)
    assert all(data[key] is None for key in ALL_METRICS)
    assert "only 'a'" in data["undefined"]["cohen_kappa"]
    assert "single label" in data["undefined"]["fleiss_kappa"]
    assert "two or more reviewers" in data["undefined"]["krippendorff_alpha"]
    assert "krippendorff_alpha is undefined" in data["undefined"]["krippendorff_alpha_ci95"]
    assert data["items_with_labels"] == 3
    assert data["pairable_items"] == 0
    assert data["pairwise"] == {}


def test_two_reviewers_without_overlap() -> None:
    rows = [("i1", "a", "x"), ("i2", "b", "y")]
    report = compute_agreement(LabelMatrix.from_rows(rows))
    data = report.to_json()
    assert_reasons_complete(data)
    assert all(data[key] is None for key in ALL_METRICS)
    assert "labeled by both" in data["undefined"]["cohen_kappa"]
    assert data["pairwise"] == {
        "a|b": {
            "cohen_kappa": None,
            "cases": 0,
            "undefined": {"cohen_kappa": "no item was labeled by both reviewers"},
        }
    }
    assert data["confusion"] == {
        "reviewers": ["a", "b"],
        "buckets": ["x", "y"],
        "matrix": [[0, 0], [0, 0]],
    }


def test_every_label_in_one_bucket() -> None:
    rows = [(f"i{i}", r, "same") for i in range(5) for r in ("a", "b", "c")]
    report = compute_agreement(LabelMatrix.from_rows(rows), bootstrap=20, seed=0)
    data = report.to_json()
    assert_reasons_complete(data)
    assert data["percent_agreement"] == 1.0  # genuinely defined: every pair agrees
    assert data["krippendorff_alpha"] is None
    assert "expected disagreement is 0" in data["undefined"]["krippendorff_alpha"]
    assert data["fleiss_kappa"] is None
    assert "chance agreement is 1" in data["undefined"]["fleiss_kappa"]
    bucket = data["per_bucket"]["same"]
    assert bucket["krippendorff_alpha"] is None
    assert bucket["fleiss_kappa"] is None
    assert "every label is 'same'" in bucket["undefined"]["fleiss_kappa"]
    for entry in data["pairwise"].values():
        assert entry["cohen_kappa"] is None
        assert "chance agreement is 1" in entry["undefined"]["cohen_kappa"]


def test_two_reviewers_every_label_in_one_bucket() -> None:
    rows = [(f"i{i}", r, "x") for i in range(4) for r in ("a", "b")] + [("solo", "a", "y")]
    report = compute_agreement(LabelMatrix.from_rows(rows))
    data = report.to_json()
    assert_reasons_complete(data)
    assert data["cohen_kappa"] is None
    assert "same bucket 'x'" in data["undefined"]["cohen_kappa"]
    # The lone "y" is a single label: not pairable, so alpha is still undefined.
    assert data["krippendorff_alpha"] is None
    assert data["per_bucket"]["y"]["labels"] == 1
    assert "every shared item" in data["per_bucket"]["x"]["undefined"]["cohen_kappa"]


# --- Bootstrap -----------------------------------------------------------------------------------


def moderate_rows(items: int = 300, seed: int = 3) -> Rows:
    rng = random.Random(seed)
    buckets = ["ok", "wrong_intent", "bad_json", "unsafe"]
    rows: Rows = []
    for i in range(items):
        truth = rng.choices(buckets, weights=[5, 3, 2, 1])[0]
        for reviewer in ("ann", "bob", "cy"):
            if reviewer == "cy" and rng.random() < 0.4:
                continue  # missing labels
            bucket = truth if rng.random() < 0.75 else rng.choice(buckets)
            rows.append((f"case-{i}", reviewer, bucket))
    return rows


def test_bootstrap_is_seeded_and_contains_the_estimate() -> None:
    matrix = LabelMatrix.from_rows(moderate_rows())
    first = compute_agreement(matrix, bootstrap=400, seed=11)
    again = compute_agreement(matrix, bootstrap=400, seed=11)
    other = compute_agreement(matrix, bootstrap=400, seed=12)
    assert first.krippendorff_alpha_ci95 is not None
    assert first.krippendorff_alpha_ci95 == again.krippendorff_alpha_ci95
    assert first.krippendorff_alpha_ci95 != other.krippendorff_alpha_ci95
    low, high = first.krippendorff_alpha_ci95
    alpha = first.krippendorff_alpha
    assert alpha is not None
    assert low < alpha < high
    assert 0.02 < high - low < 0.3
    assert "krippendorff_alpha_ci95" not in first.undefined
    assert first.to_json()["krippendorff_alpha_ci95"] == [low, high]
    assert first.bootstrap_defined == 400


def test_bootstrap_zero_is_reported_as_undefined() -> None:
    report = compute_agreement(LabelMatrix.from_rows(moderate_rows(50)))
    assert report.krippendorff_alpha_ci95 is None
    assert report.undefined["krippendorff_alpha_ci95"] == "bootstrap not requested (bootstrap=0)"


def test_bootstrap_matches_naive_item_resampling() -> None:
    """The multinomial-over-patterns draw has the distribution of resampling items."""
    rows = moderate_rows(120, seed=5)
    matrix = LabelMatrix.from_rows(rows)
    ours = compute_agreement(matrix, bootstrap=4000, seed=1).krippendorff_alpha_ci95
    assert ours is not None

    by_item: dict[str, list[str]] = {}
    for item, _, bucket in rows:
        by_item.setdefault(item, []).append(bucket)
    pairable = [labels for labels in by_item.values() if len(labels) >= 2]
    rng = np.random.default_rng(2)
    alphas = []
    for _ in range(1000):
        picks = rng.integers(0, len(pairable), size=len(pairable))
        # A drawn item becomes its own unit; alpha does not depend on who gave which label.
        sample = [
            (f"u{k}", f"slot{r}", bucket)
            for k, p in enumerate(picks)
            for r, bucket in enumerate(pairable[p])
        ]
        value = compute_agreement(LabelMatrix.from_rows(sample)).krippendorff_alpha
        if value is not None:
            alphas.append(value)
    naive = np.percentile(alphas, [2.5, 97.5])
    assert ours[0] == pytest.approx(naive[0], abs=0.025)
    assert ours[1] == pytest.approx(naive[1], abs=0.025)


def test_bootstrap_drops_undefined_replicates_and_gives_up_past_half() -> None:
    # Two pairable items, (x, x) and (y, y): a resample of two copies of one item has every
    # label in one bucket (alpha undefined) with probability 1/2 per replicate.
    rows = [("i1", "a", "x"), ("i1", "b", "x"), ("i2", "a", "y"), ("i2", "b", "y")]
    matrix = LabelMatrix.from_rows(rows)
    outcomes = set()
    for seed in range(60):
        report = compute_agreement(matrix, bootstrap=3, seed=seed)
        assert report.krippendorff_alpha == 1.0
        if report.krippendorff_alpha_ci95 is None:
            assert report.bootstrap_defined * 2 < 3
            assert "more than half" in report.undefined["krippendorff_alpha_ci95"]
            outcomes.add("none")
        else:
            assert report.bootstrap_defined * 2 >= 3
            assert report.krippendorff_alpha_ci95 == (1.0, 1.0)
            outcomes.add("ci")
        json.dumps(report.to_json(), allow_nan=False)
    assert outcomes == {"none", "ci"}


def test_pattern_table_reproduces_point_alpha() -> None:
    matrix = LabelMatrix.from_rows(moderate_rows(200, seed=9))
    data = tally(matrix, with_patterns=True)
    assert data.patterns is not None
    values, defined = data.patterns.alphas(data.patterns.weights[None, :].astype(np.float64))
    assert bool(defined[0])
    assert values[0] == pytest.approx(compute_agreement(matrix).krippendorff_alpha, abs=1e-12)


# --- Order invariance and JSON ----------------------------------------------------------------


def test_row_and_item_order_do_not_change_any_number() -> None:
    rows = moderate_rows(150, seed=21)
    expected = compute_agreement(LabelMatrix.from_rows(rows), bootstrap=200, seed=4).to_json()
    rng = random.Random(8)
    for _ in range(3):
        shuffled = rows[:]
        rng.shuffle(shuffled)
        got = compute_agreement(LabelMatrix.from_rows(shuffled), bootstrap=200, seed=4).to_json()
        assert got == expected  # exact, including the bootstrap interval


def test_json_shape() -> None:
    report = compute_agreement(LabelMatrix.from_rows(rows_from_columns(KRIPP_NOMINAL)))
    data = report.to_json()
    assert set(data) == {
        "percent_agreement",
        "cohen_kappa",
        "fleiss_kappa",
        "krippendorff_alpha",
        "krippendorff_alpha_ci95",
        "gwet_ac1",
        "undefined",
        "per_bucket",
        "pairwise",
        "confusion",
        "items_with_labels",
        "pairable_items",
    }
    assert set(data["per_bucket"]["a"]) == {
        *ALL_METRICS,
        "gwet_ac1",
        "labels",
        "pairable_in_bucket",
        "undefined",
    }
    assert set(data["pairwise"]["A|B"]) == {"cohen_kappa", "cases", "undefined"}
    assert set(data["confusion"]) == {"reviewers", "buckets", "matrix"}
    assert_reasons_complete(data)
    text = json.dumps(data, allow_nan=False)
    assert json.loads(text) == data
    for value in (data["krippendorff_alpha"], data["cohen_kappa"], data["fleiss_kappa"]):
        assert isinstance(value, float) and math.isfinite(value)
    assert all(type(x) is int for row in data["confusion"]["matrix"] for x in row)


# --- Landis & Koch bands -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "word"),
    [
        (-1.0, "poor"),
        (-0.0001, "poor"),
        (0.0, "slight"),
        (0.2, "slight"),
        (0.2001, "fair"),
        (0.21, "fair"),
        (0.4, "fair"),
        (0.41, "moderate"),
        (0.6, "moderate"),
        (0.61, "substantial"),
        (0.8, "substantial"),
        (0.81, "almost perfect"),
        (1.0, "almost perfect"),
        (1.0 + 1e-12, "almost perfect"),
        (-3.5, "poor"),  # alpha can go below -1 in small samples
    ],
)
def test_band(value: float, word: str) -> None:
    assert band(value) == word


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 1.01])
def test_band_rejects_impossible_values(value: float) -> None:
    with pytest.raises(ValueError):
        band(value)
