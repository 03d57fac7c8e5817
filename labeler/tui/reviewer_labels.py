"""The resolve screen's panel: each reviewer's bucket and note, side by side."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from labeler.disagreements import ReviewerLabel, reviewer_letter
from labeler.display_text import safe_inline
from labeler.resolutions import Resolution


def labels_table(
    labels: list[ReviewerLabel], names: dict[str, str], resolution: Resolution | None
) -> Table:
    """One column per reviewer: key letter, name, bucket, note. Every string is made safe."""
    table = Table.grid(padding=(0, 2), expand=True)
    for _ in labels:
        table.add_column(ratio=1)
    cells = []
    for index, label in enumerate(labels):
        cell = Text()
        cell.append(f" {reviewer_letter(index).lower()} ", style="bold reverse")
        cell.append(f" {safe_inline(label.reviewer, 40)}\n", style="bold")
        bucket_name = names.get(label.bucket, label.bucket)
        chosen = resolution is not None and resolution.bucket == label.bucket
        cell.append(safe_inline(bucket_name, 60), style="bold green" if chosen else "bold cyan")
        if label.note:
            cell.append("\n“" + safe_inline(label.note, 400) + "”", style="italic")
        cells.append(cell)
    if cells:
        table.add_row(*cells)
    return table


def resolution_text(resolution: Resolution | None, names: dict[str, str]) -> Text:
    """The current resolution in words."""
    if resolution is None:
        return Text("not resolved yet", style="dim")
    text = Text("resolved: ", style="dim")
    if resolution.bucket is None:
        text.append("unclear", style="bold magenta")
    else:
        text.append(
            safe_inline(names.get(resolution.bucket, resolution.bucket), 60), style="bold green"
        )
    text.append(f"  ({resolution.method} by {safe_inline(resolution.resolver, 40)})", style="dim")
    if resolution.reason:
        text.append("  reason: " + safe_inline(resolution.reason, 300), style="italic")
    return text


class ReviewerLabels(Static):
    """Shows the labels under dispute and the resolution so far."""

    DEFAULT_CSS: ClassVar[str] = """
    ReviewerLabels {
        height: auto;
        max-height: 8;
        border: round $warning;
        padding: 0 1;
    }
    """

    def show(
        self, labels: list[ReviewerLabel], names: dict[str, str], resolution: Resolution | None
    ) -> None:
        """Redraw for a case."""
        from rich.console import Group

        self.border_title = "Labels"
        if not labels and resolution is None:  # the end of the queue: no case on screen
            self.update(Text("no case on screen", style="dim"))
            return
        self.update(
            Group(labels_table(labels, names, resolution), resolution_text(resolution, names))
        )
