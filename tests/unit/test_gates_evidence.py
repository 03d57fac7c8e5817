"""The release gate's trust rules: evidence before a verdict, agreement, unresolved cases."""

from __future__ import annotations

from pathlib import Path

import pytest
from gates_fixtures import (
    agreed,
    build_store,
    case,
    ids,
    judge,
    only,
    rate_store,
    reviewer,
    rule,
)

from labeler.cases import find_case_seq
from labeler.labels import set_label
from labeler.stats.compute import StatsReport, compute_stats
from labeler.store import Store


def test_min_reviewed_makes_a_passing_rule_not_enough_evidence(tmp_path: Path) -> None:
    store = rate_store(tmp_path, hits=0)
    result = only(
        judge(
            store,
            rule(
                kind="bucket_rate",
                bucket="wrong_intent",
                max_per_1000=10,
                min_reviewed=101,
                on_fail="block",
            ),
        )
    )
    assert (result.outcome, result.verdict) == ("insufficient", "flag")
    assert any("100 reviewed cases; the rule needs 101" in r for r in result.reasons)
    blocked = judge(
        store,
        rule(
            kind="bucket_rate",
            bucket="wrong_intent",
            max_per_1000=10,
            min_reviewed=101,
            on_fail="flag",
            on_insufficient="block",
        ),
    )
    assert (only(blocked).verdict, blocked.decision) == ("block", "block")
    enough = only(
        judge(
            store,
            rule(
                kind="bucket_rate",
                bucket="wrong_intent",
                max_per_1000=10,
                min_reviewed=100,
                on_fail="block",
            ),
        )
    )
    assert enough.outcome == "pass"


def test_not_enough_evidence_never_softens_a_failing_block(tmp_path: Path) -> None:
    store = rate_store(tmp_path, hits=5)
    result = only(
        judge(
            store,
            rule(
                kind="bucket_rate",
                bucket="wrong_intent",
                max_per_1000=10,
                min_reviewed=500,
                on_fail="block",
            ),
        )
    )
    assert (result.outcome, result.verdict) == ("insufficient", "block")


def test_an_empty_scope_is_never_a_pass(tmp_path: Path) -> None:
    store = rate_store(tmp_path, hits=0)
    gates = rule(kind="must_pass", bucket="unsafe_pii", slice="user=new", on_fail="block") + rule(
        kind="latency", percentile=50, max_ms=100, on_fail="block"
    )
    must, latency = judge(store, gates).results
    assert (must.outcome, must.verdict, must.n) == ("insufficient", "flag", 0)
    assert any("no case has the slice 'user'" in r for r in must.reasons)
    assert (latency.outcome, latency.verdict) == ("insufficient", "flag")


def _disagreeing_store(tmp_path: Path) -> Store:
    """40 cases; on wrong_intent alice and bob agree on 2 and split on 4 others."""
    records = [case(n) for n in range(1, 41)]
    labels = agreed(ids(range(1, 41)), "not_a_failure")
    labels.update(agreed(ids([1, 2]), "wrong_intent"))
    for n in (3, 4):
        labels[ids([n])[0]] = {"alice": "wrong_intent", "bob": "bad_extraction"}
    for n in (5, 6):
        labels[ids([n])[0]] = {"alice": "bad_extraction", "bob": "wrong_intent"}
    return build_store(tmp_path, records, labels)


