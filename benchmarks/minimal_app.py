"""The baseline for first-screen time: a minimal Textual app showing one Static (by hand).

    .venv/bin/python benchmarks/minimal_app.py

``bench_review.py`` starts it in a tmux pane and waits for "hello from a minimal app" the same
way it waits for the review screen's first case. ``q`` quits.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static


class MinimalApp(App[None]):
    """One Static."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Static("hello from a minimal app")


if __name__ == "__main__":
    MinimalApp().run()
