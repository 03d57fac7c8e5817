"""Every key of the review screen and the queue rules, driven through Pilot.

Each test builds the app the way ``labeler review`` does and checks the store (labels and
the events table), not only the screen.
"""

from __future__ import annotations

import functools
import sqlite3
import threading
import time
from collections.abc import Callable

import pytest
from pilot_helpers import (
    MakeApp,
    buckets,
    current_id,
    header_text,
    label_events,
    label_rows,
    press_saved,
    review_screen,
    screen_text,
    settle,
    type_text,
    wait_until_saved,
)
from textual.widgets import Input, OptionList

import labeler.tui.app as app_module
from labeler.identity import Actor, os_account
from labeler.labels import set_label
from labeler.review.label_writer import LabelWriter
from labeler.store import Store
from labeler.tui.bucket_bar import BucketBar
from labeler.tui.modals import HelpScreen, TextPrompt
from labeler.tui.review_screen import HELP_KEYS
from labeler.tui.search_screen import SearchScreen

SIZE = (100, 40)


async def test_bucket_key_labels_the_case_and_moves_on(store: Store, make_app: MakeApp) -> None:
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert current_id(app) == "case-001"
        assert header_text(app).startswith(" 1 / 10 ")
        await press_saved(pilot, "3")
        assert current_id(app) == "case-002"
        assert review_screen(app).status_message.startswith("saved: ")
        assert header_text(app).startswith(" 2 / 10 ")
    assert label_rows(store) == [
        {
            "case_id": "case-001",
            "reviewer": "bob",
            "account": os_account(),
            "bucket": buckets(store)["3"].key,
            "note": None,
            "version": 1,
        }
    ]
    assert label_events(store, "bob") == [("label.create", "case-001")]
    account = store.query("SELECT account FROM events WHERE kind = 'label.create'")[0][0]
    assert account == os_account()


async def test_each_shortcut_gives_its_own_bucket(store: Store, make_app: MakeApp) -> None:
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("1", "2", "9", "5")
    by_key = buckets(store)
    assert [(r["case_id"], r["bucket"]) for r in label_rows(store)] == [
        ("case-001", by_key["1"].key),
        ("case-002", by_key["2"].key),
        ("case-003", by_key["9"].key),
        ("case-004", by_key["5"].key),
    ]


async def test_same_shortcut_on_a_labeled_case_keeps_the_label(
    store: Store, make_app: MakeApp
) -> None:
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press_saved(pilot, "2", "k")
        assert current_id(app) == "case-001"
        assert review_screen(app).query_one(BucketBar)._current == buckets(store)["2"].key
        await pilot.press("2")
        assert current_id(app) == "case-002"  # moved on
    assert label_events(store, "bob") == [("label.create", "case-001")]
    assert [r["version"] for r in label_rows(store)] == [1]


async def test_other_shortcut_on_a_labeled_case_changes_it(store: Store, make_app: MakeApp) -> None:
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press_saved(pilot, "2", "k", "4")
    assert [(r["bucket"], r["version"]) for r in label_rows(store)] == [
        (buckets(store)["4"].key, 2)
    ]
    assert label_events(store, "bob") == [
        ("label.create", "case-001"),
        ("label.change", "case-001"),
    ]


async def test_undo_deletes_a_new_label(store: Store, make_app: MakeApp) -> None:
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press_saved(pilot, "1", "2")
        assert current_id(app) == "case-003"
        await press_saved(pilot, "u")
        assert current_id(app) == "case-002"  # undo shows the case it undid
        assert review_screen(app).label is None
        assert review_screen(app).status_message.startswith("saved")
        await press_saved(pilot, "u")
        assert current_id(app) == "case-001"
        await pilot.press("u")
        assert review_screen(app).status_message == "nothing to undo"
    assert label_rows(store) == []
    assert label_events(store, "bob") == [
        ("label.create", "case-001"),
        ("label.create", "case-002"),
        ("label.undo", "case-002"),
        ("label.undo", "case-001"),
    ]


