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
from labeler.importing.labels import LabelChange, LabelImportResult, import_labels
from labeler.text.display import safe_inline


def _note(note: str | None) -> str:
    return "no note" if not note else f'note "{safe_inline(note, 60)}"'


def _change_line(file: str, change: LabelChange) -> str:
    old, new = safe_inline(change.old_bucket, 64), safe_inline(change.new_bucket, 64)
    line = (
        f'  {file}:{change.line}: case "{safe_inline(change.case_id, 60)}" by '
        f"{safe_inline(change.reviewer, 64)}: {old} -> {new}"
    )
    if (change.old_note or None) != (change.new_note or None):
        line += f"; {_note(change.old_note)} -> {_note(change.new_note)}"
    return line


def _report_dry_run(result: LabelImportResult, labels_file: Path) -> None:
    click.echo(
        f"dry run, nothing written: {result.created} new, {result.changed} changed, "
        f"{result.unchanged} same as in the store"
    )
    if result.new_buckets:
        click.echo(f"would create buckets: {_bucket_mapping(result)}")
    if result.changes:
        file = safe_inline(labels_file.name, 100)
        click.echo("changed labels (file line: case by reviewer: store -> file):")
        for change in result.changes:
            click.echo(_change_line(file, change))
    if result.refused:
        count = len(result.changes)
        click.echo(
            f"without --replace this import would be refused: {count} existing "
            f"label{'s' if count != 1 else ''} differ{'s' if count == 1 else ''} from the file"
        )


@click.command("import-labels")
@STORE_ARGUMENT
@click.argument("labels_file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--create-buckets", is_flag=True, help="Add buckets the taxonomy does not have yet.")
@click.option(
    "--replace",
    is_flag=True,
    help="Overwrite labels already in the store (same case and reviewer) that the file changes.",
)
@click.option(
    "--dry-run", is_flag=True, help="Show what would be new, the same and changed; write nothing."
)
@REVIEWER_OPTION
@friendly_errors
def import_labels_command(
    store_path: Path,
    labels_file: Path,
    create_buckets: bool,
    replace: bool,
    dry_run: bool,
    reviewer: str | None,
) -> None:
    """Import labels from a CSV with columns case_id,reviewer,bucket[,note].

    \b
    All or nothing: unknown case ids or buckets are listed and nothing is
    written. A label the same reviewer already gave the same case is never
    overwritten silently: if the file differs, the import is refused (the
    first cases are named) unless --replace is given. --dry-run shows the
    counts and every changed label and writes nothing. Case ids are matched
    exactly as imported, spaces included. Without a note column, stored
    notes are kept. Each label written is logged as an event, with your OS
    account as the one who imported it.
    """
    actor = get_actor(reviewer)
    with open_existing(store_path, write=not dry_run) as store:
        result = import_labels(
            store,
            labels_file,
            actor,
            create_buckets=create_buckets,
            replace=replace,
            dry_run=dry_run,
        )
    if dry_run:
        _report_dry_run(result, labels_file)
        return
    click.echo(
        f"labels: {result.created} new, {result.changed} changed, {result.unchanged} unchanged"
    )
    if result.new_buckets:
        click.echo(f"new buckets: {_bucket_mapping(result)} (edit names with `taxonomy --set`)")


def _bucket_mapping(result: LabelImportResult) -> str:
    """``wrong_answer ("wrong answer"), too_slow``: each new key, with the name the file gave
    when it differs (the key is what later imports and the screens use; either matches)."""
    parts = []
    for key in result.new_buckets:
        name = result.bucket_names.get(key, key)
        shown = safe_inline(key, 64)
        parts.append(shown if name == key else f"{shown} ({safe_inline(repr(name), 80)})")
    return ", ".join(parts)
