"""A read of the store on a thread of its own, with its own connection.

The review and resolve screens look up where they start (a scan of up to a few hundred
milliseconds on a million cases) while the UI is imported and drawn: SQLite runs without the GIL,
so the two overlap. The result, or the error, is handed over through a ``Future``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import TypeVar

from labeler.store.connection import Store, open_store

__all__ = ["read_on_thread"]

T = TypeVar("T")


def read_on_thread(path: Path, read: Callable[[Store], T], name: str) -> Future[T]:
    """Open the store at ``path`` (no migration) on a daemon thread named ``name``, run
    ``read`` on it, and return the future of its result (or of the exception it raised)."""
    future: Future[T] = Future()

    def run() -> None:
        try:
            with open_store(path, migrate=False) as store:
                future.set_result(read(store))
        except BaseException as exc:  # handed to whoever waits on the future
            future.set_exception(exc)

    threading.Thread(target=run, name=name, daemon=True).start()
    return future
