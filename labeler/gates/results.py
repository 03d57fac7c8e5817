"""The result of judging one rule, and the decision all results add up to.

This module is part of the pure core: no textual, rich or click.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from labeler.gates.to_decide import ToDecide
    from labeler.stats.sampling import Sampling

Outcome = Literal["pass", "fail", "insufficient"]
Verdict = Literal["pass", "flag", "block"]
Decision = Literal["ship", "ship_behind_flag", "block"]
Unit = Literal["per_1000", "share", "ms"]
Bound = Literal["point", "upper", "lower"]
Comparison = Literal["<=", ">="]

DECISION_TEXT: dict[str, str] = {
    "ship": "SHIP",
    "ship_behind_flag": "SHIP BEHIND A FLAG",
    "block": "BLOCK",
}
EXIT_STATUS: dict[str, int] = {"ship": 0, "ship_behind_flag": 3, "block": 1}


@dataclass(frozen=True)
class VersionRate:
    """One version's cases in a regression rule's bucket: ``k`` of ``n`` reviewed."""

    version: str
    n: int
    k: int

    def to_json(self) -> dict[str, Any]:
        rate = None if self.n == 0 else self.k * 1000 / self.n
        return {"version": self.version, "n": self.n, "k": self.k, "per_1000": rate}


@dataclass(frozen=True)
class RegressionDetail:
    """What a regression rule compared (its ``value`` is the candidate's increase per 1,000)."""

    by: str
    paired: bool
    baseline: VersionRate
    candidate: VersionRate
    mcnemar_p: float | None
    """The exact McNemar p-value of the discordant pairs (paired comparisons)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "by": self.by,
            "paired": self.paired,
            "baseline": self.baseline.to_json(),
            "candidate": self.candidate.to_json(),
            "mcnemar_exact_p": self.mcnemar_p,
        }


@dataclass(frozen=True)
class RuleResult:
    """One rule (or one must-pass bucket of a rule) judged."""

    index: int
    """Position of the rule in the file (0-based)."""
    line: int | None
    name: str
    kind: str
    bucket: str | None
    slice: str | None
    percentile: int | None
    unit: Unit
    """The unit of value, interval, checked and threshold."""
    value: float | None
    count: int | None
    """Bucket cases (bucket rules) or outputs that parse (json_valid)."""
    interval: tuple[float, float] | None
    bound: Bound
    checked: float | None
    comparison: Comparison
    threshold: float
    n: int
    """Reviewed cases in scope (bucket rules) or measured cases (meta rules)."""
    n_label: str
    min_n: int
    agreement_metric: str | None
    agreement: float | None
    agreement_note: str | None
    agreement_vacuous: bool
    """True when no reviewer used the bucket on shared cases (they never disagreed on it)."""
    min_agreement: float | None
    unresolved_in_scope: int
    unresolved_in_bucket: int | None
    outcome: Outcome
    verdict: Verdict
    on_fail: str
    on_insufficient: str
    reasons: tuple[str, ...]
    from_taxonomy: bool = False
    regression: RegressionDetail | None = None
    """For a regression rule only (its JSON has a "regression" key; other rules' JSON none)."""
    interval_method: str | None = None
    """The 95% interval used: "wilson" or "anytime" (None: the rule has none of these)."""
    sampling: Sampling | None = None
    """For rules on reviewed cases: are they a prefix of the store's random order?"""
    to_decide: ToDecide | None = None
    """``gate --plan``: further cases before the interval excludes the threshold."""

    def to_json(self) -> dict[str, Any]:
        """Every field, JSON-ready (no NaN: undefined numbers are null)."""
        out = {
            "index": self.index,
            "line": self.line,
            "name": self.name,
            "kind": self.kind,
            "bucket": self.bucket,
            "slice": self.slice,
            "percentile": self.percentile,
            "unit": self.unit,
            "value": self.value,
            "count": self.count,
            "interval95": None if self.interval is None else list(self.interval),
            "interval": self.interval_method,
            "bound": self.bound,
            "checked_value": self.checked,
            "comparison": self.comparison,
            "threshold": self.threshold,
            "evidence": {
                "n": self.n,
                "n_is": self.n_label,
                "min_n": self.min_n,
                "agreement_metric": self.agreement_metric,
                "agreement": self.agreement,
                "agreement_note": self.agreement_note,
                "agreement_vacuous": self.agreement_vacuous,
                "min_agreement": self.min_agreement,
                "unresolved_in_scope": self.unresolved_in_scope,
                "unresolved_in_bucket": self.unresolved_in_bucket,
            },
            "outcome": self.outcome,
            "verdict": self.verdict,
            "on_fail": self.on_fail,
            "on_insufficient": self.on_insufficient,
            "reasons": list(self.reasons),
            "from_taxonomy": self.from_taxonomy,
        }
        if self.regression is not None:
            out["regression"] = self.regression.to_json()
        if self.sampling is not None:
            out["sampling"] = self.sampling.brief_json()
        if self.to_decide is not None:
            out["to_decide"] = self.to_decide.to_json()
        return out


@dataclass(frozen=True)
class GateOutcome:
    """All results and the decision they add up to."""

    results: tuple[RuleResult, ...]
    decision: Decision

    @property
    def exit_status(self) -> int:
        """0 ship, 3 ship behind a flag, 1 block."""
        return EXIT_STATUS[self.decision]

    @property
    def decision_text(self) -> str:
        """SHIP, SHIP BEHIND A FLAG or BLOCK."""
        return DECISION_TEXT[self.decision]
