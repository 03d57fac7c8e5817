"""``--plan``: how many more reviewed cases before each rule decides, and how many doubly
labeled cases agreement needs.

For a rule on a rate (``bucket_rate``, ``must_pass``, ``json_valid``) with ``k`` failures in
``n`` cases: if its 95% interval still contains the threshold, the further cases ``m`` after
which it would not, **if the observed rate k/n holds** (:func:`labeler.gates.planning.more_cases`),
for the interval the rule uses and for the fixed-n Wilson interval. Unresolved cases that a
reviewer put in the rule's bucket count as failures (pessimistic, as the gate counts them).
``exceeds_pool`` says when ``m`` is more than the unlabeled cases left in the rule's scope: this
pool of cases cannot decide the rule. A ``json_valid`` rule is measured on every case already,
so its pool is 0. Latency and regression rules have no such interval: ``more_cases`` is null
with the reason.

Agreement: the doubly labeled cases needed to show a bucket's ``min_agreement`` with the sample
size of Bloch & Kraemer (1989) that Krippendorff (2019) uses for nominal alpha, at the bucket's
prevalence (:func:`labeler.gates.planning.bloch_kraemer_units`); and, when a bootstrap interval of
alpha is at hand, the cases for its lower end to reach the target at the observed alpha,
extrapolating its width by ``1 / sqrt(n)`` (:func:`labeler.gates.planning.cases_for_width`).

This module is part of the pure core: no textual, rich or click.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

from labeler.gates.planning import (
    Direction,
    Method,
    bloch_kraemer_units,
    cases_for_width,
    more_cases,
)
from labeler.gates.results import GateOutcome, RuleResult
from labeler.stats.agreement import AgreementReport
from labeler.stats.compute import StatsReport
from labeler.stats.sampling import Sampling
from labeler.text.display import safe_inline

__all__ = [
    "AgreementPlan",
    "ToDecide",
    "agreement_plans",
    "plan_outcome",
    "plan_result",
    "to_decide_text",
]

#: The usual targets when no gates file names one (Krippendorff: rely on alpha >= 0.8, draw
#: tentative conclusions from 0.667).
AGREEMENT_TARGETS: Final = (0.667, 0.8)


@dataclass(frozen=True)
class ToDecide:
    """What a rule needs before its 95% interval excludes the threshold."""

    more_cases: int | None
    """For the interval the rule uses; 0 when decided now; None with a ``reason``."""
    direction: Direction | None
    """Where the rule's measured value would be: "below" or "above" the threshold."""
    method: Method
    fixed_n_wilson_more_cases: int | None
    exceeds_pool: bool | None
    """True when ``more_cases`` is more than the unlabeled cases left in scope (None: no
    number to compare)."""
    pool: int
    """Unlabeled cases left in the rule's scope."""
    failures: int
    """``k``: failures counted (unresolved cases with a reviewer's vote for the bucket
    included)."""
    n: int
    assumes: tuple[str, ...]
    reason: str | None = None
    would: str | None = None
    """"pass" or "fail": what the rule would say once decided (None: no direction)."""
    agreement: AgreementPlan | None = None
    """For a rule with ``min_agreement``: the doubly labeled cases it needs."""
    anytime_more_cases: int | None = None
    """The same for the anytime interval (whichever interval the rule uses)."""

    @property
    def decided_now(self) -> bool:
        return self.more_cases == 0

    def to_json(self) -> dict[str, Any]:
        return {
            "more_cases": self.more_cases,
            "direction": self.direction,
            "method": self.method,
            "fixed_n_wilson_more_cases": self.fixed_n_wilson_more_cases,
            "anytime_more_cases": self.anytime_more_cases,
            "exceeds_pool": self.exceeds_pool,
            "assumes": list(self.assumes),
            "reason": self.reason,
            "decided_now": self.decided_now,
            "would": self.would,
            "failures": self.failures,
            "n": self.n,
            "pool": self.pool,
            "agreement": None if self.agreement is None else self.agreement.to_json(),
        }


def _not_planned(method: Method, reason: str, pool: int, n: int) -> ToDecide:
    return ToDecide(None, None, method, None, None, pool, 0, n, (), reason)


def _pool(stats: StatsReport, slice_text: str | None) -> int:
    scope = None
    if slice_text is not None:
        key, _, value = slice_text.partition("=")
        scope = (key, value)
    counts = stats.counts.scope(scope)
    return 0 if counts is None else counts.cases - counts.reviewed


def _sampling_note(sampling: Sampling | None) -> str:
    if sampling is None or sampling.random_prefix:
        return "the reviewed cases are a random sample of the cases in scope (random order)"
    return (
        "the reviewed cases are a random sample of the cases in scope: NOT SO HERE, they are not "
        f"a random-order prefix ({sampling.holes:,} unlabeled inside it, {sampling.strays:,} "
        "labeled beyond it)"
    )


