"""The three case panes (input, context, output), laid out side by side or stacked."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.containers import Container

from labeler.review.case_display import CaseDisplay, PaneContent, PaneLine
from labeler.tui.case_preparation import PaneWidths, PreparedCase
from labeler.tui.text_pane import TextPane

PANE_IDS = ("pane-input", "pane-context", "pane-output")


class CaseView(Container):
    """Input, context and output. Wide terminals: three columns; narrow ones: stacked rows."""

    DEFAULT_CSS: ClassVar[str] = """
    CaseView { layout: vertical; height: 1fr; }
    CaseView TextPane { height: 1fr; width: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.active = 0
        self.panes = (
            TextPane("Input", id=PANE_IDS[0]),
            TextPane("Context", id=PANE_IDS[1]),
            TextPane("Output", id=PANE_IDS[2]),
        )
        """The three panes in order."""

    def compose(self) -> ComposeResult:
        yield from self.panes

    def on_mount(self) -> None:
        """Mark the first pane active."""
        self.set_active(0)

    def text_widths(self) -> PaneWidths:
        """The text width of each pane (what a prepared case must be wrapped at)."""
        widths = [pane.text_width for pane in self.panes]
        return (widths[0], widths[1], widths[2])

    def show(self, display: CaseDisplay | None, prepared: PreparedCase | None = None) -> None:
        """Show a case (or clear the panes); ``prepared`` may bring its rows already wrapped
        (used when they were wrapped at the panes' widths of now)."""
        panes = self.panes
        if display is None:
            empty = PaneContent(lines=[PaneLine("", "empty")])
            for pane in panes:
                pane.set_content(empty)
            return
        contents = (display.input, display.context, display.output)
        fits = prepared is not None and prepared.widths == self.text_widths()
        for i, (pane, content) in enumerate(zip(panes, contents, strict=True)):
            pane.set_content(content, prepared.rows[i] if prepared and fits else None)

    def set_active(self, index: int) -> None:
        """Make pane ``index`` the one that page keys scroll and z zooms."""
        self.active = index % len(PANE_IDS)
        for i, pane in enumerate(self.panes):
            pane.set_class(i == self.active, "-active")

    def active_pane(self) -> TextPane:
        """The pane that page keys scroll."""
        return self.panes[self.active]
