"""The search screen: type, see the best matches as the store is scanned, pick one to jump."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from labeler.display_text import safe_inline
from labeler.search import Hit, search_cases
from labeler.store.connection import open_store


class SearchResults(Message):
    """Matches found so far."""

    def __init__(self, query: str, scanned: int, hits: list[Hit], done: bool) -> None:
        super().__init__()
        self.query = query
        self.scanned = scanned
        self.hits = hits
        self.done = done


class SearchScreen(ModalScreen[int | None]):
    """Fuzzy search; returns the chosen case number."""

    DEFAULT_CSS: ClassVar[str] = """
    SearchScreen { align: center middle; }
    SearchScreen > Vertical {
        width: 90%; height: 80%; border: round $accent; background: $surface;
    }
    SearchScreen OptionList { height: 1fr; }
    SearchScreen #search-status { height: 1; color: $text-muted; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="search.cancel"),
        Binding("down", "focus_results", "Results", show=False, id="search.results"),
    ]

    def __init__(self, store_path: Path) -> None:
        super().__init__()
        self._store_path = store_path
        self._query = ""

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Search ids, inputs and outputs — Enter to pick, Escape to close"
            yield Input(placeholder="type to search", id="search-input")
            yield Static(id="search-status")
            yield OptionList(id="search-results")

    @on(Input.Changed, "#search-input")
    def _changed(self, event: Input.Changed) -> None:
        self._query = event.value
        self.run_search(event.value)

    @on(Input.Submitted, "#search-input")
    def _submitted(self) -> None:
        results = self.query_one(OptionList)
        if results.option_count:
            results.focus()
            results.highlighted = 0

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def run_search(self, query: str) -> None:
        """Scan the store in chunks on a connection of this worker's own."""
        worker = get_current_worker()
        with open_store(self._store_path) as store:
            hits = search_cases(
                store,
                query,
                should_stop=lambda: worker.is_cancelled,
                on_progress=lambda n, h: self._post_results(query, n, h),
            )
        if not worker.is_cancelled:
            self.post_message(SearchResults(query, -1, hits, True))

    def _post_results(self, query: str, scanned: int, hits: list[Hit]) -> None:
        self.post_message(SearchResults(query, scanned, hits, False))

    @on(SearchResults)
    def _results(self, message: SearchResults) -> None:
        if message.query != self._query:
            return
        results = self.query_one(OptionList)
        results.clear_options()
        for hit in message.hits:
            prompt = Text()
            prompt.append(safe_inline(hit.case_id, 40), style="bold")
            prompt.append(f"  {hit.score:.0f}  ", style="dim")
            prompt.append(safe_inline(hit.snippet, 100))
            results.add_option(Option(prompt, id=str(hit.seq)))
        status = "done" if message.done else f"searching… {message.scanned:,} cases scanned"
        self.query_one("#search-status", Static).update(
            Text(f"{len(message.hits)} matches · {status}")
        )

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.dismiss(int(event.option.id))

    def action_focus_results(self) -> None:
        """Move from the query to the results."""
        self.query_one(OptionList).focus()

    def action_cancel(self) -> None:
        """Close without jumping."""
        self.dismiss(None)
