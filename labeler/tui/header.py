"""The case header: queue position, case id, slices, metadata, label count and badges."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from rich.text import Text
from textual.widgets import Static

from labeler.review.case_display import CaseDisplay


@dataclass
class HeaderState:
    """Everything the header shows. Strings in it are already made safe."""

    display: CaseDisplay | None = None
    position: int = 0
    total: int | None = None
    label_count: int = 0
    own_label: str | None = None
    """The name of this reviewer's bucket on the case (never another reviewer's)."""
    note: str | None = None
    note_saved: bool = True
    """False for a note typed on a case not labeled yet (it is saved with the label)."""
    hints: list[str] = field(default_factory=list)
    mode: str = "review"
    progress_label: str | None = None
    """Replaces the ``position / total`` box (the resolve screen shows ``resolved 12 / 47``)."""


HEADER_ROWS = 4
"""The header always has this many rows, so that a new case never changes the layout."""


def header_text(state: HeaderState) -> Text:
    """The header as plain styled text (never markup), exactly :data:`HEADER_ROWS` rows.

    Rows: position and case; slices; metadata; badges, the reviewer's note and hints. Each row
    is cut with an ellipsis rather than wrapped.
    """
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    d = state.display
    total = "…" if state.total is None else f"{state.total:,}"
    box = state.progress_label or f"{state.position:,} / {total}"
    text.append(f" {box} ", style="bold reverse")
    if state.mode == "revisit":
        text.append(" revisit ", style="bold black on yellow")
    if d is None:
        text.append("  no case")
        text.append("\n" * (HEADER_ROWS - 1))
        return text
    text.append("  case ", style="dim")
    text.append(d.case_id, style="bold")
    labels = "1 label" if state.label_count == 1 else f"{state.label_count} labels"
    text.append(f"  ·  {labels}", style="dim")
    if state.own_label:
        text.append("  ·  your label: ", style="dim")
        text.append(state.own_label, style="bold green")
    text.append("\n")
    if d.slices:
        text.append(" slices ", style="dim")
        text.append("  ".join(f"{k}={v}" for k, v in d.slices))
    else:
        text.append(" no slices", style="dim")
    text.append("\n")
    if d.meta:
        text.append(" meta   ", style="dim")
        text.append("  ".join(f"{k}={v}" for k, v in d.meta))
    else:
        text.append(" no metadata", style="dim")
    text.append("\n")
    if d.hidden:
        text.append(" ⚠ hidden characters: " + ", ".join(sorted(d.hidden)) + " ", style="bold red")
    if d.truncated:
        text.append(" ✂ long text capped ", style="yellow")
    if state.note:
        text.append(" note: " if state.note_saved else " note (not saved yet): ", style="dim")
        text.append(state.note, style="italic")
    for hint in state.hints:
        text.append(" hint: ", style="dim")
        text.append(hint, style="bold magenta")
    return text


class CaseHeader(Static):
    """Shows a :class:`HeaderState`."""

    DEFAULT_CSS: ClassVar[str] = """
    CaseHeader {
        height: 4;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        padding: 0 0;
        background: $boost;
    }
    """

    def show(self, state: HeaderState) -> None:
        """Redraw with this state."""
        self.update(header_text(state), layout=False)