async def test_undo_restores_a_changed_label(store: Store, make_app: MakeApp) -> None:
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press_saved(pilot, "1", "k", "6")
        assert label_rows(store)[0]["bucket"] == buckets(store)["6"].key
        await press_saved(pilot, "u")
        assert current_id(app) == "case-001"
        label = review_screen(app).label
        assert label is not None and label.bucket == buckets(store)["1"].key
    rows = label_rows(store)
    assert [(r["bucket"], r["version"]) for r in rows] == [(buckets(store)["1"].key, 3)]
    assert [kind for kind, _ in label_events(store, "bob")] == [
        "label.create",
        "label.change",
        "label.undo",
    ]
    before, after = store.query(
        "SELECT before, after FROM events WHERE kind = 'label.undo' AND actor = 'bob'"
    )[0]
    assert buckets(store)["6"].key in before and buckets(store)["1"].key in after


async def test_undo_with_nothing_to_undo_writes_nothing(store: Store, make_app: MakeApp) -> None:
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("u")
        assert review_screen(app).status_message == "nothing to undo"
        assert current_id(app) == "case-001"
    assert label_events(store, "bob") == []


async def test_digits_typed_in_a_note_do_not_label(store: Store, make_app: MakeApp) -> None:
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        assert isinstance(app.screen, TextPrompt)
        await type_text(pilot, "12 u j 3")
        assert app.screen.query_one(Input).value == "12 u j 3"
        assert label_rows(store) == []  # nothing labeled while typing
        await pilot.press("enter")
        assert current_id(app) == "case-001"  # still on the same case
        assert label_rows(store) == []  # a draft note is not a label
        assert "note kept" in review_screen(app).status_message
        assert "12 u j 3" in header_text(app)
        await press_saved(pilot, "7")  # the label takes the draft note with it
        assert current_id(app) == "case-002"
    assert [(r["case_id"], r["bucket"], r["note"]) for r in label_rows(store)] == [
        ("case-001", buckets(store)["7"].key, "12 u j 3")
    ]
    assert label_events(store, "bob") == [("label.create", "case-001")]


async def test_a_note_on_a_labeled_case_is_saved_at_once(store: Store, make_app: MakeApp) -> None:
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press_saved(pilot, "8", "k", "n")
        await type_text(pilot, "tone")
        await press_saved(pilot, "enter")
        assert label_rows(store)[0]["note"] == "tone"
        assert review_screen(app).status_message.startswith("saved")
        assert "tone" in header_text(app)
        # Editing it again starts from the stored note.
        await pilot.press("n")
        assert app.screen.query_one(Input).value == "tone"
        await pilot.press("backspace", "backspace", "backspace", "backspace", "enter")
    rows = label_rows(store)
    assert [(r["bucket"], r["note"]) for r in rows] == [(buckets(store)["8"].key, None)]
    assert [kind for kind, _ in label_events(store, "bob")] == [
        "label.create",
        "label.change",
        "label.change",
    ]


async def test_escape_cancels_a_note(store: Store, make_app: MakeApp) -> None:
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await type_text(pilot, "draft")
        await pilot.press("escape")
        assert review_screen(app).draft_note is None
        await pilot.press("1")
    assert label_rows(store)[0]["note"] is None


async def test_a_draft_note_does_not_follow_to_another_case(
    store: Store, make_app: MakeApp
) -> None:
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await type_text(pilot, "first")
        await pilot.press("enter", "j", "d", "1")  # leaving asks first; d drops the note
    assert [(r["case_id"], r["note"]) for r in label_rows(store)] == [("case-002", None)]


async def test_j_k_and_arrows_move_without_labeling(store: Store, make_app: MakeApp) -> None:
    app = make_app(store, "bob")
    seen: list[str | None] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in ("j", "down", "right", "k", "up", "left", "k", "up"):
            await pilot.press(key)
            seen.append(current_id(app))
        assert "case-001" in screen_text(app)
    assert seen == [
        "case-002",
        "case-003",
        "case-004",
        "case-003",
        "case-002",
        "case-001",
        "case-001",  # at the start, going back stays put
        "case-001",
    ]
    assert label_rows(store) == []


