"""``stats``: agreement overall and per bucket, and bucket counts per slice."""

from __future__ import annotations

from pathlib import Path

import click

from labeler.cli.common import (
    STORE_ARGUMENT,
    check_by,
    check_reviewers,
    echo_json,
    friendly_errors,
    open_existing,
)
from labeler.stats import StatsRequest, compute_stats
from labeler.stats_report import format_stats


@click.command()
@STORE_ARGUMENT
@click.option("--json", "as_json", is_flag=True, help="One JSON object for scripts.")
@click.option(
    "--by",
    "by",
    multiple=True,
    metavar="KEY",
    help="Split counts by a slice name or meta.<field> (e.g. --by length, "
    "--by meta.prompt_version). Repeatable.",
)
@click.option(
    "--reviewers",
    metavar="A,B,...",
    help="Compute agreement over these reviewers only (two names: Cohen's kappa).",
)
@click.option(
    "--bootstrap",
    type=click.IntRange(0, 100_000),
    default=0,
    show_default=True,
    help="Replicates for a 95% bootstrap interval on alpha (e.g. 1000).",
)
@click.option("--seed", type=int, default=None, help="Seed for the bootstrap (reproducible).")
@friendly_errors
def stats(
    store_path: Path,
    as_json: bool,
    by: tuple[str, ...],
    reviewers: str | None,
    bootstrap: int,
    seed: int | None,
) -> None:
    """Agreement (percent, Cohen, Fleiss, Krippendorff; overall and per bucket) and counts.

    \b
    Agreement uses each reviewer's current label. The final bucket of a case is its
    resolution, else the bucket all its reviewers agree on, else "unresolved" (never
    guessed); cases without labels are "unlabeled". Rates are per 1,000 reviewed cases.
    Metrics that cannot be computed are shown as — (null in --json) with the reason.
    """
    names = tuple(n.strip() for n in reviewers.split(",") if n.strip()) if reviewers else None
    request = StatsRequest(by=by, reviewers=names, bootstrap=bootstrap, seed=seed)
    with open_existing(store_path, write=False) as store:
        check_by(store, by)  # a typo is a usage error naming the known ones, never 0 cases
        check_reviewers(store, names or ())
        report = compute_stats(store, request)
    if as_json:
        echo_json(report.to_json())
    else:
        click.echo("\n".join(format_stats(report)))
