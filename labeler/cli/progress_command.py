"""``progress``: per reviewer, labels, queue left, overlap, disagreements and pace."""

from __future__ import annotations

from pathlib import Path

import click

from labeler.cli.common import (
    STORE_ARGUMENT,
    check_slices,
    echo_json,
    friendly_errors,
    open_existing,
    parse_slices,
    safe_message,
    slice_option,
)
from labeler.review.progress import compute_progress, format_progress


@click.command()
@STORE_ARGUMENT
@click.option("--json", "as_json", is_flag=True, help="One JSON object for scripts.")
@slice_option()
@click.option(
    "--overlap",
    default=2,
    show_default=True,
    type=click.IntRange(1, 50),
    help="Labels a case needs (as in review): sets the queue left and full overlap.",
)
@friendly_errors
def progress(store_path: Path, as_json: bool, slices: tuple[str, ...], overlap: int) -> None:
    """Per reviewer: labels given, cases left in their queue, cases with full overlap,
    disagreements open and resolved, and pace, for a lead planning the week.

    \b
    Pace is labels per hour over the reviewer's last session (labels given in review, with
    no pause longer than 30 minutes); — (null in --json) for a session of one label.
    --json: {"reviewers": [{"reviewer", "labels", "left_in_queue", "full_overlap",
    "disagreements_open", "disagreements_resolved", "labels_per_hour"}], "overlap",
    "slices", "session_gap_minutes"}.
    """
    filters = parse_slices(slices)
    with open_existing(store_path, write=False) as store:
        check_slices(store, filters)
        report = compute_progress(store, filters, overlap)
    if as_json:
        echo_json(report.to_json())
    else:
        click.echo(safe_message("\n".join(format_progress(report))))
