"""Gwet's AC1: hand-computed examples, published values, the kappa paradox, undefined cases.

Reference values marked "irrCAC" were computed once with the Python ``irrCAC`` package 0.4.4
(``irrCAC.raw.CAC(ratings, digits=15).gwet()``, identity weights) and are hard-coded here, so
the suite does not depend on that package. The irrCAC test suite publishes the same values to
three decimals (0.775, 0.497, 0.685, 0.208, 0.661).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labeler.stats.agreement import LabelMatrix, compute_agreement
from labeler.stats.agreement.gwet import AC1Report, gwet_ac1, gwet_ac1_from_tally
from labeler.stats.agreement.tally import tally

Labels = dict[str, list[str]]


def from_table(table: str) -> Labels:
    """'a b / c' -> {"case0": ["a", "b"], "case1": ["c"]}: one case per slash, missing left out."""
    return {f"case{i}": part.split() for i, part in enumerate(table.split("/"))}


def from_columns(columns: Mapping[str, Sequence[object]]) -> Labels:
    """Rater -> rating per unit (None = missing), as irrCAC's data frames are laid out."""
    units = len(next(iter(columns.values())))
    return {
        f"unit{u + 1}": [str(values[u]) for values in columns.values() if values[u] is not None]
        for u in range(units)
    }


def via_tally(labels: Labels) -> AC1Report:
    rows = [
        (case, f"reviewer{j}", bucket)
        for case, given in labels.items()
        for j, bucket in enumerate(given)
    ]
    return gwet_ac1_from_tally(tally(LabelMatrix.from_rows(rows)))


def both(labels: Labels) -> list[AC1Report]:
    return [gwet_ac1(labels), via_tally(labels)]


# --- A small example by hand.


def test_hand_computed_with_missing_labels() -> None:
    # case a: x x    -> pa_a = 2/2 = 1,            shares x 1,   y 0
    # case b: x y y  -> pa_b = (0 + 2) / 6 = 1/3,  shares x 1/3, y 2/3
    # case c: y      -> not pairable,              shares x 0,   y 1
    # pa = (1 + 1/3) / 2 = 2/3; pi_x = (1 + 1/3 + 0) / 3 = 4/9, pi_y = 5/9
    # pe = (4/9 * 5/9 + 5/9 * 4/9) / (2 - 1) = 40/81; AC1 = (2/3 - 40/81) / (41/81) = 14/41
    labels = {"a": ["x", "x"], "b": ["x", "y", "y"], "c": ["y"]}
    for report in both(labels):
        overall = report.overall
        assert overall.pa == pytest.approx(2 / 3, abs=1e-15)
        assert overall.pe == pytest.approx(40 / 81, abs=1e-15)
        assert overall.value == pytest.approx(14 / 41, abs=1e-15)
        assert (overall.cases, overall.pairable, overall.categories) == (3, 2, 2)
        # With two buckets, one vs rest is the same question as the whole.
        assert report.per_bucket["x"].value == pytest.approx(14 / 41, abs=1e-15)
        assert report.per_bucket["y"].value == pytest.approx(14 / 41, abs=1e-15)


# --- Gwet (2014), Handbook of Inter-Rater Reliability, 4th ed., p. 120: 4 raters, 12 units,
# --- 5 categories, missing ratings (irrCAC's ``raw_4raters``). irrCAC: AC1 0.775444068126995,
# --- pa 0.818181818181818, pe 0.190321180555556.

GWET_4RATERS = {
    "Rater1": [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    "Rater2": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, None],
    "Rater3": [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 3],
    "Rater4": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
}


