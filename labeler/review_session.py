"""The state of one review session, apart from the screen: where we are, what comes next,
what undo restores. Keeps a short history for going back; pages the queue from SQL.
"""

from __future__ import annotations

import threading
from collections import deque
from concurrent.futures import Future
from pathlib import Path
from typing import NamedTuple

from labeler.identity import Actor
from labeler.label_writer import LabelWriter, WriteOutcome
from labeler.labels import Label
from labeler.queue import QueueSpec, next_page, resume_point, still_in_queue
from labeler.store.connection import Store, open_store

HISTORY_LIMIT = 10_000


class QueueStart(NamedTuple):
    """Where a reviewer's queue starts, and its first page."""

    resume_at: int
    first_page: list[int]


def find_queue_start(store: Store, spec: QueueSpec) -> QueueStart:
    """The resume point and the first page after it (on a large store, tens of milliseconds:
    the page query walks past every case that already has its labels)."""
    resume_at = resume_point(store, spec)
    return QueueStart(resume_at, next_page(store, spec, resume_at))


def look_up_queue_start(path: Path, spec: QueueSpec) -> Future[QueueStart]:
    """Run :func:`find_queue_start` on a thread of its own (with its own connection), so that
    it overlaps the import of the UI at start-up."""
    future: Future[QueueStart] = Future()

    def run() -> None:
        try:
            with open_store(path, migrate=False) as store:
                future.set_result(find_queue_start(store, spec))
        except BaseException as exc:  # handed to whoever waits on the future
            future.set_exception(exc)

    threading.Thread(target=run, name="labeler-queue-start", daemon=True).start()
    return future


class ReviewSession:
    """Where a reviewer is in the queue, and the labels given in this session."""

    def __init__(
        self,
        store: Store,
        writer: LabelWriter,
        spec: QueueSpec,
        start: QueueStart | None = None,
    ) -> None:
        """``start`` is the queue's start when it was already looked up (else it is here)."""
        self.store = store
        self.writer = writer
        self.spec = spec
        self.actor: Actor = writer.actor
        self.history: list[int] = []
        self.index = -1
        self._upcoming: deque[int] = deque()
        resume_at, first_page = start or find_queue_start(store, spec)
        self._cursor = self._pass_start = resume_at
        self._found_in_pass = False
        if first_page:
            self._take_page(first_page)
        self._jumped: set[int] = set()
        """Cases shown by go_to in this pass: not handed out again before the queue wraps."""
        self._undo: list[tuple[int, Label | None]] = []
        self.done_at_start = 0
        self.labeled_here = 0
        self.total: int | None = None
        self._advance()

    # -- position -------------------------------------------------------------------------

    def current(self) -> int | None:
        """The case on screen, or None at the end of the queue."""
        if 0 <= self.index < len(self.history):
            return self.history[self.index]
        return None

    def position(self) -> int:
        """1-based position for the header (labeled so far, plus one)."""
        if self.spec.revisit:
            return self.index + 1
        done = self.done_at_start + self.labeled_here
        return done + 1 if self.total is None else min(done + 1, self.total)

    def _fill(self) -> None:
        while not self._upcoming:
            page = next_page(self.store, self.spec, self._cursor)
            if page:
                self._take_page(page)
                continue
            if self.spec.revisit or (self._pass_start == 0 and not self._found_in_pass):
                return
            # Wrap around: skipped cases (and any before the resume point) come back.
            self._cursor = self._pass_start = 0
            self._found_in_pass = False
            self._jumped.clear()

    def _take_page(self, page: list[int]) -> None:
        self._cursor = max(page)
        self._upcoming.extend(page)
        self._found_in_pass = True

    def _advance(self) -> int | None:
        while True:
            self._fill()
            if not self._upcoming:
                self.index = len(self.history)
                return None
            seq = self._upcoming.popleft()
            if seq not in self._jumped and still_in_queue(self.store, self.spec, seq):
                break
        self.history.append(seq)
        if len(self.history) > HISTORY_LIMIT:
            del self.history[: len(self.history) - HISTORY_LIMIT]
        self.index = len(self.history) - 1
        return seq

    def next(self) -> int | None:
        """Move to the next case: forward in history, else the next queue case."""
        if self.index < len(self.history) - 1:
            self.index += 1
            return self.history[self.index]
        return self._advance()

    def peek_next(self) -> int | None:
        """The case :meth:`next` will most likely show (None if not known without a query)."""
        if self.index < len(self.history) - 1:
            return self.history[self.index + 1]
        return self._upcoming[0] if self._upcoming else None

    def previous(self) -> int | None:
        """Move back one case in this session's history (None at the start)."""
        if self.index <= 0:
            return None
        self.index = min(self.index, len(self.history)) - 1
        return self.history[self.index]

    def go_to(self, seq: int) -> None:
        """Show ``seq`` next: it is inserted after the current position."""
        self._jumped.add(seq)
        at = min(self.index + 1, len(self.history))
        self.history.insert(at, seq)
        self.index = at

    # -- labels and undo ------------------------------------------------------------------

    def record_outcome(self, outcome: WriteOutcome) -> None:
        """Note a stored write (for undo and the position counter)."""
        if outcome.error:
            return
        if outcome.label is not None and outcome.previous is None:
            self.labeled_here += 1
        elif outcome.label is None and outcome.previous is not None:
            self.labeled_here -= 1
        if outcome.label != outcome.previous and not outcome.is_undo:
            self._undo.append((outcome.case_seq, outcome.previous))

    def pop_undo(self) -> tuple[int, Label | None] | None:
        """The last label change of this session, to restore (None if nothing to undo)."""
        if not self._undo:
            return None
        return self._undo.pop()
