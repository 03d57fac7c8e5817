"""The results of a comparison: typed, frozen, and JSON only at the edge (:meth:`to_json`).

This module is part of the pure core: standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Verdict = Literal["regressed", "improved", "no evidence"]
REGRESSED: Verdict = "regressed"
IMPROVED: Verdict = "improved"
NO_EVIDENCE: Verdict = "no evidence"
VERDICT_ORDER: dict[str, int] = {REGRESSED: 0, IMPROVED: 1, NO_EVIDENCE: 2}
"""Regressions first, then improvements, then the rest."""

Interval = tuple[float, float]


def slice_text(scope: tuple[str, str] | None) -> str | None:
    """``"name=value"`` for a slice, None for all cases (the ``slice`` of the JSON)."""
    return None if scope is None else f"{scope[0]}={scope[1]}"


@dataclass(frozen=True)
class Rate:
    """``k`` of ``n`` reviewed cases (or pairs) in the bucket."""

    n: int
    k: int

    @property
    def per_1000(self) -> float | None:
        """The rate per 1,000 (None without a case)."""
        return None if self.n == 0 else self.k * 1000 / self.n

    def to_json(self) -> dict[str, Any]:
        return {"n": self.n, "k": self.k, "per_1000": self.per_1000}


@dataclass(frozen=True)
class Unresolved:
    """Unresolved cases in scope that some reviewer put in the bucket, per version."""

    baseline: int
    candidate: int
    counted: bool
    """True when counting the candidate's against it changed the verdict, so they were:
    the candidate's ``k`` includes them, and the difference and interval are of those counts."""

    def to_json(self) -> dict[str, Any]:
        return {"baseline": self.baseline, "candidate": self.candidate, "counted": self.counted}


@dataclass(frozen=True)
class PairedDetail:
    """The pairs behind a paired cell."""

    pairs: int
    both: int
    baseline_only: int
    candidate_only: int
    neither: int
    mcnemar_p: float
    """The exact two-sided McNemar p-value on the discordant pairs."""

    def to_json(self) -> dict[str, Any]:
        return {
            "pairs": self.pairs,
            "both": self.both,
            "neither": self.neither,
            "discordant": {
                "baseline_only": self.baseline_only,
                "candidate_only": self.candidate_only,
            },
            "mcnemar_exact_p": self.mcnemar_p,
        }


@dataclass(frozen=True)
class Cell:
    """One bucket in one scope: both rates, the difference, its 95% interval, the verdict."""

    bucket: str
    scope: tuple[str, str] | None
    baseline: Rate
    candidate: Rate
    difference_per_1000: float | None
    ci95: Interval | None
    """Per 1,000: Newcombe's hybrid score interval, or his paired interval for pairs."""
    verdict: Verdict
    unresolved: Unresolved
    paired: PairedDetail | None = None

    @property
    def slice(self) -> str | None:
        """``"name=value"``, or None for all cases."""
        return slice_text(self.scope)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "bucket": self.bucket,
            "slice": self.slice,
            "baseline": self.baseline.to_json(),
            "candidate": self.candidate.to_json(),
            "difference_per_1000": self.difference_per_1000,
            "ci95": None if self.ci95 is None else list(self.ci95),
            "verdict": self.verdict,
            "unresolved": self.unresolved.to_json(),
        }
        if self.paired is not None:
            out["paired"] = self.paired.to_json()
        return out


MetricName = Literal["json_valid", "latency_p50", "latency_p95"]


@dataclass(frozen=True)
class MetricValue:
    """A metric of one version: measured on ``n`` cases; ``k`` outputs parse (json_valid)."""

    n: int
    value: float | None
    k: int | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"n": self.n, "value": self.value}
        if self.k is not None:
            out["k"] = self.k
        return out


@dataclass(frozen=True)
class MetricCell:
    """A meta metric in one scope: JSON validity (a share) or latency p50/p95 (ms)."""

    metric: MetricName
    scope: tuple[str, str] | None
    unit: Literal["share", "ms"]
    baseline: MetricValue
    candidate: MetricValue
    difference: float | None
    ci95: Interval | None
    """Newcombe's interval for the share; a percentile bootstrap for latency."""
    verdict: Verdict
    """``regressed`` when the candidate is clearly worse: fewer outputs parse, or slower."""
    paired: bool = False

    @property
    def slice(self) -> str | None:
        """``"name=value"``, or None for all cases."""
        return slice_text(self.scope)

    def to_json(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "slice": self.slice,
            "unit": self.unit,
            "baseline": self.baseline.to_json(),
            "candidate": self.candidate.to_json(),
            "difference": self.difference,
            "ci95": None if self.ci95 is None else list(self.ci95),
            "verdict": self.verdict,
            "worse_when": "lower" if self.unit == "share" else "higher",
        }


@dataclass(frozen=True)
class Reversal:
    """Simpson-style: every slice of a key moves one way, the total the other way."""

    bucket: str
    key: str
    slices_direction: Literal["better", "worse"]
    slices: int
    overall_difference_per_1000: float


@dataclass(frozen=True)
class CompareReport:
    """Everything ``labeler compare`` reports, from one consistent read of the store."""

    baseline: str
    candidate: str
    by: str
    pair_key: str | None
    paired: bool
    pairs: int
    """Pairs matched (paired comparisons)."""
    unpaired: tuple[int, int]
    """Cases of the baseline and of the candidate without a partner (left out when paired)."""
    cases: tuple[int, int]
    reviewed: tuple[int, int]
    slice_keys: tuple[str, ...]
    cells: tuple[Cell, ...]
    metrics: tuple[MetricCell, ...]
    reversals: tuple[Reversal, ...]
    headline: str
    notes: tuple[str, ...] = ()
    consistent: bool = True

    def cell(self, bucket: str, scope: tuple[str, str] | None = None) -> Cell | None:
        """The cell of a bucket in a scope, if it was computed."""
        return next((c for c in self.cells if c.bucket == bucket and c.scope == scope), None)

    def regressions(self) -> list[Cell]:
        """Cells that regressed, the clearest first (highest lower bound)."""
        found = [c for c in self.cells if c.verdict == REGRESSED]
        return sorted(found, key=lambda c: -(c.ci95[0] if c.ci95 else 0.0))

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` object; its top-level keys are a contract."""
        return {
            "baseline": self.baseline,
            "candidate": self.candidate,
            "by": self.by,
            "paired": self.paired,
            "cells": [cell.to_json() for cell in self.cells],
            "metrics": [metric.to_json() for metric in self.metrics],
            "headline": self.headline,
        }
