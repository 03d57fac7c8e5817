"""The review app: opens the review screen on a store for one reviewer."""

from __future__ import annotations

import contextlib
from typing import ClassVar

from textual.app import ScreenStackError
from textual.binding import Binding, BindingType

from labeler.buckets import read_buckets
from labeler.identity import Actor
from labeler.review.label_writer import LabelWriter
from labeler.review.queue import QueueSpec
from labeler.review.session import QueueStart, ReviewSession
from labeler.store.connection import Store
from labeler.text.display import safe_inline
from labeler.tui.messages import WriterStatus
from labeler.tui.review_screen import ReviewScreen
from labeler.tui.store_failure import EndsOnStoreError

BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]


class ReviewApp(EndsOnStoreError):
    """Label the cases of a store, one key per case."""

    TITLE = "labeler review"
    CSS_PATH = "labeler.tcss"
    HORIZONTAL_BREAKPOINTS = BREAKPOINTS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+c", "interrupt", "Quit", show=False, priority=True, id="app.ctrl_c"),
    ]

    def __init__(
        self, store: Store, actor: Actor, spec: QueueSpec, start: QueueStart | None = None
    ) -> None:
        """``start``: the queue's start, if it was looked up already (see ``run_review``)."""
        super().__init__()
        self.store = store
        self.actor = actor
        self.spec = spec
        self.writer = LabelWriter(store.path, actor, listener=self._writer_changed)
        self.session = ReviewSession(store, self.writer, spec, start)
        self._quit_asked = False
        self.review_screen: ReviewScreen | None = None
        trust = " (name given on trust)" if actor.on_trust else ""
        self.sub_title = (
            f"{safe_inline(actor.name, 40)}{trust} · {safe_inline(store.path.name, 60)}"
        )

    def on_mount(self) -> None:
        """Open the review screen."""
        self.review_screen = ReviewScreen(self.session, read_buckets(self.store))
        self.push_screen(self.review_screen)

    def _writer_changed(self, pending: int, error: str | None) -> None:
        # Called from the writer thread. post_message is thread-safe and, unlike
        # call_from_thread, never waits for the event loop: the writer must not block on the
        # UI, since the UI waits for the writer when quitting.
        with contextlib.suppress(ScreenStackError):  # no screen (yet or any more)
            target = self.review_screen or self.screen
            target.post_message(WriterStatus(pending, error))

    def action_interrupt(self) -> None:
        """Ctrl+C: quit as q does on the review screen (it asks about a note not saved yet)."""
        if self.review_screen is not None and self.screen is self.review_screen:
            self.review_screen.action_quit()
        else:
            self.action_quit_safely()

    def action_quit_safely(self) -> None:
        """Quit once every label is stored; ask again if some are still waiting for the store."""
        pending = self.writer.pending
        if pending and not self._quit_asked:
            self._quit_asked = True
            self.notify(
                f"{pending} label(s) are still waiting for the store. Press q again to quit "
                "anyway (they would be lost), or wait for 'saved'.",
                severity="warning",
                markup=False,
                timeout=10,
            )
            return
        self.exit()

    def open_stats(self) -> None:
        """Show agreement and counts (respecting blind mode)."""
        from labeler.tui.stats_screen import open_stats_screen

        open_stats_screen(self)

    def on_unmount(self) -> None:
        """Let queued writes finish before the process ends."""
        self.writer.close(timeout=10)
