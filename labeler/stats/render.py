"""The stats report as plain text lines, shared by `labeler stats` and the TUI stats screen."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from labeler.stats.agreement import AgreementReport, Confusion, PairAgreement, band_for
from labeler.stats.compute import StatsReport
from labeler.stats.counts import BucketCounts
from labeler.text.display import safe_inline

PAIRS_LISTED = 30
"""At most this many reviewer pairs are listed in text (``--json`` lists every pair)."""
CELLS_LISTED = 30
"""At most this many differing (row, column) cells are listed when the matrix is too wide."""
WIDTH = 80
"""The confusion matrix is a table when it fits in this many columns, else a list."""
_NAME_CAPS = (24, 12)
"""Bucket names in the table's rows are cut to the first of these that lets it fit."""


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
        lines += ["", "Pairs (Cohen's kappa)", *_pair_lines(a)]
    lines += _confusion_lines(report)
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


@dataclass(frozen=True)
class PairListing:
    """The reviewer pairs worth listing: those that share cases, most shared first."""

    listed: tuple[PairAgreement, ...]
    """At most :data:`PAIRS_LISTED` pairs, by shared cases (descending), then by name."""
    sharing: int
    """Pairs that share at least one case."""
    sharing_none: int
    """Pairs that share no case (never listed)."""

    @property
    def more(self) -> int:
        """Pairs that share cases but are beyond the cap."""
        return self.sharing - len(self.listed)

    def summary(self) -> str | None:
        """One line on the pairs left out because they share no case (None: none left out)."""
        if not self.sharing_none:
            return None
        none = _plural(self.sharing_none, "pair")
        if not self.sharing:
            return f"no two reviewers labeled the same case ({none}, not listed)"
        share = "shares" if self.sharing == 1 else "share"
        left = "shares" if self.sharing_none == 1 else "share"
        return (
            f"{_plural(self.sharing, 'pair')} of reviewers {share} cases; "
            f"{none} {left} none, not listed"
        )


def pair_listing(pairs: Iterable[PairAgreement], limit: int = PAIRS_LISTED) -> PairListing:
    """The pairs that share cases, sorted and capped (shared by ``stats`` and the gate report)."""
    every = list(pairs)
    sharing = sorted((p for p in every if p.cases > 0), key=lambda p: (-p.cases, p.reviewers))
    return PairListing(tuple(sharing[:limit]), len(sharing), len(every) - len(sharing))


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def _pair_lines(a: AgreementReport) -> list[str]:
    listing = pair_listing(a.pairwise.values())
    lines = [
        f"  {safe_inline(p.key, 40):<30} {_with_band(p.cohen_kappa, p.cases):<24} "
        f"on {p.cases:,} cases"
        for p in listing.listed
    ]
    if listing.more:
        lines.append(f"  ... {listing.more:,} more (--json lists them)")
    summary = listing.summary()
    return [*lines, f"  {summary}"] if summary else lines


def _confusion_lines(report: StatsReport) -> list[str]:
    """Two reviewers' buckets against each other: a table, or a list when it is too wide."""
    c = report.shown_confusion
    if c is None:
        return []
    both = sum(map(sum, c.matrix))
    if not both:
        return []
    first, second = (safe_inline(name, 20) for name in c.reviewers)
    same = sum(c.matrix[i][i] for i in range(len(c.buckets)))
    lines = [
        "",
        f"Confusion matrix (rows: {first}, columns: {second})",
        f"  {both:,} cases labeled by both, {same:,} of them with the same bucket",
    ]
    two = report.agreement.confusion is not None
    if not two:
        lines.append("  (the pair sharing the most cases; --reviewers A,B shows another pair)")
    shown = [
        i for i in range(len(c.buckets)) if any(c.matrix[i]) or any(row[i] for row in c.matrix)
    ]
    if len(shown) < len(c.buckets):
        left_out = len(c.buckets) - len(shown)
        lines.append(f"  ({_plural(left_out, 'bucket')} neither gave on these cases: not shown)")
    for cap in _NAME_CAPS:
        table = _confusion_table(c, shown, cap)
        if max(map(len, table)) <= WIDTH:
            return [*lines, *table]
    hint = "--json lists them" if two else "--reviewers with these two and --json list them"
    return [*lines, *_differing_cells(c, hint)]


def _cell(count: int) -> str:
    return f"{count:,}" if count else "·"


def _confusion_table(c: Confusion, shown: list[int], cap: int) -> list[str]:
    """Rows numbered "1 bucket", columns headed by the same numbers, totals on both sides."""
    digits = len(str(len(shown)))
    labels = [f"{n:>{digits}} {safe_inline(c.buckets[i], cap)}" for n, i in enumerate(shown, 1)]
    label_width = max(len("total"), *map(len, labels))
    rows = [[c.matrix[i][j] for j in shown] for i in shown]
    column_totals = [sum(column) for column in zip(*rows, strict=True)]
    grand = sum(column_totals)
    width = max(3, len(f"{grand:,}"))
    total_width = max(len("total"), width)

    def line(label: str, cells: list[str], total: str) -> str:
        body = "".join(f" {cell:>{width}}" for cell in cells)
        return f"  {label:<{label_width}}{body} {total:>{total_width}}"

    out = [line("", [str(n) for n in range(1, len(shown) + 1)], "total")]
    out += [
        line(label, [_cell(x) for x in row], _cell(sum(row)))
        for label, row in zip(labels, rows, strict=True)
    ]
    out.append(line("total", [_cell(x) for x in column_totals], _cell(grand)))
    return out


def _differing_cells(c: Confusion, hint: str) -> list[str]:
    """The off-diagonal cells, most cases first (for a taxonomy too wide for a table)."""
    first, second = (safe_inline(name, 20) for name in c.reviewers)
    cells = sorted(
        (-count, c.buckets[i], c.buckets[j])
        for i, row in enumerate(c.matrix)
        for j, count in enumerate(row)
        if count and i != j
    )
    if not cells:
        return ["  (too many buckets for a table; the two never differ)"]
    lines = ["  (too many buckets for a table; where the two differ, most cases first)"]
    lines += [
        f"  {first} said {safe_inline(a, 24)}, {second} said {safe_inline(b, 24)}: {-n:,}"
        for n, a, b in cells[:CELLS_LISTED]
    ]
    if len(cells) > CELLS_LISTED:
        lines.append(f"  ... {len(cells) - CELLS_LISTED:,} more ({hint})")
    return lines
