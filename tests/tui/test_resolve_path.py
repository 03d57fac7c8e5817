"""The resolver's path through the queue (issue 12, points 4 and 5), and what can be read:
every reviewer's full note, and help columns that never run together.

Point 4: past the last disagreement ``j`` wraps to the first open one, and the screen says it
is finished only when none is open; after a decision it goes to the next open one, not
through history to cases already resolved. Point 5: a reason typed with ``n`` survives an undo
and a new decision. The app runs as resolver ``judy`` on the scenario store (queue 3, 4, 5,
10, 11) or the demo store.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pilot_helpers import screen_text, settle
from resolve_fixtures import DIS_LONG, DIS_OTHER, DIS_SHORT, THREE, THREE_TWO_AGREE, scenario
from resolve_helpers import (
    current_seq,
    header,
    panel,
    person,
    resolution_rows,
    resolve_app,
    screen,
    status,
    walk,
)
from textual.pilot import Pilot
from textual.widgets import Input

from labeler.labels import set_label
from labeler.store import Store
from labeler.tui.modals import HelpScreen, TextPrompt
from labeler.tui.resolve_screen import HELP_KEYS
from labeler.tui.reviewer_labels import NOTE_CHARS, ReviewerLabels

SIZE = (120, 40)
QUEUE = [DIS_LONG, DIS_SHORT, DIS_OTHER, THREE, THREE_TWO_AGREE]


@pytest.fixture
def scen(tmp_path: Path) -> Iterator[Store]:
    store = scenario(tmp_path)
    yield store
    store.close()


async def write_reason(pilot: Pilot[None], text: str) -> None:
    """``n``, the reason, Enter."""
    await pilot.press("n")
    prompt = pilot.app.screen
    assert isinstance(prompt, TextPrompt)
    prompt.query_one(Input).value = text
    await pilot.press("enter")


# -- point 4: the path -------------------------------------------------------------------------


async def test_j_past_the_last_disagreement_wraps_to_the_first_open_one(scen: Store) -> None:
    app = resolve_app(scen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert await walk(pilot, app) == QUEUE
        assert current_seq(app) == DIS_LONG
        assert "No disagreements left" not in status(app)
        assert "resolved 2 / 7" in header(app)
        await pilot.press("j")  # a second pass
        assert current_seq(app) == DIS_SHORT


async def test_it_says_finished_only_when_none_is_open(scen: Store) -> None:
    app = resolve_app(scen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j")  # c-3 skipped
        await pilot.press("x", "x", "x", "x")  # c-4, c-5, c-10, c-11
        assert current_seq(app) == DIS_LONG  # the skipped one, not the end
        assert "No disagreements left" not in status(app)
        await pilot.press("a")
        assert current_seq(app) is None
        await settle(pilot)
        assert status(app).startswith("No disagreements left to resolve.")
        assert "resolved 7 / 7" in header(app)
        await pilot.press("j")  # still nothing open
        assert current_seq(app) is None
        await pilot.press("k")
        assert current_seq(app) == DIS_LONG


async def test_a_decision_goes_to_the_next_open_case_not_back_through_history(
    scen: Store,
) -> None:
    app = resolve_app(scen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a", "a")  # c-3 and c-4 resolved; on c-5
        await pilot.press("k", "k")  # back to c-3
        assert current_seq(app) == DIS_LONG
        await pilot.press("b")  # change c-3
        assert current_seq(app) == DIS_OTHER  # c-4 is resolved: on to the next open one
        assert status(app) == "saved: c-3 → Bad extraction"
        await pilot.press("k")  # the history is linear
        assert current_seq(app) == DIS_SHORT
        await settle(pilot)
        assert "resolved 4 / 7" in header(app)
    rows = resolution_rows(scen)
    assert (rows[DIS_LONG]["method"], rows[DIS_SHORT]["method"]) == ("took_b", "took_a")


async def test_a_case_settled_by_another_resolver_is_skipped(scen: Store) -> None:
    from labeler.resolve.resolutions import resolve

    app = resolve_app(scen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        resolve(
            scen,
            DIS_SHORT,
            person("otto"),
            bucket=None,
            method="unclear",
            reason=None,
            expected_version=None,
        )
        await pilot.press("a")
        assert current_seq(app) == DIS_OTHER
        assert "resolved 4 / 7" in header(app)  # otto's counted as soon as it was seen


# -- point 5: the reason -----------------------------------------------------------------------


async def test_a_reason_survives_undo_and_a_new_decision(scen: Store) -> None:
    app = resolve_app(scen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await write_reason(pilot, "policy 4.2 covers it")
        assert "reason (saved with the decision): policy 4.2 covers it" in panel(app)
        await pilot.press("a")
        assert resolution_rows(scen)[DIS_LONG]["reason"] == "policy 4.2 covers it"
        await pilot.press("u")
        assert current_seq(app) == DIS_LONG
        assert status(app) == "undone (its reason is kept for the next decision)"
        assert DIS_LONG not in resolution_rows(scen)
        assert "reason (saved with the decision): policy 4.2 covers it" in panel(app)
        await pilot.press("n")
        prompt = app.screen
        assert isinstance(prompt, TextPrompt)
        assert prompt.query_one(Input).value == "policy 4.2 covers it"
        await pilot.press("escape")
        await pilot.press("b")
    row = resolution_rows(scen)[DIS_LONG]
    assert (row["method"], row["reason"]) == ("took_b", "policy 4.2 covers it")


async def test_a_reason_written_after_the_decision_survives_its_undo(scen: Store) -> None:
    app = resolve_app(scen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a", "k")
        await write_reason(pilot, "why")
        assert status(app) == "reason saved"
        await pilot.press("u")  # the decision's undo still works after the reason's write
        assert status(app) == "undone (its reason is kept for the next decision)"
        await pilot.press("x")
    row = resolution_rows(scen)[DIS_LONG]
    assert (row["method"], row["reason"]) == ("unclear", "why")


async def test_a_reason_typed_before_deciding_survives_moving_away(scen: Store) -> None:
    app = resolve_app(scen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await write_reason(pilot, "later")
        await pilot.press("j", "k")
        assert "reason (saved with the decision): later" in panel(app)
        await pilot.press("a")
    assert resolution_rows(scen)[DIS_LONG]["reason"] == "later"


# -- reading every note ------------------------------------------------------------------------


async def test_z_on_the_labels_panel_shows_every_note_in_full(
    make_store: Callable[..., Store],
) -> None:
    store = make_store(n=2, name="notes.db")
    long_note = "first line\n" + " ".join(f"word{i}" for i in range(400)) + " THE END"
    assert len(long_note) > 2 * NOTE_CHARS
    set_label(store, 1, person("alice"), "other", expected_version=None, note=long_note)
    set_label(store, 1, person("bob"), "too_slow", expected_version=None, note="short one")
    app = resolve_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        labels = screen(app).query_one(ReviewerLabels)
        assert "THE END" not in screen_text(app)  # cut at its normal size
        assert "a note is cut" in str(labels.border_subtitle)
        await pilot.press("tab", "tab", "tab")  # input → context → output → labels
        assert screen(app).labels_chosen
        await pilot.press("z")
        await pilot.pause()
        assert screen(app).maximized is labels
        assert labels.full
        assert "first line" in screen_text(app)
        await pilot.press("end")
        await pilot.pause()
        shown = screen_text(app)
        assert "THE END" in shown and "short one" in shown  # the whole note can be read
        await pilot.press("home")
        await pilot.pause()
        assert "first line" in screen_text(app)
        await pilot.press("z")
        await pilot.pause()
        assert screen(app).maximized is None and not labels.full
        assert labels.region.height <= 6  # back to its size at 80x24
        await pilot.press("a")
    assert resolution_rows(store)[1]["method"] == "took_a"


async def test_the_labels_panel_scrolls_when_chosen(make_store: Callable[..., Store]) -> None:
    store = make_store(n=2, name="many.db")
    for name, bucket in [("alice", "other"), ("bob", "too_slow"), ("carol", "wrong_intent")]:
        note = f"{name}'s note " + "lorem ipsum " * 30
        set_label(store, 1, person(name), bucket, expected_version=None, note=note)
    app = resolve_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        labels = screen(app).query_one(ReviewerLabels)
        assert labels.max_scroll_y > 0  # three notes do not fit in six rows
        await pilot.press("tab", "tab", "tab", "pagedown")
        await pilot.pause()
        assert labels.scroll_y > 0
        await pilot.press("home")
        await pilot.pause()
        assert labels.scroll_y == 0


# -- help --------------------------------------------------------------------------------------


async def test_help_columns_never_run_together(scen: Store) -> None:
    app = resolve_app(scen)
    async with app.run_test(size=(100, 50)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        lines = screen_text(app).splitlines()
    for keys, meaning in HELP_KEYS:
        line = next(x for x in lines if meaning[:30] in x)
        assert re.search(re.escape(keys) + r"\s{2,}" + re.escape(meaning[:30]), line), line