def test_gwet_handbook_example_exactly() -> None:
    # By hand. pa over the 11 units with two or more ratings (unit 12 has one):
    #   units 1, 3, 4, 5, 7, 9, 10, 11 agree fully (1 each); unit 2 {2,2,3,2}: 6/12 = 1/2;
    #   unit 8 {1,1,2,1}: 1/2; unit 6 {1,2,3,4}: 0  ->  pa = 9/11.
    # pi over all 12 units: pi_1 = 3/12, pi_2 = 3.25/12, pi_3 = 3.5/12, pi_4 = 1.25/12,
    #   pi_5 = 1/12; sum pi (1 - pi) = 1 - 34.375/144 = 109.625/144; pe = that / 4 = 109.625/576.
    pa = Fraction(9, 11)
    pe = Fraction(109625, 576000)
    expected = (pa - pe) / (1 - pe)
    for report in both(from_columns(GWET_4RATERS)):
        assert report.overall.pa == pytest.approx(float(pa), abs=1e-15)
        assert report.overall.pe == pytest.approx(float(pe), abs=1e-15)
        assert report.overall.value == pytest.approx(float(expected), abs=1e-15)
        assert report.overall.value == pytest.approx(0.775444068126995, abs=1e-14)  # irrCAC
        assert (report.overall.cases, report.overall.pairable) == (12, 11)
        assert report.overall.categories == 5


def test_gwet_handbook_example_one_vs_rest() -> None:
    # irrCAC on the ratings recoded to "this category" / "another".
    expected = {
        "1": 0.854545454545454,
        "2": 0.77461849484805,
        "3": 0.845077998924153,
        "4": 0.944115649558552,
        "5": 1.0,
    }
    for report in both(from_columns(GWET_4RATERS)):
        assert set(report.per_bucket) == set(expected)
        for bucket, value in expected.items():
            assert report.per_bucket[bucket].value == pytest.approx(value, abs=1e-14), bucket


# --- Further irrCAC data sets (Gwet 2014 and the irrCAC documentation), with missing ratings.

Columns = Mapping[str, Sequence[object]]
IRRCAC_EXAMPLES: dict[str, tuple[Columns, tuple[float, float, float]]] = {
    # raw_5observers: 5 observers, 15 units, scores 0-3.
    "raw_5observers": (
        {
            "Observer1": [1, 1, 2, None, 0, 0, 1, 1, 2, 2, None, 0, 1, 3, 1],
            "Observer2": [1, 1, 3, 0, 0, 0, 0, None, 2, 1, 1, 0, 2, 3, 1],
            "Observer3": [2, 0, 3, 0, 0, 0, 2, 2, 2, 1, 0, 0, 2, 2, 1],
            "Observer4": [None, 1, 3, None, None, None, None, 0, None, 1, 0, 0, 2, 2, None],
            "Observer5": [2, None, None, 0, 0, 0, 1, None, 2, None, None, None, None, 3, 1],
        },
        (0.496622054872614, 0.615555555555556, 0.236270781893004),
    ),
    # raw_g1g2: 4 raters, 14 units, categories a-e.
    "raw_g1g2": (
        {
            "Rater1": ["a", "b", "c", "c", "b", "a", "d", "a", "b", None, None, None, "b", "b"],
            "Rater2": ["a", "b", "c", "c", "b", "b", "d", "a", "b", "e", None, None, "b", "a"],
            "Rater3": [None, "c", "c", "c", "b", "c", "d", "b", "b", "e", "a", "c", "c", "c"],
            "Rater4": ["a", "b", "c", "c", "b", "d", "d", "a", "b", "e", "a", None, "b", "b"],
        },
        (0.684603818747768, 0.743589743589744, 0.187021683673469),
    ),
    # raw_gender: 4 raters, 15 units, no missing ratings.
    "raw_gender": (
        {
            "Rater1": ["a", "a", "a", "a", "a", "b", "b", "b", "c", "a", "a", "a", "a", "a", "b"],
            "Rater2": ["a", "a", "a", "a", "b", "a", "b", "c", "c", "a", "a", "a", "a", "b", "a"],
            "Rater3": ["a", "b", "b", "c", "a", "a", "b", "b", "c", "a", "b", "b", "c", "a", "a"],
            "Rater4": ["c", "c", "c", "c", "a", "a", "b", "b", "c", "c", "c", "c", "c", "a", "a"],
        },
        (0.208080808080808, 0.455555555555556, 0.3125),
    ),
    # raw_ben_gerry: 2 raters, 12 units, one missing.
    "raw_ben_gerry": (
        {
            "Ben": ["a", "a", "b", "b", "d", "c", "c", "c", "e", "d", "d", "a"],
            "Gerry": ["b", "a", "b", "b", "b", "c", "c", "c", "e", None, "d", "d"],
        },
        (0.661442006269592, 0.727272727272727, 0.194444444444444),
    ),
}


