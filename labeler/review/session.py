"""The state of one review session, apart from the screen: where we are, what comes next,
what undo restores. Keeps a short history for going back; pages the queue from SQL.

The path through the queue follows three rules:

- **History is linear.** ``history`` holds the queue cases in the order they were shown, each
  once per pass through the queue (in queue order); ``k`` and ``j`` walk it. A label, ``j`` or
  ``s`` shows the case after the current one in history, or the next queue case at its end.
- **A case reached with ``g`` or ``/`` is a detour**, shown outside the history: a label (or
  ``j``, ``k``, ``s``) on it returns to the case that was left. Only looked at, it keeps its place
  in the queue.
- **Undo shows the case it restored in its place**: in history when it is there (so the next
  label goes on to the case after it), else as a detour.

A session starts at the first case of the queue (cases left behind in an earlier session come
first) and walks it to the end, then wraps around to the cases skipped on the way.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import Future
from pathlib import Path
from typing import NamedTuple

from labeler.identity import Actor
from labeler.labels import Label
from labeler.review.label_writer import LabelWriter, WriteOutcome
from labeler.review.queue import (
    PAGE_SIZE,
    QueueSpec,
    first_page,
    next_page,
    position,
    still_in_queue,
)
from labeler.store.background import read_on_thread
from labeler.store.connection import Store
from labeler.store.order import REACHED_IMPORT_ORDER, REACHED_JUMP, REACHED_RANDOM_ORDER
from labeler.store.queue import case_id_of as case_id_of  # the review screen's import

HISTORY_LIMIT = 10_000


class QueueStart(NamedTuple):
    """The first page of a reviewer's queue, looked up before the screen opens."""

    first_page: list[int]


def find_queue_start(store: Store, spec: QueueSpec) -> QueueStart:
    """The queue's first page (on a large store, up to a few hundred milliseconds for a
    reviewer far ahead of everyone: the merge walks past their own labels)."""
    return QueueStart(first_page(store, spec))


def look_up_queue_start(path: Path, spec: QueueSpec) -> Future[QueueStart]:
    """Run :func:`find_queue_start` on a thread of its own (with its own connection), so that
    it overlaps the import of the UI at start-up."""
    return read_on_thread(path, lambda store: find_queue_start(store, spec), "labeler-queue-start")


