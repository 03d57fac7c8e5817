"""Every key and rule of the resolve screen, driven through Pilot, checked in the store.

Two stores: ``scen`` (tests/resolve_fixtures.py: one case of every kind the queue must tell apart,
three reviewers on two cases) and the demo store (180 cases, alice and bob, 34 disagreements).
The app runs as resolver ``judy``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from pilot_helpers import screen_text, settle, type_text
from resolve_fixtures import (
    AGREED,
    DIS_LONG,
    DIS_OTHER,
    DIS_SHORT,
    NEW,
    OLD,
    RESOLVED,
    SINGLE,
    THREE,
    THREE_TWO_AGREE,
    UNCLEAR,
    scenario,
)
from resolve_helpers import (
    RESOLVER,
    all_label_rows,
    current_id,
    current_seq,
    demo_store,
    events,
    expected_queue,
    header,
    panel,
    person,
    resolution_rows,
    resolve_app,
    reviewer_buckets,
    screen,
    status,
    walk,
)
from textual.pilot import Pilot
from textual.widgets import Input

from labeler.cli import main
from labeler.identity import os_account
from labeler.resolve.resolutions import resolve, unclear_cases
from labeler.store import Store, open_store
from labeler.taxonomy import read_taxonomy
from labeler.tui.bucket_bar import BucketBar
from labeler.tui.case_view import CaseView
from labeler.tui.modals import HelpScreen, TextPrompt
from labeler.tui.resolve_screen import HELP_KEYS, ResolveScreen
from labeler.tui.reviewer_labels import ReviewerLabels
from labeler.tui.text_pane import TextPane

SIZE = (120, 40)
QUEUE = [DIS_LONG, DIS_SHORT, DIS_OTHER, THREE, THREE_TWO_AGREE]
"""The scenario's unresolved disagreements, in case order."""


@pytest.fixture
def scen(tmp_path: Path) -> Iterator[Store]:
    """The scenario store (queue 3, 4, 5, 10, 11; 6 took_a and 7 unclear already resolved)."""
    store = scenario(tmp_path)
    yield store
    store.close()


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Store]:
    """The demo store: 180 cases, 34 disagreements between alice and bob."""
    store = demo_store(tmp_path / "demo")
    yield store
    store.close()


async def type_into_prompt(pilot: Pilot[None], text: str) -> None:
    """Fill the open reason prompt and press enter (typing key by key is tested once)."""
    prompt = pilot.app.screen
    assert isinstance(prompt, TextPrompt)
    prompt.query_one(Input).value = text
    await pilot.press("enter")


def shortcut(store: Store, key: str) -> str:
    """The shortcut of a bucket."""
    return next(b.shortcut for b in read_taxonomy(store).buckets if b.key == key)


# -- the queue ---------------------------------------------------------------------------------


