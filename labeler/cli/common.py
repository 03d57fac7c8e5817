"""Helpers shared by the CLI commands: opening the store, the actor, and turning errors into
messages (exit status 1, a line on stderr, never a traceback for bad input)."""

from __future__ import annotations

import functools
import sys
import threading
import time
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, ParamSpec, TextIO, TypeVar

import click

from labeler.identity import Actor, resolve_actor
from labeler.store import Store, StoreError, open_store
from labeler.text.display import safe_inline

# Imported where used, not here: every command imports this module, and ``info`` needs none of
# them (json, the slice filters, the queue's SQL and the "did you mean" wording).
if TYPE_CHECKING:
    from labeler.slice_filter import SliceFilter

P = ParamSpec("P")
R = TypeVar("R")

STORE_ARGUMENT = click.argument(
    "store_path", metavar="STORE", type=click.Path(dir_okay=False, path_type=Path)
)
REVIEWER_OPTION = click.option(
    "--reviewer",
    metavar="NAME",
    help="Display name to record (default: $LABELER_REVIEWER, else your OS account). "
    "The OS account is always recorded too.",
)


def slice_option(what: str = "cases") -> Callable[[Callable[P, R]], Callable[P, R]]:
    """The ``--slice NAME=VALUE`` option (repeatable, into ``slices``) of a screen or report
    over ``what``."""
    return click.option(
        "--slice",
        "slices",
        multiple=True,
        metavar="NAME=VALUE",
        help=f"Only {what} in this slice, e.g. --slice length=long. Repeatable (all must match).",
    )


def finish_app(store_failure: str | None, return_code: int | None) -> None:
    """After a screen ends: a failure (the store failed, labels unsaved or refused) is an
    error message and exit 1; any other non-zero return code is passed on."""
    if store_failure is not None:
        raise click.ClickException(safe_message(store_failure))
    if return_code:
        sys.exit(return_code)


def safe_message(message: str) -> str:
    """A message for the terminal: each line made safe (the core's messages quote ids, bucket
    names and file names, and some come from SQLite)."""
    return "\n".join(safe_inline(line, 1000) for line in message.splitlines() or [""])


def fail(message: str) -> NoReturn:
    """Print ``Error: message`` on stderr and exit with status 1."""
    raise click.ClickException(safe_message(message))


def friendly_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn the core's worded errors into ``Error: ...`` and exit status 1."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except (StoreError, ValueError, FileNotFoundError, FileExistsError) as exc:
            raise click.ClickException(safe_message(str(exc))) from None
        except KeyboardInterrupt:
            click.echo("interrupted; nothing half-written was kept", err=True)
            sys.exit(130)

    return wrapper


def get_actor(reviewer: str | None) -> Actor:
    """The actor for this command; a bad name is a usage error (exit 2)."""
    try:
        return resolve_actor(reviewer)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--reviewer") from None


def open_existing(path: Path, *, write: bool = True) -> Store:
    """Open the store or fail with its worded error; ``write=False`` for commands that only
    read (they then work on a store this user may not write). A store from an older labeler
    is migrated first, with the elapsed time on a terminal (:func:`migration_ticker`)."""
    return open_store(path, write=write, migration_notice=migration_ticker)


def migration_ticker(
    from_version: int, to_version: int, stream: TextIO | None = None, interval: float = 1.0
) -> ElapsedTicker:
    """``upgrading the store from schema 4 to 7 (once)… 12 s`` on a terminal's stderr while a
    store is migrated (10-20 s on a million cases; a small store's shows nothing)."""
    stream = stream if stream is not None else sys.stderr
    return ElapsedTicker(
        f"upgrading the store from schema {from_version} to {to_version} (once)",
        stream,
        interval,
        enabled=stream.isatty(),
    )


def echo_json(value: Any) -> None:
    """Print JSON (no NaN) on stdout, every non-ASCII character escaped: lossless, and no
    control or bidi character from the store reaches the terminal."""
    import json

    click.echo(json.dumps(value, indent=2, ensure_ascii=True, allow_nan=False))


