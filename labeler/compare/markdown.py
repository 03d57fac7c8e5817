"""The comparison as Markdown (``labeler compare --report FILE.md``): the same tables as the chart.

Untrusted text goes through :func:`labeler.gates.render.md` (one safe line, markup escaped),
so a slice or version name cannot become a link, HTML or a table cell break.

This module is part of the pure core: no textual, rich or click.
"""

from __future__ import annotations

from collections.abc import Sequence

from labeler.compare.headline import (
    bucket_name,
    metric_difference,
    metric_label,
    number,
    reversal_text,
    signed,
)
from labeler.compare.results import VERDICT_ORDER, Cell, CompareReport, MetricCell
from labeler.text.markdown import md


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    return out + ["| " + " | ".join(row) + " |" for row in rows]


def _rate(k: int, n: int, per_1000: float | None) -> str:
    return "—" if per_1000 is None else f"{number(per_1000)} ({k:,}/{n:,})"


def _interval(interval: tuple[float, float] | None) -> str:
    return "—" if interval is None else f"{signed(interval[0])} to {signed(interval[1])}"


def _cell_row(cell: Cell, paired: bool) -> list[str]:
    verdict = f"**{cell.verdict}**" if cell.verdict == "regressed" else cell.verdict
    unresolved = f"{cell.unresolved.baseline:,} / {cell.unresolved.candidate:,}"
    if cell.unresolved.counted:
        unresolved += " (counted against the candidate)"
    row = [
        verdict,
        md(bucket_name(cell.bucket), 64),
        md("all cases" if cell.slice is None else cell.slice, 80),
        _rate(cell.baseline.k, cell.baseline.n, cell.baseline.per_1000),
        _rate(cell.candidate.k, cell.candidate.n, cell.candidate.per_1000),
        "—" if cell.difference_per_1000 is None else signed(cell.difference_per_1000),
        _interval(cell.ci95),
        unresolved,
    ]
    if paired:
        p = cell.paired
        row.append(
            "—"
            if p is None
            else f"{p.baseline_only:,} / {p.candidate_only:,}, p = {p.mcnemar_p:.3g}"
        )
    return row


def _metric_value(metric: MetricCell, value: float | None, n: int) -> str:
    if value is None:
        return "—"
    shown = f"{value * 100:.1f}%" if metric.unit == "share" else f"{number(value)} ms"
    return f"{shown} (n {n:,})"


def _metric_row(metric: MetricCell) -> list[str]:
    interval = metric.ci95
    shown = "—"
    if interval is not None:
        low, high = (metric_difference(metric, v) for v in interval)
        shown = f"{low} to {high}"
    return [
        f"**{metric.verdict}**" if metric.verdict == "regressed" else metric.verdict,
        metric_label(metric),
        md("all cases" if metric.slice is None else metric.slice, 80),
        _metric_value(metric, metric.baseline.value, metric.baseline.n),
        _metric_value(metric, metric.candidate.value, metric.candidate.n),
        "—" if metric.difference is None else metric_difference(metric, metric.difference),
        shown,
    ]


def markdown_compare(report: CompareReport, store: str) -> str:
    """The Markdown report: headline, cells (regressions first), metrics, reversals, method."""
    base, cand = md(report.baseline, 60), md(report.candidate, 60)
    design = (
        f"paired on {md(report.pair_key, 60)} ({report.pairs:,} pairs)"
        if report.paired
        else "unpaired (independent cases)"
    )
    out = [
        f"# Compare {base} → {cand}",
        "",
        f"**{md(report.headline, 4000)}**",
        "",
        f"- Store: {md(store, 300)}",
        f"- Versions by {md(report.by, 60)}: baseline {base}, candidate {cand}; {design}",
        f"- Cases: {base} {report.cases[0]:,} ({report.reviewed[0]:,} reviewed), "
        f"{cand} {report.cases[1]:,} ({report.reviewed[1]:,} reviewed)",
    ]
    out += [f"- Note: {md(note, 400)}" for note in report.notes]
    if not report.consistent:
        out.append("- Note: the store changed while it was read; run compare again to confirm")
    headers = [
        "Verdict",
        "Bucket",
        "Slice",
        f"{base} per 1,000 (k/n)",
        f"{cand} per 1,000 (k/n)",
        "Difference",
        "95% interval",
        f"Unresolved naming it ({base} / {cand})",
    ]
    if report.paired:
        headers.append(f"Discordant pairs ({base} only / {cand} only), exact McNemar")
    cells = sorted(
        (c for c in report.cells if c.baseline.k or c.candidate.k or c.unresolved.counted),
        key=lambda c: (VERDICT_ORDER[c.verdict], -(c.difference_per_1000 or 0.0)),
    )
    out += ["", "## Failure buckets per 1,000 reviewed cases", ""]
    out += _table(headers, [_cell_row(c, report.paired) for c in cells])
    empty = len(report.cells) - len(cells)
    if empty:
        out += ["", f"{empty:,} cells where neither version has a case are left out."]
    if report.metrics:
        metrics = sorted(report.metrics, key=lambda m: VERDICT_ORDER[m.verdict])
        out += ["", "## Meta metrics", ""]
        out += _table(
            ["Verdict", "Metric", "Slice", base, cand, "Difference", "95% interval"],
            [_metric_row(m) for m in metrics],
        )
    if report.reversals:
        out += ["", "## Reversals (Simpson)", ""]
        out += [f"- {md(reversal_text(r, report.candidate), 400)}" for r in report.reversals]
    out += [
        "",
        "## Method",
        "",
        "- Only final buckets count (a resolution, else the bucket all reviewers agree on); "
        "rates are per 1,000 reviewed cases. Unresolved disagreements count in no bucket; "
        "when those of the candidate could flip a verdict they are counted against it.",
        "- Verdict: regressed when the 95% interval of the difference lies above 0, improved "
        "when below 0, else no evidence.",
        "- Unpaired: Newcombe's hybrid score interval (Newcombe 1998, method 10). Paired: "
        "Newcombe's score interval for paired data (Newcombe 1998, method 10) and the exact "
        "McNemar test.",
        "- JSON validity: Newcombe's interval on the share that parses. Latency: percentile "
        "bootstrap of the difference of p50 and p95.",
    ]
    return "\n".join(out) + "\n"
