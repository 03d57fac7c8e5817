"""The resolve screen: the disagreements, both decisions side by side, one key to settle each.

A resolution is a record of its own and never changes a reviewer's label. Each key commits at
once, with a version check: a second resolver on the same case is told, not overwritten.
Where the screen goes, what undo restores and the counts are :class:`ResolveSession`'s; this
screen draws them. Nothing slow runs on the event loop: the next case's text is prepared on a
thread (:class:`~labeler.review.prefetch.Prefetcher`), and the counts and the summary come from one
pass over the store in a worker, kept current by the session afterwards. At start-up the first
open disagreement may still be looked up on a thread: the screen is drawn meanwhile and shows
the case when it comes.

Every key is a binding, the reviewer letters and the bucket shortcuts included: Textual runs
bindings in the order the keys were typed, each on the case on screen once the keys before it
have acted (keys handled in ``on_key`` would overtake bindings typed before them).
"""

from __future__ import annotations

import contextlib
import gc
import time
from concurrent.futures import Future
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Footer, Static

from labeler.buckets import BucketInfo
from labeler.cases import Case, load_case
from labeler.resolve.counts import Counted, CountRequest, count_disagreements
from labeler.resolve.disagreements import ResolveSpec
from labeler.resolve.session import (
    WRITE_WAIT_MS,
    Decision,
    DecisionResult,
    ResolveSession,
    ResolveStart,
    WriteOutcome,
    find_resolve_start,
)
from labeler.review.case_display import CaseDisplay, case_display
from labeler.review.prefetch import Prefetcher
from labeler.store.connection import Store, open_store
from labeler.text.display import safe_inline
from labeler.tui.bucket_bar import BucketBar
from labeler.tui.case_preparation import PaneWidths, PreparedCase, prepare_case
from labeler.tui.case_screen import pane_bindings
from labeler.tui.case_view import CaseView
from labeler.tui.header import CaseHeader, HeaderState
from labeler.tui.modals import HelpScreen, TextPrompt, bind_bucket_keys
from labeler.tui.resolve_panes import CaseAndLabelsScreen
from labeler.tui.reviewer_labels import ReviewerLabels

HELP_KEYS = [
    ("a / b / c…", "take reviewer A's (B's, C's…) bucket as the final one"),
    ("1-9, letters", "set another bucket as the final one"),
    ("x", "mark the case unclear (kept out of the counts, listed for the guideline owner)"),
    ("n", "write the reason (a note on the resolution)"),
    ("u", "undo your last resolution"),
    ("j / k", "next / previous disagreement"),
    ("p", "highlight the next most-confused bucket pair"),
    ("f", "walk only the cases of the highlighted pair (again: all cases)"),
    ("tab", "choose a pane: input, context, output, or the labels with every note"),
    ("pgup / pgdn", "scroll the chosen pane (also home / end)"),
    ("z", "zoom the chosen pane to full screen and back (the labels: every note in full)"),
    ("?", "this help"),
    ("q / ctrl+c", "quit (every resolution shown is in the store)"),
]

HEIGHT_BREAKPOINTS = [(0, "-short"), (32, "-tall")]
"""Under 32 rows (80x24) the header and the labels panel are capped so the case stays visible."""

SAVE_WAIT_S = 0.012
"""How long a decision key waits for the store before the screen moves on ("saving…"): less
than a frame, so a slow commit never holds the event loop."""
LAND_WAIT_S = WRITE_WAIT_MS / 1000
"""How long undo, or a decision on a case whose decision is still being written, waits for the
writes in flight (see ``ResolveScreen._land_writes``)."""
RETRY_S = 0.5
"""How often a resolution that could not be saved yet is tried again."""
PREFETCH_DELAY_S = 0.03
"""How long after a case is shown the next ones start being prepared (after its frame)."""
FREEZE_GARBAGE_AFTER_S = 0.5
"""When to collect and freeze the start-up objects: after the first screen is up."""
REVIEWER_LETTERS = "abcdef"
"""The keys that take reviewer A's, B's... bucket (``f`` filters the pair when a case has fewer
than six reviewers)."""
RECOUNT_S = 60.0
"""How often the counts are taken again from the store (decisions made elsewhere)."""


def _freeze_garbage() -> None:
    """Collect once after start-up and move what survived out of the collector's way (as the
    review screen does: full collections walking the start-up objects make slow keys)."""
    gc.collect()
    gc.freeze()


