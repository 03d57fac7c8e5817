"""The resolve app: two reviewers settle their disagreements."""

from __future__ import annotations

from concurrent.futures import Future
from typing import ClassVar

from textual.binding import Binding, BindingType

from labeler.buckets import read_buckets
from labeler.identity import Actor
from labeler.resolve.disagreements import ResolveSpec
from labeler.resolve.session import ResolveSession, ResolveStart
from labeler.store.connection import Store
from labeler.text.display import safe_inline
from labeler.tui.resolve_screen import ResolveScreen
from labeler.tui.store_failure import EndsOnStoreError

BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
"""The review app's (``labeler.tui.app.BREAKPOINTS``, the same CSS classes; a test checks they
are equal), written here so that starting resolve does not import the review screen."""


class ResolveApp(EndsOnStoreError):
    """Walk the cases reviewers disagreed on."""

    TITLE = "labeler resolve"
    CSS_PATH = "labeler.tcss"
    HORIZONTAL_BREAKPOINTS = BREAKPOINTS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+c", "screen.quit_safely", "Quit", show=False, priority=True, id="app.ctrl_c"),
    ]

    def __init__(
        self,
        store: Store,
        actor: Actor,
        spec: ResolveSpec,
        start: ResolveStart | Future[ResolveStart] | None = None,
        *,
        save_wait_s: float | None = None,
    ) -> None:
        """``start``: the first open disagreement, if it was looked up already, or the lookup
        still running on a thread (``look_up_resolve_start``): the screen is drawn meanwhile
        and shows the case when the lookup ends (a failed lookup is made again, on the screen,
        which then reports what is wrong). ``save_wait_s``: how long a decision key waits for
        the store before moving on (``ResolveScreen.save_wait_s``; tests that read the store
        at once wait longer)."""
        super().__init__()
        self.save_wait_s = save_wait_s
        self.store = store
        self.actor = actor
        self.spec = spec
        self.pending_start: Future[ResolveStart] | None = None
        if isinstance(start, Future):
            if start.done() and start.exception() is None:
                start = start.result()
            else:
                self.pending_start, start = start, None
        self.session = ResolveSession(store, actor, spec, start, started=self.pending_start is None)
        trust = " (name given on trust)" if actor.on_trust else ""
        self.sub_title = (
            f"{safe_inline(actor.name, 40)}{trust} · {safe_inline(store.path.name, 60)}"
        )

    def on_mount(self) -> None:
        """Open the resolve screen."""
        screen = ResolveScreen(self.session, read_buckets(self.store), self.pending_start)
        if self.save_wait_s is not None:
            screen.save_wait_s = self.save_wait_s
        self.push_screen(screen)

    def on_unmount(self) -> None:
        """Close the session's write connection."""
        self.session.close()
