"""What the review and resolve screens share: the case panes and the keys that move them."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Static

from labeler.tui.case_view import CaseView

MIN_COLUMNS = 60
"""Narrower than this, the bucket keys and the panes no longer fit: the screen says so."""
MIN_ROWS = 20
"""Shorter than this, the panes would show no text: the screen says so."""


def pane_bindings(prefix: str) -> list[Binding]:
    """Tab chooses a pane; page keys, home and end scroll it; z zooms it. Ids: ``prefix.*``."""
    return [
        Binding("tab", "next_pane", "Pane", show=False, id=f"{prefix}.pane"),
        Binding("pageup", "scroll_pane(-1)", "Page up", show=False, id=f"{prefix}.page_up"),
        Binding("pagedown", "scroll_pane(1)", "Page down", show=False, id=f"{prefix}.page_down"),
        Binding("home", "scroll_edge(0)", "Top", show=False, id=f"{prefix}.top"),
        Binding("end", "scroll_edge(1)", "Bottom", show=False, id=f"{prefix}.bottom"),
        Binding("z", "zoom", "Zoom", id=f"{prefix}.zoom"),
    ]


class CaseScreen(Screen[None]):
    """A screen with a :class:`CaseView`; the panes are not focusable, the screen scrolls them.

    Below :attr:`MIN_SIZE` it shows what size it needs instead of drawing empty panes (the
    class ``-too-small`` hides everything else; the keys still work, q quits)."""

    MIN_SIZE: ClassVar[tuple[int, int]] = (MIN_COLUMNS, MIN_ROWS)

    def on_resize(self, event: events.Resize) -> None:
        """Say so when the terminal is too small to show a case."""
        width, height = event.size
        min_width, min_height = self.MIN_SIZE
        small = width < min_width or height < min_height
        if small:
            try:
                note = self.query_one("#too-small", Static)
            except NoMatches:
                note = Static(id="too-small")
                self.mount(note)
            note.update(
                Text(
                    f"This terminal is {width}x{height}: labeler needs at least "
                    f"{min_width}x{min_height} to show the case, its output and every bucket "
                    "key. Make the window larger (or the font smaller). q quits."
                )
            )
        self.set_class(small, "-too-small")

    def action_next_pane(self) -> None:
        """Choose the next pane for page keys and zoom."""
        view = self.query_one(CaseView)
        view.set_active(view.active + 1)

    def action_scroll_pane(self, direction: int) -> None:
        """Scroll the chosen pane by a page."""
        self.query_one(CaseView).active_pane().scroll_page(-1 if direction < 0 else 1)

    def action_scroll_edge(self, end: int) -> None:
        """Scroll the chosen pane to its top or bottom."""
        self.query_one(CaseView).active_pane().scroll_to_edge(bool(end))

    def action_zoom(self) -> None:
        """Zoom the chosen pane to full screen, or back."""
        if self.maximized is not None:
            self.minimize()
        else:
            self.maximize(self.query_one(CaseView).active_pane(), container=False)
