"""What the review and resolve screens share: the case panes and the keys that move them."""

from __future__ import annotations

from textual.binding import Binding
from textual.screen import Screen

from labeler.tui.case_view import CaseView


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
    """A screen with a :class:`CaseView`; the panes are not focusable, the screen scrolls them."""

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
