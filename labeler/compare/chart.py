"""The comparison as a text chart a person reads at a glance, in at most 80 columns.

One line per bucket × slice: the two rates, the difference with its 95% interval drawn with
block characters on a shared scale (``▒`` the interval, ``█`` the point, ``│`` zero), and the
numbers. Regressions come first, then improvements, then cells without evidence either way;
cells where neither version has a case are counted, not drawn. The meta metrics follow in the
same form. Every untrusted name goes through :func:`labeler.text.display.safe_inline`, and
widths are counted in terminal columns (a wide character takes two).

Shared by ``labeler compare`` and the TUI stats screen. This module is part of the pure core:
no textual, rich or click.
"""

from __future__ import annotations

import textwrap
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from labeler.compare.headline import bucket_name, metric_label, number, signed
from labeler.compare.results import (
    IMPROVED,
    NO_EVIDENCE,
    REGRESSED,
    VERDICT_ORDER,
    Cell,
    CompareReport,
    MetricCell,
)
from labeler.text.display import safe_inline

WIDTH = 80
_SECTION: dict[str, str] = {
    REGRESSED: "REGRESSED: the whole interval is worse",
    IMPROVED: "improved: the whole interval is better",
    NO_EVIDENCE: "no evidence either way",
}


@dataclass(frozen=True)
class _Item:
    """One chart line before layout."""

    verdict: str
    name: str
    where: str
    base: str
    cand: str
    low: float | None
    point: float | None
    high: float | None
    mark: str = ""

    @property
    def numbers(self) -> str:
        """``+31 [+9, +58]`` and the unresolved mark."""
        return _diff_text(self.point, self.low, self.high) + self.mark


def columns(text: str) -> int:
    """Terminal columns ``text`` takes (wide characters two, combining marks none)."""
    total = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        total += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return total


def fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` columns (ending in "…" when cut) and padded to exactly it."""
    if width <= 0:
        return ""
    if columns(text) > width:
        out = ""
        for char in text:
            if columns(out + char) > width - 1:
                break
            out += char
        text = out + "…"
    return text + " " * (width - columns(text))


def _label(name: str, where: str, width: int) -> str:
    """``bucket · slice`` in ``width`` columns; a long bucket name gives way to the slice."""
    if columns(name) + 3 + columns(where) > width:
        name = fit(name, max(min(columns(name), width // 2 - 2), 6)).rstrip()
    return fit(f"{name} · {where}", width)


def _bar(item: _Item, scale: float, width: int) -> str:
    zero = width // 2
    half = max(width // 2 - 1, 1)

    def at(value: float) -> int:
        return max(0, min(width - 1, zero + round(value / scale * half)))

    cells = [" "] * width
    if item.low is not None and item.high is not None:
        for i in range(at(item.low), at(item.high) + 1):
            cells[i] = "▒"
        if item.low < -scale:
            cells[0] = "◂"
        if item.high > scale:
            cells[width - 1] = "▸"
    cells[zero] = "│"
    if item.point is not None:
        cells[at(item.point)] = "█"
    return "".join(cells)


def _scale(items: Sequence[_Item]) -> float:
    """The chart's bound: every point fits, and most intervals (a few very wide ones are cut,
    marked ◂ ▸); rounded up to 1, 2 or 5 × 10^k."""
    points = [abs(i.point) for i in items if i.point is not None]
    bounds = sorted(abs(v) for i in items for v in (i.low, i.high) if v is not None)
    top = max(points, default=0.0)
    if bounds:
        top = max(top, bounds[int(0.9 * (len(bounds) - 1))])
    if top <= 0:
        return 1.0
    step = 1.0
    while step * 10 <= top:
        step *= 10
    while step > top:
        step /= 10
    return next(f * step for f in (1, 2, 5, 10) if f * step >= top)


def _compact(value: float) -> str:
    """``500``, ``2k``, ``20k``: an axis label."""
    if value >= 1000 and value % 1000 == 0:
        return f"{value / 1000:g}k"
    return number(value)


def _axis(scale: float, width: int) -> str:
    """``-60     0     +60`` over the bar (the labels that fit)."""
    cells = [" "] * width
    zero = width // 2
    cells[zero] = "0"
    left, right = f"-{_compact(scale)}", f"+{_compact(scale)}"
    if len(left) < zero - 1:
        cells[: len(left)] = left
    if len(right) < width - zero - 2:
        cells[width - len(right) :] = right
    return "".join(cells)


def _rows(items: Sequence[_Item], title: str, head: tuple[str, str], width: int) -> list[str]:
    """The lines of one chart: a title, the axis, the columns' heads, then the items."""
    if not items:
        return []
    value_w = max(5, *(columns(v) for i in items for v in (i.base, i.cand)))
    diff_w = min(20, max(columns(i.numbers) for i in items))
    label_w = min(30, max(columns(f"{i.name} · {i.where}") for i in items))
    bar_w = width - label_w - 2 * value_w - diff_w - 6
    if bar_w < 15:
        label_w = max(12, label_w - (15 - bar_w))
        bar_w = width - label_w - 2 * value_w - diff_w - 6
    scale = _scale(items)
    lines = textwrap.wrap(title, width)
    left = fit("", label_w + 1) + fit(head[0].rjust(value_w), value_w) + " "
    left += fit(head[1].rjust(value_w), value_w) + "  "
    lines.append(fit(left + _axis(scale, bar_w) + " difference [95%]", width).rstrip())
    verdict = None
    for item in items:
        if item.verdict != verdict:
            lines.append(f"  {_SECTION[item.verdict]}")
            verdict = item.verdict
        line = (
            f"{_label(item.name, item.where, label_w)} {fit(item.base.rjust(value_w), value_w)} "
            f"{fit(item.cand.rjust(value_w), value_w)}  {_bar(item, scale, bar_w)} "
            f"{item.numbers}"
        )
        lines.append(fit(line, width).rstrip())
    return lines


def _rate(value: float | None) -> str:
    return "—" if value is None else number(value)


def _diff_text(point: float | None, low: float | None, high: float | None) -> str:
    if point is None:
        return "—"
    if low is None or high is None:
        return signed(point)
    return f"{signed(point)} [{signed(low)}, {signed(high)}]"


def _mark(cell: Cell) -> str:
    if cell.unresolved.counted:
        return "†"
    return "*" if cell.unresolved.baseline or cell.unresolved.candidate else ""


def _where(slice_text: str | None) -> str:
    return "all" if slice_text is None else safe_inline(slice_text, 80)


def _cell_items(cells: Sequence[Cell]) -> list[_Item]:
    shown = [c for c in cells if c.baseline.k or c.candidate.k or c.unresolved.counted]
    shown.sort(key=lambda c: (VERDICT_ORDER[c.verdict], -(c.difference_per_1000 or 0.0)))
    return [
        _Item(
            verdict=c.verdict,
            name=bucket_name(c.bucket),
            where=_where(c.slice),
            base=_rate(c.baseline.per_1000),
            cand=_rate(c.candidate.per_1000),
            low=None if c.ci95 is None else c.ci95[0],
            point=c.difference_per_1000,
            high=None if c.ci95 is None else c.ci95[1],
            mark=_mark(c),
        )
        for c in shown
    ]


def _metric_value(metric: MetricCell, value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.1f}%" if metric.unit == "share" else number(value)


def _metric_items(metrics: Sequence[MetricCell]) -> list[_Item]:
    items = []
    for m in sorted(metrics, key=lambda m: VERDICT_ORDER[m.verdict]):
        f = 100.0 if m.unit == "share" else 1.0
        items.append(
            _Item(
                verdict=m.verdict,
                name=metric_label(m),
                where=_where(m.slice),
                base=_metric_value(m, m.baseline.value),
                cand=_metric_value(m, m.candidate.value),
                low=None if m.ci95 is None else m.ci95[0] * f,
                point=None if m.difference is None else m.difference * f,
                high=None if m.ci95 is None else m.ci95[1] * f,
            )
        )
    return items


def format_compare(report: CompareReport, width: int = WIDTH) -> list[str]:
    """The whole text report as lines, none wider than ``width`` columns (at least 60)."""
    width = max(60, width)
    base, cand = safe_inline(report.baseline, 12), safe_inline(report.candidate, 12)
    design = (
        f"paired on {safe_inline(report.pair_key, 30)}, {report.pairs:,} pair"
        + ("" if report.pairs == 1 else "s")
        if report.paired
        else "unpaired"
    )
    lines = textwrap.wrap(
        f"compare {safe_inline(report.baseline, 40)} → {safe_inline(report.candidate, 40)} by "
        f"{safe_inline(report.by, 40)} ({design}): {base} {report.cases[0]:,} cases, "
        f"{report.reviewed[0]:,} reviewed; {cand} {report.cases[1]:,} cases, "
        f"{report.reviewed[1]:,} reviewed",
        width,
    )
    lines += ["", *textwrap.wrap(report.headline, width), ""]
    items = _cell_items(report.cells)
    title = "Failure buckets per 1,000 reviewed " + ("pairs" if report.paired else "cases")
    lines += _rows(items, title + ": the difference with its 95% interval", (base, cand), width)
    hidden = len(report.cells) - len(items)
    if hidden:
        lines += textwrap.wrap(
            f"({hidden:,} cells where neither version has a case are not drawn)", width
        )
    if any(c.unresolved.baseline or c.unresolved.candidate for c in report.cells):
        lines += textwrap.wrap(
            "* unresolved disagreements named this bucket (they count in no bucket yet); "
            f"† they could flip the verdict, so the {cand} ones are counted against it",
            width,
        )
    charts = (
        ("share", "JSON outputs that parse (%; the difference in points)"),
        ("ms", "Latency (ms)"),
    )
    for unit, title in charts:
        metric_items = _metric_items([m for m in report.metrics if m.unit == unit])
        if metric_items:
            lines.append("")
            lines += _rows(metric_items, title, (base, cand), width)
    for note in report.notes:
        lines += ["", *textwrap.wrap(f"note: {note}", width)]
    if not report.consistent:
        lines += ["", "note: the store changed while it was read; run compare again to confirm"]
    return [line if columns(line) <= width else fit(line, width) for line in lines]