def plan_result(result: RuleResult, stats: StatsReport) -> ToDecide:
    """The plan of one judged rule (see the module docstring)."""
    method: Method = "anytime" if result.interval_method == "anytime" else "wilson"
    pool = _pool(stats, result.slice)
    if result.regression is not None:
        return _not_planned(method, "regression rules are not planned here", pool, result.n)
    if result.kind == "latency" or result.interval_method is None:
        return _not_planned(method, "a latency rule has no interval to plan", pool, result.n)
    # Planned on the failure rate; `side` maps its side of the threshold to the rule's value.
    if result.kind == "json_valid":
        ok = result.count or 0
        k, threshold = result.n - ok, 1 - result.threshold
        pool = 0  # every case in scope is measured already
        assumes = [f"the observed share {ok:,}/{result.n:,} of outputs that parse holds"]
        side: dict[str, Direction] = {"below": "above", "above": "below"}
    else:
        pending = result.unresolved_in_bucket or 0
        k, threshold = (result.count or 0) + pending, result.threshold / 1000
        assumes = [f"the observed rate {k:,}/{result.n:,} holds", _sampling_note(result.sampling)]
        if pending:
            assumes.append(
                f"{pending:,} unresolved case(s) with a reviewer's {result.bucket} are counted "
                f"as {result.bucket} (pessimistic)"
            )
        side = {"below": "below", "above": "above"}
    n = result.n
    if result.kind == "must_pass" and k == 0:
        reason = (
            "a must-pass bucket passes while it has no case; no number of cases shows a rate of "
            "exactly 0"
        )
        return replace(_not_planned(method, reason, pool, n), failures=0, assumes=tuple(assumes))
    plan = more_cases(k, n, threshold, method)
    wilson = plan if method == "wilson" else more_cases(k, n, threshold, "wilson")
    anytime = plan if method == "anytime" else more_cases(k, n, threshold, "anytime")
    exceeds = None
    if plan.more_cases is not None:
        exceeds = plan.more_cases > pool
    elif plan.direction is not None:  # more than MAX_CASES in all
        exceeds = True
    return ToDecide(
        more_cases=plan.more_cases,
        direction=None if plan.direction is None else side[plan.direction],
        method=method,
        fixed_n_wilson_more_cases=wilson.more_cases,
        anytime_more_cases=anytime.more_cases,
        exceeds_pool=exceeds,
        pool=pool,
        failures=k,
        n=n,
        assumes=tuple(assumes),
        reason=plan.reason,
        # A failure rate below the threshold passes the rule, above it fails it.
        would=None if plan.direction is None else ("pass" if plan.direction == "below" else "fail"),
    )


def plan_outcome(outcome: GateOutcome, stats: StatsReport) -> GateOutcome:
    """The outcome with ``to_decide`` filled in for every rule."""
    results = []
    for r in outcome.results:
        plan = plan_result(r, stats)
        if r.min_agreement is not None and r.bucket is not None and r.regression is None:
            [agreement] = agreement_plans(stats.agreement, [(r.bucket, r.min_agreement)])
            plan = replace(plan, agreement=agreement)
        results.append(replace(r, to_decide=plan))
    return replace(outcome, results=tuple(results))


def to_decide_text(plan: ToDecide, unit_cases: str = "reviewed cases") -> str:
    """One line for the plan of a rule."""
    if plan.decided_now:
        return f"decided now ({plan.would})"
    if plan.more_cases is None:
        return f"no number: {plan.reason}"
    method = "anytime" if plan.method == "anytime" else "Wilson"
    text = f"{plan.more_cases:,} more {unit_cases} ({method}; would {plan.would})"
    other, name = (
        (plan.fixed_n_wilson_more_cases, "fixed-n Wilson")
        if plan.method == "anytime"
        else (plan.anytime_more_cases, "anytime")
    )
    text += f"; {name}: {'—' if other is None else f'{other:,}'}"
    if plan.exceeds_pool:
        text += f"; only {plan.pool:,} unlabeled left in scope: this pool cannot decide it"
    return text


def agreement_plan_text(plan: AgreementPlan) -> str:
    """One line: the doubly labeled cases needed to show a bucket's minimum agreement."""
    target = f"alpha >= {plan.target:g} on {safe_inline(plan.bucket, 40)}"
    if plan.needed is None:
        return f"{target}: no number ({plan.reason})"
    prevalence = "" if plan.prevalence is None else f" at prevalence {plan.prevalence:.1%}"
    more = plan.more or 0
    tail = "enough now" if more == 0 else f"{more:,} more"
    return (
        f"{target}: {plan.needed:,} doubly labeled cases{prevalence} (Bloch & Kraemer); "
        f"{plan.pairable:,} now, {tail}"
    )


