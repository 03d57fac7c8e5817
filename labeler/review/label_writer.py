"""One reviewer's label writes, in order, on a thread of their own, never dropped.

The review screen hands every label, note and undo to a :class:`LabelWriter`. A single thread
applies them in the order given, each in its own short transaction, on its own connection (so a
busy store never blocks the screen). A write that fails because the store is busy, full or
read-only stays queued and is retried; the screen shows it as "not saved yet" until it lands.
The writer keeps the version of each label it wrote, so compare-and-swap checks work even for
writes queued behind a pending one.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from labeler.identity import Actor
from labeler.labels import Label, delete_label, get_label, set_label
from labeler.store.connection import Store, open_store
from labeler.store.errors import StoreBusy, StoreError, StoreFull, StorePermission, VersionConflict

RETRYABLE = (StoreBusy, StoreFull, StorePermission)
UNSET = object()


@dataclass(frozen=True)
class WriteOutcome:
    """What happened to one write."""

    case_seq: int
    label: Label | None
    """The label as stored after the write (None: no label)."""
    previous: Label | None
    """The label before the write (what undo restores)."""
    error: str | None = None
    """Set when the write was refused for good (e.g. a version conflict); nothing was written."""
    is_undo: bool = False
    """True for a write that undid an earlier one."""


@dataclass
class _Op:
    case_seq: int
    bucket: str | None  # None: delete
    note: object
    kind: str | None
    future: Future[WriteOutcome]
    reached_by: str | None = None


Listener = Callable[[int, str | None], None]
"""Called from the writer thread with (number of writes pending, last error or None)."""


class LabelWriter:
    """Applies one actor's label writes in order on a background thread."""

    def __init__(
        self,
        path: Path,
        actor: Actor,
        *,
        retry_delay: float = 0.5,
        listener: Listener | None = None,
        busy_timeout_ms: int | None = None,
    ) -> None:
        """``busy_timeout_ms`` overrides the store's busy timeout on the writer's connection."""
        self.actor = actor
        self._path = path
        self._retry_delay = retry_delay
        self._busy_timeout_ms = busy_timeout_ms
        self._listener = listener
        self._ops: queue.Queue[_Op | None] = queue.Queue()
        self._pending = 0
        self._pending_lock = threading.Lock()
        self._versions: dict[int, Label | None] = {}
        self.refused: list[str] = []
        """Why each write refused for good was refused (nothing was written for it)."""
        self._store: Store | None = None
        self.reached_by: Callable[[int], str | None] | None = None
        """How the reviewer came to a case (``labels.reached_by`` of a new label), asked when a
        label is submitted, so that it describes the screen at that moment; the review session
        sets it."""
        self._thread = threading.Thread(target=self._run, name="label-writer", daemon=True)
        self._thread.start()

    @property
    def pending(self) -> int:
        """Writes submitted and not yet stored."""
        with self._pending_lock:
            return self._pending

    def submit_label(
        self, case_seq: int, bucket: str, note: object = UNSET, kind: str | None = None
    ) -> Future[WriteOutcome]:
        """Queue: give ``bucket`` (and ``note`` if given) to the case."""
        reached_by = None if self.reached_by is None else self.reached_by(case_seq)
        return self._submit(_Op(case_seq, bucket, note, kind, Future(), reached_by))

    def submit_restore(self, case_seq: int, previous: Label | None) -> Future[WriteOutcome]:
        """Queue an undo: restore ``previous`` (or delete the label when None)."""
        if previous is None:
            return self._submit(_Op(case_seq, None, UNSET, "label.undo", Future()))
        return self._submit(_Op(case_seq, previous.bucket, previous.note, "label.undo", Future()))

    def _submit(self, op: _Op) -> Future[WriteOutcome]:
        with self._pending_lock:
            self._pending += 1
        self._ops.put(op)
        return op.future

    def close(self, timeout: float | None = 10.0) -> bool:
        """Stop after the queued writes; True when all of them were stored."""
        self._ops.put(None)
        self._thread.join(timeout)
        return self.pending == 0

    def _notify(self, error: str | None) -> None:
        if self._listener is not None:
            with contextlib.suppress(Exception):  # a broken listener must not stop the writes
                self._listener(self.pending, error)

    def _run(self) -> None:
        while True:
            op = self._ops.get()
            if op is None:
                break
            outcome = self._apply_with_retry(op)
            if outcome.error is not None:
                self.refused.append(outcome.error)
            with self._pending_lock:
                self._pending -= 1
            op.future.set_result(outcome)
            self._notify(outcome.error)
        if self._store is not None:
            self._store.close()

    def _apply_with_retry(self, op: _Op) -> WriteOutcome:
        outcome = self._apply_until_done(op)
        if op.kind == "label.undo":
            return WriteOutcome(
                outcome.case_seq, outcome.label, outcome.previous, outcome.error, is_undo=True
            )
        return outcome

    def _apply_until_done(self, op: _Op) -> WriteOutcome:
        while True:
            try:
                return self._apply(op)
            except RETRYABLE as exc:
                self._notify(str(exc))
                time.sleep(self._retry_delay)
            except VersionConflict as exc:
                assert self._store is not None
                self._versions[op.case_seq] = get_label(self._store, op.case_seq, self.actor.name)
                return WriteOutcome(op.case_seq, self._versions[op.case_seq], None, str(exc))
            except StoreError as exc:
                return WriteOutcome(op.case_seq, None, None, str(exc))

    def _connection(self) -> Store:
        if self._store is None:
            self._store = open_store(self._path)
            if self._busy_timeout_ms is not None:
                self._store.set_busy_timeout(self._busy_timeout_ms)
        return self._store

    def _apply(self, op: _Op) -> WriteOutcome:
        store = self._connection()
        if op.case_seq not in self._versions:
            self._versions[op.case_seq] = get_label(store, op.case_seq, self.actor.name)
        previous = self._versions[op.case_seq]
        expected = None if previous is None else previous.version
        if op.bucket is None:
            if previous is None:
                return WriteOutcome(op.case_seq, None, None)
            delete_label(
                store,
                op.case_seq,
                self.actor,
                expected_version=expected or 0,
                kind=op.kind or "label.delete",
            )
            stored: Label | None = None
        elif op.note is UNSET:
            stored = set_label(
                store,
                op.case_seq,
                self.actor,
                op.bucket,
                expected_version=expected,
                kind=op.kind,
                reached_by=op.reached_by,
            )
        else:
            stored = set_label(
                store,
                op.case_seq,
                self.actor,
                op.bucket,
                expected_version=expected,
                note=op.note,
                kind=op.kind,
                reached_by=op.reached_by,
            )
        self._versions[op.case_seq] = stored
        return WriteOutcome(op.case_seq, stored, previous)
