"""``labeler progress``: per reviewer, how far the labeling has come (for a lead planning the week).

For each reviewer with a label on a current case (in the ``--slice`` filters): labels given,
cases left in their queue (fewer than ``overlap`` labels and none of theirs), their labeled cases
that have full overlap, the disagreements among their cases still open and resolved, and their
pace: labels per hour over their last session (a run of labels with no gap longer than
:data:`SESSION_GAP`; None for a session of a single label).

This module is part of the pure core: no textual, rich or click.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from labeler.slice_filter import SliceFilter
from labeler.stats.block_sampling import block_sampling
from labeler.stats.sampling_result import Sampling
from labeler.stats.walked_prefix import walked_prefix
from labeler.store.connection import Store
from labeler.store.progress_queries import (
    label_times,
    open_case_count,
    reviewer_disagreements,
    reviewer_label_counts,
)
from labeler.store.tallies import (
    ReviewerTally,
    read_case_tallies,
    read_reviewer_tallies,
)

SESSION_GAP = timedelta(minutes=30)
"""A pause longer than this between two labels starts a new session."""


@dataclass(frozen=True)
class ReviewerProgress:
    """One reviewer's row of the progress report."""

    reviewer: str
    labels: int
    left_in_queue: int
    full_overlap: int
    disagreements_open: int
    disagreements_resolved: int
    labels_per_hour: float | None
    """Over the last session; None when it holds fewer than two labels."""

    def to_json(self) -> dict[str, Any]:
        return {
            "reviewer": self.reviewer,
            "labels": self.labels,
            "left_in_queue": self.left_in_queue,
            "full_overlap": self.full_overlap,
            "disagreements_open": self.disagreements_open,
            "disagreements_resolved": self.disagreements_resolved,
            "labels_per_hour": self.labels_per_hour,
        }


