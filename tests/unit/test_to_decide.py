"""``--plan``: gate rules' further cases (labeler.gates.to_decide), the interval a rule uses,
and agreement planning."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

import pytest

from labeler.gates import GatesFileError, parse_gates, run_gate
from labeler.gates.anytime import anytime_interval
from labeler.gates.planning import Method, bloch_kraemer_units, more_cases
from labeler.gates.results import RuleResult
from labeler.gates.to_decide import (
    agreement_plans,
    plan_outcome,
    plan_result,
    to_decide_text,
    width_plans,
)
from labeler.identity import Actor
from labeler.labels import set_label
from labeler.stats.agreement import LabelMatrix, compute_agreement
from labeler.stats.compute import compute_stats
from labeler.stats.intervals import wilson_interval
from labeler.store import Store

MakeStore = Callable[..., Store]


def _who(name: str) -> Actor:
    return Actor(name=name, account=name, on_trust=True)


def _labeled_store(make_store: MakeStore, n: int, labeled: int, failures: int) -> Store:
    """``labeled`` cases labeled by two reviewers who agree; ``failures`` of them wrong_intent."""
    store = make_store(n=n)
    order = [int(r[0]) for r in store.query("SELECT seq FROM cases ORDER BY review_order")]
    for i, seq in enumerate(order[:labeled]):
        bucket = "wrong_intent" if i < failures else "not_a_failure"
        for who in ("ann", "bo"):
            set_label(store, seq, _who(who), bucket, expected_version=None)
    return store


RATE_RULE = """
[[rule]]
kind = "bucket_rate"
bucket = "wrong_intent"
max_per_1000 = 100
bound = "upper"
on_fail = "flag"
"""


def test_a_rate_rule_gets_both_numbers_and_the_pool(make_store: MakeStore) -> None:
    store = _labeled_store(make_store, n=300, labeled=100, failures=2)
    methods: tuple[tuple[str, Method], ...] = (
        ("", "wilson"),
        ('interval = "anytime"\n', "anytime"),
    )
    for interval, method in methods:
        spec = parse_gates(interval + RATE_RULE, "g.toml")
        outcome, inputs = run_gate(store, spec)
        [result] = plan_outcome(outcome, inputs.stats).results
        plan = result.to_decide
        assert plan is not None and result.interval_method == method
        assert plan.more_cases == more_cases(2, 100, 0.1, method).more_cases
        assert plan.fixed_n_wilson_more_cases == more_cases(2, 100, 0.1, "wilson").more_cases
        assert plan.anytime_more_cases == more_cases(2, 100, 0.1, "anytime").more_cases
        assert plan.direction == "below" and plan.would == "pass"
        assert plan.pool == 200 and plan.failures == 2 and plan.n == 100
        assert plan.exceeds_pool == (plan.more_cases is not None and plan.more_cases > 200)
        assert result.to_json()["to_decide"]["method"] == method
        assert set(result.to_json()["to_decide"]) >= {
            "more_cases",
            "direction",
            "method",
            "fixed_n_wilson_more_cases",
            "exceeds_pool",
            "assumes",
        }


def test_the_anytime_interval_is_the_one_reported(make_store: MakeStore) -> None:
    store = _labeled_store(make_store, n=50, labeled=40, failures=6)
    spec = parse_gates('interval = "anytime"\n' + RATE_RULE, "g.toml")
    outcome, _ = run_gate(store, spec)
    [result] = outcome.results
    low, high = anytime_interval(6, 40) or (0.0, 0.0)
    assert result.interval == pytest.approx((low * 1000, high * 1000))
    assert result.to_json()["interval"] == "anytime"
    wilson = wilson_interval(6, 40)
    assert wilson is not None and high > wilson[1]  # wider: the price of any number of looks


def test_a_rule_can_choose_its_own_interval() -> None:
    text = 'interval = "anytime"\n' + RATE_RULE.replace(
        'on_fail = "flag"', 'on_fail = "flag"\ninterval = "wilson"'
    )
    spec = parse_gates(text, "g.toml")
    assert spec.interval == "anytime" and spec.interval_of(spec.rules[0]) == "wilson"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('interval = "bayes"\n' + RATE_RULE, 1, "interval"),
        (RATE_RULE.replace('on_fail = "flag"', 'on_fail = "flag"\ninterval = 3'), 8, "interval"),
        ('intervals = "wilson"\n' + RATE_RULE, 1, 'interval = "wilson" or "anytime"'),
    ],
)
def test_a_bad_interval_is_named_with_its_line(text: str, line: int, words: str) -> None:
    with pytest.raises(GatesFileError) as err:
        parse_gates(text, "g.toml")
    assert f"g.toml:{line}:" in str(err.value) and words in str(err.value)


def test_unresolved_cases_count_the_pessimistic_way(make_store: MakeStore) -> None:
    store = _labeled_store(make_store, n=200, labeled=100, failures=5)
    order = [int(r[0]) for r in store.query("SELECT seq FROM cases ORDER BY review_order")]
    for seq in order[100:110]:  # ten disagreements that name the bucket
        set_label(store, seq, _who("ann"), "wrong_intent", expected_version=None)
        set_label(store, seq, _who("bo"), "not_a_failure", expected_version=None)
    spec = parse_gates(RATE_RULE, "g.toml")
    outcome, inputs = run_gate(store, spec)
    [result] = plan_outcome(outcome, inputs.stats).results
    assert result.unresolved_in_bucket == 10
    assert result.to_decide is not None
    assert result.to_decide.failures == 15 and result.to_decide.n == 110
    assert result.to_decide.more_cases == more_cases(15, 110, 0.1, "wilson").more_cases
    assert any("pessimistic" in a for a in result.to_decide.assumes)


def test_decided_rules_say_so(make_store: MakeStore) -> None:
    store = _labeled_store(make_store, n=100, labeled=100, failures=40)
    outcome, inputs = run_gate(store, parse_gates(RATE_RULE, "g.toml"))
    [result] = plan_outcome(outcome, inputs.stats).results
    assert result.to_decide is not None and result.to_decide.decided_now
    assert to_decide_text(result.to_decide) == "decided now (fail)"


def _result(**fields: object) -> RuleResult:
    base = RuleResult(
        index=0, line=1, name="r", kind="bucket_rate", bucket="b", slice=None,
        percentile=None, unit="per_1000", value=None, count=0, interval=None, bound="point",
        checked=None, comparison="<=", threshold=10.0, n=0, n_label="reviewed", min_n=0,
        agreement_metric="alpha", agreement=None, agreement_note=None,
        agreement_vacuous=False, min_agreement=None, unresolved_in_scope=0,
        unresolved_in_bucket=0, outcome="insufficient", verdict="flag", on_fail="flag",
        on_insufficient="flag", reasons=(), interval_method="wilson",
    )  # fmt: skip
    return replace(base, **fields)  # type: ignore[arg-type]


def test_rules_that_cannot_be_planned_say_why(make_store: MakeStore) -> None:
    stats = compute_stats(make_store(n=5))
    latency = plan_result(_result(kind="latency", unit="ms", interval_method=None), stats)
    assert latency.more_cases is None and "latency" in (latency.reason or "")
    nothing = plan_result(_result(n=0), stats)
    assert nothing.more_cases is None and "no reviewed cases" in (nothing.reason or "")
    must = plan_result(_result(kind="must_pass", threshold=0.0, n=50, count=0), stats)
    assert must.more_cases is None and "must-pass" in (must.reason or "")
    at = plan_result(_result(n=100, count=1), stats)  # 10 per 1,000: exactly the threshold
    assert at.more_cases is None and "equals the threshold" in (at.reason or "")


def test_json_valid_is_planned_on_its_failures_with_no_pool(make_store: MakeStore) -> None:
    stats = compute_stats(make_store(n=5))
    result = _result(
        kind="json_valid", unit="share", comparison=">=", threshold=0.95, n=100, count=99
    )
    plan = plan_result(result, stats)
    expected = more_cases(1, 100, 0.05, "wilson")
    assert plan.more_cases == expected.more_cases and plan.direction == "above"
    assert plan.would == "pass" and plan.pool == 0
    assert plan.exceeds_pool == (expected.more_cases not in (None, 0))


def test_agreement_plans_use_bloch_kraemer_at_the_prevalence() -> None:
    rows = []
    for i in range(200):
        bucket = "rare" if i < 50 else "common"  # prevalence 0.25
        rows += [(f"c{i}", "ann", bucket), (f"c{i}", "bo", bucket)]
    report = compute_agreement(LabelMatrix.from_rows(rows))
    plans = {p.target: p for p in agreement_plans(report, [("rare", 0.8), ("rare", 0.667)])}
    assert plans[0.8].needed == 139 == bloch_kraemer_units(0.8, 0.25)  # the worked values
    assert plans[0.667].needed == 81
    assert plans[0.8].more == 0 and plans[0.8].pairable == 200
    [none] = agreement_plans(report, [("unused", 0.8)])
    assert none.needed is None and none.reason


def test_width_plans_extrapolate_the_bootstrap_interval() -> None:
    rows = []
    for i in range(120):
        a = "x" if i % 3 else "y"
        b = a if i % 10 else ("y" if a == "x" else "x")
        rows += [(f"c{i}", "ann", a), (f"c{i}", "bo", b)]
    report = compute_agreement(LabelMatrix.from_rows(rows), bootstrap=400, seed=3)
    alpha, ci = report.krippendorff_alpha, report.krippendorff_alpha_ci95
    assert alpha is not None and ci is not None
    target = alpha - (alpha - ci[0]) / 2  # half the distance: four times the cases
    [plan] = width_plans(report, [target])
    assert plan.needed is not None
    assert math.isclose(plan.needed / report.pairable_items, 4.0, rel_tol=0.02)
    [above] = width_plans(report, [0.99])
    assert above.needed is None and "not above" in (above.reason or "")