@dataclass(frozen=True)
class AgreementPlan:
    """Doubly labeled cases needed to show ``target`` agreement on one bucket (one vs rest)."""

    bucket: str
    target: float
    prevalence: float | None
    """Share of the labels in the bucket."""
    pairable: int
    """Cases labeled by two or more reviewers now."""
    needed: int | None
    """Bloch & Kraemer units (None with a reason)."""
    alpha: float | None
    reason: str | None = None

    @property
    def more(self) -> int | None:
        return None if self.needed is None else max(0, self.needed - self.pairable)

    def to_json(self) -> dict[str, Any]:
        return {
            "bucket": self.bucket,
            "min_agreement": self.target,
            "prevalence": self.prevalence,
            "pairable_now": self.pairable,
            "bloch_kraemer_units": self.needed,
            "more_doubly_labeled": self.more,
            "krippendorff_alpha": self.alpha,
            "reason": self.reason,
        }


def agreement_plans(
    report: AgreementReport, targets: Sequence[tuple[str, float]]
) -> list[AgreementPlan]:
    """Bloch & Kraemer units for each ``(bucket, min_agreement)``."""
    total = sum(b.labels for b in report.per_bucket.values())
    out: list[AgreementPlan] = []
    for bucket, target in targets:
        entry = report.per_bucket.get(bucket)
        labels = 0 if entry is None else entry.labels
        alpha = None if entry is None else entry.krippendorff_alpha
        prevalence = None if total == 0 else labels / total
        needed, reason = None, None
        if target <= 0:
            reason = "a minimum of 0 or less needs no sample to show"
        elif target >= 1:
            reason = "agreement of 1 cannot be shown by a sample"
        elif prevalence is None or prevalence in (0.0, 1.0):
            reason = "no label uses this bucket yet" if not labels else "every label is this bucket"
        else:
            needed = bloch_kraemer_units(target, min(prevalence, 1 - prevalence))
        out.append(
            AgreementPlan(bucket, target, prevalence, report.pairable_items, needed, alpha, reason)
        )
    return out


@dataclass(frozen=True)
class WidthPlan:
    """Doubly labeled cases for the bootstrap interval's lower end to reach ``target``, if
    alpha stays where it is and the interval narrows like ``1 / sqrt(n)``."""

    target: float
    alpha: float | None
    ci95: tuple[float, float] | None
    pairable: int
    needed: int | None
    reason: str | None = None

    @property
    def more(self) -> int | None:
        return None if self.needed is None else max(0, self.needed - self.pairable)

    def to_json(self) -> dict[str, Any]:
        return {
            "min_agreement": self.target,
            "krippendorff_alpha": self.alpha,
            "ci95": None if self.ci95 is None else list(self.ci95),
            "pairable_now": self.pairable,
            "cases_needed": self.needed,
            "more_doubly_labeled": self.more,
            "reason": self.reason,
        }


def width_plans(report: AgreementReport, targets: Sequence[float]) -> list[WidthPlan]:
    """For overall alpha with a bootstrap interval: :func:`cases_for_width` of the distance
    from alpha down to the interval's lower end, to the distance from alpha to each target."""
    alpha, ci, n = report.krippendorff_alpha, report.krippendorff_alpha_ci95, report.pairable_items
    out: list[WidthPlan] = []
    for target in targets:
        reason, needed = None, None
        if alpha is None or ci is None or n == 0:
            reason = report.undefined.get("krippendorff_alpha_ci95") or "no bootstrap interval"
        elif alpha <= target:
            reason = f"alpha is {alpha:.3f}, not above {target:g}: no sample size shows it"
        elif ci[0] >= target:
            needed = n
        elif alpha - ci[0] <= 0:
            reason = "the bootstrap interval has no width below alpha"
        else:
            needed = cases_for_width(alpha - ci[0], n, alpha - target)
        out.append(WidthPlan(target, alpha, ci, n, needed, reason))
    return out


def width_plan_text(plan: WidthPlan) -> str:
    """One line for a :class:`WidthPlan`."""
    head = f"alpha's bootstrap interval above {plan.target:g}"
    if plan.needed is None:
        return f"{head}: no number ({plan.reason})"
    more = plan.more or 0
    tail = "enough now" if more == 0 else f"{more:,} more"
    return (
        f"{head}: about {plan.needed:,} doubly labeled cases at alpha {plan.alpha:.3f} "
        f"(width extrapolated by 1/sqrt(n)); {plan.pairable:,} now, {tail}"
    )
