"""The stats screen: the same report as `labeler stats`, computed by the same core function,
then the same compare chart as `labeler compare` for the two latest versions.

Blind mode: a reviewer who still has cases in their queue does not see agreement numbers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static

from labeler.compare.latest import compare_view
from labeler.stats.compute import StatsRequest, compute_stats, reviewer_has_open_overlap
from labeler.stats.render import format_stats
from labeler.store.connection import open_store

if TYPE_CHECKING:
    from labeler.tui.app import ReviewApp


class StatsReady(Message):
    """The report lines are computed."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__()
        self.lines = lines


class StatsScreen(ModalScreen[None]):
    """Agreement and counts, computed in a worker."""

    DEFAULT_CSS: ClassVar[str] = """
    StatsScreen { align: center middle; }
    StatsScreen > VerticalScroll {
        width: 95%; height: 95%; border: round $accent; background: $surface; padding: 0 1;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,t", "close", "Close", id="stats.close"),
    ]

    def __init__(self, app: ReviewApp) -> None:
        super().__init__()
        self._store_path = app.store.path

    def compose(self) -> ComposeResult:
        with VerticalScroll() as box:
            box.border_title = "Agreement, counts and versions — t or q to close"
            yield Static(Text("computing…"), id="stats-body")

    def on_mount(self) -> None:
        """Start computing."""
        self.compute()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def compute(self) -> None:
        """Run the core stats on a connection of this worker's own."""
        with open_store(self._store_path) as store:
            report = compute_stats(store, StatsRequest())
            compared = compare_view(store)
        self.post_message(StatsReady([*format_stats(report), "", *compared]))

    @on(StatsReady)
    def _ready(self, message: StatsReady) -> None:
        self.query_one("#stats-body", Static).update(Text("\n".join(message.lines)))

    def action_close(self) -> None:
        """Back to reviewing."""
        self.dismiss(None)


def open_stats_screen(app: ReviewApp) -> None:
    """Open the stats screen, unless blind mode hides agreement from this reviewer."""
    if not app.spec.revisit and reviewer_has_open_overlap(
        app.store, app.actor.name, app.spec.overlap
    ):
        app.notify(
            "Agreement and counts stay hidden until you have labeled every case in your queue "
            "(blind review).",
            markup=False,
            timeout=6,
        )
        return
    app.push_screen(StatsScreen(app))
