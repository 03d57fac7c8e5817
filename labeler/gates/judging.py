"""What every gate rule shares once its figure is measured: the agreement check and the verdict.

A bucket rule (:mod:`labeler.gates.evaluate`) and a regression rule
(:mod:`labeler.gates.regression`) measure different things, but both may ask for a minimum
agreement on their bucket, and both turn "passes / the reasons the evidence is short" into an
outcome and a verdict the same way. That rule lives here, once.
"""

from __future__ import annotations

from dataclasses import dataclass

from labeler.gates.results import Outcome, Verdict
from labeler.stats.agreement import BucketAgreement
from labeler.stats.compute import StatsReport

__all__ = ["AgreementCheck", "check_agreement", "judge", "scope_name"]


def _stricter(*actions: str) -> Verdict:
    if "block" in actions:
        return "block"
    return "flag" if "flag" in actions else "pass"


def judge(
    passes: bool | None, reasons: list[str], on_fail: str, on_insufficient: str
) -> tuple[Outcome, Verdict]:
    """The outcome and verdict of a rule; ``passes`` None means there is no value to compare.

    Any reason (too few cases, agreement too low, ...) makes the outcome "insufficient"; when
    the evidence so far fails the rule as well, the stricter of the two actions applies.
    """
    if reasons or passes is None:
        if passes is False:
            reasons.append("the evidence so far fails the rule too")
            return "insufficient", _stricter(on_insufficient, on_fail)
        return "insufficient", _stricter(on_insufficient, "flag")
    if passes:
        return "pass", "pass"
    return "fail", _stricter(on_fail, "flag")


def scope_name(scope: tuple[str, str] | None) -> str:
    """``all cases`` or ``name=value``."""
    return "all cases" if scope is None else f"{scope[0]}={scope[1]}"


def _metric(entry: BucketAgreement, metric: str) -> tuple[float | None, str]:
    """The rule's agreement metric on a bucket, and its key in ``undefined``."""
    if metric == "alpha":
        return entry.krippendorff_alpha, "krippendorff_alpha"
    if metric == "kappa":
        return entry.cohen_kappa, "cohen_kappa"
    raise ValueError(f"unknown agreement metric {metric!r}")


@dataclass(frozen=True)
class AgreementCheck:
    """A bucket's agreement as a rule sees it.

    ``vacuous``: no reviewer ever used the bucket on overlap (they never disagreed on it), so
    a minimum agreement is not a reason to wait. ``reason``: why the rule's
    ``min_agreement`` is not met yet, or None.
    """

    value: float | None
    note: str | None
    vacuous: bool
    reason: str | None


def _agreement(
    stats: StatsReport, bucket: str, metric: str
) -> tuple[float | None, str | None, bool]:
    entry = stats.agreement.per_bucket.get(bucket)
    if entry is None:
        return None, "no agreement for this bucket", False
    value, key = _metric(entry, metric)
    if value is not None:
        return float(value), None, False
    if entry.labels == 0 and stats.agreement.pairable_items > 0:
        return None, "no reviewer used this bucket: they never disagreed on it", True
    undefined = entry.undefined.get(key)
    return None, str(undefined) if undefined else f"{metric} is undefined", False


def check_agreement(
    stats: StatsReport, bucket: str, metric: str, minimum: float | None
) -> AgreementCheck:
    """The bucket's agreement by ``metric`` ("alpha" or "kappa") against ``minimum`` (if any)."""
    value, note, vacuous = _agreement(stats, bucket, metric)
    reason: str | None = None
    if minimum is not None:
        if value is None and not vacuous:
            reason = f"agreement on {bucket} cannot be computed: {note}"
        elif value is not None and value < minimum:
            reason = f"{metric} on {bucket} is {value:.3f}; the rule needs {minimum:g}"
    return AgreementCheck(value, note, vacuous, reason)