class ReviewSession:
    """Where a reviewer is in the queue, and the labels given in this session."""

    page_size = PAGE_SIZE
    """Queue cases fetched at a time after the first page (tests make it small)."""

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
        """Queue cases in the order shown: each once per pass, in queue order."""
        self.index = -1
        """Position in :attr:`history`; ``len(history)`` at the end of the queue."""
        self.detour: int | None = None
        """A case shown by :meth:`go_to` (or an undo), outside the history."""
        self.wraps = 0
        """How many times the queue wrapped around to the cases skipped on the way."""
        self._upcoming: deque[int] = deque()
        """Queue cases fetched and not handed out yet, in queue order."""
        self._cursor = 0
        """The last case fetched in this pass (the keyset cursor of the next page)."""
        self._frontier = 0
        """The last case handed out in this pass."""
        self._found_in_pass = False
        page = (start or find_queue_start(store, spec)).first_page
        if page:
            self._take_page(page)
        self._undo: list[tuple[int, Label | None]] = []
        self.done_at_start = 0
        self.labeled_here = 0
        self.total: int | None = None
        writer.reached_by = self.reached_by
        self._advance()

    # -- position -------------------------------------------------------------------------

    def current(self) -> int | None:
        """The case on screen, or None at the end of the queue."""
        if self.detour is not None:
            return self.detour
        if 0 <= self.index < len(self.history):
            return self.history[self.index]
        return None

    def left_for_detour(self) -> int | None:
        """On a detour, the case it returns to (None when not on one, or at the end)."""
        if self.detour is None or not 0 <= self.index < len(self.history):
            return None
        return self.history[self.index]

    def position(self) -> int:
        """1-based position for the header (labeled so far, plus one)."""
        if self.spec.revisit:
            return self.index + 1
        done = self.done_at_start + self.labeled_here
        return done + 1 if self.total is None else min(done + 1, self.total)

    def _fill(self) -> None:
        while not self._upcoming:
            page = next_page(self.store, self.spec, self._cursor, self.page_size)
            if page:
                self._take_page(page)
                continue
            if self.spec.revisit or not self._found_in_pass:
                return
            # Wrap around: the cases skipped on the way come back, in queue order.
            self._cursor = self._frontier = 0
            self._found_in_pass = False
            self.wraps += 1

    def _take_page(self, page: list[int]) -> None:
        self._cursor = page[-1]  # pages come in queue order (random or import)
        self._upcoming.extend(page)
        self._found_in_pass = True

    def _advance(self) -> int | None:
        while True:
            self._fill()
            if not self._upcoming:
                self.index = len(self.history)
                return None
            seq = self._upcoming.popleft()
            if still_in_queue(self.store, self.spec, seq):
                break
        self._frontier = seq
        self.history.append(seq)
        if len(self.history) > HISTORY_LIMIT:
            del self.history[: len(self.history) - HISTORY_LIMIT]
        self.index = len(self.history) - 1
        return seq

    def next(self) -> int | None:
        """Move on (after a label, ``j`` or ``s``): back from a detour to the case left, else
        forward in history, else the next queue case (None at the end of the queue)."""
        if self.detour is not None:
            self.detour = None
            if self.index < len(self.history):
                return self.history[self.index]
            return self._advance()
        if self.index < len(self.history) - 1:
            self.index += 1
            return self.history[self.index]
        return self._advance()

    def peek_next(self) -> int | None:
        """The case :meth:`next` will most likely show (None if not known without a query)."""
        if self.detour is not None and self.index < len(self.history):
            return self.history[self.index]
        if self.detour is None and self.index < len(self.history) - 1:
            return self.history[self.index + 1]
        return self._upcoming[0] if self._upcoming else None

    def can_go_back(self) -> bool:
        """Whether :meth:`previous` would move."""
        return bool(self.history) and (self.detour is not None or self.index > 0)

    def previous(self) -> int | None:
        """Move back: from a detour to the case left, else one case back in this session's
        history (None at the start: nothing moves)."""
        if not self.can_go_back():
            return None
        if self.detour is not None:
            self.detour = None
            if self.index < len(self.history):
                return self.history[self.index]
        self.index = min(self.index, len(self.history)) - 1
        return self.history[self.index]

    def go_to(self, seq: int) -> None:
        """Show ``seq`` as a detour: leaving it (a label, ``j``, ``k``) comes back here."""
        if 0 <= self.index < len(self.history) and self.history[self.index] == seq:
            self.detour = None
        else:
            self.detour = seq

    def show_undone(self, seq: int) -> None:
        """Show the case an undo just restored: in its place in history when it is there (the
        latest time it was shown), else as a detour. If the undo took its label away, the case
        is back in the queue: the walk of this pass hands it out when it gets there."""
        self._reopen(seq)
        for at in range(len(self.history) - 1, -1, -1):
            if self.history[at] == seq:
                self.detour = None
                self.index = at
                return
        self.go_to(seq)

    def _reopen(self, seq: int) -> None:
        # Ahead of the walk but behind the cursor, the case would be missed until the wrap
        # (the page that holds its place was fetched while it was labeled).
        if self.spec.revisit:
            return

        def place(case: int) -> tuple[int, int]:
            return position(self.store, self.spec, case)

        where = place(seq)
        if not place(self._frontier) < where <= place(self._cursor) or seq in self._upcoming:
            return
        at = next(
            (i for i, s in enumerate(self._upcoming) if place(s) > where), len(self._upcoming)
        )
        self._upcoming.insert(at, seq)

    # -- labels and undo ------------------------------------------------------------------

    def reached_by(self, seq: int) -> str:
        """How the reviewer came to case ``seq`` (kept with a new label, for ``stats``' sampling
        line): a detour (``g``, ``/``) or the queue in its order."""
        if self.detour == seq:
            return REACHED_JUMP
        return REACHED_RANDOM_ORDER if self.spec.order == "random" else REACHED_IMPORT_ORDER

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

    def last_labeled(self) -> int | None:
        """The case of this session's last label change not undone (what ``u`` would undo)."""
        return self._undo[-1][0] if self._undo else None

    def pop_undo(self) -> tuple[int, Label | None] | None:
        """The last label change of this session, to restore (None if nothing to undo)."""
        if not self._undo:
            return None
        return self._undo.pop()
