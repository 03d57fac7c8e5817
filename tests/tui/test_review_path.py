"""The path through the review queue, driven through Pilot (issue 12, "The path through the
queue", review half): undo then a new label, a label after ``g`` or ``/``, where a returning
reviewer resumes, a note typed on a case not yet labeled, and a note added to the case just
labeled. Every test checks the store as well as the screen.
"""

from __future__ import annotations

from collections.abc import Callable

from pilot_helpers import (
    MakeApp,
    buckets,
    current_id,
    header_text,
    label_rows,
    press_saved,
    review_screen,
    screen_text,
    settle,
    type_text,
    wait_until_ended,
    wait_until_saved,
)
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from labeler.identity import Actor
from labeler.labels import set_label
from labeler.store import Store
from labeler.tui.modals import TextPrompt
from labeler.tui.search_screen import SearchScreen

SIZE = (100, 40)


def asking(app: object) -> bool:
    """Whether the screen asks what to do with a note not saved yet."""
    screen = getattr(app, "screen", None)
    return type(screen).__name__ == "NoteNotSaved"


def labeled(store: Store, reviewer: str = "bob") -> dict[str, tuple[str, str | None]]:
    """``{case id: (shortcut, note)}`` of one reviewer's labels."""
    by_key = {b.key: shortcut for shortcut, b in buckets(store).items()}
    return {
        str(r["case_id"]): (by_key[str(r["bucket"])], r["note"])  # type: ignore[misc]
        for r in label_rows(store)
        if r["reviewer"] == reviewer
    }


async def walk(pilot: Pilot[None], *keys: str) -> list[str | None]:
    """Press each key (waiting for labels to be saved); the case shown after each."""
    seen = []
    for key in keys:
        await press_saved(pilot, key)
        seen.append(current_id(pilot.app))
    return seen


async def go_to(pilot: Pilot[None], case_id: str) -> None:
    """``g``, the id, Enter."""
    await pilot.press("g")
    assert isinstance(pilot.app.screen, TextPrompt)
    await type_text(pilot, case_id)
    await pilot.press("enter")
    await settle(pilot)


# -- 1. undo, then a new label -------------------------------------------------------------


async def test_undo_then_a_new_label_goes_on_to_the_case_after_the_undone_one(
    store: Store, make_app: MakeApp
) -> None:
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert await walk(pilot, "1", "u", "2") == ["case-002", "case-001", "case-002"]
        # History stays linear: back and forth walks 1, 2, 3 with nothing in between.
        assert await walk(pilot, "k", "k", "j", "j") == [
            "case-001",
            "case-001",
            "case-002",
            "case-003",
        ]
    assert labeled(store) == {"case-001": ("2", None)}


async def test_repeated_undo_and_relabel_never_skips_a_case(
    store: Store, make_app: MakeApp
) -> None:
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        seen = await walk(pilot, "1", "u", "2", "u", "3", "4", "u", "5", "6")
        assert seen == [
            "case-002",
            "case-001",
            "case-002",
            "case-001",
            "case-002",
            "case-003",
            "case-002",
            "case-003",
            "case-004",
        ]
    assert labeled(store) == {
        "case-001": ("3", None),
        "case-002": ("5", None),
        "case-003": ("6", None),
    }


async def test_undo_from_further_on_returns_to_the_undone_case_in_its_place(
    store: Store, make_app: MakeApp
) -> None:
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert await walk(pilot, "1", "j", "j", "u") == [
            "case-002",
            "case-003",
            "case-004",
            "case-001",
        ]
        # The label goes on to the case after the undone one; the walk goes on from there.
        assert await walk(pilot, "7", "j", "j", "j") == [
            "case-002",
            "case-003",
            "case-004",
            "case-005",
        ]
    assert labeled(store) == {"case-001": ("7", None)}


# -- 2. a label after g or / -----------------------------------------------------------------


async def test_a_label_after_g_returns_to_the_case_left(store: Store, make_app: MakeApp) -> None:
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert await walk(pilot, "j", "j") == ["case-002", "case-003"]
        await go_to(pilot, "case-007")
        assert current_id(app) == "case-007"
        assert "case-003" in review_screen(app).status_message  # says where it goes back to
        assert await walk(pilot, "4") == ["case-003"]
        assert await walk(pilot, "5") == ["case-004"]
        # The walk goes on in queue order; case 7 is labeled, so it is not handed out again.
        assert await walk(pilot, "j", "j", "j", "k", "k", "k", "k") == [
            "case-005",
            "case-006",
            "case-008",
            "case-006",
            "case-005",
            "case-004",
            "case-003",
        ]
    assert labeled(store) == {"case-007": ("4", None), "case-003": ("5", None)}


