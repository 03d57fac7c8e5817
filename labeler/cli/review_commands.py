"""``review`` and ``demo``: open the review screen."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import click

from labeler.blind_meta import hidden_meta_fields
from labeler.cli.common import (
    REVIEWER_OPTION,
    STORE_ARGUMENT,
    check_slices,
    finish_app,
    friendly_errors,
    get_actor,
    open_existing,
    parse_slices,
    safe_message,
    slice_option,
)
from labeler.identity import Actor
from labeler.review.empty_queue import empty_queue_reason
from labeler.review.queue import Order, QueueSpec
from labeler.review.session import QueueStart, look_up_queue_start
from labeler.store import Store
from labeler.store.errors import StoreError
from labeler.store.order import has_unplaced, place_new_cases
from labeler.text.display import safe_inline


def run_review(store: Store, actor: Actor, spec: QueueSpec) -> None:
    """Run the review app until the reviewer quits."""
    if spec.order == "random":
        _place_cases_without_a_key(store)
    # Finding the first page of the queue can take tens of milliseconds on a large store: do it
    # on a thread (SQLite runs without the GIL) while the UI is imported.
    lookup = look_up_queue_start(store.path, spec)
    from labeler.tui.app import ReviewApp

    if actor.on_trust:
        click.echo(
            f"Labels are recorded as {safe_inline(actor.name, 60)} (name given on trust) "
            f"and account {safe_inline(actor.account, 60)}.",
            err=True,
        )
    try:
        start: QueueStart | None = lookup.result()
    except Exception:  # the session looks it up again and reports what is wrong
        start = None
    app = ReviewApp(store, actor, spec, start)
    app.run()
    failure = app.store_failure
    unsaved, refused = app.writer.pending, app.writer.refused
    if unsaved:
        failure = f"{unsaved} label(s) could not be saved before the screen closed. " + (
            failure or ""
        )
    if refused and failure is None:
        failure = f"{len(refused)} write(s) were refused by the store; the last: {refused[-1]}"
    finish_app(failure, app.return_code)


def remove_demo_folder(folder: Path) -> None:
    """Remove the demo's temporary folder (the store, its -wal and -shm), whatever is left."""
    shutil.rmtree(folder, ignore_errors=True)


def _place_cases_without_a_key(store: Store) -> None:
    """Cases written by something else than ``labeler import`` get their place in the random
    order first. Only when there are some (a write on a full disk or a busy store would stop
    the review); if it fails they stay out of this queue, and the review goes on."""
    with store.snapshot() as conn:
        if not has_unplaced(conn):
            return
    try:
        with store.write() as conn:
            place_new_cases(conn)
    except StoreError as exc:
        click.echo(
            "note: cases without a place in the random order could not be placed, so they are "
            f"not in this queue yet: {safe_inline(str(exc), 300)}",
            err=True,
        )


@click.command()
@STORE_ARGUMENT
@REVIEWER_OPTION
@slice_option()
@click.option(
    "--overlap",
    default=2,
    show_default=True,
    type=click.IntRange(1, 50),
    help="How many reviewers label each case.",
)
@click.option("--revisit", is_flag=True, help="Walk your own labeled cases instead of the queue.")
@click.option(
    "--order",
    type=click.Choice(["random", "import"]),
    default="random",
    show_default=True,
    help="random: the store's random order, the same for every reviewer (the labeled cases "
    "stay a random sample); import: the order the cases were imported in.",
)
@friendly_errors
def review(
    store_path: Path,
    reviewer: str | None,
    slices: tuple[str, ...],
    overlap: int,
    revisit: bool,
    order: str,
) -> None:
    """Label cases, one key per case, blind to other reviewers' labels.

    \b
    The queue holds the cases with fewer than --overlap labels and none of yours, in the
    store's random order: the same for every reviewer, so the labeled cases stay a random
    sample (--order import walks import order; stats and gate then say the labels are not a
    random sample). When you come back you start at the first case of your queue you have not
    labeled (cases you skipped come first). Each label is stored the moment you press its
    key. Press ? in the app for every key and each bucket's guideline.
    """
    actor = get_actor(reviewer)
    filters = parse_slices(slices)
    with open_existing(store_path) as store:
        check_slices(store, filters)
        reason = empty_queue_reason(store, QueueSpec(actor.name, overlap, filters, revisit))
        if reason is not None:
            click.echo(safe_message(f"Nothing to review: {reason}."), err=True)
            return
        queue_order: Order = "import" if order == "import" else "random"
        if queue_order == "import" and hidden_meta_fields(store):
            raise click.UsageError(
                "this store hides meta fields from reviewers (hidden_meta): import order would "
                "show the versions in the batches they were imported in. Use the random order "
                "(leave out --order import)."
            )
        if not sys.stdout.isatty():
            raise click.ClickException("review needs a terminal (stdout is not a tty)")
        run_review(store, actor, QueueSpec(actor.name, overlap, filters, revisit, queue_order))


@click.command()
@REVIEWER_OPTION
@click.option("--info", "info_only", is_flag=True, help="Make the demo store, print where, exit.")
@click.option("--keep", is_flag=True, help="Keep the demo store when the demo ends.")
@friendly_errors
def demo(reviewer: str | None, info_only: bool, keep: bool) -> None:
    """Open the review screen on a fresh copy of the bundled sample session.

    The sample (a customer-support assistant, 180 cases, labeled by alice and bob) is copied
    into a new store in a temporary folder; the packaged files are never modified. You review
    with overlap 3, so every case is in your queue. The store is removed when the demo ends,
    however it ends; --keep keeps it (to try stats, resolve or export on it).
    """
    from labeler.sample import make_demo_store

    actor = get_actor(reviewer)
    folder = Path(tempfile.mkdtemp(prefix="labeler-demo-"))
    if not keep:
        click.get_current_context().call_on_close(lambda: remove_demo_folder(folder))
    store = make_demo_store(actor, folder)
    kept = "kept (--keep)" if keep else "removed when the demo ends; --keep keeps it"
    click.echo(f"demo store: {store.path} ({kept})", err=True)
    with store:
        if info_only or not sys.stdout.isatty():
            from labeler.stats.store_info import store_info

            data = store_info(store)
            reviewers = ", ".join(safe_inline(r, 60) for r in data.reviewers)
            click.echo(f"{data.cases} cases, {data.labels} labels by {reviewers}")
            if keep:
                click.echo(f"try: labeler review {store.path}  /  labeler stats {store.path}")
            return
        run_review(store, actor, QueueSpec(actor.name, 3, (), False, "random"))
