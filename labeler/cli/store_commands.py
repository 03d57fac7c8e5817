"""``init``, ``info``, ``backup`` and ``check``: making and inspecting a store."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from labeler.cli.common import (
    REVIEWER_OPTION,
    STORE_ARGUMENT,
    ElapsedTicker,
    echo_json,
    fail,
    friendly_errors,
    get_actor,
    open_existing,
)
from labeler.stats.store_info import (
    integrity_problems,
    kept_count_problems,
    recount_kept_counts,
    store_info,
)
from labeler.store import backup_store, create_store
from labeler.store.opening import shown
from labeler.text.display import safe_inline


@click.command()
@STORE_ARGUMENT
@click.option(
    "--shared",
    is_flag=True,
    help="Make the store group-writable, so that reviewers in its group can all label in it.",
)
@REVIEWER_OPTION
@friendly_errors
def init(store_path: Path, shared: bool, reviewer: str | None) -> None:
    """Create an empty store at STORE with the default taxonomy.

    \b
    Example:
      labeler init failures.db --shared
    """
    with create_store(store_path, get_actor(reviewer), shared=shared):
        pass
    click.echo(f"created {shown(store_path)}" + (" (group-writable)" if shared else ""))
    if shared:
        click.echo(
            "For the store's -wal and -shm files, every reviewer also needs write access to the "
            "folder; `chmod g+ws FOLDER` keeps new files in the folder's group."
        )


@click.command()
@STORE_ARGUMENT
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@friendly_errors
def info(store_path: Path, as_json: bool) -> None:
    """Show what a store holds: cases, labels, reviewers, buckets, imports, schema version."""
    with open_existing(store_path, write=False) as store:
        data = store_info(store)
    if as_json:
        echo_json(data.to_json())
        return
    reviewers = ", ".join(safe_inline(r, 60) for r in data.reviewers) or "none yet"
    older = f" (+{data.old_case_versions:,} older versions)" if data.old_case_versions else ""
    click.echo(f"store           {safe_inline(data.store, 300)}")
    click.echo(f"schema version  {data.schema_version}")
    click.echo(f"cases           {data.cases:,}{older}")
    click.echo(f"labels          {data.labels:,}")
    click.echo(f"reviewers       {reviewers}")
    click.echo(f"buckets         {data.buckets}")
    click.echo(f"imports         {data.imports}")
    click.echo(f"resolutions     {data.resolutions:,}")
    click.echo(f"events          {data.events:,}")


@click.command()
@STORE_ARGUMENT
@click.argument("dest", type=click.Path(dir_okay=False, path_type=Path))
@friendly_errors
def backup(store_path: Path, dest: Path) -> None:
    """Copy a live store to DEST safely, even while reviewers are labeling.

    Uses SQLite's backup API: a plain `cp` of a store in use can miss the newest labels, which
    live in the STORE-wal file until SQLite folds them in.
    """
    with open_existing(store_path, write=False) as store:
        size = store_path.stat().st_size / 1e9
        with ElapsedTicker(f"copying {size:,.1f} GB", enabled=sys.stderr.isatty()):
            backup_store(store, dest)
    click.echo(f"backed up to {shown(dest)}")


@click.command()
@STORE_ARGUMENT
@click.option(
    "--recount",
    is_flag=True,
    help="First recompute the counts labeler keeps (for progress) from the labels.",
)
@REVIEWER_OPTION
@friendly_errors
def check(store_path: Path, recount: bool, reviewer: str | None) -> None:
    """Check the store: SQLite's full integrity check, a foreign key check, and the counts
    labeler keeps by trigger against its labels and resolutions.

    Opening a store only makes quick checks (that it is a labeler store, of a version this
    labeler knows); this reads every page, which takes a while on a large store. Exit status 1
    and a list of problems when the store is damaged: restore it from a `labeler backup`. Kept
    counts go wrong only when the store was written with its triggers dropped; --recount
    recomputes them (one transaction, recorded in the log).
    """
    with open_existing(store_path, write=recount) as store:
        if recount:
            wrong = recount_kept_counts(store, get_actor(reviewer))
            click.echo(f"recounted: {wrong:,} case(s) had wrong kept counts", err=True)
        size = store_path.stat().st_size / 1e9
        on_terminal = sys.stderr.isatty()
        with ElapsedTicker(f"reading every page of {size:,.1f} GB", enabled=on_terminal):
            problems = integrity_problems(store)
        counts: list[str] = []
        if not problems:  # (5 s on a million cases)
            with ElapsedTicker("comparing the kept counts with the labels", enabled=on_terminal):
                counts = kept_count_problems(store)
    if problems:
        fail("the store is damaged:\n" + "\n".join(problems[:50]))
    if counts:
        fail(
            "the counts labeler keeps (for progress) differ from the labels:\n"
            + "\n".join(counts)
            + f"\nrecompute them: labeler check {shown(store_path)} --recount"
        )
    click.echo("ok")