async def test_j_after_g_returns_to_the_case_left_and_the_case_keeps_its_place(
    store: Store, make_app: MakeApp
) -> None:
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await walk(pilot, "j")
        await go_to(pilot, "case-004")
        assert await walk(pilot, "j") == ["case-002"]
        # Case 4 was only looked at: it comes in its place in the queue.
        assert await walk(pilot, "j", "j", "j") == ["case-003", "case-004", "case-005"]
        await go_to(pilot, "case-009")
        assert await walk(pilot, "k") == ["case-005"]
    assert labeled(store) == {}


async def test_a_label_after_search_returns_to_the_case_left(
    store: Store, make_app: MakeApp
) -> None:
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await walk(pilot, "j")
        await pilot.press("slash")
        assert isinstance(app.screen, SearchScreen)
        await type_text(pilot, "zebrafish")
        await settle(pilot)
        first = app.screen.query_one(OptionList).get_option_at_index(0)
        assert first.id == "7"
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert current_id(app) == "case-007"
        assert await walk(pilot, "3", "2") == ["case-002", "case-003"]
    assert labeled(store) == {"case-007": ("3", None), "case-002": ("2", None)}


async def test_undo_of_a_label_given_after_g_shows_it_and_returns_again(
    store: Store, make_app: MakeApp
) -> None:
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await walk(pilot, "j", "j")
        await go_to(pilot, "case-008")
        assert await walk(pilot, "1", "u", "2") == ["case-003", "case-008", "case-003"]
    assert labeled(store) == {"case-008": ("2", None)}


# -- 3. resume ---------------------------------------------------------------------------------


async def test_a_returning_reviewer_resumes_at_the_first_case_not_labeled(
    store: Store, make_app: MakeApp
) -> None:
    first = make_app(store, "bob")
    async with first.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert await walk(pilot, "1", "j", "1") == ["case-002", "case-003", "case-004"]
        await go_to(pilot, "case-008")
        assert await walk(pilot, "1") == ["case-004"]
        await pilot.press("q")
    again = make_app(store, "bob")
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert current_id(again) == "case-002"  # skipped, not labeled: first in queue order
        assert await walk(pilot, "2", "j", "j", "j", "j") == [
            "case-004",
            "case-005",
            "case-006",
            "case-007",
            "case-009",
        ]
    assert labeled(store) == {
        "case-001": ("1", None),
        "case-002": ("2", None),
        "case-003": ("1", None),
        "case-008": ("1", None),
    }


async def test_resume_leaves_out_cases_filled_by_others(
    store: Store, make_app: MakeApp, make_actor: Callable[[str], Actor]
) -> None:
    bob = make_actor("bob")
    for seq in (1, 2, 5):
        set_label(store, seq, bob, "other", expected_version=None)
    for name in ("carol", "dave"):
        set_label(store, 3, make_actor(name), "other", expected_version=None)
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # case 3 has its two labels; case 4 is the first case bob's queue still holds
        assert current_id(app) == "case-004"
        assert await walk(pilot, "j", "j") == ["case-006", "case-007"]


# -- 5. a note on a case not yet labeled -------------------------------------------------------


async def write_draft(pilot: Pilot[None], text: str) -> None:
    await pilot.press("n")
    await type_text(pilot, text)
    await pilot.press("enter")
    await settle(pilot)


async def test_leaving_a_case_with_an_unsaved_note_asks_and_a_bucket_key_saves_it(
    store: Store, make_app: MakeApp
) -> None:
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await write_draft(pilot, "why not")
        assert "not saved" in header_text(app)
        await pilot.press("j")
        assert asking(app)
        await press_saved(pilot, "3")  # labels the case with the note, then goes on
        assert current_id(app) == "case-002"
    assert labeled(store) == {"case-001": ("3", "why not")}


async def test_an_unsaved_note_is_dropped_only_when_asked_to(
    store: Store, make_app: MakeApp
) -> None:
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await walk(pilot, "j")
        await write_draft(pilot, "draft")
        for key in ("k", "s", "j"):
            await pilot.press(key)
            assert asking(app), key
            await pilot.press("escape")  # stay: the note is kept
            await settle(pilot)
            assert current_id(app) == "case-002"
            assert review_screen(app).draft_note == "draft"
        await go_to(pilot, "case-005")
        assert asking(app)
        await pilot.press("d")  # drop it and go where g was going
        await settle(pilot)
        assert current_id(app) == "case-005"
        assert review_screen(app).draft_note is None
        assert await walk(pilot, "k") == ["case-002"]  # not asked again: nothing to lose
    assert labeled(store) == {}


async def test_quitting_with_an_unsaved_note_asks_first(store: Store, make_app: MakeApp) -> None:
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await write_draft(pilot, "keep me")
        await pilot.press("q")
        await settle(pilot)
        assert app.is_running
        assert asking(app)
        await pilot.press("escape")  # stay
        await settle(pilot)
        assert app.is_running and current_id(app) == "case-001"
        await pilot.press("q")
        await settle(pilot)
        assert asking(app)
        await pilot.press("9")  # label the case with the note, then quit as asked
        await wait_until_ended(pilot)
    assert labeled(store) == {"case-001": ("9", "keep me")}


