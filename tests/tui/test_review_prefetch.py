"""The review screen prepares the next case on a thread while the reviewer reads this one."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from pilot_helpers import MakeApp, current_id, header_text, review_screen, settle
from textual.pilot import Pilot

import labeler.tui.review_screen as review_module
from labeler.cases import Case, find_case_seq, load_case
from labeler.identity import Actor
from labeler.labels import set_label
from labeler.review.case_display import case_display
from labeler.store import Store
from labeler.tui.case_preparation import PaneWidths, PreparedCase, prepare_case
from labeler.tui.case_view import CaseView
from labeler.tui.pane_rows import wrap_rows

SIZE = (120, 40)


class Calls:
    """Which cases were prepared ahead (and on which thread) and which were loaded at a key."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.prepared: list[tuple[int, tuple[int, int, int], str]] = []
        self.loaded: list[int] = []
        prepare = prepare_case
        load = load_case

        def recording_prepare(store: Store, seq: int, widths: PaneWidths) -> PreparedCase | None:
            self.prepared.append((seq, widths, threading.current_thread().name))
            return prepare(store, seq, widths)

        def recording_load(store: Store, seq: int) -> Case | None:
            self.loaded.append(seq)
            return load(store, seq)

        monkeypatch.setattr(review_module, "prepare_case", recording_prepare)
        monkeypatch.setattr(review_module, "load_case", recording_load)

    async def wait_prepared(self, pilot: Pilot[None], seq: int) -> None:
        """Wait until ``seq`` was prepared."""
        screen = review_screen(pilot.app)
        for _ in range(200):
            if screen._prefetcher.wait(seq, 0.01):
                return
            await pilot.pause(0.02)
        raise AssertionError(f"case {seq} was never prepared: {self.prepared}")


def seq_of(store: Store, case_id: str) -> int:
    seq = find_case_seq(store, case_id)
    assert seq is not None
    return seq


async def test_the_next_case_is_prepared_on_the_prefetch_thread_and_shown_from_it(
    store: Store, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = Calls(monkeypatch)
    app = make_app(store, "bob")
    second = seq_of(store, "case-002")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await calls.wait_prepared(pilot, second)
        assert [(seq, thread[:16]) for seq, _, thread in calls.prepared] == [
            (second, "labeler-prefetch")
        ]
        await pilot.press("j")
        await settle(pilot)
        assert current_id(app) == "case-002"
        assert second not in calls.loaded  # shown from what was prepared
        case = load_case(store, second)
        assert case is not None
        display = case_display(case)
        panes = app.screen.query_one(CaseView).panes
        for pane, content in zip(
            panes, (display.input, display.context, display.output), strict=True
        ):
            expected = "\n".join(row.text for row in wrap_rows(content.lines, pane.text_width))
            assert pane.plain_text() == expected


async def test_a_prepared_case_shows_the_label_count_of_now(
    store: Store,
    make_app: MakeApp,
    make_actor: Callable[[str], Actor],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = Calls(monkeypatch)
    app = make_app(store, "bob", overlap=3)
    second = seq_of(store, "case-002")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await calls.wait_prepared(pilot, second)
        set_label(store, second, make_actor("carol"), "other", expected_version=None)
        await pilot.press("j")
        await settle(pilot)
        assert current_id(app) == "case-002"
        assert second not in calls.loaded
        assert "1 label" in header_text(app)


async def test_a_case_prepared_before_a_resize_is_wrapped_again(
    store: Store, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = Calls(monkeypatch)
    app = make_app(store, "bob")
    second = seq_of(store, "case-002")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await calls.wait_prepared(pilot, second)
        prepared_widths = calls.prepared[-1][1]
        await pilot.resize_terminal(90, 30)
        await settle(pilot)
        # Below 120 columns the panes are stacked, each as wide as the screen but its frame.
        assert app.screen.query_one(CaseView).text_widths() == (85, 85, 85) != prepared_widths
        await pilot.press("j")
        await settle(pilot)
        assert current_id(app) == "case-002"
        assert second not in calls.loaded  # the safe text was kept, only the rows were redone
        for pane in app.screen.query_one(CaseView).panes:
            assert pane.plain_text() == "\n".join(
                row.text for row in wrap_rows(pane._lines, pane.text_width)
            )