async def test_g_goes_to_a_case_by_id(store: Store, make_app: MakeApp) -> None:
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("g")
        assert isinstance(app.screen, TextPrompt)
        await type_text(pilot, "case-007")
        await pilot.press("enter")
        assert current_id(app) == "case-007"
        assert "case-007" in header_text(app)
        await pilot.press("4")  # labels case 7, then back to the case left
        assert current_id(app) == "case-001"
    assert [(r["case_id"], r["bucket"]) for r in label_rows(store)] == [
        ("case-007", buckets(store)["4"].key)
    ]


async def test_g_with_an_unknown_id_says_so(store: Store, make_app: MakeApp) -> None:
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("g")
        await type_text(pilot, "nope-42")
        await pilot.press("enter")
        assert current_id(app) == "case-001"
        assert review_screen(app).status_message == "no case with id nope-42"
        assert "no case with id nope-42" in screen_text(app)
        await pilot.press("g", "enter")  # an empty id does nothing
        assert current_id(app) == "case-001"
        assert app.is_running


async def test_s_skips_and_the_case_comes_back_after_the_queue_wraps(
    make_store: Callable[..., Store], make_app: MakeApp
) -> None:
    store = make_store(n=3)
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        assert current_id(app) == "case-002"
        assert "skipped case-001" in review_screen(app).status_message
        await press_saved(pilot, "1", "1")
        assert current_id(app) == "case-001"  # wrapped around to the skipped case
        await press_saved(pilot, "2")
        assert current_id(app) is None
        assert "queue is empty" in review_screen(app).status_message
    assert sorted(str(r["case_id"]) for r in label_rows(store)) == [
        "case-001",
        "case-002",
        "case-003",
    ]


async def test_slash_search_finds_a_case_by_a_word_and_jumps_to_it(
    store: Store, make_app: MakeApp
) -> None:
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        assert isinstance(app.screen, SearchScreen)
        await type_text(pilot, "zebrafish")
        await settle(pilot)
        results = app.screen.query_one(OptionList)
        assert results.option_count >= 1
        first = results.get_option_at_index(0)
        assert first.id is not None and int(first.id) == 7
        assert "case-007" in screen_text(app)
        await pilot.press("enter")  # from the query to the results
        assert results.has_focus and results.highlighted == 0
        await pilot.press("enter")  # pick
        await settle(pilot)
        assert current_id(app) == "case-007"
    assert label_rows(store) == []


async def test_clicking_a_search_result_jumps_to_it(store: Store, make_app: MakeApp) -> None:
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await type_text(pilot, "case-009")
        await settle(pilot)
        results = app.screen.query_one(OptionList)
        first = results.get_option_at_index(0)
        assert first.id == "9"  # the exact id ranks first
        await pilot.click("#search-results", offset=(4, 1))
        await settle(pilot)
        assert current_id(app) == "case-009"


async def test_search_escape_closes_without_moving(store: Store, make_app: MakeApp) -> None:
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await type_text(pilot, "parcel")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert current_id(app) == "case-001"


async def test_question_mark_opens_and_closes_help(store: Store, make_app: MakeApp) -> None:
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        shown = screen_text(app)
        assert "Keys" in shown and "undo your last label" in shown
        text = app.screen._text.plain
        for key, what in HELP_KEYS:
            assert key in text and what in text
        for bucket in buckets(store).values():
            assert bucket.name in text and bucket.description in text
        await pilot.press("1")  # a bucket key does nothing while help is open
        await pilot.press("question_mark")
        assert current_id(app) == "case-001"
        await pilot.press("question_mark", "escape")
        assert current_id(app) == "case-001"
    assert label_rows(store) == []


async def test_z_zooms_the_chosen_pane_and_back(store: Store, make_app: MakeApp) -> None:
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = review_screen(app)
        assert screen.maximized is None
        await pilot.press("z")
        assert screen.maximized is not None and screen.maximized.id == "pane-input"
        assert "Output" not in screen_text(app)
        await pilot.press("z")
        assert screen.maximized is None
        await pilot.press("tab", "tab", "z")
        assert screen.maximized is not None and screen.maximized.id == "pane-output"
        await pilot.press("z")
        assert screen.maximized is None
        assert "Output" in screen_text(app)