async def test_queue_is_the_unresolved_disagreements_in_case_order(scen: Store) -> None:
    app = resolve_app(scen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "resolved 2 / 7" in header(app)  # 6 and 7 were resolved before
        shown = await walk(pilot, app)
        assert current_seq(app) == DIS_LONG  # past the last one, j wraps to the first open one
        assert "No disagreements left" not in status(app)
    assert shown == QUEUE == expected_queue(scen)
    # Agreed, single-label, resolved, unclear, old-version and unlabeled cases never appear.
    for seq in (AGREED, SINGLE, RESOLVED, UNCLEAR, OLD, NEW):
        assert seq not in shown
    assert resolution_rows(scen).keys() == {RESOLVED, UNCLEAR}  # walking resolves nothing


async def test_demo_queue_matches_an_independent_count(demo: Store) -> None:
    first, second = expected_queue(demo)[:2]
    resolve(
        demo,
        second,
        person("otto"),
        bucket=None,
        method="unclear",
        reason=None,
        expected_version=None,
    )
    app = resolve_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert current_seq(app) == first
        assert "resolved 1 / 34" in header(app)
        shown = await walk(pilot, app)
    assert shown == expected_queue(demo)
    assert len(shown) == 33 and second not in shown
    by_case = {
        int(r[0]): int(r[1])
        for r in demo.query("SELECT case_seq, count(DISTINCT bucket) FROM labels GROUP BY case_seq")
    }
    assert all(by_case[seq] == 2 for seq in shown)


async def test_80x24_shows_both_labels_and_a_line_of_every_pane(demo: Store) -> None:
    app = resolve_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert current_id(app) == "sup-0001"
        assert "resolved 0 / 34" in header(app)
        for pane in screen(app).query(TextPane):
            assert pane.content_region.height >= 1, pane.border_title
        shown = screen_text(app)
        for text in ("alice", "bob", "Too slow", "Not a failure", "“under 10s, email”"):
            assert text in shown
        for text in ("Subject: Gift receipt", "[1] Order HP-417455", "Hi Farah,"):
            assert text in shown  # the first line of input, context and output


async def test_an_empty_queue_shows_the_summary_at_once(scen: Store) -> None:
    for seq in QUEUE:
        resolve(
            scen,
            seq,
            person("otto"),
            bucket=None,
            method="unclear",
            reason=None,
            expected_version=None,
        )
    app = resolve_app(scen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert current_seq(app) is None
        assert "resolved 7 / 7" in header(app)
        assert "No disagreements left to resolve." in status(app)
        assert "unclear 6" in status(app)
        await pilot.press("a", "b", "x", "1", "u")  # nothing to decide, nothing happens
        await settle(pilot)
        assert app.is_running
    assert len(resolution_rows(scen)) == 7
    assert [e for e in events(scen) if e[1] == RESOLVER] == []


# -- deciding ----------------------------------------------------------------------------------


async def test_a_takes_reviewer_a_and_moves_on(scen: Store) -> None:
    app = resolve_app(scen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert current_seq(app) == DIS_LONG
        assert "not resolved yet" in panel(app)
        await pilot.press("a")
        assert current_seq(app) == DIS_SHORT
        assert status(app) == "saved: c-3 → Wrong intent"
        await settle(pilot)
        assert "resolved 3 / 7" in header(app)
    row = resolution_rows(scen)[DIS_LONG]
    assert row["bucket"] == "wrong_intent" == reviewer_buckets(scen, DIS_LONG)[0]
    assert row["method"] == "took_a"
    assert row["resolver"] == RESOLVER
    assert row["account"] == os_account()
    assert row["reason"] is None
    assert row["version"] == 1
    assert events(scen)[-1] == ("resolution.create", RESOLVER, DIS_LONG)


async def test_b_takes_reviewer_b(scen: Store) -> None:
    app = resolve_app(scen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        assert "resolved 3 / 7" in header(app)
    row = resolution_rows(scen)[DIS_LONG]
    assert (row["bucket"], row["method"], row["resolver"]) == ("bad_extraction", "took_b", RESOLVER)
    assert reviewer_buckets(scen, DIS_LONG)[1] == "bad_extraction"


async def test_bucket_shortcuts_and_third_reviewer(scen: Store) -> None:
    app = resolve_app(scen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # c-3: alice wrong_intent, bob bad_extraction; invented_policy was given by nobody.
        await pilot.press(shortcut(scen, "invented_policy"))
        # c-4: alice bad_extraction, bob wrong_intent; the shortcut of bob's bucket is took_b.
        await pilot.press(shortcut(scen, "wrong_intent"))
        # c-5: alice invented_policy, bob unsafe_pii; the shortcut of alice's bucket is took_a.
        await pilot.press(shortcut(scen, "invented_policy"))
        # c-10: alice, bob, carol (invented_policy): c takes reviewer C's.
        assert current_seq(app) == THREE
        assert " c " in panel(app) and "carol" in panel(app)
        await pilot.press("c")
        # c-11: two reviewers only would make c nothing; here carol gave bad_extraction.
        assert current_seq(app) == THREE_TWO_AGREE
        await pilot.press("d")  # no reviewer D: nothing happens
        assert current_seq(app) == THREE_TWO_AGREE
        await settle(pilot)
    got = {seq: (r["bucket"], r["method"]) for seq, r in resolution_rows(scen).items()}
    assert got[DIS_LONG] == ("invented_policy", "other")
    assert got[DIS_SHORT] == ("wrong_intent", "took_b")
    assert got[DIS_OTHER] == ("invented_policy", "took_a")
    assert got[THREE] == ("invented_policy", "took_label")
    assert THREE_TWO_AGREE not in got


async def test_c_on_a_two_reviewer_case_does_nothing(scen: Store) -> None:
    app = resolve_app(scen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("c", "e", "f")
        await settle(pilot)
        assert current_seq(app) == DIS_LONG
    assert DIS_LONG not in resolution_rows(scen)


async def test_x_marks_unclear_for_stats_and_the_guideline_owner(scen: Store) -> None:
    app = resolve_app(scen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("x")
        assert status(app) == "saved: c-3 → unclear"
        assert current_seq(app) == DIS_SHORT
        await settle(pilot)
        assert "resolved 3 / 7" in header(app)
    row = resolution_rows(scen)[DIS_LONG]
    assert row["bucket"] is None and row["method"] == "unclear" and row["resolver"] == RESOLVER
    assert [(u.case_id, u.resolver) for u in unclear_cases(scen)] == [
        ("c-3", RESOLVER),
        ("c-7", "rita"),
    ]
    result = CliRunner().invoke(main, ["stats", str(scen.path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["status"]["unclear"] == 2
    result = CliRunner().invoke(main, ["stats", str(scen.path)])
    assert "unclear 2" in result.output


# -- the reason ----------------------------------------------------------------------------------


async def test_reason_before_resolving_is_saved_with_the_resolution(scen: Store) -> None:
    app = resolve_app(scen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        assert isinstance(app.screen, TextPrompt)
        await type_text(pilot, "a b x 1 u j")  # keys of the screen, typed as text
        assert app.screen.query_one(Input).value == "a b x 1 u j"
        await pilot.press("enter")
        assert current_seq(app) == DIS_LONG
        assert "reason kept" in status(app)
        assert resolution_rows(scen).keys() == {RESOLVED, UNCLEAR}  # nothing resolved yet
        await pilot.press("b")
        await settle(pilot)
    row = resolution_rows(scen)[DIS_LONG]
    assert (row["method"], row["reason"]) == ("took_b", "a b x 1 u j")


async def test_reason_after_resolving_is_saved_at_once(scen: Store) -> None:
    app = resolve_app(scen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a", "k")  # back to the case just resolved
        assert current_seq(app) == DIS_LONG
        assert f"resolved: Wrong intent  (took_a by {RESOLVER})" in panel(app)
        await pilot.press("n")
        assert app.screen.query_one(Input).value == ""
        await type_into_prompt(pilot, "policy says so")
        assert status(app) == "reason saved"
        assert "reason: policy says so" in panel(app)
        assert current_seq(app) == DIS_LONG  # a reason does not move on
        await pilot.press("n")
        assert app.screen.query_one(Input).value == "policy says so"  # edits the stored one
        await pilot.press("escape")  # cancel keeps it
        assert isinstance(app.screen, ResolveScreen)  # the prompt closed
    row = resolution_rows(scen)[DIS_LONG]
    assert (row["method"], row["reason"], row["version"]) == ("took_a", "policy says so", 2)
    assert [e[0] for e in events(scen) if e[2] == DIS_LONG] == [
        "resolution.create",
        "resolution.reason",
    ]


async def test_changing_the_bucket_keeps_the_reason(scen: Store) -> None:
    app = resolve_app(scen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await type_into_prompt(pilot, "why")
        await pilot.press("a", "k", "b")
        await settle(pilot)
    row = resolution_rows(scen)[DIS_LONG]
    assert (row["method"], row["reason"], row["version"]) == ("took_b", "why", 2)


# -- undo ----------------------------------------------------------------------------------------


async def test_undo_deletes_a_new_resolution(scen: Store) -> None:
    app = resolve_app(scen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a", "b")  # c-3 took_a, c-4 took_b
        assert current_seq(app) == DIS_OTHER
        await pilot.press("u")
        assert current_seq(app) == DIS_SHORT  # back on the undone case
        assert status(app) == "undone"
        assert "not resolved yet" in panel(app)
        await settle(pilot)
        assert "resolved 3 / 7" in header(app)
        await pilot.press("u")
        assert current_seq(app) == DIS_LONG
        await pilot.press("u")
        assert status(app) == "nothing to undo"
        assert current_seq(app) == DIS_LONG
        await settle(pilot)
        assert "resolved 2 / 7" in header(app)
    assert resolution_rows(scen).keys() == {RESOLVED, UNCLEAR}
    assert [e for e in events(scen) if e[1] == RESOLVER] == [
        ("resolution.create", RESOLVER, DIS_LONG),
        ("resolution.create", RESOLVER, DIS_SHORT),
        ("resolution.undo", RESOLVER, DIS_SHORT),
        ("resolution.undo", RESOLVER, DIS_LONG),
    ]


async def test_undo_restores_the_previous_resolution(scen: Store) -> None:
    app = resolve_app(scen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        first = resolution_rows(scen)[DIS_LONG]
        await pilot.press("k", "b")  # change c-3 to took_b
        assert resolution_rows(scen)[DIS_LONG]["method"] == "took_b"
        await pilot.press("j", "u")  # undo from elsewhere comes back to c-3
        assert current_seq(app) == DIS_LONG
        assert f"(took_a by {RESOLVER})" in panel(app)
        restored = resolution_rows(scen)[DIS_LONG]
        assert {k: v for k, v in restored.items() if k != "version"} == {
            k: v for k, v in first.items() if k != "version"
        }  # bucket, method, resolver, account and time put back exactly
        assert restored["version"] == 3
        await pilot.press("u")
        assert status(app) == "undone", status(app)
        assert DIS_LONG not in resolution_rows(scen)
    kinds = [e[0] for e in events(scen) if e[2] == DIS_LONG]
    assert kinds == ["resolution.create", "resolution.change", "resolution.undo", "resolution.undo"]


async def test_after_undo_j_and_k_go_on_from_the_undone_case(scen: Store) -> None:
    app = resolve_app(scen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a", "a", "k", "k")  # resolve c-3 and c-4, walk back to c-3
        assert current_seq(app) == DIS_LONG
        await pilot.press("u")  # undoes c-4 and shows it
        assert current_seq(app) == DIS_SHORT
        await pilot.press("j")
        assert current_seq(app) == DIS_OTHER
        await pilot.press("k", "k")
        assert current_seq(app) == DIS_LONG
    assert resolution_rows(scen).keys() == {DIS_LONG, RESOLVED, UNCLEAR}


# -- navigation ----------------------------------------------------------------------------------


async def test_j_and_k_move_and_step_back_to_resolved_cases(scen: Store) -> None:
    app = resolve_app(scen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("k")  # nothing before the first disagreement
        assert current_seq(app) == DIS_LONG
        await pilot.press("j", "j")
        assert current_seq(app) == DIS_OTHER
        await pilot.press("k")
        assert current_seq(app) == DIS_SHORT
        await pilot.press("a")  # c-4 took_a → c-5
        assert current_seq(app) == DIS_OTHER
        await pilot.press("k")
        assert current_seq(app) == DIS_SHORT
        assert f"resolved: Bad extraction  (took_a by {RESOLVER})" in panel(app)
        assert screen(app).query_one(BucketBar)._current == "bad_extraction"
        await pilot.press("down", "right", "up", "left")  # arrows are j / k too
        assert current_seq(app) == DIS_SHORT
        await pilot.press("j", "j", "j", "j")  # c-5, c-10, c-11, then the first open one
        assert current_seq(app) == DIS_LONG
        assert "No disagreements left" not in status(app)
        await pilot.press("k")
        assert current_seq(app) == THREE_TWO_AGREE
    assert resolution_rows(scen)[DIS_SHORT]["method"] == "took_a"


async def test_k_steps_back_into_cases_resolved_before_the_session(demo: Store) -> None:
    first, second = expected_queue(demo)[:2]
    resolve(
        demo,
        first,
        person("otto"),
        bucket=None,
        method="unclear",
        reason="ask the PM",
        expected_version=None,
    )
    app = resolve_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert current_seq(app) == second
        await pilot.press("k")
        assert current_seq(app) == first
        assert "resolved: unclear  (unclear by otto)  reason: ask the PM" in panel(app)
        await pilot.press("j")
        assert current_seq(app) == second


# -- pairs ---------------------------------------------------------------------------------------


async def test_p_highlights_pairs_and_f_walks_only_that_pair(demo: Store) -> None:
    app = resolve_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "most confused: bad_extraction ↔ wrong_intent (7 cases)" in header(app)
        await pilot.press("p")
        assert "most confused: invented_policy ↔ other (7 cases)" in header(app)
        await pilot.press("f")
        await settle(pilot)
        assert "showing only invented_policy ↔ other" in header(app)
        assert "resolved 0 / 7" in header(app)
        only = expected_queue(demo, ("invented_policy", "other"))
        assert len(only) == 7
        assert current_seq(app) == only[0]
        await pilot.press("a")
        await settle(pilot)
        assert "resolved 1 / 7" in header(app)
        shown = await walk(pilot, app)
        assert shown == only[1:]
        assert current_seq(app) == only[1]  # wrapped to the first open one of the pair
        for seq in [only[0], *shown]:
            assert set(reviewer_buckets(demo, seq)) == {"invented_policy", "other"}
        await pilot.press("f")  # back to every disagreement
        await settle(pilot)
        assert "showing only" not in header(app)
        assert "resolved 1 / 34" in header(app)
        assert current_seq(app) == expected_queue(demo)[0]
        await pilot.press("j")
        assert current_seq(app) == expected_queue(demo)[1]


async def test_p_cycles_through_the_pairs(scen: Store) -> None:
    app = resolve_app(scen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        seen = []
        for _ in range(7):
            line = next(x for x in header(app).splitlines() if "most confused" in x)
            seen.append(line)
            await pilot.press("p")
        assert len(set(seen)) == 6  # six confused pairs in the scenario, then round again
        assert seen[6] == seen[0]


async def test_pair_option_limits_the_queue(demo: Store) -> None:
    app = resolve_app(demo, pair=("wrong_intent", "bad_extraction"))  # unordered
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "showing only wrong_intent ↔ bad_extraction" in header(app)
        assert "resolved 0 / 7" in header(app)
        shown = await walk(pilot, app)
    assert shown == expected_queue(demo, ("bad_extraction", "wrong_intent"))
    assert len(shown) == 7


async def test_undo_after_f_changed_the_walk(demo: Store) -> None:
    only = expected_queue(demo, ("invented_policy", "other"))
    app = resolve_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p", "f")
        await settle(pilot)  # the pair's first case is looked up in a worker
        await pilot.press("a", "f")  # resolve in the pair's walk, then walk all
        await settle(pilot)
        assert current_seq(app) == expected_queue(demo)[0]
        await pilot.press("u")
        assert current_seq(app) == only[0]
        assert status(app) == "undone"
    assert resolution_rows(demo) == {}


async def test_a_store_without_disagreements(make_store: Callable[..., Store]) -> None:
    store = make_store(n=3, name="quiet.db")
    app = resolve_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "resolved 0 / 0" in header(app)
        assert "most confused" not in header(app)
        assert status(app).splitlines()[:2] == [
            "No disagreements left to resolve.",
            "Resolved by method: took_a 0, took_b 0, took_label 0, other 0, unclear 0",
        ]
        await pilot.press("p", "f", "n", "j", "k", "a", "x", "1")
        await settle(pilot)
        assert isinstance(app.screen, ResolveScreen)  # no prompt opened without a case
        assert current_seq(app) is None
        assert app.is_running


async def test_tab_page_keys_and_zoom_work_on_the_case_panes(demo: Store) -> None:
    app = resolve_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        view = screen(app).query_one(CaseView)
        assert view.active == 0
        await pilot.press("tab")
        assert view.active == 1
        context = view.active_pane()
        assert context.max_scroll_y > 0  # the context is longer than its pane
        await pilot.press("pagedown")
        await pilot.pause()
        assert context.scroll_y > 0  # the chosen pane scrolls, not the one focused at start
        assert view.panes[0].scroll_y == 0
        await pilot.press("pageup")
        await pilot.pause()
        assert context.scroll_y == 0
        await pilot.press("z")
        assert screen(app).maximized is context
        assert "Customer: Farah Whitfield" in screen_text(app)
        await pilot.press("z")
        assert screen(app).maximized is None
        await pilot.press("tab")
        assert view.active == 2
        await pilot.press("tab")  # the labels panel is the fourth choice
        labels = screen(app).query_one(ReviewerLabels)
        assert screen(app).labels_chosen and labels.has_class("-active")
        assert not any(pane.has_class("-active") for pane in view.panes)
        await pilot.press("tab")
        assert view.active == 0 and not screen(app).labels_chosen


# -- help, quit --------------------------------------------------------------------------------


async def test_question_mark_shows_help(scen: Store) -> None:
    app = resolve_app(scen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for keys, meaning in HELP_KEYS:
            assert keys in text
            assert meaning[:40] in text
        assert "Invented policy or fact" in text
        await pilot.press("a")  # a key under the help does not resolve
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert current_seq(app) == DIS_LONG
    assert resolution_rows(scen).keys() == {RESOLVED, UNCLEAR}


@pytest.mark.parametrize("key", ["q", "ctrl+c"])
async def test_quit_keys_leave_every_resolution_stored(scen: Store, key: str) -> None:
    app = resolve_app(scen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a", "x", key)
        await pilot.pause()
        assert not app.is_running
    assert app.return_code == 0
    with open_store(scen.path) as other:
        methods = {seq: r["method"] for seq, r in resolution_rows(other).items()}
    assert methods[DIS_LONG] == "took_a" and methods[DIS_SHORT] == "unclear"


# -- the summary and the labels ----------------------------------------------------------------


async def test_end_of_queue_summary_lists_methods_and_confused_pairs(scen: Store) -> None:
    app = resolve_app(scen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # c-3 took_a, c-4 took_b, c-5 alice's bucket by shortcut, c-10 unclear, c-11 carol's.
        await pilot.press("a", "b", shortcut(scen, "invented_policy"), "x", "c")
        await settle(pilot)
        assert current_seq(app) is None
        assert "resolved 7 / 7" in header(app)
        lines = status(app).splitlines()
        text = screen_text(app)
    assert lines == [
        "No disagreements left to resolve.",
        "Resolved by method: took_a 3, took_b 1, took_label 1, other 0, unclear 2",
        "Most confused: bad_extraction ↔ wrong_intent (4); "
        "bad_extraction ↔ invented_policy (1); invented_policy ↔ unsafe_pii (1).",
        "A guideline may need an example that separates these buckets.",
        "k goes back, q quits.",
    ]
    assert "Resolved by method: took_a 3" in text  # drawn, not only stored


async def test_no_resolution_changes_a_label(scen: Store) -> None:
    before = all_label_rows(scen)
    label_events = scen.query("SELECT count(*) FROM events WHERE kind LIKE 'label.%'")[0][0]
    app = resolve_app(scen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a", "k", "b", "n")
        await type_into_prompt(pilot, "reason")
        await pilot.press("j", shortcut(scen, "too_slow"), "x", "u", "u", "c", "u")
        await pilot.press("x", "c", "a", "b")
        await settle(pilot)
    assert all_label_rows(scen) == before
    after = scen.query("SELECT count(*) FROM events WHERE kind LIKE 'label.%'")[0][0]
    assert after == label_events


# -- a second resolver ---------------------------------------------------------------------------


async def test_a_second_resolver_is_detected_not_overwritten(scen: Store) -> None:
    app = resolve_app(scen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert current_seq(app) == DIS_LONG
        with open_store(scen.path) as other:  # another terminal, its own connection
            resolve(
                other,
                DIS_LONG,
                person("otto"),
                bucket="bad_extraction",
                method="took_b",
                reason="otto's call",
                expected_version=None,
            )
        await pilot.press("a")
        assert current_seq(app) == DIS_LONG  # stays, showing what is stored
        message = status(app)
        assert message.startswith("not saved:")
        assert "otto" in message and "bad_extraction" in message
        assert "otto" in screen_text(app)
        assert "(took_b by otto)" in panel(app)
        await pilot.press("u")  # nothing of ours to undo
        assert status(app) == "nothing to undo"
    row = resolution_rows(scen)[DIS_LONG]
    assert (row["bucket"], row["method"], row["resolver"], row["reason"]) == (
        "bad_extraction",
        "took_b",
        "otto",
        "otto's call",
    )
    assert [e[:2] for e in events(scen) if e[2] == DIS_LONG] == [("resolution.create", "otto")]


async def test_a_second_resolver_changing_a_resolved_case_is_detected(scen: Store) -> None:
    app = resolve_app(scen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a", "k")
        with open_store(scen.path) as other:
            resolve(
                other,
                DIS_LONG,
                person("otto"),
                bucket=None,
                method="unclear",
                reason=None,
                expected_version=1,
            )
        await pilot.press("n")
        await type_into_prompt(pilot, "mine")
        assert status(app).startswith("reason not saved:") and "otto" in status(app)
        assert "(unclear by otto)" in panel(app)  # what the store has now is shown
        assert "reason (saved with the decision): mine" in panel(app)  # the reason is kept
        await pilot.press("b")  # decided on what is shown: replaces otto's, with the reason
        assert status(app) == "saved: c-3 → Bad extraction"
        assert resolution_rows(scen)[DIS_LONG]["reason"] == "mine"
        await pilot.press("u")  # puts otto's back
        assert current_seq(app) == DIS_LONG and "(unclear by otto)" in panel(app)
        await pilot.press("u")  # undoing our took_a would overwrite otto: refused
        assert status(app).startswith("undo failed:") and "otto" in status(app)
    row = resolution_rows(scen)[DIS_LONG]
    assert (row["method"], row["resolver"], row["reason"]) == ("unclear", "otto", None)


# -- the command -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pair", "code", "words"),
    [
        ("wrong_intent,nope", 2, "unknown bucket 'nope'"),
        ("nope,wrong_intent", 2, "unknown bucket 'nope'"),
        ("wrong_intnet,too_slow", 2, "did you mean 'wrong_intent'?"),
        ("wrong_intent", 2, "two bucket keys"),
        ("wrong_intent,wrong_intent", 2, "two different buckets"),
        ("a,b,c", 2, "two bucket keys"),
    ],
)
def test_pair_option_is_checked_before_anything_runs(
    scen: Store, pair: str, code: int, words: str
) -> None:
    result = CliRunner().invoke(main, ["resolve", str(scen.path), "--pair", pair])
    assert result.exit_code == code, result.output
    assert words in result.output
    assert "Traceback" not in result.output
    assert "needs a terminal" not in result.output  # the real problem is named, not the tty


def test_a_good_pair_without_a_terminal_is_refused_in_words(scen: Store) -> None:
    result = CliRunner().invoke(
        main, ["resolve", str(scen.path), "--pair", "wrong_intent,bad_extraction"]
    )
    assert result.exit_code == 1
    assert "needs a terminal" in result.output
    assert resolution_rows(scen).keys() == {RESOLVED, UNCLEAR}


def test_a_missing_store_is_named(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["resolve", str(tmp_path / "none.db")])
    assert result.exit_code == 1
    assert "none.db" in result.output
    assert not (tmp_path / "none.db").exists()