async def test_ctrl_c_with_an_unsaved_note_asks_as_q_does(store: Store, make_app: MakeApp) -> None:
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await write_draft(pilot, "keep me too")
        await pilot.press("ctrl+c")
        await settle(pilot)
        assert app.is_running and asking(app)
        await pilot.press("9")
        await wait_until_ended(pilot)
    assert labeled(store) == {"case-001": ("9", "keep me too")}


async def test_a_note_kept_through_a_label_key_is_saved_with_it(
    store: Store, make_app: MakeApp
) -> None:
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await write_draft(pilot, "first")
        assert await walk(pilot, "4") == ["case-002"]  # no question: the label keeps the note
    assert labeled(store) == {"case-001": ("4", "first")}


# -- a note on the case just labeled: two keys and the text ------------------------------------


async def test_a_adds_a_note_to_the_case_just_labeled_without_moving(
    store: Store, make_app: MakeApp
) -> None:
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press_saved(pilot, "6")
        assert current_id(app) == "case-002"
        await pilot.press("a")
        assert isinstance(app.screen, TextPrompt)
        await type_text(pilot, "late thought")
        await press_saved(pilot, "enter")
        assert current_id(app) == "case-002"  # still on the case being read
        assert "case-001" in review_screen(app).status_message
        # Editing it again starts from the stored note; the label is kept.
        await pilot.press("a")
        assert app.screen.query_one(Input).value == "late thought"
        await pilot.press("escape")
    assert labeled(store) == {"case-001": ("6", "late thought")}


async def test_a_with_nothing_labeled_says_so(store: Store, make_app: MakeApp) -> None:
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        assert not isinstance(app.screen, TextPrompt)
        assert "nothing labeled" in review_screen(app).status_message
    assert labeled(store) == {}


# -- keys typed faster than the screen draws act in the order typed ----------------------------


async def test_keys_typed_at_once_act_in_order(store: Store, make_app: MakeApp) -> None:
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in ("j", "3", "k"):  # one read from the terminal: all queued before any acts
            app.post_message(events.Key(key, key))
        await wait_until_saved(pilot)
        assert current_id(app) == "case-002"  # j, 3 on case 2 (then case 3), k back to 2
    assert labeled(store) == {"case-002": ("3", None)}


async def test_a_bucket_key_typed_with_j_answers_the_question_about_the_note(
    store: Store, make_app: MakeApp
) -> None:
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await write_draft(pilot, "why")
        for key in ("j", "3"):
            app.post_message(events.Key(key, key))
        await wait_until_saved(pilot)
        assert current_id(app) == "case-002"
        assert not asking(app)
    assert labeled(store) == {"case-001": ("3", "why")}


# -- what the question looks like ---------------------------------------------------------------


def test_the_question_about_an_unsaved_note_at_80x24(
    snap_compare: Callable[..., bool], make_store: Callable[..., Store], make_app: MakeApp
) -> None:
    store = make_store(n=3, name="question.db")
    app = make_app(store, "snapper")

    async def leave_with_a_note(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await write_draft(pilot, "the [/INST] refund date is wrong")
        await pilot.press("j")
        await settle(pilot)
        assert asking(pilot.app)

    assert snap_compare(app, terminal_size=(80, 24), run_before=leave_with_a_note)


async def test_the_wrap_and_the_end_of_a_detour_are_said(
    make_store: Callable[..., Store], make_app: MakeApp
) -> None:
    store = make_store(n=3, name="wrap.db")
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert await walk(pilot, "s", "1", "1") == ["case-002", "case-003", "case-001"]
        assert "back to the cases you skipped" in review_screen(app).status_message
        await go_to(pilot, "case-003")
        assert await walk(pilot, "j") == ["case-001"]
        assert review_screen(app).status_message == "back on case-001"


async def test_a_note_on_the_last_case_with_a_hostile_id_opens_safely(
    make_store: Callable[..., Store], make_app: MakeApp
) -> None:
    store = make_store(
        [
            {"id": "x[/INST][@click=app.quit]y", "input": "i", "output": "o"},
            {"id": "plain", "input": "i", "output": "o"},
        ],
        name="hostile-id.db",
    )
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press_saved(pilot, "2")
        await pilot.press("a")
        assert isinstance(app.screen, TextPrompt)
        assert "Note on x[/INST][@click=app.quit]y" in screen_text(app)
        await type_text(pilot, "ok")
        await press_saved(pilot, "enter")
        assert app.is_running
    assert labeled(store) == {"x[/INST][@click=app.quit]y": ("2", "ok")}