async def test_q_quits(store: Store, make_app: MakeApp) -> None:
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("1", "q")
        await pilot.pause()
        assert not app.is_running
    assert app.return_code == 0
    assert len(label_rows(store)) == 1


async def test_ctrl_c_quits_and_loses_nothing(store: Store, make_app: MakeApp) -> None:
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("1", "2", "ctrl+c")
        await pilot.pause()
        assert not app.is_running
    assert app.return_code == 0
    assert [r["case_id"] for r in label_rows(store)] == ["case-001", "case-002"]


async def test_a_returning_reviewer_resumes_after_the_cases_they_labeled(
    store: Store, make_app: MakeApp
) -> None:
    first = make_app(store, "bob")
    async with first.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("1", "2", "3", "q")
    second = make_app(store, "bob")
    async with second.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert current_id(second) == "case-004"
        assert header_text(second).startswith(" 4 / 10 ")
    other = make_app(store, "carol")  # a reviewer who labeled nothing starts at the first case
    async with other.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert current_id(other) == "case-001"


async def test_revisit_walks_own_labeled_cases(
    store: Store, make_app: MakeApp, make_actor: Callable[[str], Actor]
) -> None:
    bob = make_actor("bob")
    set_label(store, 2, bob, "other", expected_version=None)
    set_label(store, 5, bob, "too_slow", expected_version=None)
    set_label(store, 3, make_actor("alice"), "other", expected_version=None)
    app = make_app(store, "bob", revisit=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert current_id(app) == "case-002"
        assert "revisit" in header_text(app)
        assert "your label: Other" in header_text(app)
        await pilot.press("j")
        assert current_id(app) == "case-005"
        assert "your label: Too slow" in header_text(app)
        await pilot.press("j")
        assert current_id(app) is None
        await pilot.press("k", "k")
        assert current_id(app) == "case-002"
        await press_saved(pilot, "8")  # 8 is "Other": the label it has, kept
        assert current_id(app) == "case-005"
        await pilot.press("1")  # a new bucket on a revisited case changes it
    assert label_events(store, "bob") == [
        ("label.create", "case-002"),
        ("label.create", "case-005"),
        ("label.change", "case-005"),
    ]


async def test_slice_filter_shows_only_matching_cases(store: Store, make_app: MakeApp) -> None:
    app = make_app(store, "bob", slices=(("length", "long"),))
    seen: list[str | None] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        seen.append(current_id(app))
        assert header_text(app).startswith(" 1 / 5 ")
        assert "length=long" in header_text(app)
        for _ in range(5):
            await pilot.press("j")
            seen.append(current_id(app))
    assert seen == ["case-002", "case-004", "case-006", "case-008", "case-010", "case-002"]


async def test_overlap_keeps_fully_labeled_cases_out_of_the_queue(
    store: Store, make_app: MakeApp, make_actor: Callable[[str], Actor]
) -> None:
    for name in ("alice", "carol"):
        set_label(store, 1, make_actor(name), "other", expected_version=None)
    set_label(store, 2, make_actor("alice"), "other", expected_version=None)
    app = make_app(store, "bob", overlap=2)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert current_id(app) == "case-002"  # one label from someone else: still needed
        assert "1 label" in header_text(app)
        assert header_text(app).startswith(" 1 / 9 ")
    wider = make_app(store, "bob", overlap=3)
    async with wider.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert current_id(wider) == "case-001"
        assert "2 labels" in header_text(wider)


# -- a busy store --------------------------------------------------------------------------


@pytest.fixture
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the app's label writer give up waiting for the lock quickly and retry often."""
    monkeypatch.setattr(
        app_module,
        "LabelWriter",
        functools.partial(LabelWriter, retry_delay=0.05, busy_timeout_ms=50),
    )


@pytest.mark.usefixtures("quick_retries")
async def test_a_label_on_a_busy_store_is_kept_pending_then_saved(
    store: Store, make_app: MakeApp
) -> None:
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        other = sqlite3.connect(store.path, isolation_level=None, timeout=0)
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        try:
            await pilot.press("5")
            screen = review_screen(app)
            assert current_id(app) == "case-002"  # the screen moved on
            assert "not saved yet" in screen.status_message
            assert "retrying" in screen.status_message
            assert app.writer.pending == 1
            await pilot.pause(0.3)
            await pilot.pause()
            assert "not saved yet" in screen.status_message  # still retrying, still shown
            assert "not saved yet" in screen_text(app)
            assert label_rows(store) == []
            # Quitting now would lose the label: the app warns instead of quitting.
            await pilot.press("q")
            assert app.is_running
            warnings = [n.message for n in app._notifications]
            assert any("still waiting for the store" in m for m in warnings), warnings
        finally:
            other.execute("COMMIT")
            other.close()
        await wait_until_saved(pilot)
        assert review_screen(app).status_message.startswith("saved")
        assert [(r["case_id"], r["bucket"]) for r in label_rows(store)] == [
            ("case-001", buckets(store)["5"].key)
        ]
        await pilot.press("u")  # the late save still counts for undo
        assert current_id(app) == "case-001"
    assert label_rows(store) == []


@pytest.mark.usefixtures("quick_retries")
async def test_labels_given_while_busy_land_in_order(store: Store, make_app: MakeApp) -> None:
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        other = sqlite3.connect(store.path, isolation_level=None, timeout=0)
        other.execute("BEGIN IMMEDIATE")
        try:
            await pilot.press("1", "2", "3", "k", "k", "k", "4")
            assert app.writer.pending == 4
        finally:
            other.execute("COMMIT")
            other.close()
        await wait_until_saved(pilot)
        await pilot.press("q")
    by_key = buckets(store)
    assert [(r["case_id"], r["bucket"], r["version"]) for r in label_rows(store)] == [
        ("case-001", by_key["4"].key, 2),
        ("case-002", by_key["2"].key, 1),
        ("case-003", by_key["3"].key, 1),
    ]


@pytest.mark.usefixtures("quick_retries")
async def test_quitting_anyway_still_saves_a_label_if_the_store_frees_up(
    store: Store, make_app: MakeApp
) -> None:
    app = make_app(store, "bob")
    other = sqlite3.connect(store.path, isolation_level=None, timeout=0, check_same_thread=False)

    def release_the_lock() -> None:
        other.execute("COMMIT")
        other.close()

    release = threading.Timer(1.0, release_the_lock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        other.execute("BEGIN IMMEDIATE")
        await pilot.press("6")
        assert app.writer.pending == 1
        await pilot.pause(0.2)  # a retry or two, each reported to the screen
        await pilot.press("q")
        assert app.is_running  # warned
        release.start()  # the other process lets go of the lock a second later
        started = time.monotonic()
        await pilot.press("q")  # quit anyway: the app still waits a while for the store
    release.join()
    assert time.monotonic() - started < 8
    assert [(r["case_id"], r["bucket"]) for r in label_rows(store)] == [
        ("case-001", buckets(store)["6"].key)
    ]


async def test_a_stored_note_with_hidden_characters_is_edited_safely(
    store: Store, make_app: MakeApp
) -> None:
    """The note field shows stand-ins, never the raw escape; saving it untouched keeps the
    stored note exactly as it was."""
    hostile = "see \x1b]52;c;cHduZWQ=\x07 and \u202eevil"
    set_label(store, 1, Actor("bob", os_account(), True), "other", expected_version=None)
    set_label(store, 1, Actor("bob", os_account(), True), "other", expected_version=1, note=hostile)
    app = make_app(store, "bob", revisit=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        field = app.screen.query_one(Input).value
        assert "\x1b" not in field and "\u202e" not in field and "␛" in field
        await press_saved(pilot, "enter")
    assert label_rows(store)[0]["note"] == hostile
