"""The release gate's rules: each kind, slices, must-pass, interval bounds and decisions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from gates_fixtures import (
    agreed,
    build_store,
    case,
    ids,
    judge,
    only,
    rate_store,
    rule,
)

from labeler.stats.compute import StatsRequest, compute_stats
from labeler.stats.intervals import wilson_interval
from labeler.store import Store


def test_bucket_rate_passes_at_or_under_the_threshold_and_fails_over_it(tmp_path: Path) -> None:
    store = rate_store(tmp_path, hits=3)  # 30 per 1,000
    ok = only(
        judge(
            store, rule(kind="bucket_rate", bucket="wrong_intent", max_per_1000=30, on_fail="block")
        )
    )
    assert (ok.value, ok.count, ok.n, ok.outcome, ok.verdict) == (30.0, 3, 100, "pass", "pass")
    low, high = wilson_interval(3, 100) or (0.0, 0.0)
    assert ok.interval == pytest.approx((low * 1000, high * 1000))
    bad = judge(
        store, rule(kind="bucket_rate", bucket="wrong_intent", max_per_1000=29.9, on_fail="block")
    )
    assert (only(bad).outcome, only(bad).verdict, bad.decision) == ("fail", "block", "block")
    flagged = judge(
        store, rule(kind="bucket_rate", bucket="wrong_intent", max_per_1000=20, on_fail="flag")
    )
    assert (only(flagged).verdict, flagged.decision, flagged.exit_status) == (
        "flag",
        "ship_behind_flag",
        3,
    )


def test_bucket_rate_uses_the_same_counts_as_stats(tmp_path: Path) -> None:
    store = rate_store(tmp_path, hits=7)
    result = only(
        judge(
            store,
            rule(
                kind="bucket_rate",
                bucket="wrong_intent",
                slice="length=long",
                max_per_1000=500,
                on_fail="flag",
            ),
        )
    )
    stats = compute_stats(store, StatsRequest(by=("length",)))
    group = stats.counts.by["length"]["long"]
    assert result.n == group.reviewed == 50
    assert result.count == group.buckets["wrong_intent"].cases == 7
    assert result.value == pytest.approx(group.buckets["wrong_intent"].rate_per_1000)


def test_slices_split_the_verdict(tmp_path: Path) -> None:
    store = rate_store(tmp_path, hits=3)  # all three hits are long: 3 of 50 long cases
    gates = (
        rule(
            kind="bucket_rate",
            bucket="wrong_intent",
            slice="length=long",
            max_per_1000=50,
            on_fail="block",
        )
        + rule(
            kind="bucket_rate",
            bucket="wrong_intent",
            slice="length=short",
            max_per_1000=50,
            on_fail="block",
        )
        + rule(kind="bucket_rate", bucket="wrong_intent", max_per_1000=50, on_fail="block")
    )
    long, short, overall = judge(store, gates).results
    assert (long.value, long.n, long.outcome) == (60.0, 50, "fail")
    assert (short.value, short.n, short.outcome) == (0.0, 50, "pass")
    assert (overall.value, overall.n, overall.outcome) == (30.0, 100, "pass")


def test_upper_bound_turns_a_pass_into_a_fail(tmp_path: Path) -> None:
    store = rate_store(tmp_path, hits=1)  # 10 per 1,000; Wilson upper bound about 54.5
    point = only(
        judge(
            store,
            rule(
                kind="bucket_rate",
                bucket="wrong_intent",
                max_per_1000=20,
                bound="point",
                on_fail="block",
            ),
        )
    )
    upper = only(
        judge(
            store,
            rule(
                kind="bucket_rate",
                bucket="wrong_intent",
                max_per_1000=20,
                bound="upper",
                on_fail="block",
            ),
        )
    )
    assert (point.checked, point.outcome) == (10.0, "pass")
    assert upper.checked is not None and upper.interval is not None
    assert upper.checked == upper.interval[1] == pytest.approx(54.5, abs=0.1)
    assert (upper.outcome, upper.verdict) == ("fail", "block")
    generous = only(
        judge(
            store,
            rule(
                kind="bucket_rate",
                bucket="wrong_intent",
                max_per_1000=60,
                bound="upper",
                on_fail="block",
            ),
        )
    )
    assert generous.outcome == "pass"


def test_must_pass_from_the_taxonomy_gives_one_result_per_must_pass_bucket(
    tmp_path: Path,
) -> None:
    store = rate_store(tmp_path, hits=1, bucket="unsafe_pii")
    outcome = judge(store, rule(kind="must_pass", on_fail="block"))
    by_bucket = {r.bucket: r for r in outcome.results}
    assert list(by_bucket) == ["unsafe_pii", "broken_format"]  # default taxonomy's must-pass
    assert all(r.from_taxonomy and r.index == 0 for r in outcome.results)
    assert (by_bucket["unsafe_pii"].count, by_bucket["unsafe_pii"].outcome) == (1, "fail")
    assert (by_bucket["broken_format"].count, by_bucket["broken_format"].outcome) == (0, "pass")
    assert outcome.decision == "block"


def test_must_pass_named_in_the_file_and_in_a_slice(tmp_path: Path) -> None:
    store = rate_store(tmp_path, hits=1, bucket="invented_policy")  # the hit is long
    gates = rule(
        kind="must_pass", bucket="invented_policy", slice="length=short", on_fail="block"
    ) + rule(kind="must_pass", bucket="invented_policy", slice="length=long", on_fail="flag")
    short, long = judge(store, gates).results
    assert (short.outcome, short.n, short.from_taxonomy) == ("pass", 50, False)
    assert (long.outcome, long.verdict, long.count) == ("fail", "flag", 1)


def test_taxonomy_must_pass_flag_follows_the_store(tmp_path: Path) -> None:
    store = rate_store(tmp_path, hits=0)
    with store.write() as conn:
        conn.execute("UPDATE buckets SET must_pass = (key = 'too_slow')")
    outcome = judge(store, rule(kind="must_pass", on_fail="block"))
    assert [r.bucket for r in outcome.results] == ["too_slow"]
    assert outcome.decision == "ship"


def _json_store(tmp_path: Path) -> Store:
    records = []
    for n in range(1, 21):
        fmt = "json" if n <= 10 else "text"
        output = '{"ok": true}' if n != 1 else "Sure! {ok: true}"
        records.append(
            case(
                n,
                slices={"channel": "api" if n <= 5 else "chat"},
                meta={"output_format": fmt},
                output=output,
            )
        )
    # Outputs 11..20 do not have to be JSON; some are not, and must not count.
    records[15]["output"] = "plain words"
    return build_store(tmp_path, records)


def test_json_valid_share_counts_only_outputs_that_must_be_json(tmp_path: Path) -> None:
    store = _json_store(tmp_path)
    ok = only(judge(store, rule(kind="json_valid", min_share=0.9, on_fail="block")))
    assert (ok.count, ok.n, ok.value, ok.outcome) == (9, 10, 0.9, "pass")
    assert ok.interval == pytest.approx(wilson_interval(9, 10))
    strict = only(judge(store, rule(kind="json_valid", min_share=0.95, on_fail="block")))
    assert (strict.outcome, strict.verdict) == ("fail", "block")
    lower = only(
        judge(store, rule(kind="json_valid", min_share=0.9, bound="lower", on_fail="flag"))
    )
    assert lower.checked is not None and lower.checked < 0.9
    assert (lower.outcome, lower.verdict) == ("fail", "flag")
    api = only(
        judge(store, rule(kind="json_valid", min_share=1.0, slice="channel=api", on_fail="block"))
    )
    assert (api.count, api.n, api.outcome) == (4, 5, "fail")
    chat = only(
        judge(store, rule(kind="json_valid", min_share=1.0, slice="channel=chat", on_fail="block"))
    )
    assert (chat.count, chat.n, chat.outcome) == (5, 5, "pass")


def test_latency_percentiles_overall_and_per_slice(tmp_path: Path) -> None:
    latencies = [120, 80, 300, 95, 2500, 110, 105, 90, 4000, 130]
    records = [
        case(n, slices={"attachment": "yes" if n <= 4 else "no"}, meta={"latency_ms": ms})
        for n, ms in enumerate(latencies, start=1)
    ]
    records.append(case(11, meta={"latency_ms": "not a number"}))  # ignored
    records.append(case(12, meta={"latency_ms": True}))  # ignored
    store = build_store(tmp_path, records)
    gates = (
        rule(kind="latency", percentile=50, max_ms=150, on_fail="flag")
        + rule(kind="latency", percentile=95, max_ms=3000, on_fail="block")
        + rule(kind="latency", percentile=95, max_ms=3000, slice="attachment=yes", on_fail="block")
    )
    p50, p95, attach = judge(store, gates).results
    assert p50.n == p95.n == 10
    assert p50.value == pytest.approx(float(np.percentile(latencies, 50)))
    assert p95.value == pytest.approx(float(np.percentile(latencies, 95)))
    assert (p50.outcome, p95.outcome, p95.verdict) == ("pass", "fail", "block")
    assert attach.n == 4
    assert attach.value == pytest.approx(float(np.percentile(latencies[:4], 95)))
    assert attach.outcome == "pass"


def test_slice_on_a_meta_field(tmp_path: Path) -> None:
    records = [case(n, meta={"model": "m1" if n <= 10 else "m2"}) for n in range(1, 21)]
    labels = agreed(ids(range(1, 21)), "not_a_failure")
    labels.update(agreed(ids([15]), "unsafe_pii"))
    store = build_store(tmp_path, records, labels)
    gates = rule(
        kind="must_pass", bucket="unsafe_pii", slice="meta.model=m1", on_fail="block"
    ) + rule(kind="must_pass", bucket="unsafe_pii", slice="meta.model=m2", on_fail="block")
    m1, m2 = judge(store, gates).results
    assert (m1.n, m1.outcome, m2.n, m2.outcome) == (10, "pass", 10, "fail")


def test_decisions(tmp_path: Path) -> None:
    store = rate_store(tmp_path, hits=3)
    passing = rule(kind="bucket_rate", bucket="wrong_intent", max_per_1000=50, on_fail="block")
    flagging = rule(kind="bucket_rate", bucket="wrong_intent", max_per_1000=10, on_fail="flag")
    blocking = rule(kind="bucket_rate", bucket="wrong_intent", max_per_1000=10, on_fail="block")
    assert judge(store, passing).decision == "ship"
    assert judge(store, passing + flagging).decision == "ship_behind_flag"
    assert judge(store, passing + flagging + blocking).decision == "block"
    assert [judge(store, g).exit_status for g in (passing, flagging, blocking)] == [0, 3, 1]
