"""The review screen: one case at a time, one key per decision, blind to other reviewers."""

from __future__ import annotations

import concurrent.futures
import gc
from collections.abc import Callable
from dataclasses import replace
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.timer import Timer
from textual.widgets import Footer, Static

from labeler.buckets import BucketInfo
from labeler.cases import Case, find_case_seq, load_case, read_label_count
from labeler.labels import Label, get_label
from labeler.review.case_display import CaseDisplay, case_display
from labeler.review.hints import hints_for, latency_threshold
from labeler.review.label_writer import UNSET, WriteOutcome
from labeler.review.prefetch import Prefetcher
from labeler.review.queue import queue_progress
from labeler.review.session import ReviewSession, case_id_of
from labeler.store.connection import Store, open_store
from labeler.text.display import safe_inline
from labeler.tui.bucket_bar import BucketBar
from labeler.tui.bucket_guide import BucketGuide
from labeler.tui.case_preparation import PaneWidths, PreparedCase, prepare_case
from labeler.tui.case_screen import CaseScreen, pane_bindings
from labeler.tui.case_view import CaseView
from labeler.tui.header import CaseHeader, HeaderState
from labeler.tui.messages import ProgressCounted, WriteFinished, WriterStatus
from labeler.tui.modals import (
    DROP_NOTE,
    HelpScreen,
    NoteNotSaved,
    TextPrompt,
    bind_bucket_keys,
)

PREFETCH_DELAY_S = 0.03
"""How long after a case is shown the next one starts being prepared: long enough for the
frame to be drawn first (about 10 ms), short against the time anyone takes to read a case."""

FREEZE_GARBAGE_AFTER_S = 0.5
"""When to collect and freeze the start-up objects: after the first screen is up."""

SAVE_WAIT_S = 0.25
"""How long a key waits for its label to be committed before moving on anyway (shown pending)."""

HELP_KEYS = [
    ("1-9, letters", "put the case in that bucket and go to the next case"),
    ("u", "undo your last label and show that case; the next label goes on from there"),
    ("n", "add or edit your note on this case (not labeled yet: saved with the label)"),
    ("a", "add or edit the note on the case you just labeled, staying where you are"),
    ("j / → / ↓", "next case"),
    ("k / ← / ↑", "previous case"),
    ("s", "skip this case for now (it comes back at the end)"),
    ("g", "go to a case by id; a label, j or k brings you back"),
    ("/", "search case ids, inputs and outputs; a label, j or k brings you back"),
    ("tab", "choose the pane that page keys scroll"),
    ("pgup / pgdn", "scroll the chosen pane (also home / end)"),
    ("z", "zoom the chosen pane to full screen and back (a capped text: all of it)"),
    ("t", "agreement and counts (only once your overlap cases are done)"),
    ("d", "show or hide the bucket guidelines beside the case"),
    ("?", "this help"),
    ("q / ctrl+c", "quit (every label shown as saved is in the store)"),
]


def _freeze_garbage() -> None:
    """Collect once after start-up and move what survived out of the collector's way.

    Start-up objects (Textual, the taxonomy, the CSS) are long-lived: without this, periodic
    full collections walk them all and make the slow tail of key-to-frame times (p95 70 ms
    against 34 ms, measured in benchmarks/RESULTS.md).
    """
    gc.collect()
    gc.freeze()