def test_min_agreement_alpha_and_kappa(tmp_path: Path) -> None:
    store = _disagreeing_store(tmp_path)
    stats = compute_stats(store)
    alpha = stats.agreement.per_bucket["wrong_intent"].krippendorff_alpha
    kappa = stats.agreement.per_bucket["wrong_intent"].cohen_kappa
    # By hand, one vs rest over 40 cases with 4 split: po = 36/40, pe = 0.1² + 0.9² = 0.82;
    # alpha = 1 - (80 - 1) * 8 / (2 * 8 * 72).
    assert alpha is not None and alpha == pytest.approx(1 - 632 / 1152)
    assert kappa == pytest.approx((0.9 - 0.82) / (1 - 0.82))
    base: dict[str, object] = dict(
        kind="bucket_rate", bucket="wrong_intent", max_per_1000=200, on_fail="block"
    )
    low = only(judge(store, rule(**base, min_agreement=0.5)))
    assert (low.outcome, low.verdict, low.agreement) == ("insufficient", "flag", alpha)
    assert any("alpha on wrong_intent is" in r for r in low.reasons)
    met = only(judge(store, rule(**base, min_agreement=round(alpha - 0.01, 3))))
    assert met.outcome == "pass"
    by_kappa = only(
        judge(
            store,
            rule(**base, min_agreement=0.99, agreement_metric="kappa", on_insufficient="block"),
        )
    )
    assert (by_kappa.agreement, by_kappa.agreement_metric) == (kappa, "kappa")
    assert (by_kappa.outcome, by_kappa.verdict) == ("insufficient", "block")


def test_unresolved_cases_with_the_bucket_are_shown_and_hold_the_verdict(
    tmp_path: Path,
) -> None:
    store = _disagreeing_store(tmp_path)
    must = only(judge(store, rule(kind="must_pass", bucket="wrong_intent", on_fail="block")))
    assert (must.unresolved_in_scope, must.unresolved_in_bucket) == (4, 4)
    assert must.outcome == "fail"  # two agreed cases already fail it
    gate = rule(kind="must_pass", bucket="too_slow", on_fail="block")
    clean = only(judge(store, gate))
    assert (clean.unresolved_in_bucket, clean.outcome) == (0, "pass")
    seq = find_case_seq(store, "c0003")
    assert seq is not None
    set_label(store, seq, reviewer("bob"), "too_slow", expected_version=1)
    held = only(judge(store, gate))
    assert (held.count, held.unresolved_in_bucket) == (0, 1)
    assert (held.outcome, held.verdict) == ("insufficient", "flag")
    assert any("could change the verdict" in r for r in held.reasons)
    # A rate rule is held only when the unresolved cases could tip it.
    loose = only(
        judge(store, rule(kind="bucket_rate", bucket="too_slow", max_per_1000=100, on_fail="block"))
    )
    assert (loose.unresolved_in_bucket, loose.outcome) == (1, "pass")


def test_agreement_on_a_bucket_nobody_used_does_not_hold_a_must_pass(tmp_path: Path) -> None:
    store = rate_store(tmp_path, hits=0)
    result = only(
        judge(
            store, rule(kind="must_pass", bucket="unsafe_pii", min_agreement=0.8, on_fail="block")
        )
    )
    assert (result.agreement, result.agreement_vacuous, result.outcome) == (None, True, "pass")


def test_agreement_needs_two_reviewers(tmp_path: Path) -> None:
    records = [case(n) for n in range(1, 11)]
    labels = {cid: {"alice": "not_a_failure"} for cid in ids(range(1, 11))}
    store = build_store(tmp_path, records, labels)
    result = only(
        judge(
            store, rule(kind="must_pass", bucket="unsafe_pii", min_agreement=0.5, on_fail="block")
        )
    )
    assert (result.outcome, result.verdict) == ("insufficient", "flag")


def test_a_write_between_the_reads_makes_the_gate_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from labeler.gates import gather, parse_gates
    from labeler.store import open_store

    store = rate_store(tmp_path, hits=0)
    real = compute_stats
    calls: list[int] = []

    def stats_then_a_write(*args: object, **kwargs: object) -> StatsReport:
        result = real(*args, **kwargs)  # type: ignore[arg-type]
        if not calls:
            with open_store(store.path) as other:  # another process labels meanwhile
                seq = find_case_seq(other, "c0002")
                assert seq is not None
                set_label(other, seq, reviewer("bob"), "unsafe_pii", expected_version=1)
        calls.append(1)
        return result

    monkeypatch.setattr("labeler.gates.evaluate.compute_stats", stats_then_a_write)
    spec = parse_gates(rule(kind="must_pass", bucket="unsafe_pii", on_fail="block"), "g.toml")
    inputs = gather(store, spec)
    assert len(calls) == 2 and inputs.consistent
    assert inputs.stats.status.unresolved == inputs.facts.unresolved(range(100)) == 1
