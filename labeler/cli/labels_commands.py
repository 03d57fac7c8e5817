"""``import-labels``: labels from a spreadsheet pass."""

from __future__ import annotations

from pathlib import Path

import click

from labeler.cli.common import (
    REVIEWER_OPTION,
    STORE_ARGUMENT,
    friendly_errors,
    get_actor,
    open_existing,
)
from labeler.display_text import safe_inline
from labeler.label_import import import_labels


@click.command("import-labels")
@STORE_ARGUMENT
@click.argument("labels_file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--create-buckets", is_flag=True, help="Add buckets the taxonomy does not have yet.")
@REVIEWER_OPTION
@friendly_errors
def import_labels_command(
    store_path: Path, labels_file: Path, create_buckets: bool, reviewer: str | None
) -> None:
    """Import labels from a CSV with columns case_id,reviewer,bucket[,note].

    All or nothing: unknown case ids or buckets are listed and nothing is written. Each label
    is logged as an event, with your OS account as the one who imported it.
    """
    with open_existing(store_path) as store:
        result = import_labels(
            store, labels_file, get_actor(reviewer), create_buckets=create_buckets
        )
    click.echo(
        f"labels: {result.created} new, {result.changed} changed, {result.unchanged} unchanged"
    )
    if result.new_buckets:
        click.echo(
            f"new buckets: {', '.join(safe_inline(b, 64) for b in result.new_buckets)} "
            "(edit names with `taxonomy --set`)"
        )
