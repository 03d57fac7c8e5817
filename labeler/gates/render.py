"""The gate's results as a plain-text table, a Markdown release decision record, and JSON.

Every untrusted text (bucket keys, slice names and values, rule names, reviewer names,
guidelines) goes through :func:`labeler.text.display.safe_inline`; in Markdown it is also
escaped so it cannot become markup, a link or HTML.

This module is part of the pure core: no textual, rich or click.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from typing import Any

from labeler.gates.evaluate import GateInputs
from labeler.gates.results import GateOutcome, RuleResult
from labeler.gates.spec import GatesSpec
from labeler.gates.to_decide import agreement_plan_text, to_decide_text
from labeler.stats.compute import StatsReport
from labeler.stats.counts import BucketCounts
from labeler.stats.render import pair_listing
from labeler.text.display import safe_inline
from labeler.text.markdown import md

MAX_GROUPS_SHOWN = 50
_SYMBOL = {"<=": "≤", ">=": "≥"}
_VERDICT = {"pass": "PASS", "flag": "FLAG", "block": "BLOCK"}


def verdict_text(result: RuleResult) -> str:
    """PASS, FLAG, BLOCK, or NOT ENOUGH EVIDENCE → flag|block."""
    if result.outcome == "insufficient":
        return f"NOT ENOUGH EVIDENCE → {result.verdict}"
    return _VERDICT[result.verdict]


def _num(value: float, digits: int = 1) -> str:
    text = f"{value:,.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _pct(value: float) -> str:
    return f"{_num(value * 100, 2)}%"


def value_text(r: RuleResult) -> str:
    """The measured value, with what it was measured on."""
    if r.value is None:
        return "—"
    if r.kind == "must_pass":
        return f"{r.count:,} of {r.n:,} cases"
    if r.regression is not None:
        base, cand = r.regression.baseline, r.regression.candidate
        sign = "+" if r.value >= 0 else ""
        return f"{sign}{_num(r.value)}/1k ({base.k:,}/{base.n:,} → {cand.k:,}/{cand.n:,})"
    if r.unit == "per_1000":
        return f"{_num(r.value)}/1k ({r.count:,} of {r.n:,})"
    if r.unit == "share":
        return f"{_pct(r.value)} ({r.count:,} of {r.n:,})"
    return f"p{r.percentile} {_num(r.value, 0)} ms"


def interval_text(r: RuleResult) -> str:
    """The 95% interval (Wilson's; marked "anytime" for the confidence sequence), or — (latency
    has none)."""
    if r.interval is None:
        return "—"
    low, high = r.interval
    mark = " anytime" if r.interval_method == "anytime" else ""
    if r.unit == "share":
        return f"[{_num(low * 100, 2)}, {_num(high * 100, 2)}]%{mark}"
    return f"[{_num(low)}, {_num(high)}]/1k{mark}"


def notes(r: RuleResult) -> list[str]:
    """Lines under a rule besides its reasons: its scope's sampling, and its plan (--plan)."""
    out: list[str] = []
    if r.sampling is not None and not r.sampling.random_prefix and r.slice is not None:
        out.append(
            f"sampling: NOT a random-order prefix in {safe_inline(r.slice, 60)} "
            f"({r.sampling.holes:,} unlabeled inside it, {r.sampling.strays:,} labeled beyond it)"
        )
    if r.to_decide is not None:
        out.append(f"to decide: {to_decide_text(r.to_decide)}")
        if r.to_decide.agreement is not None:
            out.append(f"agreement: {agreement_plan_text(r.to_decide.agreement)}")
    return out


def intervals_line(outcome: GateOutcome) -> str:
    """Which 95% intervals the rules use."""
    used = {r.interval_method for r in outcome.results if r.interval_method is not None}
    words = {
        "wilson": "Wilson (right for one planned look)",
        "anytime": "anytime (valid however often the gate runs)",
    }
    shown = " and ".join(words[m] for m in ("wilson", "anytime") if m in used)
    return f"95% intervals: {shown or 'none (no rule has one)'}"


def sampling_lines(stats: StatsReport) -> list[str]:
    """The store's sampling line, and what is wrong with it when it is not a prefix."""
    return [stats.sampling.summary(), *(f"  ! {line}" for line in stats.sampling.details())]


