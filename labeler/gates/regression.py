"""The regression rule: the candidate version may not raise a bucket's rate over the baseline's.

The numbers are the cells of ``labeler compare`` (:mod:`labeler.compare`): the same versions,
the same final buckets, Newcombe's interval (paired when pair keys match). The rule compares
the lower bound, the point or the upper bound of the increase per 1,000 reviewed cases with
``max_increase_per_1000``. Evidence comes first, as for the other bucket rules: reviewed cases
per version (``min_reviewed``), agreement on the bucket, and unresolved cases of the candidate
that some reviewer put in the bucket and that would make a passing rule fail if they landed
there (then the rule is "not enough evidence", never a pass).

This module is part of the pure core: no textual, rich or click.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from labeler.compare.cells import Estimate, bucket_estimates
from labeler.compare.data import CompareData, CompareRequest, read_compare_data
from labeler.gates.evaluate import GateInputs
from labeler.gates.judging import check_agreement, judge, scope_name
from labeler.gates.results import RegressionDetail, RuleResult, VersionRate
from labeler.gates.spec import GatesFileError, GatesSpec, RegressionRule
from labeler.stats.counts import UNRESOLVED
from labeler.store.case_filters import NONE_GROUP
from labeler.store.connection import Store
from labeler.text.display import safe_inline


def _versions(
    rule: RegressionRule, baseline: str | None, candidate: str | None
) -> tuple[str | None, str | None]:
    return rule.baseline or baseline, rule.candidate or candidate


def read_comparisons(
    store: Store, spec: GatesSpec, baseline: str | None = None, candidate: str | None = None
) -> dict[int, CompareData]:
    """The compared versions of every regression rule, by rule index (one read per pair of
    versions). ``baseline``/``candidate`` apply to rules that do not name their versions.

    Raises :class:`GatesFileError` naming each rule whose versions are missing or unknown.
    """
    problems: list[str] = []
    wanted: dict[tuple[str, str, str | None, str], list[int]] = {}
    for index, rule in enumerate(spec.rules):
        if not isinstance(rule, RegressionRule):
            continue
        base, cand = _versions(rule, baseline, candidate)
        if base is None or cand is None:
            where = f"{spec.source}:{spec.lines[index]}" if spec.lines[index] else spec.source
            problems.append(
                f"{where}: rule #{index + 1}: a regression rule needs two versions: "
                'baseline = "..." and candidate = "..." in the rule, or --baseline and '
                "--candidate on the command line"
            )
            continue
        wanted.setdefault((base, cand, rule.by, rule.pair_key), []).append(index)
    found: dict[int, CompareData] = {}
    for (base, cand, by, pair_key), indices in wanted.items():
        slices = tuple(
            dict.fromkeys(scope[0] for i in indices if (scope := spec.rules[i].scope) is not None)
        )
        request = CompareRequest(base, cand, by=by, slice_by=slices, pair_key=pair_key)
        try:
            data = read_compare_data(store, request)
        except ValueError as exc:
            first = indices[0]
            where = f"{spec.source}:{spec.lines[first]}" if spec.lines[first] else spec.source
            numbers = ", ".join(f"#{i + 1}" for i in indices)
            problems.append(f"{where}: rule {numbers}: {exc}")
            continue
        found.update(dict.fromkeys(indices, data))
    if problems:
        raise GatesFileError("\n".join(problems))
    return found


def _checked(estimate: Estimate, bound: str) -> float | None:
    if bound == "point":
        return estimate.difference_per_1000
    if estimate.ci95 is None:
        return None
    return estimate.ci95[0] if bound == "lower" else estimate.ci95[1]


def _result(
    index: int,
    rule: RegressionRule,
    bucket: str,
    data: CompareData,
    inputs: GateInputs,
    spec: GatesSpec,
    from_taxonomy: bool,
) -> RuleResult:
    scope = rule.scope
    both = bucket_estimates(data, bucket, scope)
    final = both.final
    threshold = rule.max_increase_per_1000
    checked = _checked(final, rule.bound)
    passes = None if checked is None else checked <= threshold
    worst = _checked(both.worst, rule.bound)
    hinges = bool(passes and both.unresolved[1] and (worst is None or worst > threshold))
    reasons: list[str] = []
    n_base, n_cand = final.baseline.n, final.candidate.n
    for version, n in ((data.baseline, n_base), (data.candidate, n_cand)):
        if n == 0:
            reasons.append(
                f"no reviewed {'pairs' if data.paired else 'cases'} of "
                f"{safe_inline(version, 40)} in {scope_name(scope)}"
            )
        elif n < rule.min_reviewed:
            reasons.append(
                f"{safe_inline(version, 40)} has {n:,} reviewed cases in scope; the rule needs "
                f"{rule.min_reviewed:,} per version"
            )
    if scope is not None and not (data.groups[scope[0]] != NONE_GROUP).any():
        reasons.append(f"no case of these versions has the slice {scope[0]!r}")
    agreement = check_agreement(inputs.stats, bucket, rule.agreement_metric, rule.min_agreement)
    if agreement.reason:
        reasons.append(agreement.reason)
    if hinges:
        reasons.append(
            f"{both.unresolved[1]:,} unresolved case(s) of {safe_inline(data.candidate, 40)} "
            f"labeled {bucket} by a reviewer could change the verdict"
        )
    outcome, verdict = judge(passes, reasons, rule.on_fail, rule.on_insufficient)
    versions = f"{safe_inline(data.baseline, 30)} → {safe_inline(data.candidate, 30)}"
    name = rule.name or f"{bucket} regression {versions}"
    if from_taxonomy and rule.name:
        name = f"{rule.name}: {bucket}"
    mask = data.scope_mask(scope)
    return RuleResult(
        index=index,
        line=spec.lines[index],
        name=name,
        kind=rule.kind,
        bucket=bucket,
        slice=rule.slice,
        percentile=None,
        unit="per_1000",
        value=final.difference_per_1000,
        count=final.candidate.k,
        interval=final.ci95,
        bound=rule.bound,
        checked=checked,
        comparison="<=",
        threshold=float(threshold),
        n=min(n_base, n_cand),
        n_label="reviewed pairs" if data.paired else "reviewed per version",
        min_n=rule.min_reviewed,
        agreement_metric=rule.agreement_metric,
        agreement=agreement.value,
        agreement_note=agreement.note,
        agreement_vacuous=agreement.vacuous,
        min_agreement=rule.min_agreement,
        unresolved_in_scope=int(np.sum((data.finals == UNRESOLVED) & mask)),
        unresolved_in_bucket=sum(both.unresolved),
        outcome=outcome,
        verdict=verdict,
        on_fail=rule.on_fail,
        on_insufficient=rule.on_insufficient,
        reasons=tuple(reasons),
        from_taxonomy=from_taxonomy,
        regression=RegressionDetail(
            by=data.by,
            paired=data.paired,
            baseline=VersionRate(data.baseline, n_base, final.baseline.k),
            candidate=VersionRate(data.candidate, n_cand, final.candidate.k),
            mcnemar_p=None if final.paired is None else final.paired.mcnemar_p,
        ),
    )


def regression_results(
    index: int, rule: RegressionRule, inputs: GateInputs, spec: GatesSpec
) -> list[RuleResult]:
    """Judge a regression rule: one result, or one per must-pass bucket (``must_pass = true``)."""
    comparisons: Mapping[int, CompareData] = inputs.comparisons
    data = comparisons[index]
    if rule.bucket is not None:
        return [_result(index, rule, rule.bucket, data, inputs, spec, False)]
    must_pass = [b.key for b in inputs.taxonomy.buckets if b.must_pass]
    if not must_pass:
        raise ValueError("a regression rule with must_pass = true, and no must-pass bucket")
    return [_result(index, rule, bucket, data, inputs, spec, True) for bucket in must_pass]
