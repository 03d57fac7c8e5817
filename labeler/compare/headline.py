"""The headline a reader cannot miss, and Simpson-style reversals.

"v8 is better overall (failures 212 → 174 per 1,000) but regressed in: invented_policy on
policy_edge=yes (+31 per 1,000, 95% +9 to +58)". A reversal is named when, for one slice key,
the candidate is better in every slice but worse overall, or the reverse (point estimates):
the mix of cases differs between the versions, and the overall number misleads.

Every untrusted name (versions, slices, buckets) is made safe with
:func:`labeler.text.display.safe_inline`.

This module is part of the pure core: no textual, rich or click.
"""

from __future__ import annotations

from collections.abc import Sequence

from labeler.compare.data import ANY_FAILURE
from labeler.compare.results import (
    IMPROVED,
    REGRESSED,
    Cell,
    MetricCell,
    Reversal,
)
from labeler.text.display import safe_inline

MAX_LISTED = 4
"""Regressions named in the headline; the rest are counted."""


def number(value: float) -> str:
    """A rate or a difference for people: whole numbers from 10 on, one decimal below."""
    if abs(value) >= 10 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:.1f}"


def signed(value: float) -> str:
    """``+31``, ``-4.5``, ``0``."""
    text = number(value)
    if text.lstrip("-") in ("0", "0.0"):
        return "0"
    return text if text.startswith("-") else f"+{text}"


def bucket_name(bucket: str) -> str:
    """The bucket as a reader says it (``failures`` for every failure bucket together)."""
    return "failures" if bucket == ANY_FAILURE else safe_inline(bucket, 40)


def scope_name(slice_text: str | None) -> str:
    """``all cases`` or the slice, made safe."""
    return "all cases" if slice_text is None else safe_inline(slice_text, 60)


def interval_text(interval: tuple[float, float] | None, unit: str = " per 1,000") -> str:
    """``95% +9 to +58`` (or ``no interval``)."""
    if interval is None:
        return "no interval"
    return f"95% {signed(interval[0])} to {signed(interval[1])}{unit}"


def _cell_item(cell: Cell) -> str:
    diff = "" if cell.difference_per_1000 is None else signed(cell.difference_per_1000)
    counted = (
        f", counting {cell.unresolved.candidate:,} unresolved" if cell.unresolved.counted else ""
    )
    return (
        f"{bucket_name(cell.bucket)} on {scope_name(cell.slice)} "
        f"({diff} per 1,000, {interval_text(cell.ci95, '')}{counted})"
    )


def metric_label(metric: MetricCell) -> str:
    """``JSON validity``, ``latency p50``, ``latency p95``."""
    return "JSON validity" if metric.metric == "json_valid" else metric.metric.replace("_", " ")


def metric_difference(metric: MetricCell, value: float) -> str:
    """A metric difference with its unit: points of share, or milliseconds."""
    if metric.unit == "share":
        return f"{signed(value * 100)} pp"
    return f"{signed(value)} ms"


def _metric_item(metric: MetricCell) -> str:
    diff = "" if metric.difference is None else metric_difference(metric, metric.difference) + ", "
    interval = metric.ci95
    shown = "no interval"
    if interval is not None:
        low, high = (metric_difference(metric, v) for v in interval)
        shown = f"95% {low} to {high}"
    return f"{metric_label(metric)} on {scope_name(metric.slice)} ({diff}{shown})"


def find_reversals(cells: Sequence[Cell]) -> list[Reversal]:
    """Buckets where every slice of a key moves one way and the total the other way."""
    overall = {c.bucket: c for c in cells if c.scope is None}
    by_key: dict[tuple[str, str], list[float]] = {}
    for cell in cells:
        if cell.scope is not None and cell.difference_per_1000 is not None:
            by_key.setdefault((cell.bucket, cell.scope[0]), []).append(cell.difference_per_1000)
    found = []
    for (bucket, key), diffs in by_key.items():
        total = overall.get(bucket)
        if total is None or total.difference_per_1000 is None or len(diffs) < 2:
            continue
        if all(d < 0 for d in diffs) and total.difference_per_1000 > 0:
            found.append(Reversal(bucket, key, "better", len(diffs), total.difference_per_1000))
        elif all(d > 0 for d in diffs) and total.difference_per_1000 < 0:
            found.append(Reversal(bucket, key, "worse", len(diffs), total.difference_per_1000))
    return found


def reversal_text(reversal: Reversal, candidate: str) -> str:
    """One reversal in words."""
    other = "worse" if reversal.slices_direction == "better" else "better"
    return (
        f"{safe_inline(candidate, 40)} is {reversal.slices_direction} on "
        f"{bucket_name(reversal.bucket)} in every {safe_inline(reversal.key, 40)} slice "
        f"({reversal.slices}) but {other} overall "
        f"({signed(reversal.overall_difference_per_1000)} per 1,000): the versions' mix of "
        "cases differs"
    )


def _overall(cell: Cell | None, candidate: str, baseline: str) -> str:
    name = safe_inline(candidate, 40)
    if cell is None or cell.baseline.per_1000 is None or cell.candidate.per_1000 is None:
        return (
            f"{name} cannot be compared with {safe_inline(baseline, 40)}: one of them has no "
            "reviewed case"
        )
    rates = (
        f"failures {number(cell.baseline.per_1000)} → {number(cell.candidate.per_1000)} per 1,000"
    )
    if cell.verdict == IMPROVED:
        return f"{name} is better overall ({rates})"
    interval = interval_text(cell.ci95)
    if cell.verdict == REGRESSED:
        return f"{name} is worse overall ({rates}, {interval})"
    return f"{name} is not clearly better or worse overall ({rates}, {interval})"


def make_headline(
    cells: Sequence[Cell],
    metrics: Sequence[MetricCell],
    reversals: Sequence[Reversal],
    baseline: str,
    candidate: str,
) -> str:
    """The one sentence (or two) that says where the candidate regressed."""
    overall = next((c for c in cells if c.bucket == ANY_FAILURE and c.scope is None), None)
    text = _overall(overall, candidate, baseline)
    regressed_cells = sorted(
        (c for c in cells if c.verdict == REGRESSED and c is not overall),
        key=lambda c: -(c.ci95[0] if c.ci95 else 0.0),
    )
    items = [_cell_item(c) for c in regressed_cells]
    items += [_metric_item(m) for m in metrics if m.verdict == REGRESSED]
    better = overall is not None and overall.verdict == IMPROVED
    if items:
        shown = "; ".join(items[:MAX_LISTED])
        more = f"; and {len(items) - MAX_LISTED:,} more" if len(items) > MAX_LISTED else ""
        text += (" but" if better else ";") + f" regressed in: {shown}{more}"
    elif overall is not None and overall.baseline.n and overall.candidate.n:
        text += "; no bucket, slice or metric clearly regressed"
    for reversal in reversals:
        text += f". Reversal: {reversal_text(reversal, candidate)}"
    return text
