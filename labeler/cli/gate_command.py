"""``labeler gate``: the release decision from a gates file, with an exit status for CI."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import NoReturn

import click

from labeler.atomic_file import atomic_write
from labeler.cli.common import open_existing
from labeler.gates import EXAMPLE_GATES, GatesFileError, load_gates_file, run_gate
from labeler.gates.example import REGRESSION_EXAMPLE
from labeler.gates.render import dumps_json, format_table, gate_json, markdown_report
from labeler.gates.spec import GatesSpec
from labeler.gates.to_decide import plan_outcome
from labeler.store import Store, StoreError
from labeler.store.opening import shown
from labeler.text.display import safe_inline

USAGE_ERROR = 2


def _error(message: str) -> NoReturn:
    """``Error: ...`` on stderr and exit status 2 (never 1: that means BLOCK)."""
    lines = message.splitlines() or [""]
    click.echo("Error: " + "\n".join(safe_inline(line, 1000) for line in lines), err=True)
    sys.exit(USAGE_ERROR)


def _check_scopes(store: Store, spec: GatesSpec) -> None:
    """Every unknown bucket and slice of the gates file in one message, in file order, each
    with its line (a usage error, exit 2)."""
    from labeler.gates import check_buckets
    from labeler.gates.slices import in_file_order, unknown_gate_slices
    from labeler.store.slice_queries import (
        known_meta_fields,
        known_slices,
        missing_meta_fields,
        missing_slice_names,
    )
    from labeler.taxonomy import read_taxonomy

    scopes = {rule.scope[0] for rule in spec.rules if rule.scope is not None}
    meta_keys = sorted(key.removeprefix("meta.") for key in scopes if key.startswith("meta."))
    slice_keys = sorted(key for key in scopes if not key.startswith("meta."))
    problems: list[str] = []
    if missing_meta_fields(store, meta_keys) or missing_slice_names(store, slice_keys):
        # Every slice and meta field is read only to word the error ("did you mean").
        problems = unknown_gate_slices(spec, known_slices(store), known_meta_fields(store))
    try:
        check_buckets(spec, read_taxonomy(store))
    except GatesFileError as exc:
        problems += str(exc).splitlines()
    if problems:
        raise GatesFileError("\n".join(in_file_order(problems, spec.source)))


@click.command("gate")
@click.argument(
    "store_path",
    metavar="[STORE]",
    required=False,
    type=click.Path(dir_okay=False, path_type=Path),
)
@click.option(
    "--gates",
    "gates_path",
    metavar="GATES.toml",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The gates file (see --example).",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object for CI scripts.")
@click.option(
    "--report",
    "report_path",
    metavar="FILE.md",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the release decision record as Markdown (replaces FILE).",
)
@click.option("--example", is_flag=True, help="Print a commented gates file to start from.")
@click.option(
    "--plan",
    is_flag=True,
    help="For each rule: the further reviewed cases before its 95% interval decides it "
    "(if the observed rate holds), and the doubly labeled cases its min_agreement needs.",
)
@click.option(
    "--baseline", metavar="VERSION", help="The old version, for regression rules that name none."
)
@click.option(
    "--candidate", metavar="VERSION", help="The new version, for regression rules that name none."
)
def gate(
    store_path: Path | None,
    gates_path: Path | None,
    as_json: bool,
    report_path: Path | None,
    example: bool,
    baseline: str | None,
    candidate: str | None,
    plan: bool,
) -> None:
    """Judge the release: SHIP, SHIP BEHIND A FLAG, or BLOCK.

    \b
    Each rule of the gates file (TOML, one [[rule]] table each) is judged on
    the store: a bucket's rate per 1,000 reviewed cases (with its 95%
    interval: Wilson's, or with interval = "anytime" one that stays valid
    however often the gate runs; a rule can use the upper bound), a must-pass
    bucket with zero
    cases, the share of outputs that parse as JSON where meta.output_format is
    json, latency p50/p95 from meta.latency_ms, a regression of a bucket from
    one version to the next (as `labeler compare` shows it); overall or in a
    slice. A rule whose scope has too few reviewed cases, too little agreement
    on its bucket, or unresolved cases that could change its verdict is NOT
    ENOUGH EVIDENCE: it flags (or blocks), never passes. The report says
    whether the reviewed cases are a prefix of the store's random order (a
    random sample); --plan adds how many more cases each rule needs.

    \b
    Exit status: 0 SHIP, 3 SHIP BEHIND A FLAG, 1 BLOCK,
                 2 a usage error, a bad gates file or a store that cannot be read.

    \b
    Examples:
      labeler gate --example > gates.toml
      labeler gate failures.db --gates gates.toml
      labeler gate failures.db --gates gates.toml --report decision.md --json
      labeler gate failures.db --gates gates.toml --baseline v7 --candidate v8
      labeler gate failures.db --gates gates.toml --plan
    """
    if example:
        click.echo(EXAMPLE_GATES + REGRESSION_EXAMPLE, nl=False)
        return
    if store_path is None:
        raise click.UsageError("give the STORE to judge (or --example for a gates file)")
    if gates_path is None:
        raise click.UsageError("give the gates file with --gates GATES.toml (see --example)")
    try:
        spec = load_gates_file(str(gates_path))
        with open_existing(store_path, write=False) as store:
            _check_scopes(store, spec)
            outcome, inputs = run_gate(store, spec, baseline, candidate)
        if plan:
            outcome = plan_outcome(outcome, inputs.stats)
    except GatesFileError as exc:
        _error(str(exc))
    except (StoreError, OSError) as exc:
        _error(str(exc))
    except KeyboardInterrupt:
        click.echo("interrupted; nothing was written", err=True)
        sys.exit(130)
    shown_store = str(store_path)
    if report_path is not None:
        try:
            with atomic_write(report_path, overwrite=True, newline="\n") as handle:
                handle.write(markdown_report(outcome, inputs, spec, shown_store))
        except (OSError, ValueError) as exc:
            _error(f"cannot write the report {shown(report_path)}: {exc}")
    if as_json:
        click.echo(dumps_json(gate_json(outcome, inputs, spec, shown_store)))
    else:
        # On a terminal narrower than the table, each rule becomes a block of short lines.
        columns = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
        click.echo("\n".join(format_table(outcome, inputs, spec, width=columns)))
        if report_path is not None:
            click.echo(f"report written to {shown(report_path)}")
    sys.exit(outcome.exit_status)
