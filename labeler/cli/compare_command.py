"""``labeler compare``: did the new version get better where it matters?"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import click

from labeler.atomic_file import atomic_write
from labeler.cli.common import STORE_ARGUMENT, echo_json, fail, friendly_errors, open_existing
from labeler.compare import DEFAULT_PAIR_KEY, CompareRequest, compare_versions
from labeler.compare.chart import WIDTH, format_compare
from labeler.compare.markdown import markdown_compare
from labeler.store.opening import shown


@click.command("compare")
@STORE_ARGUMENT
@click.option("--baseline", required=True, metavar="VERSION", help="The old version, e.g. v7.")
@click.option("--candidate", required=True, metavar="VERSION", help="The new version, e.g. v8.")
@click.option(
    "--by",
    metavar="meta.KEY",
    help="The meta field that names the version (default: meta.prompt_version, else meta.model).",
)
@click.option(
    "--slice-by",
    "slice_by",
    multiple=True,
    metavar="KEY",
    help="Compare in the slices of this name (or meta.<field>); repeatable. "
    "Default: every slice the cases have.",
)
@click.option(
    "--pair-key",
    default=DEFAULT_PAIR_KEY,
    show_default=True,
    metavar="meta.KEY",
    help="Cases of the two versions with the same value are a pair (the same input).",
)
@click.option("--unpaired", is_flag=True, help="Compare as independent cases even if pairs match.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object for scripts.")
@click.option(
    "--report",
    "report_path",
    metavar="FILE.md",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the tables as Markdown (replaces FILE).",
)
@click.option(
    "--bootstrap",
    type=click.IntRange(0, 100_000),
    default=1000,
    show_default=True,
    help="Bootstrap replicates for the latency intervals (0: none).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the bootstrap.")
@friendly_errors
def compare(
    store_path: Path,
    baseline: str,
    candidate: str,
    by: str | None,
    slice_by: tuple[str, ...],
    pair_key: str,
    unpaired: bool,
    as_json: bool,
    report_path: Path | None,
    bootstrap: int,
    seed: int,
) -> None:
    """Compare two versions bucket by bucket, slice by slice.

    \b
    For every failure bucket (and all failures together), overall and in each
    slice: the rate per 1,000 reviewed cases of both versions, the difference
    with a 95% interval, and a verdict: regressed (the interval lies above 0),
    improved (below 0) or no evidence. Unpaired: Newcombe's hybrid score
    interval. Paired (cases share --pair-key): Newcombe's paired interval and
    the exact McNemar test on the discordant pairs. Also JSON validity and
    latency p50/p95 (bootstrap intervals). Only final buckets count; unresolved
    disagreements are shown, and counted against the candidate when they could
    flip a verdict. For a CI exit status, use a regression rule in `labeler gate`.

    \b
    Examples:
      labeler compare failures.db --baseline v7 --candidate v8
      labeler compare failures.db --baseline v7 --candidate v8 --slice-by policy_edge
      labeler compare failures.db --baseline gpt-a --candidate gpt-b --by meta.model --json
    """
    if not pair_key.startswith("meta.") or pair_key == "meta.":
        raise click.BadParameter("give a meta field, e.g. meta.input_id", param_hint="--pair-key")
    if by is not None and (not by.startswith("meta.") or by == "meta."):
        raise click.BadParameter("give a meta field, e.g. meta.model", param_hint="--by")
    request = CompareRequest(
        baseline=baseline,
        candidate=candidate,
        by=by,
        slice_by=slice_by or None,
        pair_key=pair_key,
        paired=False if unpaired else None,
        bootstrap=bootstrap,
        seed=seed,
    )
    with open_existing(store_path, write=False) as store:
        report = compare_versions(store, request)
    if report_path is not None:
        try:
            with atomic_write(report_path, overwrite=True, newline="\n") as handle:
                handle.write(markdown_compare(report, str(store_path)))
        except OSError as exc:
            fail(f"cannot write the report {shown(report_path)}: {exc.strerror or exc}")
    if as_json:
        echo_json(report.to_json())
        return
    width = WIDTH
    if sys.stdout.isatty():
        width = min(WIDTH, shutil.get_terminal_size().columns)
    click.echo("\n".join(format_compare(report, width)))
    if report_path is not None:
        click.echo(f"report written to {shown(report_path)}")