class ResolveScreen(CaseAndLabelsScreen):
    """Walks disagreements; one key settles a case."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit_safely", "Quit", id="resolve.quit"),
        Binding("question_mark", "help", "Help", id="resolve.help"),
        Binding("x", "unclear", "Unclear", id="resolve.unclear"),
        Binding("n", "reason", "Reason", id="resolve.reason"),
        Binding("u", "undo", "Undo", id="resolve.undo"),
        Binding("j,right,down", "next", "Next", id="resolve.next"),
        Binding("k,left,up", "previous", "Prev", id="resolve.previous"),
        Binding("p", "next_pair", "Pair", id="resolve.pair"),
        Binding("f", "filter_pair", "Only pair", id="resolve.filter"),
        *pane_bindings("resolve"),
        # "f" filters the pair, unless the case has a reviewer F (check_action): then the
        # filter is skipped and "f" takes F's bucket.
        *(
            Binding(letter, f"take({index})", show=False, id=f"resolve.take_{letter}")
            for index, letter in enumerate(REVIEWER_LETTERS)
        ),
    ]
    VERTICAL_BREAKPOINTS = HEIGHT_BREAKPOINTS
    DEFAULT_CSS: ClassVar[str] = """
    #resolve-status { height: auto; max-height: 6; background: $boost; padding: 0 1; }
    /* Short terminals (HEIGHT_BREAKPOINTS): the case panes keep a few lines each. */
    ResolveScreen.-short ReviewerLabels { max-height: 6; }
    ResolveScreen.-short ReviewerLabels.-maximized { max-height: 100%; }
    """

    class CountReady(Message):
        """A count of the disagreements finished in the worker (``counted`` None: it failed)."""

        def __init__(self, request: CountRequest, counted: Counted | None) -> None:
            super().__init__()
            self.request = request
            self.counted = counted

    class FilterReady(Message):
        """The first open case of a new filter was found in the worker."""

        def __init__(self, pair: tuple[str, str] | None, start: ResolveStart) -> None:
            super().__init__()
            self.pair = pair
            self.start = start

    class StartFound(Message):
        """The lookup of the first open disagreement, started before the screen, ended."""

        def __init__(self, future: Future[ResolveStart]) -> None:
            super().__init__()
            self.future = future

    class WriteDone(Message):
        """A decision's write that the screen did not wait for has an outcome."""

        def __init__(self, future: Future[WriteOutcome]) -> None:
            super().__init__()
            self.future = future

    def __init__(
        self,
        session: ResolveSession,
        buckets: list[BucketInfo],
        start: Future[ResolveStart] | None = None,
    ) -> None:
        """``start``: the lookup of the first open disagreement, when it is still running (the
        session was made with ``started=False``)."""
        super().__init__()
        bind_bucket_keys(self, buckets, "set_bucket")
        self.session = session
        self._start = start
        self.store = session.store
        self.buckets = buckets
        self.names = {b.key: b.name for b in buckets}
        self.case: Case | None = None
        self.display_data: CaseDisplay | None = None
        self.pair_index = 0
        self.status_message = ""
        self._status_rows = -1
        self._counting = False
        self._count_again = False
        self._counted_version: int | None = None
        """The store's ``PRAGMA data_version`` when the last count started: the periodic
        recount is skipped while no other connection has committed since."""
        self._retry_timer: Timer | None = None
        self._unfinished: dict[Future[WriteOutcome], tuple[Decision, str, bool]] = {}
        """Writes the screen did not wait for: their decision, case id, and whether the screen
        moved on from the case (False: a retry of a decision the store was too busy for)."""
        self._ids: dict[int, str] = {}
        """Case ids of decided cases, for the status of a write that lands later."""
        self.save_wait_s = SAVE_WAIT_S
        """How long a decision key waits for its write before moving on (tests wait longer)."""
        self._quit_asked = False
        self._prefetcher: Prefetcher[int, PreparedCase | None] = Prefetcher(
            session.store.path, self._prepare_ahead
        )
        self._prefetch_timer: Timer | None = None
        self._pane_widths: PaneWidths = (0, 0, 0)
        self._sixth_reviewer = False
        """Whether the case on screen has a reviewer F (``f`` then takes that bucket)."""

    def compose(self) -> ComposeResult:
        yield CaseHeader(id="header")
        yield ReviewerLabels(id="reviewer-labels")
        yield CaseView(id="case-view")
        yield BucketBar(self.buckets, id="bucket-bar")
        yield Static(id="resolve-status")
        yield Footer()

    def on_mount(self) -> None:
        """Show the first disagreement (or wait for its lookup); count in the background once
        it is drawn."""
        self.set_interval(RECOUNT_S, self._recount_if_changed)
        self.set_timer(FREEZE_GARBAGE_AFTER_S, _freeze_garbage)
        start = self._start
        if start is None:
            self.show_case(self.session.current())
            self.call_after_refresh(self.count)
            return
        self.refresh_header()
        self.set_status("finding the first open disagreement…")
        # Called on the lookup's thread (or here, if it has ended): post_message is thread-safe.
        start.add_done_callback(lambda done: self.post_message(self.StartFound(done)))

    @on(StartFound)
    def _start_found(self, message: ResolveScreen.StartFound) -> None:
        self._start = None
        try:
            start: ResolveStart | None = message.future.result()
        except Exception:  # looked up again here: a store error ends the app with its message
            start = None
        self.set_status("")
        self.show_case(self.session.start_at(start))
        if self.case is not None:  # (the summary counts already)
            self.call_after_refresh(self.count)

    def on_unmount(self) -> None:
        """Stop the prefetch thread."""
        self._prefetcher.close()

    def action_quit_safely(self) -> None:
        """Quit once the writes in flight have landed, unless a resolution is still waiting
        for a busy store (then ask once more)."""
        self._finish_writes(timeout=2 * WRITE_WAIT_MS / 1000)
        if self.session.pending is not None and not self._quit_asked:
            self._quit_asked = True
            self.set_status(
                "a resolution is not saved yet (the store is busy). Press q again to quit "
                "anyway and lose it, or wait for 'saved'.",
                style="bold yellow",
            )
            return
        self.app.exit()

    # -- counting -------------------------------------------------------------------------

    def count(self) -> None:
        """Count the disagreements again in a worker (one count at a time)."""
        if self._counting:
            self._count_again = True
            return
        self._counting = True
        # Read before the count reads the store: a commit after it makes the next periodic
        # recount run. (This session's own writes are played onto the count as they happen.)
        self._counted_version = self.store.data_version()
        self._count_in_worker(self.session.count_request())

    def _recount_if_changed(self) -> None:
        """The periodic recount (decisions made elsewhere): skipped when nothing was
        committed since the last count (a pass over every case: about 1.4 s on a million)."""
        if self.store.data_version() != self._counted_version:
            self.count()

    @work(thread=True, group="count", exit_on_error=False)
    def _count_in_worker(self, request: CountRequest) -> None:
        try:
            with open_store(self.store.path, migrate=False) as store:
                counted = count_disagreements(store, request)
        except Exception:  # e.g. a busy or vanished store: keep the numbers shown so far
            self.post_message(self.CountReady(request, None))
            raise
        self.post_message(self.CountReady(request, counted))

    @on(CountReady)
    def _counted(self, message: ResolveScreen.CountReady) -> None:
        self._counting = False
        if self._count_again:
            self._count_again = False
            self.count()
        if message.counted is None or not self.session.count_arrived(
            message.request, message.counted
        ):
            return
        self.refresh_header()
        if self.case is None:
            self.show_summary()

    # -- drawing --------------------------------------------------------------------------

    def show_case(self, seq: int | None) -> None:
        """Draw case ``seq`` (the session's current one), or the end-of-queue summary."""
        labels_panel = self.query_one(ReviewerLabels)
        if seq is None:
            self.case = None
            self.query_one(CaseView).show(None)
            labels_panel.show([], self.names, None)
            self.query_one(BucketBar).highlight(None)
            self.refresh_header()
            self.show_summary()
            self._note_reviewers(0)
            self.count()  # decisions made elsewhere may have opened some again
            return
        prepared = self._prefetcher.take(seq)
        if prepared is not None:
            self.case, self.display_data = prepared.case, prepared.display
        else:
            self.case = load_case(self.store, seq)
            self.display_data = case_display(self.case) if self.case else None
        state = self.session.state()
        labels = state.labels if state else []
        resolution = state.resolution if state else None
        self.query_one(CaseView).show(self.display_data, prepared)
        labels_panel.show(labels, self.names, resolution, self.session.drafts.get(seq))
        self.query_one(BucketBar).highlight(resolution.bucket if resolution else None)
        self.refresh_header()
        self._schedule_prefetch()
        self._note_reviewers(len(labels))

    def _note_reviewers(self, count: int) -> None:
        """Redraw the footer when ``f`` changes meaning (a case with a reviewer F, or not)."""
        sixth = count >= len(REVIEWER_LETTERS)
        if sixth != self._sixth_reviewer:
            self._sixth_reviewer = sixth
            self.refresh_bindings()

    def _schedule_prefetch(self) -> None:
        """Prepare the next cases once this one is drawn (the thread would slow the frame)."""
        if self._prefetch_timer is not None:
            self._prefetch_timer.stop()
        self._prefetch_timer = self.set_timer(PREFETCH_DELAY_S, self._prefetch_next)

    def _prefetch_next(self) -> None:
        self._prefetch_timer = None
        self._pane_widths = self.query_one(CaseView).text_widths()
        for seq in (self.session.peek_after_decision(), self.session.peek_next()):
            if seq is not None and seq != self.session.current():
                self._prefetcher.request(seq)

    def _prepare_ahead(self, store: Store, seq: int) -> PreparedCase | None:
        # Runs on the prefetch thread: touches no widget, reads one tuple set before the request.
        return prepare_case(store, seq, self._pane_widths)

    def refresh_header(self) -> None:
        """Progress, case facts and the highlighted confused pair."""
        counted = self.session.progress()
        label = (
            "resolved … / …"
            if counted is None
            else f"resolved {counted.resolved:,} / {counted.total:,}"
        )
        state = self.session.state() if self.case else None
        state_labels = state.labels if state else []
        header = HeaderState(
            display=self.display_data if self.case else None,
            label_count=len(state_labels),
            mode="resolve",
            progress_label=label,
        )
        pairs = self.session.pairs
        if pairs:
            a, b, n = pairs[self.pair_index % len(pairs)]
            header.hints = [
                f"most confused: {safe_inline(a, 30)} ↔ {safe_inline(b, 30)} "
                f"({n} cases) — p next pair, f only this pair"
            ]
        if self.session.spec.pair:
            header.hints.append(
                "showing only " + " ↔ ".join(safe_inline(x, 30) for x in self.session.spec.pair)
            )
        self.query_one(CaseHeader).show(header)

    def set_status(self, message: str, style: str = "") -> None:
        """A line of feedback (the summary takes a few). The screen's layout is redone only
        when the status needs another number of rows."""
        self.status_message = message
        status = self.query_one("#resolve-status", Static)
        text = Text(message, style=style)
        rows = len(text.wrap(self.app.console, max(status.content_region.width, 1)))
        status.update(text, layout=rows != self._status_rows)
        self._status_rows = rows

    def show_summary(self) -> None:
        """The end of the queue: how many resolved, by which method, the most confused pairs."""
        session = self.session
        counts = session.summary()
        open_now = session.tally.open_count if session.tally else 0
        where = " in this filter" if session.spec.pair or session.spec.slices else ""
        if open_now:
            lines = [f"{open_now:,} disagreement(s){where} are open again: j goes to the first."]
        else:
            lines = [f"No disagreements left to resolve{where}."]
        by_method = (
            "counting…" if counts is None else ", ".join(f"{k} {v}" for k, v in counts.items())
        )
        lines.append("Resolved by method: " + by_method)
        if session.pairs:
            top = "; ".join(
                f"{safe_inline(a, 30)} ↔ {safe_inline(b, 30)} ({n})"
                for a, b, n in session.pairs[:3]
            )
            lines.append(f"Most confused: {top}.")
            lines.append("A guideline may need an example that separates these buckets.")
        lines.append("k goes back, q quits.")
        self.set_status("\n".join(lines), style="bold")

    # -- deciding -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A reviewer letter acts only when the case on screen has that reviewer; ``f`` is the
        pair filter unless the case has a reviewer F (the footer then leaves it out)."""
        if action == "take":
            index = parameters[0] if parameters else -1
            return isinstance(index, int) and 0 <= index < self._reviewer_count()
        if action == "filter_pair":
            return self._reviewer_count() < len(REVIEWER_LETTERS)
        return True

    def _reviewer_count(self) -> int:
        state = self.session.state() if self.case is not None else None
        return len(state.labels) if state is not None else 0

    def action_take(self, index: int) -> None:
        """Take reviewer A's (B's...) bucket as the final one."""
        state = self.session.state() if self.case is not None else None
        if state is not None and 0 <= index < len(state.labels):
            self.decide(state.labels[index].bucket)

    def action_set_bucket(self, key: str) -> None:
        """A bucket's shortcut: set that bucket as the final one."""
        if key in self.names:
            self.decide(key)

    def decide(self, bucket: str | None) -> None:
        """Store the resolution for the current case and move to the next open one.

        The write runs on the session's writer thread. The key waits for it at most
        :attr:`save_wait_s` (a frame): a commit that takes longer (a slow disk, a busy store)
        does not hold the screen, which moves on and says "saving…" until the store answers.
        A busy store makes the decision pending: it is retried until it lands, other
        decisions wait, and quitting asks first.
        """
        case = self.case
        if case is None:
            return
        if case.seq in self.session.in_flight:
            # Back on a case whose decision is still being written (k typed quickly): let it
            # land first, so that this key decides after it, in the order typed.
            self._land_writes()
        begun = self.session.begin_decision(bucket)
        if begun is None:
            return
        if isinstance(begun, DecisionResult):
            self._decided(begun, case.case_id)
            return
        self._ids[begun.seq] = case.case_id
        future = self.session.submit(begun)
        try:
            outcome = future.result(timeout=self.save_wait_s)
        except TimeoutError:
            self._finish_later(begun, future, case.case_id, moved_on=True)
            self.set_status(f"saving: {self._said(begun)}…", style="yellow")
            self.show_case(self.session.after_decision())
            return
        self._decided(self.session.finish_decision(begun, outcome), case.case_id)

    def _finish_later(
        self, decision: Decision, future: Future[WriteOutcome], case_id: str, *, moved_on: bool
    ) -> None:
        """Take the write's outcome when it comes (WriteDone), or when quitting."""
        self._unfinished[future] = (decision, case_id, moved_on)
        # post_message is thread-safe; the callback runs on the writer thread (or here).
        future.add_done_callback(lambda done: self.post_message(self.WriteDone(done)))

    @on(WriteDone)
    def _write_done(self, message: ResolveScreen.WriteDone) -> None:
        self._take_outcome(message.future)

    def _take_outcome(self, future: Future[WriteOutcome]) -> None:
        taken = self._unfinished.pop(future, None)
        if taken is None:
            return  # taken already (when quitting)
        decision, case_id, moved_on = taken
        # A case the screen moved on from stays where the reviewer went since (back on it with
        # k: it is redrawn, not left); a retried one moves on when it lands, as if at once.
        result = self.session.finish_decision(decision, future.result())
        self._decided(result, case_id, move_on=not moved_on)
        if decision.seq == self.session.current():
            self.show_case(decision.seq)  # what the store has now

    def _finish_writes(self, timeout: float) -> None:
        """Wait for the writes in flight (quitting) and take their outcomes."""
        for future in list(self._unfinished):
            with contextlib.suppress(TimeoutError):
                future.result(timeout=timeout)
                self._take_outcome(future)

    def _land_writes(self) -> None:
        """Let the writes in flight land, in order, before a key that depends on them (undo,
        or a decision on a case still being written), and take their outcomes. They usually
        take a millisecond; a slow or busy store holds the key :data:`LAND_WAIT_S` at most,
        then the key says the store is not done yet, as before."""
        deadline = time.monotonic() + LAND_WAIT_S
        for future in list(self._unfinished):
            with contextlib.suppress(TimeoutError):
                future.result(timeout=max(deadline - time.monotonic(), 0))
                self._take_outcome(future)

    def _said(self, decision: Decision) -> str:
        """``case → bucket`` for the status line (made safe)."""
        bucket = decision.bucket
        shown = "unclear" if bucket is None else self.names.get(bucket, bucket)
        return f"{safe_inline(self._ids.get(decision.seq, ''), 60)} → {safe_inline(shown, 60)}"

    def _decided(self, result: DecisionResult, case_id: str, *, move_on: bool = True) -> None:
        """Say what became of a decision; once saved, go on to the next open case if the
        screen is still on the decided one and ``move_on``."""
        decision = result.decision
        self._ids.setdefault(decision.seq, case_id)
        on_it = decision.seq == self.session.current()
        if result.outcome == "waiting":
            self.set_status("the last resolution is not saved yet; retrying…", style="bold yellow")
        elif result.outcome == "busy":
            self.set_status(
                "the store is busy (an import?): this resolution is not saved yet; retrying…",
                style="bold yellow",
            )
            if self._retry_timer is None:
                self._retry_timer = self.set_timer(RETRY_S, self._retry)
        elif result.outcome == "refused":
            self.set_status(f"not saved: {safe_inline(result.error, 300)}", style="bold red")
            if on_it:
                self.show_case(decision.seq)
            else:
                self.refresh_header()
        else:
            self.set_status(f"saved: {self._said(decision)}", style="green")
            if on_it and move_on:
                self.show_case(self.session.after_decision())
            else:
                self.refresh_header()

    def _retry(self) -> None:
        """Try the pending decision again on the writer thread (never waiting here)."""
        self._retry_timer = None
        pending = self.session.pending
        if pending is not None:
            # Still on its case (the key that made it found the store busy and stayed): the
            # screen moves on once it lands.
            on_it = pending.seq == self.session.current()
            future = self.session.submit(pending)
            self._finish_later(pending, future, self._ids.get(pending.seq, ""), moved_on=not on_it)

    def action_unclear(self) -> None:
        """Mark the case unclear."""
        self.decide(None)

    def action_reason(self) -> None:
        """Write the reason for the resolution (kept until the decision if there is none)."""
        if self.case is None:
            return

        def done(value: str | None) -> None:
            if value is None or self.case is None:
                return
            result = self.session.write_reason(value)
            if result.outcome == "kept":
                self.set_status("reason kept; it is saved with the resolution")
            elif result.outcome == "failed":
                self.set_status(
                    f"reason not saved: {safe_inline(result.error, 300)} (it is kept and saved "
                    "with your next decision on this case)",
                    style="bold red",
                )
            else:
                self.set_status("reason saved", style="green")
            self.show_case(self.session.current())

        prompt = TextPrompt("Reason", self.session.reason_shown(), "why this bucket?")
        self.app.push_screen(prompt, done)

    def action_undo(self) -> None:
        """Undo this session's last resolution and show its case (a decision typed just before
        is let land first, so that ``u`` undoes it)."""
        self._land_writes()
        result = self.session.undo()
        if result.outcome == "nothing":
            self.set_status("nothing to undo")
            return
        if result.outcome == "failed":
            self.set_status(f"undo failed: {safe_inline(result.error, 300)}", style="bold red")
            return
        assert result.seq is not None
        kept = (
            " (its reason is kept for the next decision)"
            if result.seq in self.session.drafts
            else ""
        )
        self.set_status("undone" + kept, style="green")
        self.show_case(self.session.go_to(result.seq))

    def action_next(self) -> None:
        """Next disagreement: forward in history, else the next open one (wrapping)."""
        if self._start is None:  # (not while the first one is being looked up)
            self.show_case(self.session.next())

    def action_previous(self) -> None:
        """Previous disagreement (resolved ones included)."""
        if self._start is not None:
            return
        seq = self.session.previous()
        if seq is not None:
            self.show_case(seq)

    def action_next_pair(self) -> None:
        """Highlight the next most-confused pair."""
        if self.session.pairs:
            self.pair_index = (self.pair_index + 1) % len(self.session.pairs)
            self.refresh_header()

    def action_filter_pair(self) -> None:
        """Walk only the highlighted pair's cases, or go back to all (the first case of the
        new walk is looked up in a worker: on a large store it is a scan)."""
        pairs = self.session.pairs
        if self.session.spec.pair is not None:
            pair = None
        elif pairs:
            a, b, _ = pairs[self.pair_index % len(pairs)]
            pair = (a, b)
        else:
            return
        self.set_status("finding the cases…")
        self._find_filter_start(pair, self.session.filter_spec(pair))

    @work(thread=True, group="filter", exclusive=True, exit_on_error=False)
    def _find_filter_start(self, pair: tuple[str, str] | None, spec: ResolveSpec) -> None:
        with open_store(self.store.path, migrate=False) as store:
            start = find_resolve_start(store, spec)
        self.post_message(self.FilterReady(pair, start))

    @on(FilterReady)
    def _filter_ready(self, message: ResolveScreen.FilterReady) -> None:
        first = self.session.set_filter(message.pair, message.start)
        self.set_status("")
        self.count()
        self.show_case(first)

    def action_help(self) -> None:
        """Keys and bucket guidelines."""
        self.app.push_screen(HelpScreen(HELP_KEYS, self.buckets))
