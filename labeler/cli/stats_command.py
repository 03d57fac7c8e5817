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
from labeler.stats.compute import StatsRequest, compute_stats
from labeler.stats.render import format_stats


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
@click.option(
    "--plan",
    is_flag=True,
    help="Add how many more cases: doubly labeled ones per bucket for alpha at 0.667 and 0.8 "
    "(or the --gates file's min_agreement), and with --gates each rule's further cases.",
)
@click.option(
    "--gates",
    "gates_path",
    metavar="GATES.toml",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --plan: plan the rules of this gates file, in their scopes and in each --by slice.",
)
@friendly_errors
def stats(
    store_path: Path,
    as_json: bool,
    by: tuple[str, ...],
    reviewers: str | None,
    bootstrap: int,
    seed: int | None,
    plan: bool,
    gates_path: Path | None,
) -> None:
    """Agreement (percent, Cohen, Fleiss, Krippendorff; overall and per bucket) and counts.

    \b
    Agreement uses each reviewer's current label. The final bucket of a case is its
    resolution, else the bucket all its reviewers agree on, else "unresolved" (never
    guessed); cases without labels are "unlabeled". Rates are per 1,000 reviewed cases.
    Metrics that cannot be computed are shown as — (null in --json) with the reason.
    Agreement words ("substantial") need 30 cases labeled twice (5 in a bucket); below
    that they read "too few cases". --by splits agreement as well as the counts. The first
    line says whether the labeled cases are a prefix of the store's random order (a random
    sample), and loudly when they are not. Pairs of reviewers are listed when they share
    cases (--json lists every pair); the confusion matrix is the two reviewers' (with more,
    the pair sharing the most cases: --reviewers A,B picks another).
    """
    if gates_path is not None and not plan:
        raise click.UsageError("--gates goes with --plan")
    names = tuple(n.strip() for n in reviewers.split(",") if n.strip()) if reviewers else None
    request = StatsRequest(by=by, reviewers=names, bootstrap=bootstrap, seed=seed)
    spec = None
    if gates_path is not None:
        from labeler.gates import GatesFileError, load_gates_file

        try:
            spec = load_gates_file(str(gates_path))
        except GatesFileError as exc:
            raise click.ClickException(str(exc)) from None
    with open_existing(store_path, write=False) as store:
        if by:
            check_by(store, by)  # a typo is a usage error naming the known ones, never 0 cases
        check_reviewers(store, names or ())
        report = compute_stats(store, request)
        planned = None
        if plan:
            from labeler.gates import GatesFileError
            from labeler.gates.stats_plan import plan_stats

            try:
                planned = plan_stats(store, report, spec, by)
            except GatesFileError as exc:
                raise click.ClickException(str(exc)) from None
    if as_json:
        data = report.to_json()
        if planned is not None:
            data["plan"] = planned.to_json()
        echo_json(data)
    else:
        lines = format_stats(report)
        if planned is not None:
            from labeler.gates.stats_plan import format_plan

            lines += format_plan(planned, report)
        click.echo("\n".join(lines))