class ProgressBar:
    """A click progress bar on stderr, fed with (done, total) calls; it closes at the total,
    or when the ``with`` block ends (the work failed or stopped).

    ``with ProgressBar("importing") as bar: run(progress=bar.callback)``: the callback is None
    when stderr is not a terminal, so the work need not count for a bar nobody sees."""

    def __init__(self, label: str, *, enabled: bool | None = None) -> None:
        self._label = label
        self._enabled = sys.stderr.isatty() if enabled is None else enabled
        self._bar: Any = None
        self._done = 0
        self._finished = False

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def callback(self) -> ProgressBar | None:
        """This bar as a ``progress(done, total)`` callback, or None when it shows nothing."""
        return self if self._enabled else None

    def __call__(self, done: int, total: int) -> None:
        if self._finished:
            return  # a last "all done" call after the bar reached its end
        if self._bar is None:
            self._bar = click.progressbar(length=max(total, 1), label=self._label, file=sys.stderr)
            self._bar.__enter__()
            self._done = 0
        if done > self._done:
            self._bar.update(done - self._done)
            self._done = done
        if done >= total:
            self._finished = True
            self._bar.__exit__(None, None, None)
            self._bar = None

    def close(self) -> None:
        """End the bar early (the work failed or stopped)."""
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


class ElapsedTicker:
    """Shows ``label… 12 s`` on a terminal, once a second, while one long call runs.

    For work that cannot report progress, such as SQLite's integrity check, which is one step
    of SQLite's engine. Python's sqlite3 releases the GIL while SQLite runs, so this thread can
    keep printing. The line is erased at the end.
    """

    def __init__(
        self,
        label: str,
        stream: TextIO | None = None,
        interval: float = 1.0,
        *,
        enabled: bool = True,
    ) -> None:
        """``enabled=False`` shows nothing (e.g. when stderr is not a terminal)."""
        self._enabled = enabled
        self._label = label
        self._stream = stream if stream is not None else sys.stderr
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="labeler-ticker", daemon=True)
        self._width = 0

    def __enter__(self) -> ElapsedTicker:
        self._started = time.monotonic()
        if self._enabled:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._enabled:
            self._thread.join()
        if self._width:
            self._stream.write("\r" + " " * self._width + "\r")
            self._stream.flush()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            line = f"{self._label}… {time.monotonic() - self._started:.0f} s"
            self._stream.write("\r" + line.ljust(self._width))
            self._stream.flush()
            self._width = max(self._width, len(line))


def check_slices(store: Store, filters: Sequence[SliceFilter], hint: str = "--slice") -> None:
    """A slice name or value no case has is a usage error (exit 2) naming the known ones.

    Each filter is looked up on its own (quick); every slice is read only to word an error.
    """
    from labeler.slice_filter import check_slice_filters
    from labeler.store.slice_queries import known_slices, missing_slice_values
    from labeler.text.suggest import UnknownName

    missing = missing_slice_values(store, filters)
    if not missing:
        return
    try:
        check_slice_filters(missing, known_slices(store))
    except UnknownName as exc:
        raise click.BadParameter(safe_message(str(exc)), param_hint=hint) from None


def check_names(what: str, names: Sequence[str], known: Collection[str], hint: str) -> None:
    """Each of ``names`` must be in ``known``, else a usage error (exit 2) with "did you mean"."""
    from labeler.text.suggest import UnknownName, check_known

    try:
        for name in names:
            check_known(what, name, known)
    except UnknownName as exc:
        raise click.BadParameter(safe_message(str(exc)), param_hint=hint) from None


def parse_slices(items: Sequence[str]) -> tuple[SliceFilter, ...]:
    """``--slice NAME=VALUE`` options, or a usage error (exit 2) with the fix."""
    from labeler.slice_filter import parse_slice_filters

    try:
        return tuple(parse_slice_filters(items))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--slice") from None


def bucket_keys(store: Store) -> list[str]:
    """The keys of the store's buckets (to check a bucket named on the command line)."""
    from labeler.store import queue as queue_sql

    return queue_sql.bucket_keys(store)


def check_by(store: Store, keys: Sequence[str], hint: str = "--by") -> None:
    """Each ``--by`` key must be a slice name or ``meta.<field>`` the cases have (exit 2)."""
    from labeler.store.slice_queries import (
        known_meta_fields,
        known_slices,
        missing_meta_fields,
        missing_slice_names,
    )

    meta_keys = [key.removeprefix("meta.") for key in keys if key.startswith("meta.")]
    slice_keys = [key for key in keys if not key.startswith("meta.")]
    if not missing_meta_fields(store, meta_keys) and not missing_slice_names(store, slice_keys):
        return
    slices = known_slices(store)
    meta = [f"meta.{field}" for field in sorted(known_meta_fields(store))]
    check_names("slice or meta field", keys, [*slices, *meta], hint)


def check_reviewers(store: Store, names: Sequence[str], hint: str = "--reviewers") -> None:
    """Each name must be a reviewer with a label in the store (exit 2, "did you mean")."""
    from labeler.store.slice_queries import known_reviewers, missing_reviewers

    if missing_reviewers(store, names):
        check_names("reviewer", names, known_reviewers(store), hint)
