"""Rules -> results -> one decision: SHIP, SHIP BEHIND A FLAG, or BLOCK.

Every number comes from :func:`labeler.stats.compute.compute_stats` (bucket counts, agreement,
status)
or :func:`labeler.gates.metrics.read_case_facts` (meta metrics, per-slice statuses). The two
reads are checked to see the same state of the store (``PRAGMA data_version``), and repeated
if a write came in between.

Trust before verdict: a rule whose scope has no evidence, fewer reviewed (or measured) cases
than it asks for, too little agreement on its bucket, or whose verdict could be changed by
unresolved cases that include its bucket, is "not enough evidence". That counts as
``on_insufficient`` (flag unless the file says block), never as a pass; and when the evidence
so far already fails the rule, as the stricter of ``on_insufficient`` and ``on_fail``.

This module is part of the pure core: no textual, rich or click.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from labeler.gates.anytime import anytime_interval
from labeler.gates.judging import check_agreement, judge, scope_name
from labeler.gates.metrics import CaseFacts, read_case_facts
from labeler.gates.results import (
    Bound,
    Comparison,
    Decision,
    GateOutcome,
    RuleResult,
    Unit,
)
from labeler.gates.spec import (
    BucketRateRule,
    GatesSpec,
    IntervalMethod,
    JsonValidRule,
    LatencyRule,
    MustPassRule,
    RegressionRule,
    check_buckets,
)
from labeler.stats.compute import StatsReport, StatsRequest, compute_stats
from labeler.stats.counts import BucketCount
from labeler.stats.intervals import wilson_interval
from labeler.stats.sampling import Sampling
from labeler.store.connection import Store
from labeler.taxonomy import Taxonomy, read_taxonomy

if TYPE_CHECKING:
    from labeler.compare.data import CompareData

_READ_ATTEMPTS = 3


@dataclass(frozen=True)
class GateInputs:
    """Everything the rules are judged on, from one state of the store."""

    stats: StatsReport
    facts: CaseFacts
    taxonomy: Taxonomy
    consistent: bool = True
    """False if the store kept changing while it was read (the numbers may differ by a few)."""
    comparisons: Mapping[int, CompareData] = field(default_factory=dict)
    """The two versions each regression rule compares, by rule index."""


def scope_keys(spec: GatesSpec) -> tuple[str, ...]:
    """The slice names (or meta fields) the rules are scoped by, in file order."""
    keys = [r.scope[0] for r in spec.rules if r.scope is not None]
    return tuple(dict.fromkeys(keys))


def gather(
    store: Store, spec: GatesSpec, baseline: str | None = None, candidate: str | None = None
) -> GateInputs:
    """Read stats, per-case facts, the taxonomy and the compared versions (regression rules;
    ``baseline``/``candidate`` for those that name none) from one state of the store."""
    from labeler.gates.regression import read_comparisons

    keys = scope_keys(spec)
    for _ in range(_READ_ATTEMPTS):
        before = store.data_version()
        taxonomy = read_taxonomy(store)
        stats = compute_stats(store, StatsRequest(by=keys, split_agreement=False))
        facts = read_case_facts(store, keys)
        versions = read_comparisons(store, spec, baseline, candidate)
        if store.data_version() == before:
            return GateInputs(stats, facts, taxonomy, comparisons=versions)
    return GateInputs(stats, facts, taxonomy, consistent=False, comparisons=versions)


def _scope_counts(
    stats: StatsReport, scope: tuple[str, str] | None
) -> tuple[int, Mapping[str, BucketCount]]:
    counts = stats.counts.scope(scope)
    if counts is None:
        return 0, {}
    return counts.reviewed, counts.buckets


def rate_interval(count: int, n: int, method: IntervalMethod) -> tuple[float, float] | None:
    """The 95% interval of ``count / n``: Wilson's (one planned look) or the Robbins
    confidence sequence (valid at every look, :mod:`labeler.gates.anytime`); None when n is 0."""
    if method == "anytime":
        return anytime_interval(count, n)
    return wilson_interval(count, n)


def scope_sampling(stats: StatsReport, scope: tuple[str, str] | None) -> Sampling | None:
    """Whether the reviewed cases of a rule's scope are a prefix of the random order."""
    if scope is None:
        return stats.sampling
    return stats.sampling_by.get(scope[0], {}).get(scope[1])


