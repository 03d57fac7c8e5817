"""The `/` search screen: each hit says what kind of match it is and where it matched, with the
match marked; a failed search shows its error, never an empty list; no match says so; the
index build shows its progress and the search runs again when it is done; hostile text stays
text. Plus an SVG snapshot (update with ``--snapshot-update`` and look at the SVG)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pilot_helpers import CaseDict, MakeApp, screen_text, settle, type_text
from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

import labeler.tui.search_screen as search_screen_module
from labeler.review.search import IndexProgress
from labeler.store import Store, StoreError
from labeler.store import search_index as idx
from labeler.tui.app import ReviewApp
from labeler.tui.search_screen import SearchScreen

SIZE = (120, 40)
SnapCompare = Callable[..., bool]

CASES: list[CaseDict] = [
    {
        "id": "sup-0042",
        "input": [
            {"role": "user", "content": "My parcel HP-4471 never arrived. I want a refund."},
            {"role": "assistant", "content": "Sorry to hear that! Let me check."},
        ],
        "output": "Your parcel is on its way. Our refund policy: 30 days.",
    },
    {
        "id": "sup-0043",
        "input": "Cancel my Plus membership please",
        "output": "Under the Refund\nPolicy you get the rest of the month back.",
    },
    {
        "id": "sup-0044",
        "input": "What is the policy on a refund for a late parcel?",
        "output": "Late parcels: see section 4.",
    },
    {
        "id": "sup-0045",
        "input": "Where is my refnd polcy document?",
        "output": "[@click=app.quit]boom[/] \x1b[2J see the refund polic.",
    },
    {"id": "sup-0046", "input": "Unrelated question", "output": "Unrelated answer"},
]


@pytest.fixture
def search_store(make_store: Callable[..., Store]) -> Store:
    return make_store(CASES, name="search.db")


async def open_search(pilot: Pilot[None], query: str) -> SearchScreen:
    await settle(pilot)
    await pilot.press("slash")
    screen = pilot.app.screen
    assert isinstance(screen, SearchScreen)
    await type_text(pilot, query)
    await settle(pilot)
    return screen


async def wait_for(pilot: Pilot[None], condition: Callable[[], bool], seconds: float = 10) -> None:
    """Let the app run until ``condition()`` holds (the screen's timer ticks every 0.5 s)."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    assert condition()


def prompts(screen: SearchScreen) -> list[Text]:
    results = screen.query_one(OptionList)
    out = []
    for i in range(results.option_count):
        prompt = results.get_option_at_index(i).prompt
        assert isinstance(prompt, Text)
        out.append(prompt)
    return out


def status(screen: SearchScreen) -> str:
    return str(screen.query_one("#search-status", Static).render())


def marked(prompt: Text) -> list[str]:
    """The parts of a result drawn in reverse video (the match)."""
    return [prompt.plain[s.start : s.end] for s in prompt.spans if "reverse" in str(s.style)]


async def test_each_hit_says_how_and_where_it_matched(
    search_store: Store, make_app: MakeApp
) -> None:
    app = make_app(search_store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_search(pilot, "refund policy")
        lines = [p.plain.split("\n") for p in prompts(screen)]
        heads = [head for head, _ in lines]
        assert heads == [
            "sup-0042  exact · output",
            "sup-0043  exact · output",
            "sup-0044  all words · input",
            "sup-0045  typo 92 · output",
        ]
        texts = prompts(screen)
        assert marked(texts[0]) == ["refund policy"]
        assert marked(texts[1]) == ["Refund␊Policy"]  # a phrase across a line break
        assert marked(texts[2]) == ["refund"]  # the first word of the query
        assert "Our refund policy: 30 days." in lines[0][1]
        assert "4 matches · best first" in status(screen)
        shown = screen_text(app)
        assert "sup-0043  exact · output" in shown and "Refund␊Policy" in shown
        await pilot.press("enter", "down", "enter")  # to the results, second hit, pick
        await settle(pilot)
    assert app.return_code is None


async def test_a_typo_and_an_id(search_store: Store, make_app: MakeApp) -> None:
    app = make_app(search_store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_search(pilot, "membreship")
        first = prompts(screen)[0]
        assert first.plain.startswith("sup-0043  typo ")
        assert marked(first) == ["membership"]
        search = screen.query_one(Input)
        search.value = "sup-0044"
        await settle(pilot)
        assert prompts(screen)[0].plain.startswith("sup-0044  case id\n")


async def test_a_failed_search_shows_its_error_instead_of_an_empty_list(
    search_store: Store, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise StoreError("search.db is busy: another process held the write lock")

    monkeypatch.setattr(search_screen_module, "search_cases", broken)
    app = make_app(search_store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_search(pilot, "parcel")
        assert screen.query_one(OptionList).option_count == 0
        assert status(screen) == (
            "Search failed: search.db is busy: another process held the write lock"
        )
        assert screen.query_one("#search-status").has_class("-failed")
        assert "Search failed: search.db is busy" in screen_text(app)

        def bug(*args: Any, **kwargs: Any) -> None:
            raise RuntimeError("[@click=app.quit]oops[/]")

        monkeypatch.setattr(search_screen_module, "search_cases", bug)
        await type_text(pilot, "s")
        await settle(pilot)
        assert status(screen) == "Search failed: RuntimeError: [@click=app.quit]oops[/]"
        assert app.is_running


async def test_a_damaged_index_is_an_error_too(search_store: Store, make_app: MakeApp) -> None:
    app = make_app(search_store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        with search_store.write() as conn:
            conn.execute("DROP TABLE case_search")
        screen = await open_search(pilot, "parcel")
        assert status(screen).startswith("Search failed: ")
        assert "case_search" in status(screen)
        assert screen.query_one(OptionList).option_count == 0


async def test_no_match_says_so(search_store: Store, make_app: MakeApp) -> None:
    app = make_app(search_store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_search(pilot, "xylophone")
        assert status(screen) == "No case id, input or output matches xylophone."
        screen.query_one(Input).value = "zq"
        await settle(pilot)
        assert status(screen) == (
            "No case id, input or output matches zq (type 3 or more characters to allow typos)."
        )


async def test_hostile_text_in_a_hit_stays_text(search_store: Store, make_app: MakeApp) -> None:
    app = make_app(search_store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_search(pilot, "boom")
        first = prompts(screen)[0]
        assert first.plain.startswith("sup-0045  exact · output")
        assert "[@click=app.quit]boom[/] ␛[2J see" in first.plain
        assert marked(first) == ["boom"]
        await pilot.click("#search-results", offset=(25, 1))
        await settle(pilot)
        assert app.is_running


@dataclass
class FakeBuilder:
    progress: IndexProgress = field(default_factory=IndexProgress)
    started_at: float = 0.0


async def test_the_index_build_shows_its_progress_and_the_search_runs_again(
    search_store: Store, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    builder = FakeBuilder(IndexProgress(state="running", indexed=340_000, total=1_000_000))
    monkeypatch.setattr(search_screen_module, "index_builder", lambda path: builder)
    runs: list[str] = []
    original = SearchScreen.run_search

    def counted(self: SearchScreen, query: str) -> Any:
        runs.append(query)
        return original(self, query)

    monkeypatch.setattr(SearchScreen, "run_search", counted)
    app = make_app(search_store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_search(pilot, "parcel")  # nothing indexed: every case scanned
        line = screen.query_one("#search-index", Static)
        await wait_for(pilot, lambda: bool(line.display))
        assert str(line.render()) == (
            "Indexing for search: 34% (340,000 of 1,000,000 cases); cases not indexed yet "
            "are scanned, so results are complete but slower."
        )
        before = len(runs)
        builder.progress = IndexProgress(state="done", indexed=1_000_000, total=1_000_000)
        await wait_for(pilot, lambda: not line.display and len(runs) > before)
        await settle(pilot)
        assert runs[before:] == ["parcel"]  # once, with the index complete
        builder.progress = IndexProgress(state="read-only", error="no write")
        await wait_for(pilot, lambda: bool(line.display))
        assert "you may only read this store" in str(line.render())


async def test_opening_the_screen_builds_the_index(search_store: Store, make_app: MakeApp) -> None:
    assert not idx.index_state(search_store).complete
    app = make_app(search_store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await open_search(pilot, "parcel")
        await wait_for(pilot, lambda: idx.index_state(search_store).complete)


def test_search_screen_snapshot(
    snap_compare: SnapCompare, make_store: Callable[..., Store], make_app: MakeApp
) -> None:
    store = make_store(CASES, name="snap.db")
    app: ReviewApp = make_app(store, "snapper")

    async def search(pilot: Pilot[None]) -> None:
        await open_search(pilot, "refund policy")
        pilot.app.screen.query_one(Input).cursor_blink = False
        await pilot.pause()

    assert snap_compare(app, terminal_size=(100, 30), run_before=search)


def test_the_store_path_is_all_the_screen_needs(tmp_path: Path) -> None:
    """The review screen opens it as ``SearchScreen(store.path)``."""
    assert SearchScreen(tmp_path / "x.db")._store_path == tmp_path / "x.db"
