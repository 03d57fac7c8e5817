"""Preparing the next case on a background thread while the reviewer reads this one.

Loading a case and making its text safe takes a few milliseconds for a 9 KB case and about
25 ms for a 100 KB one: too long for the key that moves to it. A :class:`Prefetcher` runs a
``prepare(store, key)`` function ahead of time on one thread with its own read connection, and
hands the result over when the screen asks for it.

The texts of a case number (``seq``) never change (``import --update`` makes a new number), so
what was prepared stays right; counts and labels must still be read fresh when shown.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Generic, TypeVar

from labeler.store.connection import Store, open_store

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")

KEEP = 4
"""Requests kept at once; older ones are dropped (the reviewer went elsewhere)."""


class Prefetcher(Generic[K, T]):
    """Runs ``prepare(store, key)`` ahead of time, one request at a time, newest kept."""

    def __init__(self, path: Path, prepare: Callable[[Store, K], T]) -> None:
        self._path = path
        self._prepare = prepare
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="labeler-prefetch")
        self._store: Store | None = None
        """The worker thread's own connection (opened there, used only there)."""
        self._requests: dict[K, Future[T | None]] = {}
        self._lock = threading.Lock()
        self._closed = False

    def request(self, key: K) -> None:
        """Start preparing ``key`` in the background (no-op if already asked for)."""
        with self._lock:
            if self._closed or key in self._requests:
                return
            while len(self._requests) >= KEEP:
                oldest = next(iter(self._requests))
                self._requests.pop(oldest).cancel()
            self._requests[key] = self._executor.submit(self._run, key)

    def take(self, key: K) -> T | None:
        """What was prepared for ``key``: waits if it is being prepared right now; None if it
        was never asked for, not started yet (then it is dropped) or failed."""
        with self._lock:
            future = self._requests.pop(key, None)
        if future is None or future.cancel():
            return None
        try:
            return future.result()
        except Exception:  # the caller prepares it again and reports the error
            return None

    def wait(self, key: K, timeout: float) -> bool:
        """Wait until ``key`` is prepared (or failed); False if it was not asked for or is
        still not done after ``timeout`` seconds."""
        with self._lock:
            future = self._requests.get(key)
        if future is None:
            return False
        with contextlib.suppress(Exception):
            future.exception(timeout)
        return future.done()

    def _run(self, key: K) -> T | None:
        if self._store is None:
            self._store = open_store(self._path, migrate=False)
        return self._prepare(self._store, key)

    def close(self) -> None:
        """Stop the thread and close its connection (pending requests are dropped)."""
        with self._lock:
            self._closed = True
            for future in self._requests.values():
                future.cancel()
            self._requests.clear()
        self._executor.submit(self._close_store)
        self._executor.shutdown(wait=True)

    def _close_store(self) -> None:
        if self._store is not None:
            with contextlib.suppress(Exception):
                self._store.close()
            self._store = None
