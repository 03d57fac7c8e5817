"""Keys typed faster than the resolve screen draws act in the order typed, each on the case on
screen once the keys before it have acted; undo typed right after a decision undoes it.

The keys are posted to the app all at once, as one read from a terminal delivers them
(``pilot.press`` waits for the app to be idle between keys, so keys never queue up behind each
other). The store is read with plain SQL (``resolve_helpers``). With ``save_wait_s=0`` the
screen never waits for a write: every decision is still on the writer thread when the next key
acts.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pilot_helpers import settle
from resolve_fixtures import DIS_LONG, DIS_OTHER, DIS_SHORT, THREE, THREE_TWO_AGREE, label
from resolve_fixtures import scenario as make_scenario
from resolve_helpers import (
    current_seq,
    events,
    expected_queue,
    resolution_rows,
    resolve_app,
    reviewer_buckets,
    screen,
)
from textual import events as textual_events
from textual.pilot import Pilot

from labeler.store import Store
from labeler.tui.resolve_app import ResolveApp

SIZE = (120, 40)
QUEUE = [DIS_LONG, DIS_SHORT, DIS_OTHER, THREE, THREE_TWO_AGREE]
"""The scenario's open disagreements, in case order (tests/resolve_fixtures.py)."""


@pytest.fixture
def scen(tmp_path: Path) -> Iterator[Store]:
    store = make_scenario(tmp_path)
    yield store
    store.close()


async def type_at_once(pilot: Pilot[None], *keys: str) -> None:
    """Queue every key before any of them acts, then wait until all have acted and every
    write has landed."""
    app = pilot.app
    assert isinstance(app, ResolveApp)
    for key in keys:
        app.post_message(textual_events.Key(key, key))
    await settle(pilot)
    for _ in range(500):  # writes the screen moved on from land on the writer thread
        if not app.session.in_flight:
            break
        await pilot.pause(0.02)
    await settle(pilot)
    assert not app.session.in_flight, "resolutions still being written"


def final(store: Store) -> dict[int, tuple[object, object]]:
    """{case: (bucket, method)} of every resolution made in the test (not the scenario's)."""
    return {
        seq: (row["bucket"], row["method"])
        for seq, row in resolution_rows(store).items()
        if row["resolver"] != "rita"
    }


def decided_in_order(store: Store) -> list[int]:
    """The cases of the test's resolution events, oldest first."""
    kinds = ("resolution.create", "resolution.change")
    return [seq for kind, who, seq in events(store) if who != "rita" and kind in kinds]


@pytest.mark.parametrize("save_wait_s", [10.0, 0.0], ids=["waits", "never-waits"])
async def test_decision_keys_typed_at_once_act_in_order(scen: Store, save_wait_s: float) -> None:
    assert expected_queue(scen) == QUEUE
    first, second, third, fourth = (reviewer_buckets(scen, seq) for seq in QUEUE[:4])
    app = resolve_app(scen, save_wait_s=save_wait_s)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert current_seq(app) == DIS_LONG
        # a on c-3, b on c-4, j past c-5, c on c-10 (its third reviewer), 5 (a bucket's key)
        # on c-11: each on the case the keys before it left on screen.
        await type_at_once(pilot, "a", "b", "j", "c", "5")
        assert current_seq(app) == DIS_OTHER  # the one passed with j: the queue wraps to it
    assert final(scen) == {
        DIS_LONG: (first[0], "took_a"),
        DIS_SHORT: (second[1], "took_b"),
        THREE: (fourth[2], "took_label"),
        THREE_TWO_AGREE: ("broken_format", "other"),
    }
    assert third and DIS_OTHER not in final(scen)
    assert decided_in_order(scen) == [DIS_LONG, DIS_SHORT, THREE, THREE_TWO_AGREE]


async def test_the_same_keys_pressed_through_pilot(scen: Store) -> None:
    app = resolve_app(scen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a", "b", "j", "a")
        await settle(pilot)
        assert current_seq(app) == THREE_TWO_AGREE
    assert final(scen) == {
        DIS_LONG: ("wrong_intent", "took_a"),
        DIS_SHORT: ("wrong_intent", "took_b"),
        THREE: ("wrong_intent", "took_a"),
    }
    assert decided_in_order(scen) == [DIS_LONG, DIS_SHORT, THREE]


async def test_moving_keys_typed_before_a_decision_choose_its_case(scen: Store) -> None:
    app = resolve_app(scen, save_wait_s=0.0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # j j k: on c-4; x marks it unclear, and the screen goes on to c-5 (the next open one).
        await type_at_once(pilot, "j", "j", "k", "x")
        assert current_seq(app) == DIS_OTHER
    assert final(scen) == {DIS_SHORT: (None, "unclear")}


async def test_a_second_decision_on_a_case_still_being_saved_replaces_the_first(
    scen: Store,
) -> None:
    app = resolve_app(scen, save_wait_s=0.0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # a on c-3 (written on the writer thread), k back to c-3, b on c-3 at once.
        await type_at_once(pilot, "a", "k", "b")
        assert current_seq(app) == DIS_SHORT
    assert final(scen) == {DIS_LONG: ("bad_extraction", "took_b")}
    assert resolution_rows(scen)[DIS_LONG]["version"] == 2
    assert decided_in_order(scen) == [DIS_LONG, DIS_LONG]


@pytest.mark.parametrize("save_wait_s", [10.0, 0.0], ids=["waits", "never-waits"])
async def test_undo_typed_right_after_decisions_undoes_them_last_first(
    scen: Store, save_wait_s: float
) -> None:
    app = resolve_app(scen, save_wait_s=save_wait_s)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_at_once(pilot, "a", "b", "u")
        assert final(scen) == {DIS_LONG: ("wrong_intent", "took_a")}
        assert current_seq(app) == DIS_SHORT  # the undone case is shown
        assert screen(app).status_message == "undone"
        await type_at_once(pilot, "u", "u")
        assert final(scen) == {}
        assert current_seq(app) == DIS_LONG
        assert screen(app).status_message == "nothing to undo"
        # Undone cases are open again: the same keys decide them again, in order.
        await type_at_once(pilot, "b", "a")
        assert current_seq(app) == DIS_OTHER
    assert final(scen) == {
        DIS_LONG: ("bad_extraction", "took_b"),
        DIS_SHORT: ("bad_extraction", "took_a"),
    }


async def test_f_takes_a_sixth_reviewers_bucket_and_filters_elsewhere(scen: Store) -> None:
    for name, bucket in [("dave", "too_slow"), ("erin", "other"), ("frank", "unsafe_pii")]:
        label(scen, THREE, name, bucket)
    app = resolve_app(scen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        resolve_screen = screen(app)
        footer_keys = {b.binding.key for b in resolve_screen.active_bindings.values()}
        assert "f" in footer_keys  # c-3 has two reviewers: f is the pair filter
        await type_at_once(pilot, "j", "j", "j")
        assert current_seq(app) == THREE
        assert resolve_screen.check_action("filter_pair", ()) is False
        await type_at_once(pilot, "f")
        assert current_seq(app) == THREE_TWO_AGREE
    assert final(scen) == {THREE: ("unsafe_pii", "took_label")}
