"""What each pane of the review screen shows, as safe lines (no UI code here).

Every string from the store goes through :func:`labeler.text.display.make_safe` before it is
shown: control and invisible characters become visible stand-ins, long texts are capped, and
the kinds of hidden characters found are collected for the "hidden characters" badge.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from labeler.cases import Case
from labeler.text.display import make_safe, safe_inline

LINE_CAP = 200_000
"""The longest single line shown: the same as the whole text's cap (make_safe's default)."""

NO_CAP = 1 << 62
"""A limit no text reaches (make_safe's limits must be given)."""

LineKind = Literal["text", "role", "title", "note", "empty", "expected-title", "expected"]

EXPECTED_TITLE = "━━ Expected answer (the reference, not part of the output) ━━"
"""The heading of the expected answer's own section, below the output."""


@dataclass(frozen=True)
class PaneLine:
    """One logical line of a pane (wrapped by the UI)."""

    text: str
    kind: LineKind = "text"


@dataclass
class PaneContent:
    """Lines of one pane, with what was hidden or cut from the raw text."""

    lines: list[PaneLine] = field(default_factory=list)
    hidden: set[str] = field(default_factory=set)
    truncated: bool = False
    start_line: int = 0
    """The line the pane opens at (a chat: its last user message; earlier turns above)."""
    full_text: bool = False
    """No cap at all (a zoomed pane: the reviewer asked for the whole text)."""

    def add_text(self, raw: str | None, kind: LineKind = "text") -> None:
        """Append a raw text, made safe and split into lines. A single line is capped only
        with the whole text (it is wrapped, so it can be read to its end)."""
        if self.full_text:
            safe = make_safe(raw, max_chars=NO_CAP, max_lines=NO_CAP, max_line_chars=NO_CAP)
        else:
            safe = make_safe(raw, max_line_chars=LINE_CAP)
        self.hidden.update(safe.hidden)
        self.truncated = self.truncated or safe.truncated
        self.lines.extend(PaneLine(line, kind) for line in safe.text.split("\n"))


@dataclass
class CaseDisplay:
    """The three panes, the header facts and the badges of one case."""

    input: PaneContent
    context: PaneContent
    output: PaneContent
    case_id: str
    slices: list[tuple[str, str]]
    meta: list[tuple[str, str]]
    hidden: set[str]
    truncated: bool


def _inline(raw: str | None, max_chars: int, hidden: set[str]) -> str:
    """One-line safe text for a header or a title; hidden characters are noted in ``hidden``."""
    if raw:
        hidden.update(make_safe(raw[: max_chars * 2 + 2]).hidden)
    return safe_inline(raw, max_chars)


def _input_pane(case: Case, full_text: bool = False) -> PaneContent:
    pane = PaneContent(full_text=full_text)
    if case.turns:
        last_user = -1
        for i, turn in enumerate(case.turns):
            if i:
                pane.lines.append(PaneLine("", "empty"))
            if i == 0 or turn.role == "user":
                last_user = len(pane.lines)
            pane.lines.append(PaneLine(f"▌{_inline(turn.role, 40, pane.hidden)}", "role"))
            pane.add_text(turn.content)
        pane.start_line = max(last_user, 0)
    else:
        pane.add_text(case.input_text)
    return pane


def _context_pane(case: Case, full_text: bool = False) -> PaneContent:
    pane = PaneContent(full_text=full_text)
    if not case.context:
        pane.lines.append(PaneLine("(no retrieved context)", "note"))
        return pane
    for i, doc in enumerate(case.context, start=1):
        if i > 1:
            pane.lines.append(PaneLine("", "empty"))
        title = _inline(doc.title, 120, pane.hidden) if doc.title else "untitled"
        source = f"  ({_inline(doc.source, 120, pane.hidden)})" if doc.source else ""
        pane.lines.append(PaneLine(f"[{i}] {title}{source}", "title"))
        pane.add_text(doc.text)
    return pane


def _output_pane(case: Case, full_text: bool = False) -> PaneContent:
    pane = PaneContent(full_text=full_text)
    if case.output is None:
        pane.lines.append(PaneLine("(no output: the model produced nothing)", "note"))
    elif case.output == "":
        pane.lines.append(PaneLine("(empty output)", "note"))
    else:
        pane.add_text(case.output)
    if case.expected is not None:
        pane.lines.append(PaneLine("", "empty"))
        pane.lines.append(PaneLine(EXPECTED_TITLE, "expected-title"))
        pane.add_text(case.expected, "expected")
    return pane


def _meta_value(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


META_FIRST = ("prompt_version", "model", "latency_ms", "output_format")


def case_display(case: Case, *, full_text: bool = False) -> CaseDisplay:
    """Build everything the review screen shows about a case (no labels); ``full_text``:
    nothing capped (for a zoomed pane: no text is unreachable)."""
    panes = [
        _input_pane(case, full_text),
        _context_pane(case, full_text),
        _output_pane(case, full_text),
    ]
    hidden: set[str] = set()
    for pane in panes:
        hidden |= pane.hidden
    slices = [
        (_inline(k, 40, hidden), _inline(v, 60, hidden)) for k, v in sorted(case.slices.items())
    ]
    ordered = [k for k in META_FIRST if k in case.meta] + sorted(
        k for k in case.meta if k not in META_FIRST
    )
    meta = [
        (_inline(k, 40, hidden), _inline(_meta_value(case.meta[k]), 80, hidden)) for k in ordered
    ]
    case_id = _inline(case.case_id, 120, hidden)
    return CaseDisplay(
        input=panes[0],
        context=panes[1],
        output=panes[2],
        case_id=case_id,
        slices=slices,
        meta=meta,
        hidden=hidden,
        truncated=any(p.truncated for p in panes),
    )
