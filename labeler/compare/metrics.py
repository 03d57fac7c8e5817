"""The meta metrics the gate knows, compared: JSON validity and latency p50 / p95.

* JSON validity: among cases whose ``meta.output_format`` is json, the share of outputs that
  parse (the gate's rule), with Newcombe's interval for the difference (paired when pairs are
  matched and both cases must be JSON).
* Latency: p50 and p95 of ``meta.latency_ms`` (read by
  :func:`labeler.stats.latency.parse_latency_ms`,
  the one latency rule; percentiles by :func:`labeler.stats.intervals.percentile`, as the gate),
  with a
  seeded percentile bootstrap of the difference (pairs resampled when paired).

Both are measured on every case of a version in scope, reviewed or not: they come from the
cases' meta, not from labels.

This module is part of the pure core: no textual, rich or click.
"""

from __future__ import annotations

import numpy as np

from labeler.compare.cells import paired_estimate, unpaired_estimate, verdict_of
from labeler.compare.data import CompareData, Scope
from labeler.compare.intervals import bootstrap_percentile_difference
from labeler.compare.results import MetricCell, MetricName, MetricValue
from labeler.stats.intervals import percentile


def _share(k: int, n: int) -> float | None:
    return None if n == 0 else k / n


def json_cell(data: CompareData, scope: Scope) -> MetricCell | None:
    """JSON validity in a scope; None when no case of either version must be JSON there."""
    mask = data.scope_mask(scope) & data.must_be_json
    if not mask.any():
        return None
    if data.paired:
        base_i, cand_i = data.pairs[:, 0], data.pairs[:, 1]
        keep = mask[base_i] & mask[cand_i]
        # "In the bucket" here is "does not parse", so the difference is of failures; flip it.
        estimate = paired_estimate(~data.parses[base_i[keep]], ~data.parses[cand_i[keep]])
    else:
        base, cand = mask & ~data.is_candidate, mask & data.is_candidate
        estimate = unpaired_estimate(
            int((base & ~data.parses).sum()),
            int(base.sum()),
            int((cand & ~data.parses).sum()),
            int(cand.sum()),
        )
    base_rate, cand_rate = estimate.baseline, estimate.candidate
    base_value = MetricValue(base_rate.n, _share(base_rate.n - base_rate.k, base_rate.n))
    cand_value = MetricValue(cand_rate.n, _share(cand_rate.n - cand_rate.k, cand_rate.n))
    difference = (
        None
        if base_value.value is None or cand_value.value is None
        else cand_value.value - base_value.value
    )
    interval = None
    if estimate.ci95 is not None:
        interval = (-estimate.ci95[1] / 1000, -estimate.ci95[0] / 1000)
    return MetricCell(
        metric="json_valid",
        scope=scope,
        unit="share",
        baseline=MetricValue(base_value.n, base_value.value, base_rate.n - base_rate.k),
        candidate=MetricValue(cand_value.n, cand_value.value, cand_rate.n - cand_rate.k),
        difference=difference,
        ci95=interval,
        verdict=verdict_of(interval, worse_when="lower"),
        paired=data.paired,
    )


_LATENCY: tuple[tuple[MetricName, float], ...] = (("latency_p50", 50.0), ("latency_p95", 95.0))


def latency_cells(data: CompareData, scope: Scope, replicates: int, seed: int) -> list[MetricCell]:
    """Latency p50 and p95 in a scope; none when no case of either version has a latency."""
    measured = data.scope_mask(scope) & ~np.isnan(data.latency_ms)
    if not measured.any():
        return []
    if data.paired:
        base_i, cand_i = data.pairs[:, 0], data.pairs[:, 1]
        keep = measured[base_i] & measured[cand_i]
        base = data.latency_ms[base_i[keep]]
        cand = data.latency_ms[cand_i[keep]]
    else:
        base = data.latency_ms[measured & ~data.is_candidate]
        cand = data.latency_ms[measured & data.is_candidate]
    intervals = bootstrap_percentile_difference(
        base.tolist(),
        cand.tolist(),
        [q for _, q in _LATENCY],
        replicates,
        seed,
        paired=data.paired,
    )
    cells = []
    for (name, q), interval in zip(_LATENCY, intervals, strict=True):
        base_value = percentile(base.tolist(), q)
        cand_value = percentile(cand.tolist(), q)
        difference = None if base_value is None or cand_value is None else cand_value - base_value
        cells.append(
            MetricCell(
                metric=name,
                scope=scope,
                unit="ms",
                baseline=MetricValue(len(base), base_value),
                candidate=MetricValue(len(cand), cand_value),
                difference=difference,
                ci95=interval,
                verdict=verdict_of(interval),
                paired=data.paired,
            )
        )
    return cells


def all_metrics(data: CompareData, replicates: int, seed: int) -> list[MetricCell]:
    """JSON validity, then latency, in every scope (all cases first)."""
    cells: list[MetricCell] = []
    for scope in data.scopes():
        json = json_cell(data, scope)
        if json is not None:
            cells.append(json)
    for scope in data.scopes():
        cells += latency_cells(data, scope, replicates, seed)
    return cells
