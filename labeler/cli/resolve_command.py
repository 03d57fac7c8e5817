"""``resolve``: walk the disagreements and settle each with one key."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from labeler.cli.common import (
    REVIEWER_OPTION,
    STORE_ARGUMENT,
    bucket_keys,
    check_names,
    check_slices,
    finish_app,
    friendly_errors,
    get_actor,
    open_existing,
    parse_slices,
    slice_option,
)
from labeler.resolve.disagreements import ResolveSpec, check_spec, parse_pair
from labeler.resolve.start import look_up_resolve_start


@click.command()
@STORE_ARGUMENT
@REVIEWER_OPTION
@slice_option("disagreements")
@click.option(
    "--pair",
    metavar="BUCKET_A,BUCKET_B",
    help="Only the cases where these two buckets were confused.",
)
@friendly_errors
def resolve(
    store_path: Path, reviewer: str | None, slices: tuple[str, ...], pair: str | None
) -> None:
    """Settle the cases reviewers disagreed on: both labels and notes side by side.

    \b
    a / b / c take that reviewer's bucket, a bucket's shortcut sets another one, x marks the
    case unclear, n writes the reason, u undoes, j / k move, ? shows every key.
    A resolution never changes a reviewer's label: agreement always uses the originals.
    """
    actor = get_actor(reviewer)
    filters = parse_slices(slices)
    try:
        spec = ResolveSpec(slices=filters, pair=parse_pair(pair) if pair else None)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    with open_existing(store_path) as store:
        # A typo in --slice or --pair is named before the terminal is checked.
        check_slices(store, filters)
        if spec.pair is not None:
            check_names("bucket", spec.pair, bucket_keys(store), "--pair")
        check_spec(store, spec)
        if not sys.stdout.isatty():
            raise click.ClickException("resolve needs a terminal (stdout is not a tty)")
        # The first open disagreement can take a scan past every resolved one (about 0.2 s on
        # a million cases): look it up on a thread (SQLite runs without the GIL) while the UI
        # is imported and the screen is laid out; the screen shows the case when it comes.
        lookup = look_up_resolve_start(store.path, spec)
        from labeler.tui.resolve_app import ResolveApp

        app = ResolveApp(store, actor, spec, lookup)
        app.run()

    finish_app(app.store_failure, app.return_code)