def _bucket_rule(
    index: int,
    rule: BucketRateRule | MustPassRule,
    bucket: str,
    inputs: GateInputs,
    spec: GatesSpec,
    from_taxonomy: bool,
) -> RuleResult:
    scope = rule.scope
    n, buckets = _scope_counts(inputs.stats, scope)
    entry = buckets.get(bucket)
    count = 0 if entry is None else entry.cases
    indices = inputs.facts.scope(scope)
    unresolved = inputs.facts.unresolved(indices)
    pending = inputs.facts.unresolved_with(indices, bucket)
    method = spec.interval_of(rule)
    raw = rate_interval(count, n, method)
    interval = None if raw is None else (raw[0] * 1000, raw[1] * 1000)
    value = None if n == 0 else count * 1000 / n
    reasons: list[str] = []
    if isinstance(rule, BucketRateRule):
        bound, threshold = rule.bound, rule.max_per_1000
        name = rule.name or f"{bucket} rate"
    else:  # must_pass: a rate of zero, on the count itself
        bound, threshold = "point", 0.0
        name = rule.name or f"{bucket} must pass"
        if from_taxonomy and rule.name:
            name = f"{rule.name}: {bucket}"
    checked = value if bound == "point" or interval is None else interval[1]

    def passes_with(extra: int) -> bool:
        if bound == "point":
            return (count + extra) * 1000 / n <= threshold
        upper = rate_interval(count + extra, n, method)
        return upper is not None and upper[1] * 1000 <= threshold

    passes = None if n == 0 else passes_with(0)
    hinges = bool(passes and pending and not passes_with(pending))
    if n == 0:
        reasons.append(f"no reviewed cases in {scope_name(scope)}")
        if scope is not None and not inputs.facts.has_key(scope[0]):
            reasons.append(f"no case has the slice {scope[0]!r}")
    elif n < rule.min_reviewed:
        reasons.append(f"{n:,} reviewed cases; the rule needs {rule.min_reviewed:,}")
    agreement = check_agreement(inputs.stats, bucket, rule.agreement_metric, rule.min_agreement)
    if agreement.reason:
        reasons.append(agreement.reason)
    if hinges:
        reasons.append(
            f"{pending:,} unresolved case(s) labeled {bucket} by a reviewer could change "
            "the verdict"
        )
    outcome, verdict = judge(passes, reasons, rule.on_fail, rule.on_insufficient)
    return RuleResult(
        index=index,
        line=spec.lines[index],
        name=name,
        kind=rule.kind,
        bucket=bucket,
        slice=rule.slice,
        percentile=None,
        unit="per_1000",
        value=value,
        count=count,
        interval=interval,
        bound=bound,
        checked=checked,
        comparison="<=",
        threshold=float(threshold),
        n=n,
        n_label="reviewed",
        min_n=rule.min_reviewed,
        agreement_metric=rule.agreement_metric,
        agreement=agreement.value,
        agreement_note=agreement.note,
        agreement_vacuous=agreement.vacuous,
        min_agreement=rule.min_agreement,
        unresolved_in_scope=unresolved,
        unresolved_in_bucket=pending,
        outcome=outcome,
        verdict=verdict,
        on_fail=rule.on_fail,
        on_insufficient=rule.on_insufficient,
        reasons=tuple(reasons),
        from_taxonomy=from_taxonomy,
        interval_method=method,
        sampling=scope_sampling(inputs.stats, scope),
    )