@pytest.mark.parametrize("name", sorted(IRRCAC_EXAMPLES))
def test_irrcac_examples(name: str) -> None:
    columns, (ac1, pa, pe) = IRRCAC_EXAMPLES[name]
    for report in both(from_columns(columns)):
        assert report.overall.value == pytest.approx(ac1, abs=1e-14)
        assert report.overall.pa == pytest.approx(pa, abs=1e-14)
        assert report.overall.pe == pytest.approx(pe, abs=1e-14)


# Seeded random data (4 reviewers, 30 cases, about a quarter of the labels missing), fed to
# irrCAC as a data frame with NaN for missing ratings.
RANDOM_CASES = from_table(
    "ok ugly ugly / ok ok ok ok / ugly ok bad ok / ok ok bad / ok ok ok / ugly / ok / ok bad ok / "
    "ok ok ok ok / ugly / bad ugly ok ugly / ok ok ok bad / ok ok bad ok / ok ok ok ok / "
    "ok ok ok bad / ok ugly / ok ok / bad ok ok / ok / ok ugly ok / bad ugly ok bad / "
    "bad bad ok ugly / ok ok ok ugly / ok ok ok bad / bad bad ok ok / ok ok ok / ok ok ok bad / "
    "ok ok ok / ok ok ok / bad ok ugly ok"
)


def test_irrcac_random_example_overall_and_per_bucket() -> None:
    expected = {"bad": 0.586990191017037, "ok": 0.257609502598367, "ugly": 0.702582127889685}
    for report in both(RANDOM_CASES):
        assert report.overall.value == pytest.approx(0.379686869330614, abs=1e-14)
        assert report.overall.pa == pytest.approx(0.532051282051282, abs=1e-14)
        assert report.overall.pe == pytest.approx(0.245625, abs=1e-14)
        for bucket, value in expected.items():
            assert report.per_bucket[bucket].value == pytest.approx(value, abs=1e-14)


# --- The kappa paradox: reviewers agree on 94% of cases, but "fail" is rare.


def test_kappa_paradox() -> None:
    # 100 cases, two reviewers: 94 both "pass", 3 A fail / B pass, 3 A pass / B fail.
    # pa = 0.94. pi_fail = (6 cases * 1/2) / 100 = 0.03; pe = 2 * 0.03 * 0.97 = 0.0582;
    # AC1 = (0.94 - 0.0582) / 0.9418 = 0.9363...
    # Cohen: both reviewers say fail 3 times: p_e = 0.97^2 + 0.03^2 = 0.9418 -> kappa = -0.031.
    rows = []
    for i in range(100):
        a, b = ("fail", "pass") if i < 3 else ("pass", "fail") if i < 6 else ("pass", "pass")
        rows += [(f"c{i}", "A", a), (f"c{i}", "B", b)]
    matrix = LabelMatrix.from_rows(rows)
    report = compute_agreement(matrix)
    assert report.cohen_kappa is not None and report.krippendorff_alpha is not None
    assert report.cohen_kappa == pytest.approx((0.94 - 0.9418) / (1 - 0.9418), abs=1e-12)
    assert abs(report.cohen_kappa) < 0.05 and abs(report.krippendorff_alpha) < 0.05
    ac1 = gwet_ac1_from_tally(tally(matrix))
    assert ac1.overall.value == pytest.approx((0.94 - 0.0582) / (1 - 0.0582), abs=1e-12)
    assert ac1.overall.value is not None and ac1.overall.value > 0.9
    assert ac1.per_bucket["fail"].value == pytest.approx(ac1.overall.value, abs=1e-15)


