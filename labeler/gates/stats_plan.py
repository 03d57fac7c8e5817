"""``labeler stats --plan``: how many more cases, for agreement and (with ``--gates``) for rules.

* Agreement, for each bucket (one vs rest), overall and in each slice of ``--by``: the doubly
  labeled cases needed to show alpha at a target with the Bloch & Kraemer (1989) sample size at
  the bucket's prevalence; the targets are the ``min_agreement`` of the gates file's rules on
  that bucket, or else Krippendorff's usual 0.667 and 0.8. With ``--bootstrap``, the cases for
  overall alpha's bootstrap interval to clear each target, its width extrapolated by
  ``1 / sqrt(n)``.
* Rules (``--gates FILE``): every rule in its own scope, and every rule without a slice also in
  each slice of ``--by`` (rule x slice), with what ``gate --plan`` gives for it.

This module is part of the pure core: no textual, rich or click.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from labeler.gates.evaluate import run_gate
from labeler.gates.render import interval_text, value_text
from labeler.gates.results import GateOutcome
from labeler.gates.spec import AnyRule, GatesSpec, LatencyRule, RegressionRule
from labeler.gates.to_decide import (
    AGREEMENT_TARGETS,
    AgreementPlan,
    WidthPlan,
    agreement_plans,
    plan_outcome,
    to_decide_text,
    width_plan_text,
    width_plans,
)
from labeler.stats.agreement import AgreementReport
from labeler.stats.compute import StatsReport
from labeler.store.connection import Store
from labeler.text.display import safe_inline

__all__ = ["StatsPlan", "format_plan", "plan_stats"]


@dataclass(frozen=True)
class AgreementSection:
    """Agreement planning for one group of cases (all cases, or one slice)."""

    pairable: int
    buckets: list[AgreementPlan]
    widths: list[WidthPlan]

    def to_json(self) -> dict[str, Any]:
        return {
            "pairable_now": self.pairable,
            "buckets": [p.to_json() for p in self.buckets],
            "bootstrap": [w.to_json() for w in self.widths],
        }


@dataclass(frozen=True)
class StatsPlan:
    targets_from: str
    """Where the agreement targets come from: a gates file's name, or "defaults"."""
    overall: AgreementSection
    by: dict[str, dict[str, AgreementSection]] = field(default_factory=dict)
    rules: GateOutcome | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "targets_from": self.targets_from,
            "agreement": self.overall.to_json(),
            "agreement_by": {
                key: {value: section.to_json() for value, section in groups.items()}
                for key, groups in self.by.items()
            },
            "rules": None if self.rules is None else [r.to_json() for r in self.rules.results],
        }


def _targets(report: AgreementReport, spec: GatesSpec | None) -> list[tuple[str, float]]:
    if spec is None:
        return [(bucket, t) for bucket in report.per_bucket for t in AGREEMENT_TARGETS]
    pairs: dict[tuple[str, float], None] = {}
    for rule in spec.rules:
        bucket = getattr(rule, "bucket", None)
        target = getattr(rule, "min_agreement", None)
        if bucket is not None and target is not None:
            pairs[(bucket, float(target))] = None
    return list(pairs)


def _section(report: AgreementReport, spec: GatesSpec | None) -> AgreementSection:
    targets = _targets(report, spec)
    overall_targets = sorted({t for _, t in targets}) or list(AGREEMENT_TARGETS)
    return AgreementSection(
        report.pairable_items,
        agreement_plans(report, targets),
        width_plans(report, overall_targets) if report.bootstrap_replicates else [],
    )


def _split(spec: GatesSpec, by: Sequence[str], stats: StatsReport) -> tuple[GatesSpec, list[int]]:
    """The spec with every rule without a slice repeated in each slice of the ``by`` keys, and
    the index in the file of each rule of it."""
    rules: list[AnyRule] = list(spec.rules)
    lines = list(spec.lines)
    origin = list(range(len(rules)))
    for index, rule in enumerate(spec.rules):
        if rule.slice is not None or isinstance(rule, LatencyRule | RegressionRule):
            continue
        for key in by:
            for value in stats.counts.by.get(key, {}):
                rules.append(rule.model_copy(update={"slice": f"{key}={value}"}))
                lines.append(spec.lines[index])
                origin.append(index)
    return replace(spec, rules=tuple(rules), lines=tuple(lines)), origin


def plan_stats(
    store: Store, stats: StatsReport, spec: GatesSpec | None, by: Sequence[str]
) -> StatsPlan:
    """Agreement planning from ``stats`` (overall and per ``by`` slice); rule plans on ``store``
    when a gates ``spec`` is given."""
    sections = {
        key: {value: _section(report, spec) for value, report in groups.items()}
        for key, groups in stats.agreement_by.items()
    }
    rules = None
    if spec is not None:
        split, origin = _split(spec, by, stats)
        outcome, inputs = run_gate(store, split)
        planned = plan_outcome(outcome, inputs.stats)
        results = tuple(replace(r, index=origin[r.index]) for r in planned.results)
        rules = replace(planned, results=results)
    return StatsPlan(
        targets_from="defaults" if spec is None else spec.source,
        overall=_section(stats.agreement, spec),
        by=sections,
        rules=rules,
    )


def format_plan(plan: StatsPlan, stats: StatsReport) -> list[str]:
    """The plan as text lines (after the stats report)."""
    lines = [
        "",
        "Plan (95%; every number assumes the observed rates and agreement hold)",
        f"  {stats.sampling.summary()}",
    ]
    lines += [f"  ! {line}" for line in stats.sampling.details()]
    if plan.rules is not None:
        lines += ["", f"  Rules ({safe_inline(plan.targets_from, 80)}), each in its scope"]
        for r in plan.rules.results:
            scope = "all cases" if r.slice is None else safe_inline(r.slice, 40)
            head = f"    {r.index + 1}. {safe_inline(r.name, 40)} [{scope}]"
            lines.append(f"{head}: {value_text(r)}, 95% {interval_text(r)}")
            if r.to_decide is not None:
                lines.append(f"       to decide: {to_decide_text(r.to_decide)}")
    lines += ["", *_agreement_lines("all cases", plan.overall, plan.targets_from)]
    for key, groups in plan.by.items():
        for value, section in groups.items():
            title = f"{safe_inline(key, 30)}={safe_inline(value, 30)}"
            lines += ["", *_agreement_lines(title, section, plan.targets_from)]
    return lines


def _agreement_lines(title: str, section: AgreementSection, targets_from: str) -> list[str]:
    where = "the gates file's min_agreement" if targets_from != "defaults" else "0.667 and 0.8"
    lines = [
        f"  Agreement in {title}: doubly labeled cases to show alpha per bucket at {where} "
        f"({section.pairable:,} now; Bloch & Kraemer 1989)"
    ]
    by_bucket: dict[str, list[AgreementPlan]] = {}
    for p in section.buckets:
        by_bucket.setdefault(p.bucket, []).append(p)
    for bucket, plans in by_bucket.items():
        prevalence = plans[0].prevalence
        shown = "" if prevalence is None else f" ({prevalence:.1%} of labels)"
        parts = [_need(p) for p in plans]
        lines.append(f"    {safe_inline(bucket, 30)}{shown}: " + "; ".join(parts))
    lines += [f"    {width_plan_text(w)}" for w in section.widths]
    return lines


def _need(plan: AgreementPlan) -> str:
    if plan.needed is None:
        return f">= {plan.target:g}: no number ({plan.reason})"
    more = plan.more or 0
    return f">= {plan.target:g}: {plan.needed:,} " + (
        "(enough now)" if more == 0 else f"({more:,} more)"
    )