class ReviewScreen(CaseScreen):
    """Shows the current case and takes one key per decision."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="review.quit"),
        Binding("question_mark", "help", "Help", id="review.help"),
        Binding("u", "undo", "Undo", id="review.undo"),
        Binding("n", "note", "Note", id="review.note"),
        Binding("a", "note_last", "Note on last", id="review.note_last", show=False),
        Binding("j,right,down", "next", "Next", id="review.next"),
        Binding("k,left,up", "previous", "Prev", id="review.previous"),
        Binding("s", "skip", "Skip", id="review.skip"),
        Binding("g", "goto", "Go to", id="review.goto"),
        Binding("slash", "search", "Search", id="review.search"),
        Binding("t", "stats", "Stats", id="review.stats", show=False),
        Binding("d", "guide", "Guide", id="review.guide"),
        *pane_bindings("review"),
    ]

    DEFAULT_CSS: ClassVar[str] = """
    #status { height: 1; background: $boost; padding: 0 1; }
    """

    def __init__(self, session: ReviewSession, buckets: list[BucketInfo]) -> None:
        super().__init__()
        self.session = session
        self.buckets = buckets
        self.by_key = {b.key: b for b in buckets}
        bind_bucket_keys(self, buckets, "label")
        self.case: Case | None = None
        self.display_data: CaseDisplay | None = None
        self.label: Label | None = None
        self.draft_note: str | None = None
        self.status_message = ""
        self._status_style = ""
        self._latency_ms = latency_threshold(session.store)
        self._prefetcher: Prefetcher[int, PreparedCase | None] = Prefetcher(
            session.store.path, self._prepare_ahead
        )
        self._prefetch_timer: Timer | None = None
        self._pane_widths: PaneWidths = (0, 0, 0)
        """The panes' text widths when the last prefetch was asked for (read by its thread)."""

    def compose(self) -> ComposeResult:
        yield CaseHeader(id="header")
        yield BucketGuide(self.buckets, id="bucket-guide")
        yield CaseView(id="case-view")
        yield BucketBar(self.buckets, id="bucket-bar")
        yield Static(id="status")
        yield Footer()

    def on_mount(self) -> None:
        """Show the first case and count the queue in the background."""
        self.show_case(self.session.current())
        # Count the queue once the first case is on screen: the count scans the whole cases
        # table and would compete with the first paint for the CPU.
        self.call_after_refresh(self.count_queue)
        # Not call_after_refresh: that can run before the first frame is written.
        self.set_timer(FREEZE_GARBAGE_AFTER_S, _freeze_garbage)
        actor = self.session.actor
        if actor.on_trust:
            self.set_status(
                f"labeling as {safe_inline(actor.name, 40)} (a name given on trust; "
                f"OS account {safe_inline(actor.account, 40)} is recorded too)"
            )

    @work(thread=True, exclusive=True, group="count", exit_on_error=False)
    def count_queue(self) -> None:
        """Count the queue on a connection of its own (a full scan on a large store)."""
        with open_store(self.session.store.path) as store:
            progress = queue_progress(store, self.session.spec)
        self.post_message(ProgressCounted(progress))

    @on(ProgressCounted)
    def _progress_counted(self, message: ProgressCounted) -> None:
        self.session.done_at_start = message.progress.done
        self.session.total = message.progress.total
        self.refresh_header()

    # -- showing a case -------------------------------------------------------------------

    def show_case(self, seq: int | None) -> None:
        """Load case ``seq`` and draw it; None shows the end of the queue."""
        self.draft_note = None
        if seq is None:
            self.case = None
            self.label = None
            self.query_one(CaseView).show(None)
            self.query_one(BucketBar).highlight(None)
            self.refresh_header()
            self.set_status(
                "The queue is empty: every case has its labels or yours. k goes back, q quits.",
                style="bold green",
            )
            return
        view = self.query_one(CaseView)
        store = self.session.store
        prepared = self._prefetcher.take(seq)
        if prepared is not None:
            # The texts of a case number never change; its label count does.
            self.case = replace(prepared.case, label_count=read_label_count(store, seq))
            self.display_data = prepared.display
        else:
            self.case = load_case(store, seq)
            if self.case is None:
                self.set_status("that case is no longer in the store", style="bold red")
                return
            self.display_data = case_display(self.case)
        self.label = get_label(store, seq, self.session.actor.name)
        view.show(self.display_data, prepared)
        self.query_one(BucketBar).highlight(self.label.bucket if self.label else None)
        self.refresh_header()
        self._schedule_prefetch()

    def _schedule_prefetch(self) -> None:
        """Prepare the next case once this one is drawn (the thread would slow the frame)."""
        if self._prefetch_timer is not None:
            self._prefetch_timer.stop()
        self._prefetch_timer = self.set_timer(PREFETCH_DELAY_S, self._prefetch_next)

    def _prefetch_next(self) -> None:
        self._prefetch_timer = None
        seq = self.session.peek_next()
        if seq is not None:
            self._pane_widths = self.query_one(CaseView).text_widths()
            self._prefetcher.request(seq)

    def _prepare_ahead(self, store: Store, seq: int) -> PreparedCase | None:
        # Runs on the prefetch thread: touches no widget, reads one tuple set before the request.
        return prepare_case(store, seq, self._pane_widths)

    def on_unmount(self) -> None:
        """Stop the prefetch thread."""
        self._prefetcher.close()

    def refresh_header(self) -> None:
        """Redraw the header from the current state."""
        case = self.case
        state = HeaderState(
            display=self.display_data if case else None,
            position=self.session.position(),
            total=self.session.total,
            label_count=case.label_count if case else 0,
            own_label=safe_inline(self.by_key[self.label.bucket].name, 60)
            if self.label and self.label.bucket in self.by_key
            else None,
            note=safe_inline(self.label.note if self.label else self.draft_note, 300) or None,
            note_saved=self.label is not None,
            hints=hints_for(case, self._latency_ms) if case and self.label else [],
            mode="revisit" if self.session.spec.revisit else "review",
        )
        self.query_one(CaseHeader).show(state)

    def set_status(self, message: str, style: str = "") -> None:
        """Show a one-line status (save state, errors) under the bucket bar."""
        self.status_message = message
        self._status_style = style
        self.query_one("#status", Static).update(Text(message, style=style), layout=False)

    # -- keys -----------------------------------------------------------------------------

    def action_label(self, key: str) -> None:
        """A bucket's shortcut: label the case with that bucket and move on."""
        bucket = self.by_key.get(key)
        if bucket is not None:
            self.give_label(bucket)

    def give_label(self, bucket: BucketInfo) -> None:
        """Label the current case (commit first, with a note typed on it) and move on: to the
        next case, or back to the case left for ``g`` or ``/``."""
        case = self.case
        if case is None:
            return
        saved = ""
        if self.label is None or self.label.bucket != bucket.key or self.draft_note is not None:
            self._save_label(case, bucket)
            saved = self.status_message
        self.draft_note = None
        self._move(self.session.next, after=saved)

    def _save_label(self, case: Case, bucket: BucketInfo) -> None:
        note = self.draft_note if self.draft_note is not None else UNSET
        future = self.session.writer.submit_label(case.seq, bucket.key, note)
        self._wait_for(future, safe_inline(bucket.name, 60), hint=" · a: add a note to it")

    def _wait_for(
        self, future: concurrent.futures.Future[WriteOutcome], what: str, hint: str = ""
    ) -> None:
        try:
            outcome = future.result(timeout=SAVE_WAIT_S)
        except concurrent.futures.TimeoutError:
            self.set_status(
                f"{what}: not saved yet — the store is busy; retrying (it will not be dropped)",
                style="bold yellow",
            )
            # post_message is thread-safe; the callback may run on this thread (if the write
            # finished in the meantime) or on the writer's.
            future.add_done_callback(lambda f: self.post_message(WriteFinished(f.result())))
            return
        self._after_write(outcome, what, hint)

    def _after_write(self, outcome: WriteOutcome, what: str, hint: str = "") -> None:
        if outcome.error:
            self.set_status(f"not saved: {safe_inline(outcome.error, 200)}", style="bold red")
            return
        self.session.record_outcome(outcome)
        pending = self.session.writer.pending
        extra = f" ({pending} still saving)" if pending else ""
        self.set_status(f"saved: {what}{extra}{hint}", style="green")

    @on(WriteFinished)
    def _write_finished(self, message: WriteFinished) -> None:
        self._after_write(message.outcome, "label")
        if self.case is not None and self.case.seq == message.outcome.case_seq:
            self.label = message.outcome.label
            self.refresh_header()

    @on(WriterStatus)
    def _writer_status(self, message: WriterStatus) -> None:
        if message.error and message.pending:
            self.set_status(
                f"{message.pending} label(s) not saved yet, retrying: "
                f"{safe_inline(message.error, 160)}",
                style="bold yellow",
            )

    # -- moving through the queue ---------------------------------------------------------

    def _move(self, move: Callable[[], int | None], after: str = "") -> None:
        """Make a session move and show where it lands; the status says when the queue wrapped
        around or a detour ended (``after``: a status to keep in front, e.g. "saved: ...")."""
        wraps, detour = self.session.wraps, self.session.detour
        style = self._status_style
        self.show_case(move())
        if self.case is None:
            return
        if self.session.wraps > wraps:
            said = "end of the queue: back to the cases you skipped on the way"
        elif detour is not None and self.session.detour is None:
            said = f"back on {safe_inline(self.case.case_id, 80)}"
        else:
            return
        self.set_status(f"{after} · {said}" if after else said, style=style if after else "")

    def _leave(self, then: Callable[[], None]) -> None:
        """Run ``then`` (which leaves this case); first ask when a note typed on the case would
        be lost (the case has no label to keep it)."""
        case, note = self.case, self.draft_note
        if case is None or note is None or self.label is not None:
            then()
            return

        def chosen(choice: str | None) -> None:
            if self.case is not case:
                return
            if choice is None:
                self.set_status("note kept: a bucket key saves it with your label")
                return
            if choice != DROP_NOTE and choice in self.by_key:
                self._save_label(case, self.by_key[choice])
            self.draft_note = None
            then()

        self.app.push_screen(NoteNotSaved(case.case_id, note, self.buckets), chosen)

    def action_next(self) -> None:
        """Go to the next case in the queue (back to the case left, after ``g`` or ``/``)."""
        self._leave(lambda: self._move(self.session.next))

    def action_previous(self) -> None:
        """Go back to the case before (back to the case left, after ``g`` or ``/``)."""
        if self.session.can_go_back():
            self._leave(lambda: self._move(self.session.previous))

    def action_skip(self) -> None:
        """Skip the case for now; it comes back when the queue wraps around."""

        def skip() -> None:
            if self.case is not None:
                self.set_status(f"skipped {safe_inline(self.case.case_id, 80)} for now")
            self._move(self.session.next, after=self.status_message)

        self._leave(skip)

    def action_undo(self) -> None:
        """Undo the last label of this session, whatever case it was on, and show that case
        in its place: the next label goes on to the case after it."""
        if self.session.last_labeled() is None:
            self.set_status("nothing to undo")
            return
        self._leave(self._undo)

    def _undo(self) -> None:
        entry = self.session.pop_undo()
        if entry is None:
            self.set_status("nothing to undo")
            return
        seq, previous = entry
        future = self.session.writer.submit_restore(seq, previous)
        self._wait_for(future, "undo")
        self.session.show_undone(seq)
        self.show_case(seq)

    def _detour(self, seq: int) -> None:
        """Show ``seq`` (reached with ``g`` or ``/``); leaving it comes back here."""
        self.session.go_to(seq)
        self.show_case(seq)
        left = self.session.left_for_detour()
        if self.case is None or left is None:
            return
        back = safe_inline(case_id_of(self.session.store, left) or "", 80)
        self.set_status(
            f"on {safe_inline(self.case.case_id, 80)}: a label, j or k brings you back to {back}"
        )

    def action_quit(self) -> None:
        """Quit (asking first if a note typed on this case would be lost)."""
        quit_safely = getattr(self.app, "action_quit_safely", self.app.exit)
        self._leave(quit_safely)

    def action_note(self) -> None:
        """Add or edit the note on this case."""
        if self.case is None:
            return
        current = self.label.note if self.label else self.draft_note

        def done(value: str | None) -> None:
            if value is None or self.case is None:
                return
            note = value or None
            if self.label is None:
                self.draft_note = note
                if note is not None:
                    self.set_status("note kept; it is saved with your label (a bucket key)")
            else:
                future = self.session.writer.submit_label(self.case.seq, self.label.bucket, note)
                self._wait_for(future, "note")
                self.label = get_label(self.session.store, self.case.seq, self.session.actor.name)
            self.refresh_header()

        self.app.push_screen(TextPrompt("Note", current or "", "why this bucket?"), done)

    def action_note_last(self) -> None:
        """Add or edit the note on the case labeled last in this session, staying here."""
        seq = self.session.last_labeled()
        if seq is None:
            self.set_status("nothing labeled in this session yet: n adds a note to this case")
            return
        if self.case is not None and self.case.seq == seq:
            self.action_note()
            return
        store, me = self.session.store, self.session.actor.name
        label = get_label(store, seq, me)
        if label is None:
            self.set_status("your last label is not in the store (yet): try again in a moment")
            return
        case_id = safe_inline(case_id_of(store, seq) or "", 80)
        bucket = self.by_key.get(label.bucket)
        name = safe_inline(bucket.name, 40) if bucket else safe_inline(label.bucket, 40)

        def done(value: str | None) -> None:
            if value is None:
                return
            future = self.session.writer.submit_label(seq, label.bucket, value or None)
            self._wait_for(future, f"note on {case_id}")

        title = f"Note on {case_id} (your label: {name})"
        self.app.push_screen(TextPrompt(title, label.note or "", "why this bucket?"), done)

    def action_goto(self) -> None:
        """Jump to a case by its id (a label, j or k comes back)."""

        def done(value: str | None) -> None:
            if not value:
                return
            seq = find_case_seq(self.session.store, value.strip())
            if seq is None:
                self.set_status(f"no case with id {safe_inline(value, 80)}", style="bold red")
                return
            self._leave(lambda: self._detour(seq))

        self.app.push_screen(TextPrompt("Go to case id", "", "e.g. sup-0042"), done)

    def action_search(self) -> None:
        """Fuzzy search over ids, inputs and outputs (a label, j or k comes back)."""
        from labeler.tui.search_screen import SearchScreen

        def done(seq: int | None) -> None:
            if seq is not None:
                self._leave(lambda: self._detour(seq))

        self.app.push_screen(SearchScreen(self.session.store.path), done)

    def action_stats(self) -> None:
        """Open the stats screen (blind mode permitting)."""
        opener = getattr(self.app, "open_stats", None)
        if opener is not None:
            opener()

    def action_zoom(self) -> None:
        """Zoom the chosen pane, or back; a zoomed pane whose text was capped shows it whole."""
        super().action_zoom()
        case, shown = self.case, self.display_data
        if self.maximized is None or case is None or shown is None or not shown.truncated:
            return
        view = self.query_one(CaseView)
        full = case_display(case, full_text=True)
        view.active_pane().set_content((full.input, full.context, full.output)[view.active])
        self.set_status("zoomed: the whole text, nothing capped (z goes back)")

    def action_guide(self) -> None:
        """Show or hide the bucket guidelines beside the case (the case stays visible)."""
        self.query_one(BucketGuide).toggle()

    def action_help(self) -> None:
        """Keys and bucket guidelines."""
        self.app.push_screen(HelpScreen(HELP_KEYS, self.buckets))
