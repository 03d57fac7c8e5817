"""Where a resolve session starts: the first open disagreement of a filter.

On a large store it is a scan past every resolved disagreement before it (about 0.2 s of SQLite
on a million cases), so ``labeler resolve`` starts it on a thread first thing
(:func:`look_up_resolve_start`), and the UI is imported and drawn meanwhile. This module imports
little, so that the thread starts early.
"""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path
from typing import NamedTuple

from labeler.resolve.disagreements import ResolveProgress, ResolveSpec, kept_progress, next_page
from labeler.store.background import read_on_thread
from labeler.store.connection import Store

__all__ = ["ResolveStart", "find_resolve_start", "look_up_resolve_start"]


class ResolveStart(NamedTuple):
    """The first open disagreement of a filter (None: there is none)."""

    first: int | None
    kept: ResolveProgress | None = None
    """"resolved N / M" from the counts the store keeps, when the filter is the whole store
    (no ``--slice``, no ``--pair``): shown until the session's own count arrives (a pass over
    the store, about 2 s on a million cases)."""


def find_resolve_start(store: Store, spec: ResolveSpec) -> ResolveStart:
    """The first open disagreement (walks past every resolved one before it)."""
    page = next_page(store, spec, 0, 1)
    kept = kept_progress(store) if spec == ResolveSpec() else None
    return ResolveStart(page[0] if page else None, kept)


def look_up_resolve_start(path: Path, spec: ResolveSpec) -> Future[ResolveStart]:
    """:func:`find_resolve_start` on a thread with its own connection, so that it overlaps the
    import of the UI and its first frame at start-up."""
    return read_on_thread(
        path, lambda store: find_resolve_start(store, spec), "labeler-resolve-start"
    )
