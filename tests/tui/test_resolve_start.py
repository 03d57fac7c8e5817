"""The resolve screen's start as ``labeler resolve`` makes it: the first open disagreement is
looked up on a thread while the UI is imported and the screen drawn; the case appears when the
lookup ends. Keys typed before that have no case to act on and change nothing."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path

import pytest
from pilot_helpers import settle
from resolve_fixtures import DIS_LONG, DIS_SHORT, actor
from resolve_fixtures import scenario as make_scenario
from resolve_helpers import (
    RESOLVER,
    SAVE_WAIT_S,
    current_seq,
    header,
    person,
    resolution_rows,
    status,
)

from labeler.resolve.disagreements import ResolveSpec
from labeler.resolve.resolutions import resolve
from labeler.resolve.session import ResolveStart, find_resolve_start
from labeler.store import Store
from labeler.store.errors import StoreError
from labeler.tui.app import ReviewApp
from labeler.tui.resolve_app import ResolveApp

SIZE = (120, 40)
FINDING = "finding the first open disagreement…"


@pytest.fixture
def scen(tmp_path: Path) -> Iterator[Store]:
    store = make_scenario(tmp_path)
    yield store
    store.close()


def app_with(store: Store, lookup: Future[ResolveStart]) -> ResolveApp:
    """The app as the CLI makes it: given the lookup still running."""
    return ResolveApp(store, person(RESOLVER), ResolveSpec(), lookup, save_wait_s=SAVE_WAIT_S)


async def test_the_case_appears_when_the_lookup_ends(scen: Store) -> None:
    lookup: Future[ResolveStart] = Future()
    app = app_with(scen, lookup)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert current_seq(app) is None
        assert status(app) == FINDING
        assert "resolved … / …" in header(app)  # nothing counted before the case is shown
        await pilot.press("j", "k", "a", "b", "x", "1")
        assert current_seq(app) is None
        lookup.set_result(find_resolve_start(scen, ResolveSpec()))
        await settle(pilot)
        assert current_seq(app) == DIS_LONG
        assert status(app) == ""
        assert "resolved … / …" not in header(app)  # counted once the case is up
        await pilot.press("j")
        assert current_seq(app) == DIS_SHORT
    assert all(row["resolver"] == "rita" for row in resolution_rows(scen).values())


async def test_a_case_settled_since_the_lookup_is_passed_over(scen: Store) -> None:
    lookup: Future[ResolveStart] = Future()
    app = app_with(scen, lookup)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        found = find_resolve_start(scen, ResolveSpec())
        assert found.first == DIS_LONG
        resolve(
            scen,
            DIS_LONG,
            actor("mallory"),
            bucket="other",
            method="other",
            reason=None,
            expected_version=None,
        )
        lookup.set_result(found)
        await settle(pilot)
        assert current_seq(app) == DIS_SHORT


async def test_a_failed_lookup_is_made_again_on_the_screen(scen: Store) -> None:
    lookup: Future[ResolveStart] = Future()
    app = app_with(scen, lookup)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lookup.set_exception(StoreError("the lookup's connection failed"))
        await settle(pilot)
        assert current_seq(app) == DIS_LONG
        assert status(app) == ""


async def test_a_lookup_done_before_the_app_starts_is_used_at_once(scen: Store) -> None:
    lookup: Future[ResolveStart] = Future()
    lookup.set_result(ResolveStart(DIS_SHORT))
    app = app_with(scen, lookup)
    assert app.pending_start is None
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert current_seq(app) == DIS_SHORT


def test_the_resolve_app_has_the_review_apps_width_classes() -> None:
    assert ResolveApp.HORIZONTAL_BREAKPOINTS == ReviewApp.HORIZONTAL_BREAKPOINTS
