"""``import``: load failed cases from JSONL or CSV files into a store."""

from __future__ import annotations

from pathlib import Path

import click

from labeler.cli.common import (
    REVIEWER_OPTION,
    STORE_ARGUMENT,
    ProgressBar,
    friendly_errors,
    get_actor,
    open_existing,
)
from labeler.importing import CSV_FIELD_LIMIT, MappingError, import_files, parse_mapping
from labeler.store import create_store
from labeler.store.opening import shown


@click.command("import")
@STORE_ARGUMENT
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv"]),
    help="The files' format, when their extension does not say (.jsonl/.json/.csv).",
)
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="FIELD=PATH",
    help="Take a field from another place in each record, by dotted path: "
    "--map output=response.text --map slices.channel=source. Repeatable.",
)
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Import the good records and list the bad ones (default: all or nothing).",
)
@click.option(
    "--update",
    is_flag=True,
    help="A case whose id exists with different content becomes a new version; "
    "the old version keeps its text and its labels.",
)
@REVIEWER_OPTION
@friendly_errors
def import_command(
    store_path: Path,
    files: tuple[Path, ...],
    fmt: str | None,
    maps: tuple[str, ...],
    skip_invalid: bool,
    update: bool,
    reviewer: str | None,
) -> None:
    """Import failed cases from JSONL or CSV FILES into STORE (created if it does not exist).

    \b
    JSONL: one object per line with id, input, context, output (required key; null when
    the model produced nothing), expected, slices, meta. Unknown keys go into meta.
    CSV: columns id,input,context,output,expected, slice.<name>, meta.<name>.
    \b
    All or nothing: every bad record is listed as FILE:LINE: reason and nothing is written,
    unless --skip-invalid. Importing the same file again does nothing.
    """
    actor = get_actor(reviewer)
    try:
        mapping = parse_mapping(list(maps)) if maps else None
    except MappingError as exc:
        raise click.BadParameter(str(exc), param_hint="--map") from None
    for path in files:
        if not path.is_file():
            raise click.ClickException(f"{shown(path)}: no such file")
    created = not store_path.exists()
    store = create_store(store_path, actor) if created else open_existing(store_path)
    try:
        with store, ProgressBar("importing") as bar:
            result = import_files(
                store,
                list(files),
                actor,
                fmt=fmt,
                mapping=mapping,
                skip_invalid=skip_invalid,
                update=update,
                progress=bar.callback,
            )
    except BaseException:
        # A full disk, a busy store, Ctrl-C...: a store made for this import goes too.
        if created:
            _remove_store(store_path)
        raise
    from labeler.importing.hint import summarise_missing

    kept, grouped = summarise_missing(result.problems)
    for line in grouped:
        click.echo(line, err=True)
    for problem in kept:
        click.echo(problem.describe(), err=True)
    if result.problem_count > len(result.problems):
        click.echo(
            f"... and {result.problem_count - len(result.problems):,} more problems", err=True
        )
    for f in result.files:
        click.echo(f.describe(), err=True)
    if not result.committed and created:
        _remove_store(store_path)
    if not result.ok and not result.committed:
        raise click.ClickException(result.summary())
    if created and result.committed:
        click.echo(f"created {shown(store_path)}", err=True)
    click.echo(result.summary())


def _remove_store(store_path: Path) -> None:
    """Remove a store this import created and could not fill (its connection is closed)."""
    for leftover in (store_path, Path(f"{store_path}-wal"), Path(f"{store_path}-shm")):
        leftover.unlink(missing_ok=True)


__all__ = ["CSV_FIELD_LIMIT", "import_command"]
