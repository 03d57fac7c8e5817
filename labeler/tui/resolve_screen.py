"""The resolve screen: the disagreements, both decisions side by side, one key to settle each.

A resolution is a record of its own and never changes a reviewer's label. Each key commits at
once, with a version check: a second resolver on the same case is told, not overwritten.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.events import Key
from textual.widgets import Footer, Static

from labeler.buckets import BucketInfo
from labeler.case_display import CaseDisplay, case_display
from labeler.cases import Case, load_case
from labeler.disagreements import (
    ResolveProgress,
    ResolveSpec,
    ResolveTrail,
    ReviewerLabel,
    case_labels,
    confused_pairs,
    progress,
)
from labeler.display_text import safe_inline
from labeler.identity import Actor
from labeler.resolutions import (
    Resolution,
    get_resolution,
    method_for,
    resolve,
    set_reason,
    summary,
    undo_resolution,
)
from labeler.store.connection import Store, open_store
from labeler.store.errors import StoreBusy, StoreError
from labeler.tui.bucket_bar import BucketBar
from labeler.tui.case_screen import CaseScreen, pane_bindings
from labeler.tui.case_view import CaseView
from labeler.tui.header import CaseHeader, HeaderState
from labeler.tui.messages import ProgressReady
from labeler.tui.modals import HelpScreen, TextPrompt
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
    ("tab, pgup/pgdn, z", "choose, scroll and zoom a pane"),
    ("?", "this help"),
    ("q / ctrl+c", "quit (every resolution shown is in the store)"),
]

HEIGHT_BREAKPOINTS = [(0, "-short"), (32, "-tall")]
"""Under 32 rows (80x24) the header and the labels panel are capped so the case stays visible."""


WRITE_WAIT_MS = 300
"""How long a resolution write waits for a busy store before the screen says so."""
RETRY_S = 0.5
"""How often a resolution that could not be saved yet is tried again."""


class ResolveScreen(CaseScreen):
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
    ]
    VERTICAL_BREAKPOINTS = HEIGHT_BREAKPOINTS
    DEFAULT_CSS: ClassVar[str] = """
    #resolve-status { height: auto; max-height: 6; background: $boost; padding: 0 1; }
    /* Short terminals (HEIGHT_BREAKPOINTS): the case panes keep a few lines each. */
    ResolveScreen.-short ReviewerLabels { max-height: 6; }
    """

    def __init__(self, store: Store, actor: Actor, spec: ResolveSpec, buckets: list[BucketInfo]):
        super().__init__()
        self.store = store
        self.actor = actor
        self.spec = spec
        self.base_spec = spec
        self.buckets = buckets
        self.by_shortcut = {b.shortcut: b for b in buckets}
        self.names = {b.key: b.name for b in buckets}
        self.trail = ResolveTrail(store, spec)
        self.case: Case | None = None
        self.display_data: CaseDisplay | None = None
        self.labels: list[ReviewerLabel] = []
        self.resolution: Resolution | None = None
        self.draft_reason: str | None = None
        self.undo_stack: list[tuple[int, Resolution | None, int | None]] = []
        self.counted: ResolveProgress | None = None
        self._count_generation = 0
        self._counting = False
        self.pairs: list[tuple[str, str, int]] = []
        self.pair_index = 0
        self.status_message = ""
        self.pending: tuple[int, str | None] | None = None
        """A decision the store was too busy to take yet: (case, bucket), retried on a timer."""
        self._write_store: Store | None = None
        self._quit_asked = False

    def compose(self) -> ComposeResult:
        yield CaseHeader(id="header")
        yield ReviewerLabels(id="reviewer-labels")
        yield CaseView(id="case-view")
        yield BucketBar(self.buckets, id="bucket-bar")
        yield Static(id="resolve-status")
        yield Footer()

    def _writer(self) -> Store:
        """The connection resolutions are written on: it waits only briefly for a busy store."""
        if self._write_store is None:
            self._write_store = open_store(self.store.path)
            self._write_store.conn.execute(f"PRAGMA busy_timeout = {WRITE_WAIT_MS}")
        return self._write_store

    def on_unmount(self) -> None:
        """Close the write connection."""
        if self._write_store is not None:
            self._write_store.close()

    def action_quit_safely(self) -> None:
        """Quit, unless a resolution is still waiting for the store (then ask once more)."""
        if self.pending is not None and not self._quit_asked:
            self._quit_asked = True
            self.set_status(
                "a resolution is not saved yet (the store is busy). Press q again to quit "
                "anyway and lose it, or wait for 'saved'.",
                style="bold yellow",
            )
            return
        self.app.exit()

    def on_mount(self) -> None:
        """Show the first disagreement; count progress in the background."""
        self.show_case(self.trail.forward())
        self.count()

    def count(self) -> None:
        """Count progress and confused pairs again, in the background.

        On a large store a count takes a second or more. One count runs at a time; a count
        that finishes after something changed is not shown, and the next one starts then."""
        self._count_generation += 1
        if not self._counting:
            self._start_count()

    def _start_count(self) -> None:
        self._counting = True
        self._count_in_worker(self.spec, self._count_generation)

    @work(thread=True, group="count", exit_on_error=False)
    def _count_in_worker(self, spec: ResolveSpec, generation: int) -> None:
        try:
            with open_store(self.store.path) as store:
                counted = progress(store, spec)
                pairs = confused_pairs(store, self.base_spec, limit=10)
        except Exception:  # e.g. a busy or vanished store: keep the numbers shown so far
            self.post_message(ProgressReady(None, [], generation))
            raise
        self.post_message(ProgressReady(counted, pairs, generation))

    def _adjust_resolved(self, change: int) -> None:
        """Show a resolution made or undone here at once; the recount confirms it."""
        if self.counted is not None:
            resolved = min(max(self.counted.resolved + change, 0), self.counted.total)
            self.counted = self.counted._replace(resolved=resolved)
            self.refresh_header()

    @on(ProgressReady)
    def _counted(self, message: ProgressReady) -> None:
        self._counting = False
        if message.generation != self._count_generation:
            self._start_count()  # this one was overtaken by a change made since
            return
        if message.counted is None:
            return
        self.counted = message.counted
        self.pairs = message.pairs
        self.refresh_header()
        if self.case is None:
            self.show_summary()

    # -- drawing --------------------------------------------------------------------------

    def show_case(self, seq: int | None) -> None:
        """Load and draw a case, or the end-of-queue summary."""
        self.draft_reason = None
        if seq is None:
            self.case = None
            self.labels = []
            self.resolution = None
            self.query_one(CaseView).show(None)
            self.query_one(ReviewerLabels).show([], self.names, None)
            self.refresh_header()
            self.show_summary()
            return
        self.case = load_case(self.store, seq)
        self.labels = case_labels(self.store, seq)
        self.resolution = get_resolution(self.store, seq)
        self.display_data = case_display(self.case) if self.case else None
        display = self.display_data
        self.query_one(CaseView).show(display)
        self.query_one(ReviewerLabels).show(self.labels, self.names, self.resolution)
        self.query_one(BucketBar).highlight(self.resolution.bucket if self.resolution else None)
        self.refresh_header()

    def refresh_header(self) -> None:
        """Progress, case facts and the highlighted confused pair."""
        counted = self.counted
        label = (
            "resolved … / …"
            if counted is None
            else (f"resolved {counted.resolved:,} / {counted.total:,}")
        )
        state = HeaderState(
            display=self.display_data if self.case else None,
            label_count=len(self.labels),
            mode="resolve",
            progress_label=label,
        )
        if self.pairs:
            a, b, n = self.pairs[self.pair_index % len(self.pairs)]
            state.hints = [
                f"most confused: {safe_inline(a, 30)} ↔ {safe_inline(b, 30)} "
                f"({n} cases) — p next pair, f only this pair"
            ]
        if self.spec.pair:
            state.hints.append(
                "showing only " + " ↔ ".join(safe_inline(x, 30) for x in self.spec.pair)
            )
        self.query_one(CaseHeader).show(state)

    def set_status(self, message: str, style: str = "") -> None:
        """One line of feedback."""
        self.status_message = message
        self.query_one("#resolve-status", Static).update(Text(message, style=style))

    def show_summary(self) -> None:
        """The end of the queue: how many resolved, by which method, the most confused pairs."""
        counts = summary(self.store, self.spec)
        lines = [
            "No disagreements left to resolve"
            + (" in this filter." if self.spec.pair or self.spec.slices else ".")
        ]
        lines.append("Resolved by method: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        if self.pairs:
            top = "; ".join(
                f"{safe_inline(a, 30)} ↔ {safe_inline(b, 30)} ({n})" for a, b, n in self.pairs[:3]
            )
            lines.append(f"Most confused: {top}.")
            lines.append("A guideline may need an example that separates these buckets.")
        lines.append("k goes back, q quits.")
        self.set_status("\n".join(lines), style="bold")

    # -- deciding -------------------------------------------------------------------------

    def on_key(self, event: Key) -> None:
        """Reviewer letters take that reviewer's bucket; bucket shortcuts set another one."""
        char = event.character
        if char is None or self.case is None:
            return
        index = ord(char) - ord("a") if len(char) == 1 and "a" <= char <= "f" else -1
        if 0 <= index < len(self.labels):
            event.stop()
            event.prevent_default()
            self.decide(self.labels[index].bucket)
        elif char in self.by_shortcut:
            event.stop()
            event.prevent_default()
            self.decide(self.by_shortcut[char].key)

    def decide(self, bucket: str | None) -> None:
        """Store the resolution for the current case and move on.

        A busy store does not freeze the screen: the write waits at most
        :data:`WRITE_WAIT_MS`, then the decision stays on screen as "not saved yet" and is
        retried until it lands (other decisions wait; quitting asks first).
        """
        case = self.case
        if case is None:
            return
        if self.pending is not None and self.pending != (case.seq, bucket):
            self.set_status("the last resolution is not saved yet; retrying…", style="bold yellow")
            return
        previous = self.resolution
        reason = (
            self.draft_reason
            if self.draft_reason is not None
            else (previous.reason if previous else None)
        )
        try:
            stored = resolve(
                self._writer(),
                case.seq,
                self.actor,
                bucket=bucket,
                method=method_for(self.labels, bucket),
                reason=reason,
                expected_version=previous.version if previous else None,
            )
        except StoreBusy:
            self.pending = (case.seq, bucket)
            self.set_status(
                "the store is busy (an import?): this resolution is not saved yet; retrying…",
                style="bold yellow",
            )
            self.set_timer(RETRY_S, lambda: self.decide(bucket))
            return
        except StoreError as exc:
            self.pending = None
            self.set_status(f"not saved: {safe_inline(str(exc), 300)}", style="bold red")
            self.show_case(case.seq)
            return
        self.pending = None
        if previous is None:
            self._adjust_resolved(+1)
        if stored != previous:
            self.undo_stack.append((case.seq, previous, stored.version))
        shown = "unclear" if bucket is None else self.names.get(bucket, bucket)
        self.set_status(
            f"saved: {safe_inline(case.case_id, 60)} → {safe_inline(shown, 60)}", style="green"
        )
        self.count()
        self.show_case(self.trail.forward())

    def action_unclear(self) -> None:
        """Mark the case unclear."""
        self.decide(None)

    def action_reason(self) -> None:
        """Write the reason for the resolution."""
        case = self.case
        if case is None:
            return
        current = self.resolution.reason if self.resolution else self.draft_reason

        def done(value: str | None) -> None:
            if value is None or self.case is None:
                return
            if self.resolution is None:
                self.draft_reason = value or None
                self.set_status("reason kept; it is saved with the resolution")
                return
            try:
                self.resolution = set_reason(
                    self._writer(),
                    self.case.seq,
                    self.actor,
                    value or None,
                    expected_version=self.resolution.version,
                )
            except StoreError as exc:
                self.set_status(f"not saved: {safe_inline(str(exc), 300)}", style="bold red")
                return
            self.query_one(ReviewerLabels).show(self.labels, self.names, self.resolution)
            self.set_status("reason saved", style="green")

        self.app.push_screen(TextPrompt("Reason", current or "", "why this bucket?"), done)

    def action_undo(self) -> None:
        """Undo this session's last resolution."""
        if not self.undo_stack:
            self.set_status("nothing to undo")
            return
        seq, previous, version = self.undo_stack.pop()
        try:
            restored = undo_resolution(
                self._writer(), seq, self.actor, previous, expected_version=version
            )
        except StoreError as exc:
            self.undo_stack.append((seq, previous, version))  # u can try it again
            self.set_status(f"undo failed: {safe_inline(str(exc), 300)}", style="bold red")
            return
        # The undo wrote a new version: an earlier undo step of this case must expect it.
        for index in range(len(self.undo_stack) - 1, -1, -1):
            earlier_seq, earlier_previous, _ = self.undo_stack[index]
            if earlier_seq == seq:
                new_version = restored.version if restored else None
                self.undo_stack[index] = (earlier_seq, earlier_previous, new_version)
                break
        if seq in self.trail.visited:  # so that j / k go on from the undone case
            self.trail.position = self.trail.visited.index(seq)
        else:
            while self.trail.current != seq and self.trail.back() is not None:
                pass
        self.set_status("undone", style="green")
        if restored is None:
            self._adjust_resolved(-1)
        self.count()
        self.show_case(seq)

    def action_next(self) -> None:
        """Next disagreement."""
        self.show_case(self.trail.forward())

    def action_previous(self) -> None:
        """Previous disagreement (resolved ones included)."""
        seq = self.trail.back()
        if seq is not None:
            self.show_case(seq)

    def action_next_pair(self) -> None:
        """Highlight the next most-confused pair."""
        if self.pairs:
            self.pair_index = (self.pair_index + 1) % len(self.pairs)
            self.refresh_header()

    def action_filter_pair(self) -> None:
        """Walk only the highlighted pair's cases, or go back to all."""
        if self.spec.pair is not None:
            self.spec = self.base_spec
        elif self.pairs:
            a, b, _ = self.pairs[self.pair_index % len(self.pairs)]
            self.spec = ResolveSpec(slices=self.base_spec.slices, pair=(a, b))
        else:
            return
        self.trail = ResolveTrail(self.store, self.spec)
        self.counted = None  # the numbers of the other filter until the recount comes
        self.count()
        self.show_case(self.trail.forward())

    def action_help(self) -> None:
        """Keys and bucket guidelines."""
        self.app.push_screen(HelpScreen(HELP_KEYS, self.buckets))