def threshold_text(r: RuleResult) -> str:
    """The threshold and the bound it is compared with."""
    symbol = _SYMBOL[r.comparison]
    if r.kind == "must_pass":
        return "0 cases"
    if r.regression is not None:
        text = f"increase {symbol} {_num(r.threshold, 3)}/1k"
    elif r.unit == "per_1000":
        text = f"{symbol} {_num(r.threshold, 3)}/1k"
    elif r.unit == "share":
        text = f"{symbol} {_pct(r.threshold)}"
    else:
        text = f"{symbol} {_num(r.threshold, 0)} ms"
    return text + (f" ({r.bound} bound)" if r.bound != "point" else "")


def evidence_text(r: RuleResult) -> str:
    """Cases measured, agreement, unresolved cases."""
    parts = [f"n {r.n:,}" + (f"/{r.min_n:,}" if r.min_n else "")]
    if r.agreement_metric is not None:
        symbol = "α" if r.agreement_metric == "alpha" else "κ"
        shown = "—" if r.agreement is None else f"{r.agreement:.2f}"
        if r.agreement_vacuous:
            shown = "— (bucket unused)"
        parts.append(f"{symbol} {shown}" + (f"/{r.min_agreement:g}" if r.min_agreement else ""))
    if r.unresolved_in_bucket is not None:
        parts.append(f"unres {r.unresolved_in_scope:,} ({r.unresolved_in_bucket:,} in bucket)")
    elif r.unresolved_in_scope:
        parts.append(f"unres {r.unresolved_in_scope:,}")
    return " · ".join(parts)


def _scope(r: RuleResult) -> str:
    return "all cases" if r.slice is None else r.slice


def _row(r: RuleResult) -> list[str]:
    return [
        str(r.index + 1),
        safe_inline(r.name, 40),
        safe_inline(_scope(r), 30),
        value_text(r),
        interval_text(r),
        threshold_text(r),
        evidence_text(r),
        verdict_text(r),
    ]


HEADERS = ["#", "rule", "scope", "value", "95% interval", "threshold", "evidence", "verdict"]


def _summary(outcome: GateOutcome) -> str:
    verdicts = [r.verdict for r in outcome.results]
    insufficient = sum(1 for r in outcome.results if r.outcome == "insufficient")
    return (
        f"{verdicts.count('pass')} pass, {verdicts.count('flag')} flag, "
        f"{verdicts.count('block')} block ({insufficient} without enough evidence)"
    )


def format_table(
    outcome: GateOutcome, inputs: GateInputs, spec: GatesSpec, width: int | None = None
) -> list[str]:
    """The terminal report: one row per rule, reasons under it, then the decision.

    When the table would be wider than ``width`` (a terminal's columns), each rule is shown as
    a short block of lines instead, wrapped at ``width``.
    """
    rows = [HEADERS, *(_row(r) for r in outcome.results)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADERS))]
    table_width = sum(widths) + 2 * (len(widths) - 1)
    stats = inputs.stats
    lines = [
        f"gates {safe_inline(spec.source, 80)}: {len(outcome.results)} rule(s) on "
        f"{stats.cases:,} cases, {stats.counts.overall.reviewed:,} reviewed, "
        f"{stats.status.unresolved:,} unresolved",
        intervals_line(outcome),
        *sampling_lines(stats),
        "",
    ]
    if width is not None and table_width > width:
        lines += _rule_blocks(outcome, max(width, 40))
    else:
        for number, row in enumerate(rows):
            cells = zip(row, widths, strict=True)
            lines.append("  ".join(cell.ljust(w) for cell, w in cells).rstrip())
            if number:
                for reason in outcome.results[number - 1].reasons:
                    lines.append(f"{'':{widths[0]}}  ↳ {safe_inline(reason, 160)}")
                for note in notes(outcome.results[number - 1]):
                    lines.append(f"{'':{widths[0]}}  · {note}")
    if not inputs.consistent:
        lines += ["", "note: the store changed while it was read; run the gate again to confirm"]
    lines += ["", f"Decision: {outcome.decision_text}   ({_summary(outcome)})"]
    if width is not None and table_width > width:
        # The narrow form: no line wider than the terminal, the first and last ones included.
        lines = [part for line in lines for part in textwrap.wrap(line, max(width, 40)) or [""]]
    return lines


