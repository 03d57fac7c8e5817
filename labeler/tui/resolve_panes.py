"""The resolve screen's panes: input, context and output, and the labels panel as a fourth.

``tab`` chooses among the four; page keys, home and end scroll the chosen one; ``z`` zooms it
(the labels panel zoomed shows every reviewer's note in full).
"""

from __future__ import annotations

from labeler.tui.case_screen import CaseScreen
from labeler.tui.case_view import CaseView
from labeler.tui.reviewer_labels import ReviewerLabels


class CaseAndLabelsScreen(CaseScreen):
    """A case screen with a :class:`ReviewerLabels` panel that ``tab`` can choose too."""

    labels_chosen = False
    """True when tab chose the labels panel (page keys and z act on it)."""

    def _choose_labels(self, chosen: bool) -> None:
        self.labels_chosen = chosen
        self.query_one(ReviewerLabels).set_class(chosen, "-active")
        view = self.query_one(CaseView)
        for i, pane in enumerate(view.panes):
            pane.set_class(not chosen and i == view.active, "-active")

    def action_next_pane(self) -> None:
        """Choose the next pane: input, context, output, then the labels panel."""
        view = self.query_one(CaseView)
        if self.labels_chosen:
            self._choose_labels(False)
            view.set_active(0)
        elif view.active == len(view.panes) - 1:
            self._choose_labels(True)
        else:
            view.set_active(view.active + 1)

    def action_scroll_pane(self, direction: int) -> None:
        """Scroll the chosen pane (or the labels panel) by a page."""
        if self.labels_chosen:
            panel = self.query_one(ReviewerLabels)
            if direction < 0:
                panel.scroll_page_up(animate=False)
            else:
                panel.scroll_page_down(animate=False)
        else:
            super().action_scroll_pane(direction)

    def action_scroll_edge(self, end: int) -> None:
        """Scroll the chosen pane (or the labels panel) to its top or bottom."""
        if self.labels_chosen:
            panel = self.query_one(ReviewerLabels)
            if end:
                panel.scroll_end(animate=False)
            else:
                panel.scroll_home(animate=False)
        else:
            super().action_scroll_edge(end)

    def action_zoom(self) -> None:
        """Zoom the chosen pane to full screen, or back; the labels zoom with every note."""
        panel = self.query_one(ReviewerLabels)
        if self.maximized is not None:
            self.minimize()
            panel.set_full(False)
        elif self.labels_chosen:
            panel.set_full(True)
            self.maximize(panel, container=False)
        else:
            super().action_zoom()
