"""The stats report as plain text lines, shared by `labeler stats` and the TUI stats screen."""

from __future__ import annotations

from collections.abc import Mapping

from labeler.stats.agreement import AgreementReport, band_for
from labeler.stats.compute import StatsReport
from labeler.stats.counts import BucketCounts
from labeler.text.display import safe_inline


def _num(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _with_band(value: float | None, pairable: int, in_bucket: int | None = None) -> str:
    return "—" if value is None else f"{value:.3f} ({band_for(value, pairable, in_bucket)})"


def format_stats(report: StatsReport) -> list[str]:
    """The plain-text report, as lines (shared with the TUI stats screen)."""
    a = report.agreement
    reviewers = ", ".join(safe_inline(r, 40) for r in report.reviewers) or "none"
    lines = [
        f"cases {report.cases:,}   labels {report.labels:,}   reviewers {reviewers}",
        report.sampling.summary(),
        *(f"  ! {line}" for line in report.sampling.details()),
        "",
        "Agreement",
        f"  percent agreement    {_num(a.percent_agreement)}",
        f"  Cohen's kappa        {_with_band(a.cohen_kappa, a.pairable_items)}",
        f"  Fleiss' kappa        {_with_band(a.fleiss_kappa, a.pairable_items)}",
        f"  Krippendorff's alpha {_with_band(a.krippendorff_alpha, a.pairable_items)}",
    ]
    ci = a.krippendorff_alpha_ci95
    if ci:
        lines.append(f"    95% CI (bootstrap) [{ci[0]:.3f}, {ci[1]:.3f}]")
    lines.append(f"  Gwet's AC1           {_with_band(a.gwet_ac1, a.pairable_items)}")
    lines.append(f"  on {a.pairable_items:,} case(s) labeled by two or more reviewers")
    for metric, reason in sorted(a.undefined.items()):
        if metric != "krippendorff_alpha_ci95":
            lines.append(f"  ({metric}: {safe_inline(reason, 300)})")
    lines += [
        "",
        "Per bucket (one vs rest)",
        f"  {'bucket':<22}{'labels':>8}  {'alpha':<24}{'kappa':<24}AC1",
    ]
    for key, b in a.per_bucket.items():
        pairable, in_bucket = a.pairable_items, b.pairable_in_bucket
        alpha = _with_band(b.krippendorff_alpha, pairable, in_bucket)
        kappa = _with_band(b.cohen_kappa, pairable, in_bucket)
        ac1 = _with_band(b.gwet_ac1, pairable, in_bucket)
        lines.append(
            f"  {safe_inline(key, 22):<22}{b.labels:>8}  {alpha:<24}{kappa:<24}{ac1:<24}".rstrip()
        )
    lines += [f"  note: {safe_inline(note, 400)}" for note in a.paradox_notes()]
    if a.pairwise:
        lines += ["", "Pairs (Cohen's kappa)"]
        for p in a.pairwise.values():
            lines.append(
                f"  {safe_inline(p.key, 40):<30} {_with_band(p.cohen_kappa, p.cases):<24} "
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
        lines += _group_agreement_lines(key, report.agreement_by.get(key, {}), len(groups))
        lines += _group_sampling_lines(key, report)
    return lines


def _group_agreement_lines(
    key: str, groups: Mapping[str, AgreementReport], total: int
) -> list[str]:
    if not groups:
        return []
    lines = [
        "",
        f"  Agreement by {safe_inline(key, 60)}",
        f"  {'group':<28}{'pairable':>9}  {'alpha':<24}AC1",
    ]
    for value, a in groups.items():
        title = f"{safe_inline(key, 30)}={safe_inline(value, 30)}"
        alpha = _with_band(a.krippendorff_alpha, a.pairable_items)
        ac1 = _with_band(a.gwet_ac1, a.pairable_items)
        lines.append(f"  {title:<28}{a.pairable_items:>9,}  {alpha:<24}{ac1:<24}".rstrip())
        lines += [f"    note: {safe_inline(note, 400)}" for note in a.paradox_notes()]
    if total > len(groups):
        lines.append(f"  ({total - len(groups):,} more values: agreement not split for them)")
    return lines


def _group_sampling_lines(key: str, report: StatsReport) -> list[str]:
    lines: list[str] = []
    for value, sampling in report.sampling_by.get(key, {}).items():
        if sampling.random_prefix:
            continue
        title = f"{safe_inline(key, 30)}={safe_inline(value, 30)}"
        lines.append(
            f"  ! {title}: not a random-order prefix ({sampling.holes:,} unlabeled case(s) "
            f"inside it, {sampling.strays:,} labeled beyond it)"
        )
    return ["", *lines] if lines else []


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
