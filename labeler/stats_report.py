"""The stats report as plain text lines, shared by `labeler stats` and the TUI stats screen."""

from __future__ import annotations

from labeler.agreement import band
from labeler.counts import BucketCounts
from labeler.display_text import safe_inline
from labeler.stats import StatsReport


def _num(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _with_band(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f} ({band(value)})"


def format_stats(report: StatsReport) -> list[str]:
    """The plain-text report, as lines (shared with the TUI stats screen)."""
    a = report.agreement
    reviewers = ", ".join(safe_inline(r, 40) for r in report.reviewers) or "none"
    lines = [
        f"cases {report.cases:,}   labels {report.labels:,}   reviewers {reviewers}",
        "",
        "Agreement",
        f"  percent agreement    {_num(a.percent_agreement)}",
        f"  Cohen's kappa        {_with_band(a.cohen_kappa)}",
        f"  Fleiss' kappa        {_with_band(a.fleiss_kappa)}",
        f"  Krippendorff's alpha {_with_band(a.krippendorff_alpha)}",
    ]
    ci = a.krippendorff_alpha_ci95
    if ci:
        lines.append(f"    95% CI (bootstrap) [{ci[0]:.3f}, {ci[1]:.3f}]")
    for metric, reason in sorted(a.undefined.items()):
        if metric != "krippendorff_alpha_ci95":
            lines.append(f"  ({metric}: {safe_inline(reason, 300)})")
    lines += [
        "",
        "Per bucket (one vs rest)",
        f"  {'bucket':<22}{'labels':>8}  {'alpha':<24}{'kappa':<24}",
    ]
    for key, b in a.per_bucket.items():
        alpha = _with_band(b.krippendorff_alpha)
        kappa = _with_band(b.cohen_kappa)
        lines.append(f"  {safe_inline(key, 22):<22}{b.labels:>8}  {alpha:<24}{kappa:<24}")
    if a.pairwise:
        lines += ["", "Pairs (Cohen's kappa)"]
        for p in a.pairwise.values():
            lines.append(
                f"  {safe_inline(p.key, 40):<30} {_with_band(p.cohen_kappa):<24} "
                f"on {p.cases:,} cases"
            )
    lines += ["", "Status  " + "   ".join(f"{k} {v:,}" for k, v in report.status.items())]
    if report.unclear_cases:
        lines += ["", "Unclear cases (for the guideline owner)"]
        for case in report.unclear_cases[:50]:
            reason = f": {safe_inline(case.reason, 120)}" if case.reason else ""
            lines.append(
                f"  {safe_inline(case.case_id, 60)}{reason}  ({safe_inline(case.resolver, 40)})"
            )
        if len(report.unclear_cases) > 50:
            lines.append(f"  ... {report.status.unclear - 50:,} more (--json lists them)")
    lines += ["", _counts_header()]
    lines += _counts_lines("all cases", report.counts.overall)
    for key, groups in report.counts.by.items():
        lines += ["", f"By {safe_inline(key, 60)}", _counts_header()]
        for value, counts in groups.items():
            lines += _counts_lines(f"{safe_inline(key, 30)}={safe_inline(value, 30)}", counts)
    return lines


def _counts_header() -> str:
    return f"  {'group':<28}{'bucket':<24}{'cases':>8}{'per 1,000 reviewed':>20}"


def _counts_lines(title: str, counts: BucketCounts) -> list[str]:
    lines = [
        f"  {title:<28}{'(reviewed ' + format(counts.reviewed, ',') + ')':<24}{counts.cases:>8}"
    ]
    for name, c in counts.buckets.items():
        if c.cases == 0:
            continue
        rate = "" if c.rate_per_1000 is None else f"{c.rate_per_1000:.1f}"
        lines.append(f"  {'':<28}{safe_inline(name, 24):<24}{c.cases:>8}{rate:>20}")
    return lines