def _meta_rule(
    index: int, rule: JsonValidRule | LatencyRule, inputs: GateInputs, spec: GatesSpec
) -> RuleResult:
    scope = rule.scope
    indices = inputs.facts.scope(scope)
    reasons: list[str] = []
    interval: tuple[float, float] | None = None
    count: int | None = None
    bound: Bound
    comparison: Comparison
    unit: Unit
    if isinstance(rule, JsonValidRule):
        count, n = inputs.facts.json_share(indices)
        value = None if n == 0 else count / n
        method = spec.interval_of(rule)
        interval = rate_interval(count, n, method)
        bound, comparison, threshold, unit = rule.bound, ">=", rule.min_share, "share"
        checked = value if bound == "point" or interval is None else interval[0]
        passes = None if checked is None else checked >= threshold
        name, n_label, pct = rule.name or "JSON outputs parse", "json outputs", None
        if n == 0:
            reasons.append(f"no case in {scope_name(scope)} has meta.output_format = json")
    else:
        method = None
        value, n = inputs.facts.latency(indices, rule.percentile)
        bound, comparison, threshold, unit = "point", "<=", rule.max_ms, "ms"
        checked = value
        passes = None if value is None else value <= threshold
        pct = rule.percentile
        name, n_label = rule.name or f"latency p{rule.percentile}", "with latency"
        if n == 0:
            reasons.append(f"no case in {scope_name(scope)} has meta.latency_ms")
    if scope is not None and not inputs.facts.has_key(scope[0]):
        reasons.append(f"no case has the slice {scope[0]!r}")
    if 0 < n < rule.min_cases:
        reasons.append(f"{n:,} measured cases; the rule needs {rule.min_cases:,}")
    outcome, verdict = judge(passes, reasons, rule.on_fail, rule.on_insufficient)
    return RuleResult(
        index=index,
        line=spec.lines[index],
        name=name,
        kind=rule.kind,
        bucket=None,
        slice=rule.slice,
        percentile=pct,
        unit=unit,
        value=value,
        count=count,
        interval=interval,
        bound=bound,
        checked=checked,
        comparison=comparison,
        threshold=float(threshold),
        n=n,
        n_label=n_label,
        min_n=rule.min_cases,
        agreement_metric=None,
        agreement=None,
        agreement_note=None,
        agreement_vacuous=False,
        min_agreement=None,
        unresolved_in_scope=inputs.facts.unresolved(indices),
        unresolved_in_bucket=None,
        outcome=outcome,
        verdict=verdict,
        on_fail=rule.on_fail,
        on_insufficient=rule.on_insufficient,
        reasons=tuple(reasons),
        interval_method=None if isinstance(rule, LatencyRule) else method,
    )


def evaluate_rules(spec: GatesSpec, inputs: GateInputs) -> GateOutcome:
    """Judge every rule; a must_pass rule without a bucket gives one result per must-pass bucket."""
    from labeler.gates.regression import regression_results

    results: list[RuleResult] = []
    must_pass = [b.key for b in inputs.taxonomy.buckets if b.must_pass]
    for index, rule in enumerate(spec.rules):
        if isinstance(rule, RegressionRule):
            results += regression_results(index, rule, inputs, spec)
        elif isinstance(rule, MustPassRule) and rule.bucket is None:
            if not must_pass:
                raise ValueError("must_pass without a bucket, and no must-pass bucket")
            for bucket in must_pass:
                results.append(_bucket_rule(index, rule, bucket, inputs, spec, True))
        elif isinstance(rule, BucketRateRule | MustPassRule):
            assert rule.bucket is not None
            results.append(_bucket_rule(index, rule, rule.bucket, inputs, spec, False))
        else:
            results.append(_meta_rule(index, rule, inputs, spec))
    verdicts = {r.verdict for r in results}
    decision: Decision = (
        "block" if "block" in verdicts else "ship_behind_flag" if "flag" in verdicts else "ship"
    )
    return GateOutcome(tuple(results), decision)


def run_gate(
    store: Store, spec: GatesSpec, baseline: str | None = None, candidate: str | None = None
) -> tuple[GateOutcome, GateInputs]:
    """Check the file's buckets against the store, read the store, judge every rule
    (``baseline``/``candidate``: the versions of regression rules that name none)."""
    inputs = gather(store, spec, baseline, candidate)
    check_buckets(spec, inputs.taxonomy)
    return evaluate_rules(spec, inputs), inputs
