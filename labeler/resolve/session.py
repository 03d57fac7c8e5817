"""The state of one resolve session, apart from the screen: where we are among the
disagreements, what comes next, what undo restores, which reasons wait for a decision, and the
counts. The model is :mod:`labeler.review.session`; the screen only draws what this decides.

The path through the queue:

* ``j`` (:meth:`ResolveSession.next`) replays the session's history forward, then goes to the
  next *open* disagreement (without a resolution) in case order; past the last one it wraps to
  the first open one, and the queue is finished only when none is open.
* A decision (:meth:`ResolveSession.after_decision`) goes to the next open disagreement after
  the decided case (wrapping), never through history to cases already resolved. The history
  stays linear: ``k`` goes back to the decided case.
* ``k`` (:meth:`ResolveSession.previous`) goes back in the history, then to the disagreement
  before the first case of the history, resolved or not (to look at earlier decisions).

Every open case is checked in the store before it is shown (another resolver may have settled
it). Until the first count arrives, the next open case is found with SQL; after it, from the
in-memory :class:`~labeler.resolve.counts.DisagreementTally`, which the session keeps current
with its own decisions (counts and summary included) and which a new count replaces.

Writes: :meth:`ResolveSession.decide` writes and waits. The screen takes the same steps apart
(:meth:`~ResolveSession.begin_decision`, :meth:`~ResolveSession.submit` to one writer thread,
writes landing in order, then :meth:`~ResolveSession.finish_decision`), so that a slow commit
never holds its event loop. Undo and reasons are short writes made at once.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Literal, NamedTuple

from labeler.identity import Actor
from labeler.resolve.counts import Counted, CountRequest, DisagreementTally, Pair
from labeler.resolve.disagreements import (
    ResolveProgress,
    ResolveSpec,
    ReviewerLabel,
    case_labels,
    next_page,
    previous_page,
)
from labeler.resolve.resolutions import (
    OPEN,
    Resolution,
    get_resolution,
    method_for,
    open_writer,
    resolution_state,
    resolve,
    set_reason,
    undo_resolution,
)
from labeler.resolve.start import ResolveStart, find_resolve_start, look_up_resolve_start
from labeler.store.connection import Store
from labeler.store.errors import StoreBusy, StoreError

__all__ = [
    "HISTORY_LIMIT",
    "STILL_SAVING",
    "WRITE_WAIT_MS",
    "CaseState",
    "Decision",
    "DecisionResult",
    "EditResult",
    "ResolveSession",
    "ResolveStart",
    "UndoStep",
    "WriteOutcome",
    "find_resolve_start",
    "look_up_resolve_start",
]

WRITE_WAIT_MS = 300
"""How long a resolution write waits for a busy store before the session reports it busy."""
STILL_SAVING = "a resolution is still being saved; try again in a moment"
"""Why an undo waits for the writer thread."""
HISTORY_LIMIT = 10_000
"""Cases kept for going back; older ones are forgotten."""


class CaseState(NamedTuple):
    """The case on screen as the store has it: the labels (A, B, C... in order) and the
    resolution."""

    seq: int
    labels: list[ReviewerLabel]
    resolution: Resolution | None


@dataclass(frozen=True)
class Decision:
    """One resolution to write: the case, the bucket (None: unclear), and what it replaces."""

    seq: int
    bucket: str | None
    method: str
    reason: str | None
    previous: Resolution | None


class DecisionResult(NamedTuple):
    """What became of a decision.

    ``saved``: stored (``stored``); ``busy``: the store was busy, the decision is pending and
    :meth:`ResolveSession.retry_pending` tries it again; ``refused``: the store said no
    (``error``: another resolver, a changed label...); ``waiting``: another decision is still
    pending, nothing was written.
    """

    outcome: Literal["saved", "busy", "refused", "waiting"]
    decision: Decision
    stored: Resolution | None = None
    error: str | None = None


class WriteOutcome(NamedTuple):
    """What the store said to a decision: the stored resolution, or why not (``busy``: it
    was locked longer than :data:`WRITE_WAIT_MS`)."""

    stored: Resolution | None
    busy: bool
    error: str | None


class EditResult(NamedTuple):
    """What became of an undo or a reason.

    Undo: ``done``, ``nothing`` (nothing to undo) or ``failed`` (the step is kept; ``u``
    tries it again). Reason: ``done`` (saved), ``kept`` (a draft, saved with the decision) or
    ``failed`` (kept as a draft too).
    """

    outcome: Literal["done", "nothing", "kept", "failed"]
    seq: int | None = None
    error: str | None = None


@dataclass(frozen=True)
class UndoStep:
    """A decision of this session: undo puts ``previous`` back if the case is still ``stored``."""

    seq: int
    previous: Resolution | None
    stored: Resolution


class ResolveSession:
    """Where a resolver is among the disagreements, and the decisions of this session."""

    def __init__(
        self,
        store: Store,
        actor: Actor,
        spec: ResolveSpec,
        start: ResolveStart | None = None,
        *,
        started: bool = True,
    ) -> None:
        """``start``: the first open disagreement, if it was looked up already.
        ``started=False``: the lookup is still running (on a thread at start-up); the session
        shows no case until :meth:`start_at` is given its result."""
        self.store = store
        self.actor = actor
        self.base_spec = spec
        self.spec = spec
        """The filter walked now: ``base_spec``, or it narrowed to one confused pair."""
        self.history: list[int] = []
        self.index = 0
        """Position in :attr:`history`; ``len(history)`` past the end of the queue."""
        self.tally: DisagreementTally | None = None
        self.pairs: list[Pair] = []
        """The most confused bucket pairs of ``base_spec``, most confused first."""
        self.drafts: dict[int, str] = {}
        """Reasons typed for a case that are not stored yet: saved with its next decision."""
        self.pending: Decision | None = None
        """A decision the store was too busy to take yet."""
        self.in_flight: dict[int, Decision] = {}
        """Decisions submitted to the writer thread and not finished yet, by case."""
        self._pool: ThreadPoolExecutor | None = None
        self._state: CaseState | None = None
        self._undo: list[UndoStep] = []
        self._changes: list[tuple[int, str]] = []
        """This session's writes, in order: (case, OPEN or method), replayed onto a count."""
        self._requests = 0
        self._applied = 0
        self._writer: Store | None = None
        self._kept: ResolveProgress | None = None
        """"resolved N / M" from the store's kept counts at start (whole store only), shown
        until the first count arrives."""
        self._kept_moves = 0
        """Resolutions this session added (+1) or took away (-1) since :attr:`_kept`."""
        if not started:
            return
        start = start or find_resolve_start(store, spec)
        self._kept = start.kept
        if start.first is not None:
            self._insert(0, start.first)

    def close(self) -> None:
        """Let submitted writes land, then close the write connection."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def _write_store(self) -> Store:
        if self._writer is None:
            self._writer = open_writer(self.store.path, WRITE_WAIT_MS)
        return self._writer

    # -- where we are ---------------------------------------------------------------------

    def current(self) -> int | None:
        """The case on screen, or None past the end of the queue."""
        return self.history[self.index] if 0 <= self.index < len(self.history) else None

    def state(self) -> CaseState | None:
        """The current case's labels and resolution (read from the store when it changed)."""
        seq = self.current()
        if seq is None:
            return None
        if self._state is None or self._state.seq != seq:
            self._state = CaseState(
                seq, case_labels(self.store, seq), get_resolution(self.store, seq)
            )
        return self._state

    def reload(self) -> None:
        """Read the current case's labels and resolution again at the next :meth:`state`."""
        self._state = None

    def progress(self) -> ResolveProgress | None:
        """Resolved / total in the filter. Until the first count arrived: from the store's
        kept counts read at start, with this session's decisions since (whole store only),
        else None."""
        if self.tally is not None:
            return self.tally.progress()
        if self._kept is None or self.spec != ResolveSpec():
            return None
        resolved = min(max(self._kept.resolved + self._kept_moves, 0), self._kept.total)
        return ResolveProgress(resolved=resolved, total=self._kept.total)

    def summary(self) -> dict[str, int] | None:
        """Resolutions by method in the filter, or None until the first count arrived."""
        return None if self.tally is None else self.tally.by_method()

    def _insert(self, at: int, seq: int) -> int:
        self.history.insert(at, seq)
        self.index = at
        if len(self.history) > HISTORY_LIMIT:
            drop = len(self.history) - HISTORY_LIMIT
            if at < drop:  # inserted at the front: forget the newest instead
                del self.history[HISTORY_LIMIT:]
            else:
                del self.history[:drop]
                self.index -= drop
        return seq

    def _past_end(self) -> None:
        self.index = len(self.history)

    # -- finding cases --------------------------------------------------------------------

    def _open_after(self, after: int) -> int | None:
        """The first open disagreement after ``after`` (no wrap), checked in the store."""
        tally = self.tally
        cursor = after
        if tally is None:
            while page := next_page(self.store, self.spec, cursor, 1):
                if page[0] not in self.in_flight:  # being saved: not open any more
                    return page[0]
                cursor = page[0]
            return None
        while (seq := tally.next_open(cursor)) is not None:
            state = resolution_state(self.store, self.spec, seq)
            if state == OPEN and seq not in self.in_flight:
                return seq
            if state == OPEN:
                cursor = seq
                continue
            if state is None:
                tally.forget(seq)  # its labels changed: no longer a disagreement
            else:
                tally.record(seq, state)  # settled elsewhere meanwhile
            cursor = seq
        return None

    def _find_open(self, after: int) -> int | None:
        """The next open disagreement after ``after``, wrapping to the first one."""
        found = self._open_after(after)
        if found is None and after > 0:
            found = self._open_after(0)
        return found

    def _before(self, seq: int) -> int | None:
        """The disagreement before ``seq``, resolved or not."""
        if self.tally is not None:
            return self.tally.previous(seq)
        page = previous_page(self.store, self.spec, seq, 1, include_resolved=True)
        return page[0] if page else None

    # -- moving ---------------------------------------------------------------------------

    def next(self) -> int | None:
        """``j``: forward in the history, else the next open disagreement (wrapping); None
        when no disagreement is open."""
        if self.index < len(self.history) - 1:
            self.index += 1
            return self.history[self.index]
        seq = self._find_open(self.history[-1] if self.history else 0)
        if seq is None:
            self._past_end()
            return None
        return self._insert(len(self.history), seq)

    def after_decision(self) -> int | None:
        """After a decision on the current case: the next open disagreement (wrapping), found
        further on in the history if it is there, else placed right after the decided case."""
        current = self.current()
        seq = self._find_open(current if current is not None else 0)
        if seq is None:
            self._past_end()
            return None
        for at in range(self.index + 1, len(self.history)):
            if self.history[at] == seq:
                self.index = at
                return seq
        return self._insert(min(self.index + 1, len(self.history)), seq)

    def previous(self) -> int | None:
        """``k``: back in the history, then to the disagreement before its first case
        (resolved or not); None (and no move) when there is none."""
        if self.index > 0:
            self.index = min(self.index, len(self.history)) - 1
            return self.history[self.index]
        if not self.history:
            return None
        seq = self._before(self.history[0])
        return None if seq is None else self._insert(0, seq)

    def go_to(self, seq: int) -> int:
        """Show ``seq`` (e.g. the case an undo changed): its last place in the history, so
        that ``j`` and ``k`` go on from it, else right after the current case."""
        for at in range(len(self.history) - 1, -1, -1):
            if self.history[at] == seq:
                self.index = at
                return seq
        return self._insert(min(self.index + 1, len(self.history)), seq)

    def peek_next(self) -> int | None:
        """The case :meth:`next` will most likely show (None if not known without SQL)."""
        if self.index < len(self.history) - 1:
            return self.history[self.index + 1]
        return self._peek_open()

    def peek_after_decision(self) -> int | None:
        """The case :meth:`after_decision` will most likely show (None if not known)."""
        return self._peek_open()

    def _peek_open(self) -> int | None:
        if self.tally is None:
            return None
        current = self.current()
        after = current if current is not None else (self.history[-1] if self.history else 0)
        seq = self.tally.next_open(after)
        if seq is None:
            seq = self.tally.next_open(0)
        return None if seq == current else seq

    def set_filter(
        self, pair: tuple[str, str] | None, start: ResolveStart | None = None
    ) -> int | None:
        """Walk only the cases of one confused pair (None: every disagreement again); the
        history starts over at the first open one (``start``, if it was looked up already,
        e.g. by :func:`look_up_resolve_start`). Undo steps and drafts are kept."""
        self.spec = self.filter_spec(pair)
        self.tally = None  # the next count brings the new filter's
        return self.start_at(start)

    def start_at(self, start: ResolveStart | None) -> int | None:
        """Start the walk over at the first open disagreement of the filter: ``start`` if it
        was looked up already (on a thread, while the screen was being drawn), else looked up
        now. A case settled since it was looked up is passed over."""
        self.history = []
        self._past_end()
        start = start or find_resolve_start(self.store, self.spec)
        if start.kept is not None and self.tally is None:
            self._kept, self._kept_moves = start.kept, 0
        first = start.first
        if first is not None and resolution_state(self.store, self.spec, first) != OPEN:
            first = self._open_after(first)  # settled since it was looked up
        return None if first is None else self._insert(0, first)

    def filter_spec(self, pair: tuple[str, str] | None) -> ResolveSpec:
        """The filter :meth:`set_filter` walks for ``pair``."""
        return self.base_spec if pair is None else replace(self.base_spec, pair=pair)

    # -- deciding -------------------------------------------------------------------------

    def decide(self, bucket: str | None) -> DecisionResult | None:
        """Resolve the current case as ``bucket`` (None: unclear), with its draft reason or the
        stored one, and wait for the store. None when no case is shown. Does not move: see
        :meth:`after_decision`. (The screen does the same in steps: :meth:`begin_decision`,
        :meth:`submit` on the writer thread, :meth:`finish_decision`.)"""
        begun = self.begin_decision(bucket)
        if not isinstance(begun, Decision):
            return begun
        return self.finish_decision(begun, self.store_decision(begun))

    def begin_decision(self, bucket: str | None) -> Decision | DecisionResult | None:
        """The decision ``bucket`` means on the current case; a ``waiting`` result if another
        decision is not saved yet; None when no case is shown. Writes nothing."""
        state = self.state()
        if state is None:
            return None
        pending = self.pending or self.in_flight.get(state.seq)
        if pending is not None and (pending.seq, pending.bucket) != (state.seq, bucket):
            return DecisionResult("waiting", pending)
        previous = state.resolution
        reason = self.drafts.get(state.seq, previous.reason if previous else None)
        method = method_for(state.labels, bucket)
        return Decision(state.seq, bucket, method, reason, previous)

    def submit(self, decision: Decision) -> Future[WriteOutcome]:
        """Write ``decision`` on the session's writer thread (writes land in order); hand the
        outcome to :meth:`finish_decision` on this thread. Until then the case is *in flight*:
        not shown as the next open case, and undo and reasons wait."""
        self.in_flight[decision.seq] = decision
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="labeler-resolve")
        return self._pool.submit(self.store_decision, decision)

    def retry_pending(self) -> DecisionResult | None:
        """Try the pending decision again and wait (None if there is none)."""
        pending = self.pending
        return (
            None if pending is None else self.finish_decision(pending, self.store_decision(pending))
        )

    def store_decision(self, decision: Decision) -> WriteOutcome:
        """Write the decision (any thread: it touches only the write connection)."""
        previous = decision.previous
        try:
            stored = resolve(
                self._write_store(),
                decision.seq,
                self.actor,
                bucket=decision.bucket,
                method=decision.method,
                reason=decision.reason,
                expected_version=previous.version if previous else None,
            )
        except StoreBusy as exc:
            return WriteOutcome(None, busy=True, error=str(exc))
        except StoreError as exc:
            return WriteOutcome(None, busy=False, error=str(exc))
        return WriteOutcome(stored, busy=False, error=None)

    def finish_decision(self, decision: Decision, outcome: WriteOutcome) -> DecisionResult:
        """Take the outcome of a decision's write: undo step, counts, drafts, what is shown."""
        self.in_flight.pop(decision.seq, None)
        stored = outcome.stored
        if stored is None:
            if outcome.busy:
                self.pending = decision
                return DecisionResult("busy", decision, error=outcome.error)
            self.pending = None
            self._state = None  # show what the store has now
            return DecisionResult("refused", decision, error=outcome.error)
        self.pending = None
        previous = decision.previous
        if decision.seq in self.drafts and self.drafts[decision.seq] == decision.reason:
            del self.drafts[decision.seq]
        if stored != previous:
            self._undo.append(UndoStep(decision.seq, previous, stored))
            self._changed(decision.seq, stored.method, was_resolved=previous is not None)
        if self._state is not None and self._state.seq == decision.seq:
            self._state = self._state._replace(resolution=stored)
        return DecisionResult("saved", decision, stored)

    def _changed(self, seq: int, state: str, *, was_resolved: bool) -> None:
        self._changes.append((seq, state))
        self._kept_moves += (state != OPEN) - was_resolved
        if self.tally is not None:
            self.tally.record(seq, state)

    def _repair(self, seq: int, was: Resolution, now: Resolution | None) -> None:
        """A write of this session replaced ``was`` by ``now``: the case's last undo step, if
        it left ``was``, must now expect ``now``."""
        for at in range(len(self._undo) - 1, -1, -1):
            step = self._undo[at]
            if step.seq == seq:
                if now is not None and step.stored.version == was.version:
                    self._undo[at] = replace(step, stored=now)
                return

    def reason_shown(self) -> str:
        """The reason the ``n`` prompt starts with: the draft, else the stored one."""
        state = self.state()
        if state is None:
            return ""
        stored = state.resolution.reason if state.resolution else None
        return self.drafts.get(state.seq, stored or "")

    def write_reason(self, text: str | None) -> EditResult:
        """Set the current case's reason: stored at once if the case is resolved, else kept as
        a draft that the next decision on the case saves. A reason the store refuses is kept
        as a draft too, so it is never lost."""
        state = self.state()
        if state is None:
            return EditResult("nothing")
        text = text or None
        resolution = state.resolution
        if resolution is None or state.seq in self.in_flight:
            self._set_draft(state.seq, text)
            return EditResult("kept", state.seq)
        try:
            stored = set_reason(
                self._write_store(),
                state.seq,
                self.actor,
                text,
                expected_version=resolution.version,
            )
        except StoreError as exc:
            self._set_draft(state.seq, text)
            self._state = None
            return EditResult("failed", state.seq, str(exc))
        self.drafts.pop(state.seq, None)
        if stored != resolution:
            self._repair(state.seq, resolution, stored)
        self._state = state._replace(resolution=stored)
        return EditResult("done", state.seq)

    def _set_draft(self, seq: int, text: str | None) -> None:
        if text:
            self.drafts[seq] = text
        else:
            self.drafts.pop(seq, None)

    def undo(self) -> EditResult:
        """Undo this session's last decision, whatever case it was on (the step is kept if the
        store refuses, so ``u`` can try again). A reason the undone resolution had, and the
        restored one has not, becomes the case's draft again. Does not move: see
        :meth:`go_to`."""
        if self.in_flight:
            return EditResult("failed", error=STILL_SAVING)
        if not self._undo:
            return EditResult("nothing")
        step = self._undo.pop()
        try:
            restored = undo_resolution(
                self._write_store(),
                step.seq,
                self.actor,
                step.previous,
                expected_version=step.stored.version,
            )
        except StoreError as exc:
            self._undo.append(step)
            return EditResult("failed", step.seq, str(exc))
        if step.previous is not None:
            self._repair(step.seq, step.previous, restored)
        reason = step.stored.reason
        if reason and reason != (restored.reason if restored else None):
            self.drafts.setdefault(step.seq, reason)
        self._changed(step.seq, restored.method if restored else OPEN, was_resolved=True)
        if self._state is not None and self._state.seq == step.seq:
            self._state = self._state._replace(resolution=restored)
        return EditResult("done", step.seq)

    # -- counting -------------------------------------------------------------------------

    def count_request(self) -> CountRequest:
        """Ask for a count of the current filter (run it in a worker with
        :func:`~labeler.resolve.counts.count_disagreements`)."""
        self._requests += 1
        return CountRequest(self._requests, self.spec, self.base_spec, len(self._changes))

    def count_arrived(self, request: CountRequest, counted: Counted) -> bool:
        """Take a count, with this session's writes since it was asked for played onto it;
        False (ignored) if it is of another filter or older than the one taken."""
        if request.spec != self.spec or request.number < self._applied:
            return False
        tally = counted.tally
        for seq, state in self._changes[request.mark :]:
            tally.record(seq, state)
        self.tally = tally
        self.pairs = counted.pairs
        self._applied = request.number
        return True