# --- Undefined cases: None with a reason, never NaN.


def test_no_labels() -> None:
    empty: list[Labels] = [{}, {"a": []}]
    for labels in empty:
        report = gwet_ac1(labels)
        assert report.overall.value is None and report.overall.reason == "no case has a label"
        assert report.per_bucket == {}


def test_no_case_with_two_labels() -> None:
    for report in both({"a": ["x"], "b": ["y"]}):
        assert report.overall.value is None
        assert report.overall.reason is not None and "two or more" in report.overall.reason
        assert report.per_bucket["x"].value is None


def test_one_bucket_only() -> None:
    for report in both({"a": ["x", "x"], "b": ["x"]}):
        assert report.overall.value is None and report.overall.categories == 1
        assert report.overall.reason is not None and "'x'" in report.overall.reason
        assert report.per_bucket["x"].reason is not None
        assert "every label" in report.per_bucket["x"].reason


def test_unused_bucket_is_undefined_one_vs_rest() -> None:
    report = gwet_ac1({"a": ["x", "y"], "b": ["x", "x"]}, buckets=["x", "y", "z"])
    assert list(report.per_bucket) == ["x", "y", "z"]
    assert report.overall.categories == 2  # q counts buckets that occur, not the taxonomy
    assert report.per_bucket["z"].value is None
    assert report.per_bucket["z"].reason is not None and "no label" in report.per_bucket["z"].reason
    json.dumps(report.to_json(), allow_nan=False)


def test_tally_with_taxonomy_buckets_matches() -> None:
    rows = [("a", "r1", "x"), ("a", "r2", "y"), ("b", "r1", "x"), ("b", "r2", "x")]
    report = gwet_ac1_from_tally(tally(LabelMatrix.from_rows(rows, buckets=["z", "x", "y"])))
    assert list(report.per_bucket) == ["z", "x", "y"]
    assert report.overall.categories == 2
    assert report.overall.value == gwet_ac1({"a": ["x", "y"], "b": ["x", "x"]}).overall.value


def test_bad_input() -> None:
    with pytest.raises(TypeError):
        gwet_ac1({"a": "xy"})
    with pytest.raises(ValueError):
        gwet_ac1({"a": ["x", "w"]}, buckets=["x"])


# --- The two inputs agree on any data; AC1 is at most 1 and at least -1.


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(
        st.text("pq", min_size=1, max_size=3),
        st.lists(st.sampled_from(["ok", "bad", "ugly", "rare"]), max_size=5),
        max_size=25,
    )
)
def test_mapping_and_tally_agree(labels: Labels) -> None:
    direct = gwet_ac1(labels)
    counted = via_tally({case: given for case, given in labels.items() if given})
    pairs = [(direct.overall, counted.overall)]
    pairs += [(direct.per_bucket[name], counted.per_bucket[name]) for name in direct.per_bucket]
    assert set(direct.per_bucket) == set(counted.per_bucket)
    for mine, theirs in pairs:
        assert (mine.value is None) == (theirs.value is None)
        assert (mine.cases, mine.pairable, mine.categories) == (
            theirs.cases,
            theirs.pairable,
            theirs.categories,
        )
        if mine.value is not None and theirs.value is not None:
            assert mine.value == pytest.approx(theirs.value, abs=1e-12)
            assert -1.0 - 1e-12 <= mine.value <= 1.0 + 1e-12
            assert mine.pe is not None and 0.0 <= mine.pe <= 1 / mine.categories + 1e-12
