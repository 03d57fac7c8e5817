"""``labeler export``: final buckets, labels or the audit log as CSV or JSON lines."""

from __future__ import annotations

import errno
from pathlib import Path

import click

from labeler.cli.common import (
    STORE_ARGUMENT,
    ProgressBar,
    check_slices,
    fail,
    friendly_errors,
    open_existing,
    parse_slices,
)
from labeler.export import ExportSpec, Format, export_store, format_for
from labeler.store.opening import shown


@click.command("export")
@STORE_ARGUMENT
@click.argument("out", metavar="OUT", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "jsonl"]),
    help="csv (safe to open in a spreadsheet) or jsonl (lossless raw values). "
    "Default: jsonl when OUT ends in .jsonl or .ndjson, else csv.",
)
@click.option(
    "--what",
    type=click.Choice(["final", "labels", "events"]),
    default="final",
    show_default=True,
    help="final: one row per case; labels: one row per label; events: the audit log.",
)
@click.option(
    "--bucket",
    "buckets",
    multiple=True,
    metavar="KEY",
    help="Keep cases whose final bucket is KEY (labels: the label's bucket). Repeatable; "
    "for final, KEY may also be unclear, unresolved or unlabeled.",
)
@click.option(
    "--slice",
    "slices",
    multiple=True,
    metavar="NAME=VALUE",
    help="Keep cases with this slice value. Repeatable; all must match.",
)
@click.option(
    "--split-by-bucket",
    is_flag=True,
    help="Write one file per (final) bucket into the folder OUT.",
)
@click.option(
    "--with-text",
    is_flag=True,
    help="Add the case's texts: input, context, output and expected (final and labels), "
    "so the people who fix the failures have the cases in hand. See 'Texts' below.",
)
@click.option("--excel", is_flag=True, help="Start the CSV with a UTF-8 byte order mark.")
@click.option("--force", is_flag=True, help="Replace an existing OUT (or write into a folder).")
@friendly_errors
def export_command(
    store_path: Path,
    out: Path,
    fmt: Format | None,
    what: str,
    buckets: tuple[str, ...],
    slices: tuple[str, ...],
    split_by_bucket: bool,
    with_text: bool,
    excel: bool,
    force: bool,
) -> None:
    """Export the store to OUT: the final bucket per case, the labels, or the audit log.

    \b
    Columns:
      final   case_id, final_bucket, status, labels, notes, resolution_method,
              resolver, resolution_reason, [texts], slice.<name>..., meta.<key>...
              (status: agreed, resolved, unclear, unresolved, single, unlabeled;
              nested meta objects flattened with dots, lists as JSON text)
      labels  case_id, reviewer, bucket, note, labeled_at, account, [texts]
              (labels on the current version of each case)
      events  id, at, actor, account, kind, case_id, before, after, detail
      [texts] input, context, output, expected: only with --with-text, after
              the fixed columns and before any slice. and meta. column

    \b
    Texts (--with-text): the texts of the current version of each case (the
    version the exported labels are on), as imported. In JSONL they are exact:
    input is a string, or for a chat a list of {"content", "role"} turns;
    context is a list of {"source", "text", "title"} documents (a context
    imported as one string is one such document), or null; output and
    expected are strings or null (an expected answer that was not a string
    is its JSON text). In the CSV each is one cell, a chat input and the
    context as that JSON text, with the same formula safety as every other
    cell. Texts make the file about as large as the store's texts: prefer
    --format jsonl for big exports; a spreadsheet cuts cells longer than
    32,767 characters, and Python's csv module needs csv.field_size_limit
    raised for cells over 131,072.

    \b
    Spreadsheet safety: in the CSV, a cell that a spreadsheet could run as a
    formula (it starts with = + - @, also after blanks, or with TAB or CR) gets
    a leading apostrophe, and so does a cell that already started with one. To
    get the exact stored text back, strip ONE leading apostrophe from every
    cell that starts with one: labeler.text.csv_safety.restore(cell) does that.
    Read the file with Python's csv module and newline='' to keep quotes,
    commas and line breaks inside cells exact. --format jsonl is the lossless
    form: raw values, nothing changed.

    \b
    Safety of the files: the export is one consistent snapshot (reviewers can
    keep labeling), written to a temporary file and renamed at the end, so an
    interrupted export never leaves a partial file under OUT. With
    --split-by-bucket the files are written to a temporary folder renamed to
    OUT at the end; if OUT is an existing folder (empty, or with --force) each
    finished file is moved in one by one, each in one step.

    \b
    Examples:
      labeler export failures.db buckets.csv
      labeler export failures.db buckets.csv --bucket unsafe_pii --slice length=long
      labeler export failures.db by_bucket --split-by-bucket --excel
      labeler export failures.db labels.jsonl --what labels
      labeler export failures.db to_fix.jsonl --with-text --bucket wrong_intent
    """
    if with_text and what == "events":
        raise click.UsageError(
            "--with-text adds the case texts to --what final or --what labels; "
            "the audit log (--what events) has no texts to add"
        )
    slice_filters = parse_slices(slices)
    spec = ExportSpec(
        what="final" if what == "final" else "labels" if what == "labels" else "events",
        buckets=tuple(dict.fromkeys(buckets)),
        slices=tuple(slice_filters),
        with_text=with_text,
    )
    chosen: Format = fmt if fmt is not None else "csv" if split_by_bucket else format_for(out)
    with open_existing(store_path, write=False) as store, ProgressBar("exporting") as bar:
        check_slices(store, slice_filters)
        try:
            result = export_store(
                store,
                out,
                spec,
                fmt=chosen,
                excel=excel,
                force=force,
                split=split_by_bucket,
                progress=bar.callback,
            )
        except (FileExistsError, FileNotFoundError):
            raise
        except OSError as exc:  # e.g. a full disk: nothing was kept under OUT
            fail(_write_failed(out, exc))
    rows = f"{result.rows:,} row{'' if result.rows == 1 else 's'}"
    where = shown(result.destination)
    if split_by_bucket:
        count = len(result.files)
        click.echo(f"wrote {rows} to {count} file{'' if count == 1 else 's'} in {where}", err=True)
    else:
        click.echo(f"wrote {rows} to {where}", err=True)


_NO_ROOM = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG})


def _write_failed(out: Path, exc: OSError) -> str:
    """Why OUT could not be written; the export left nothing under OUT and no temporary file."""
    reason = exc.strerror or str(exc)
    if exc.errno in _NO_ROOM:
        folder = out if out.is_dir() else out.parent if str(out.parent) else Path(".")
        return (
            f"could not write {shown(out)}: the disk holding {shown(folder.absolute())} is full "
            f"({reason}). Nothing half-written is kept under that name and no temporary file is "
            "left; free some space there or export to another disk."
        )
    return f"could not write {shown(out)}: {reason}. Nothing half-written is kept under that name."