def _rule_blocks(outcome: GateOutcome, width: int) -> list[str]:
    """The narrow form: per rule, its name and verdict, then what was measured, wrapped."""
    lines: list[str] = []
    indent = " " * 4
    for r in outcome.results:
        head = f"{r.index + 1:<3} {safe_inline(r.name, 40)}"
        verdict = verdict_text(r)
        gap = width - len(head) - len(verdict)
        lines.append(f"{head}{' ' * gap}{verdict}" if gap >= 2 else f"{head}  {verdict}")
        measured = [
            safe_inline(_scope(r), 30),
            f"value {value_text(r)}",
            f"95% {interval_text(r)}" if r.interval is not None else "",
            f"threshold {threshold_text(r)}",
        ]
        lines += _fill([part for part in measured if part], width, indent)
        lines += _fill([f"evidence {evidence_text(r)}"], width, indent)
        for reason in r.reasons:
            lines += textwrap.wrap(
                f"↳ {safe_inline(reason, 160)}",
                width,
                initial_indent=indent,
                subsequent_indent=indent + "  ",
            )
        for note in notes(r):
            lines += textwrap.wrap(
                f"· {note}", width, initial_indent=indent, subsequent_indent=indent + "  "
            )
    return lines


def _fill(items: list[str], width: int, indent: str) -> list[str]:
    """Items joined by " · ", a line broken only between items (an item is never split)."""
    lines: list[str] = []
    line = ""
    for item in items:
        joined = f"{line} · {item}" if line else item
        if line and len(indent) + len(joined) > width:
            lines.append(indent + line)
            line = item
        else:
            line = joined
    if line:
        lines.append(indent + line)
    return lines


def gate_json(
    outcome: GateOutcome, inputs: GateInputs, spec: GatesSpec, store: str
) -> dict[str, Any]:
    """The machine form: decision, exit status, every rule with all its fields, the store."""
    return {
        "decision": outcome.decision,
        "decision_text": outcome.decision_text,
        "exit_status": outcome.exit_status,
        "summary": {
            "pass": sum(1 for r in outcome.results if r.verdict == "pass"),
            "flag": sum(1 for r in outcome.results if r.verdict == "flag"),
            "block": sum(1 for r in outcome.results if r.verdict == "block"),
            "insufficient": sum(1 for r in outcome.results if r.outcome == "insufficient"),
        },
        "rules": [r.to_json() for r in outcome.results],
        "gates_file": {"path": spec.source, "sha256": spec.sha256, "interval": spec.interval},
        "store": _store_state(inputs, store),
        "sampling": inputs.stats.sampling.to_json(),
    }


def dumps_json(value: Any) -> str:
    """JSON with every non-ASCII character escaped (safe on any terminal) and no NaN."""
    return json.dumps(value, indent=2, ensure_ascii=True, allow_nan=False)


def _store_state(inputs: GateInputs, store: str) -> dict[str, Any]:
    stats, facts = inputs.stats, inputs.facts
    return {
        "path": store,
        "schema_version": facts.schema_version,
        "read_at": facts.read_at,
        "cases": stats.cases,
        "labels": stats.labels,
        "reviewed": stats.counts.overall.reviewed,
        "status": stats.status.to_json(),
        "consistent_read": inputs.consistent,
    }


def _md_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return out


