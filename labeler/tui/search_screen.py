"""The search screen: type, see the best matches as they are found, pick one to jump.

Each result shows the case id, what kind of match it is (case id, exact, all words, typo with
its score), where it matched (id, input or output) and the text around the match with the
match marked (reverse video, so it shows under ``NO_COLOR`` too). Only ids, inputs and outputs
are searched and shown: never labels or notes (blind labeling). All case text is made safe
before display. A search that fails says so in words, in the status line.

Opening the screen starts the store's search index build
(:func:`labeler.review.search.index_builder`)
when cases are not indexed yet; a line shows its progress while it takes more than a moment,
cases not indexed yet are scanned meanwhile, and the current search runs again when the
index is complete.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from labeler.review.search import (
    MIN_INDEXED_QUERY,
    Hit,
    IndexBuilder,
    SearchProgress,
    index_builder,
    search_cases,
)
from labeler.store.connection import open_store
from labeler.store.errors import StoreError
from labeler.text.display import safe_inline

SHOW_INDEXING_AFTER = 1.0
"""Seconds an index build runs before its progress line appears (small builds never show)."""

_KIND_TAGS = {"id": "case id", "exact": "exact", "words": "all words"}


class SearchResults(Message):
    """Matches found so far."""

    def __init__(self, query: str, progress: SearchProgress) -> None:
        super().__init__()
        self.query = query
        self.progress = progress


class SearchFailed(Message):
    """The search stopped with an error."""

    def __init__(self, query: str, reason: str) -> None:
        super().__init__()
        self.query = query
        self.reason = reason


def hit_prompt(hit: Hit) -> Text:
    """Two lines: the case id with the kind of match and its field, then the text around it."""
    prompt = Text(no_wrap=True, overflow="ellipsis")
    prompt.append(safe_inline(hit.case_id, 60), style="bold")
    tag = f"typo {hit.score:.0f}" if hit.kind == "typo" else _KIND_TAGS[hit.kind]
    where = "" if hit.field == "id" and hit.kind == "id" else f" · {hit.field}"
    prompt.append(f"  {tag}{where}", style="italic")
    prompt.append("\n  ")
    snippet = hit.snippet
    before, match, after = snippet[: hit.start], snippet[hit.start : hit.end], snippet[hit.end :]
    if before:
        prompt.append(safe_inline(before, 60))
    if match:
        prompt.append(safe_inline(match, 100), style="reverse")
    if after:
        prompt.append(safe_inline(after, 160))
    return prompt


class SearchScreen(ModalScreen[int | None]):
    """Search case ids, inputs and outputs; returns the chosen case number."""

    DEFAULT_CSS: ClassVar[str] = """
    SearchScreen { align: center middle; }
    SearchScreen > Vertical {
        width: 90%; height: 80%; border: round $accent; background: $surface;
    }
    SearchScreen OptionList { height: 1fr; }
    SearchScreen #search-status { height: 1; color: $text-muted; padding: 0 1; }
    SearchScreen #search-status.-failed { color: $error; text-style: bold; }
    SearchScreen #search-index { height: auto; color: $warning; padding: 0 1; }
    SearchScreen #search-index.-hidden { display: none; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="search.cancel"),
        Binding("down", "focus_results", "Results", show=False, id="search.results"),
    ]

    def __init__(self, store_path: Path) -> None:
        super().__init__()
        self._store_path = store_path
        self._query = ""
        self._scanned_unindexed = False
        self._builder: IndexBuilder | None = None
        self._build_seen_running = False
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Search ids, inputs and outputs — Enter to pick, Escape to close"
            yield Input(placeholder="type to search", id="search-input")
            yield Static(id="search-status", markup=False)
            yield Static(id="search-index", markup=False, classes="-hidden")
            yield OptionList(id="search-results")

    def on_mount(self) -> None:
        self._builder = index_builder(self._store_path)
        self._timer = self.set_interval(0.5, self._watch_index)

    def on_unmount(self) -> None:
        if self._timer is not None:
            self._timer.stop()

    # -- the index build ----------------------------------------------------------------------

    def _watch_index(self) -> None:
        builder = self._builder
        if builder is None:
            return
        progress = builder.progress
        line = self.query_one("#search-index", Static)
        text = ""
        if progress.state == "running":
            if (
                self._build_seen_running
                or time.monotonic() - builder.started_at >= SHOW_INDEXING_AFTER
            ):
                self._build_seen_running = True
                total = max(progress.total, 1)
                text = (
                    f"Indexing for search: {100 * progress.indexed // total}% "
                    f"({progress.indexed:,} of {progress.total:,} cases); cases not indexed "
                    "yet are scanned, so results are complete but slower."
                )
        elif progress.state == "read-only":
            text = (
                "No search index: you may only read this store, so every search scans the "
                "cases not indexed yet."
            )
        elif progress.state == "failed":
            text = (
                f"The search index could not be built ({safe_inline(progress.error, 200)}); "
                "cases not indexed yet are scanned."
            )
        elif progress.state == "done" and self._scanned_unindexed and self._query.strip():
            self._scanned_unindexed = False
            self.run_search(self._query)  # the index now holds everything: faster, same hits
        line.update(Text(text))
        line.set_class(not text, "-hidden")

    # -- searching ----------------------------------------------------------------------------

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
        """Search on a connection of this worker's own; report progress, results or failure."""
        worker = get_current_worker()
        try:
            with open_store(self._store_path, write=False) as store:
                search_cases(
                    store,
                    query,
                    should_stop=lambda: worker.is_cancelled,
                    on_progress=lambda p: self._post(SearchResults(query, p)),
                )
        except StoreError as exc:
            if not worker.is_cancelled:
                self.post_message(SearchFailed(query, str(exc)))
        except Exception as exc:  # a bug must not look like "no matches"
            if not worker.is_cancelled:
                self.post_message(SearchFailed(query, f"{type(exc).__name__}: {exc}"))
        else:
            if not query.strip() and not worker.is_cancelled:
                self.post_message(SearchResults(query, SearchProgress([], True, "done")))

    def _post(self, message: Message) -> None:
        self.post_message(message)

    @on(SearchResults)
    def _results(self, message: SearchResults) -> None:
        if message.query != self._query:
            return
        progress = message.progress
        if progress.to_scan:
            self._scanned_unindexed = True
        results = self.query_one(OptionList)
        highlighted = results.highlighted
        results.clear_options()
        results.add_options([Option(hit_prompt(hit), id=str(hit.seq)) for hit in progress.hits])
        if highlighted is not None and results.option_count:
            results.highlighted = min(highlighted, results.option_count - 1)
        status = self.query_one("#search-status", Static)
        status.remove_class("-failed")
        status.update(Text(self._status_text(message.query, progress)))

    def _status_text(self, query: str, progress: SearchProgress) -> str:
        count = len(progress.hits)
        if not query.strip():
            return "Type a case id, or words from an input or output."
        found = f"{count} match{'es' if count != 1 else ''}"
        if not progress.done:
            if progress.step == "scanning":
                return (
                    f"{found} so far · scanning cases not indexed yet: "
                    f"{progress.scanned:,} of {progress.to_scan:,}"
                )
            return f"{found} so far · looking for {progress.step}…"
        short = len(" ".join(query.split())) < MIN_INDEXED_QUERY
        if not count:
            hint = " (type 3 or more characters to allow typos)" if short else ""
            return f"No case id, input or output matches {safe_inline(query.strip(), 60)}{hint}."
        order = "case id, exact, all words, then typos"
        if short:
            return f"{found} · exact only (type 3 or more characters to allow typos)"
        return f"{found} · best first: {order}"

    @on(SearchFailed)
    def _failed(self, message: SearchFailed) -> None:
        if message.query != self._query:
            return
        self.query_one(OptionList).clear_options()
        status = self.query_one("#search-status", Static)
        status.add_class("-failed")
        status.update(Text(f"Search failed: {safe_inline(message.reason, 300)}"))

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