@dataclass(frozen=True)
class ProgressReport:
    """Every reviewer's progress, by name."""

    reviewers: tuple[ReviewerProgress, ...]
    overlap: int
    slices: tuple[SliceFilter, ...]
    sampling: Sampling | None = None
    """Whether the labeled cases (in the slices) are a prefix of the store's random order."""

    def to_json(self) -> dict[str, Any]:
        return {
            "reviewers": [r.to_json() for r in self.reviewers],
            "overlap": self.overlap,
            "slices": {name: value for name, value in self.slices},
            "session_gap_minutes": int(SESSION_GAP.total_seconds() // 60),
            "sampling": None if self.sampling is None else self.sampling.to_json(),
        }


def _parse(at: str) -> datetime:
    return datetime.fromisoformat(at.replace("Z", "+00:00"))


def session_pace(times_newest_first: Sequence[str], gap: timedelta = SESSION_GAP) -> float | None:
    """Labels per hour over the last session: the newest run of labels with no pause over
    ``gap``. None when that run holds fewer than two labels (no span to divide by)."""
    if len(times_newest_first) < 2:
        return None
    newest = _parse(times_newest_first[0])
    count, earliest = 1, newest
    for at in times_newest_first[1:]:  # parsed as far as the session goes, no further
        stamp = _parse(at)
        if earliest - stamp > gap:
            break
        count, earliest = count + 1, stamp
    span = (newest - earliest).total_seconds()
    if count < 2 or span <= 0:
        return None
    # n labels over the span measure n - 1 intervals.
    return round((count - 1) * 3600 / span, 1)


def compute_progress(
    store: Store, slices: Sequence[SliceFilter] = (), overlap: int = 2
) -> ProgressReport:
    """The progress of every reviewer with a label on a current case in ``slices``.

    Without ``--slice`` the counts are read from the ones the store keeps as labels are written
    (:mod:`labeler.store.tallies`), and the sampling line from the order's index when the
    labeled cases are a random-order prefix (a few rows, whatever the store's size), else from
    the order's kept block tallies and the cases of a block or two
    (:mod:`labeler.stats.block_sampling`). With ``--slice`` they are counted.
    """
    sampling: Sampling | None
    if slices:
        labeled = reviewer_label_counts(store, slices, overlap)
        split = reviewer_disagreements(store, slices) if labeled else {}
        open_cases = open_case_count(store, slices, overlap) if labeled else 0
        sampling = None
    else:
        with store.snapshot() as conn:
            case_tallies = read_case_tallies(conn)
            reviewer_tallies = read_reviewer_tallies(conn)
            sampling = walked_prefix(conn, case_tallies) or block_sampling(
                conn, sorted({t.label_count for t in case_tallies})
            )
        labeled, split = _reviewer_counts(reviewer_tallies, overlap)
        open_cases = sum(t.cases for t in case_tallies if t.label_count < overlap)
    if sampling is None:
        from labeler.stats.compute import slice_sampling  # numpy: only for --slice

        sampling = slice_sampling(store, slices)
    rows = []
    for reviewer, (labels, full, below) in labeled.items():
        still_open, resolved = split.get(reviewer, (0, 0))
        rows.append(
            ReviewerProgress(
                reviewer=reviewer,
                labels=labels,
                # Their queue: the cases below the overlap, less those they labeled.
                left_in_queue=open_cases - below,
                full_overlap=full,
                disagreements_open=still_open,
                disagreements_resolved=resolved,
                labels_per_hour=session_pace(label_times(store, reviewer)),
            )
        )
    return ProgressReport(tuple(rows), overlap, tuple(slices), sampling)


def _reviewer_counts(
    tallies: Sequence[ReviewerTally], overlap: int
) -> tuple[dict[str, tuple[int, int, int]], dict[str, tuple[int, int]]]:
    """From the kept tally: reviewer -> (labels, on cases at the overlap, below it) and
    reviewer -> (open, resolved) disagreements, as :mod:`labeler.store.progress_queries`
    counts them (a disagreement: a case whose labels name two buckets or more)."""
    labels: dict[str, int] = {}
    below: dict[str, int] = {}
    split: dict[str, tuple[int, int]] = {}
    for t in tallies:
        labels[t.reviewer] = labels.get(t.reviewer, 0) + t.labels
        if t.label_count < overlap:
            below[t.reviewer] = below.get(t.reviewer, 0) + t.labels
        if t.bucket_count > 1:
            still_open, resolved = split.get(t.reviewer, (0, 0))
            if t.resolved:
                resolved += t.labels
            else:
                still_open += t.labels
            split[t.reviewer] = (still_open, resolved)
    counts = {
        reviewer: (n, n - below.get(reviewer, 0), below.get(reviewer, 0))
        for reviewer, n in sorted(labels.items())
        if n > 0
    }
    return counts, split


def format_progress(report: ProgressReport) -> list[str]:
    """The report as a plain table (names made safe by the caller's terminal layer)."""
    header = ("reviewer", "labels", "left", "full overlap", "open", "resolved", "labels/h")
    table = [header]
    for r in report.reviewers:
        pace = "—" if r.labels_per_hour is None else f"{r.labels_per_hour:g}"
        table.append(
            (
                r.reviewer,
                str(r.labels),
                str(r.left_in_queue),
                str(r.full_overlap),
                str(r.disagreements_open),
                str(r.disagreements_resolved),
                pace,
            )
        )
    if len(table) == 1:
        return ["no labels yet" + _scope(report)]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    lines = [f"progress{_scope(report)} (overlap {report.overlap}; disagreements: open, resolved)"]
    for row in table:
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    if report.sampling is not None:
        lines += ["", report.sampling.summary()]
        lines += [f"  ! {line}" for line in report.sampling.details()]
    return lines


def _scope(report: ProgressReport) -> str:
    if not report.slices:
        return ""
    return " in " + ", ".join(f"{name}={value}" for name, value in report.slices)