def _agree(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def markdown_report(outcome: GateOutcome, inputs: GateInputs, spec: GatesSpec, store: str) -> str:
    """The release decision record: results, decision, store state, taxonomy, agreement, counts."""
    stats, facts = inputs.stats, inputs.facts
    out = [f"# Release gate: {outcome.decision_text}", ""]
    out += [
        f"Decision: **{outcome.decision_text}** (exit status {outcome.exit_status}): "
        f"{_summary(outcome)}.",
        "",
    ]
    if not inputs.consistent:
        out += ["> The store changed while it was read; run the gate again to confirm.", ""]
    out += [f"{md(intervals_line(outcome))}.", ""]
    sampling = stats.sampling
    if sampling.random_prefix:
        out += [f"{md(sampling.summary())}.", ""]
    else:
        out += [f"> **{md(sampling.summary())}**", ">"]
        out += [f"> - {md(line, 400)}" for line in sampling.details()]
        out += [""]
    out += ["## Rules", ""]
    rows = []
    for r in outcome.results:
        cells = _row(r)
        rows.append(
            [
                cells[0],
                md(r.name, 80),
                md(_scope(r), 60),
                *(md(c) for c in cells[3:7]),
                f"**{md(cells[7])}**",
            ]
        )
    out += _md_table(
        ["#", "Rule", "Scope", "Value", "95% interval", "Threshold", "Evidence", "Verdict"], rows
    )
    why = [(r, reason) for r in outcome.results for reason in r.reasons]
    if why:
        out += ["", "Why some rules have no verdict yet or fail:", ""]
        out += [f"- rule {r.index + 1} ({md(r.name, 80)}): {md(reason, 300)}" for r, reason in why]
    more = [(r, note) for r in outcome.results for note in notes(r)]
    if more:
        out += ["", "Notes:", ""]
        out += [f"- rule {r.index + 1} ({md(r.name, 80)}): {md(note, 400)}" for r, note in more]
    state = _store_state(inputs, store)
    status = ", ".join(f"{k} {v:,}" for k, v in stats.status.items())
    out += [
        "",
        "## Store",
        "",
        f"- Store: {md(store, 300)}",
        f"- Schema version: {state['schema_version']}",
        f"- Read at (UTC): {state['read_at']}",
        f"- Cases: {state['cases']:,}; reviewed {state['reviewed']:,}; labels {state['labels']:,}",
        f"- Status: {status}",
        f"- Gates file: {md(spec.source, 300)} (sha256 {spec.sha256})",
    ]
    out += ["", "## Taxonomy", ""]
    out += _md_table(
        ["Key", "Name", "Must pass", "Guideline"],
        [
            [md(b.key, 64), md(b.name, 100), "yes" if b.must_pass else "no", md(b.description, 300)]
            for b in inputs.taxonomy.buckets
        ],
    )
    out += ["", "## Reviewers", ""]
    out += _md_table(
        ["Reviewer", "Labels"],
        [[md(name, 60), f"{n:,}"] for name, n in facts.reviewer_labels.items()],
    )
    out += _agreement_section(stats)
    out += _counts_section(stats)
    return "\n".join(out) + "\n"


def _agreement_section(stats: StatsReport) -> list[str]:
    a = stats.agreement
    out = [
        "",
        "## Agreement",
        "",
        f"- Percent agreement: {_agree(a.percent_agreement)}",
        f"- Cohen's kappa: {_agree(a.cohen_kappa)}",
        f"- Fleiss' kappa: {_agree(a.fleiss_kappa)}",
        f"- Krippendorff's alpha: {_agree(a.krippendorff_alpha)}",
        f"- Gwet's AC1: {_agree(a.gwet_ac1)}",
        f"- Cases labeled by two or more reviewers: {a.pairable_items:,}",
        "",
    ]
    out += _md_table(
        ["Bucket", "Labels", "Alpha", "Kappa", "AC1"],
        [
            [
                md(key, 64),
                f"{b.labels:,}",
                _agree(b.krippendorff_alpha),
                _agree(b.cohen_kappa),
                _agree(b.gwet_ac1),
            ]
            for key, b in a.per_bucket.items()
        ],
    )
    paradox = a.paradox_notes()
    if paradox:
        out += ["", *(f"- Note: {md(note, 400)}" for note in paradox)]
    if a.pairwise:
        out += ["", "Pairs (Cohen's kappa):"]
        listing = pair_listing(a.pairwise.values())
        if listing.listed:
            out.append("")
        out += [
            f"- {md(p.key, 120)}: {_agree(p.cohen_kappa)} on {p.cases:,} cases"
            for p in listing.listed
        ]
        if listing.more:
            out.append(f"- ... {listing.more:,} more (`labeler stats --json` lists them)")
        summary = listing.summary()
        if summary:
            out += ["", f"{summary[0].upper()}{summary[1:]}."]
    return out


def _counts_rows(counts: BucketCounts) -> list[list[str]]:
    rows = []
    for name, c in counts.buckets.items():
        rate = "—" if c.rate_per_1000 is None else _num(c.rate_per_1000)
        rows.append([md(name, 64), f"{c.cases:,}", rate])
    return rows


def _counts_section(stats: StatsReport) -> list[str]:
    counts = stats.counts.overall
    out = [
        "",
        "## Counts",
        "",
        f"All cases: {counts.cases:,}, reviewed {counts.reviewed:,}.",
        "",
    ]
    out += _md_table(["Final bucket", "Cases", "Per 1,000 reviewed"], _counts_rows(counts))
    for key, groups in stats.counts.by.items():
        if len(groups) > MAX_GROUPS_SHOWN:
            out += [
                "",
                f"({md(key, 60)} has {len(groups):,} values; the first "
                f"{MAX_GROUPS_SHOWN} are shown)",
            ]
        for value, group in list(groups.items())[:MAX_GROUPS_SHOWN]:
            out += [
                "",
                f"### {md(key, 60)}={md(value, 60)}",
                "",
                f"Cases: {group.cases:,}, reviewed {group.reviewed:,}.",
                "",
            ]
            out += _md_table(["Final bucket", "Cases", "Per 1,000 reviewed"], _counts_rows(group))
    return out
