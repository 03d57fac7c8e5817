"""The stats screen (`t`): the core's numbers, hidden while the reviewer's queue is open."""

from __future__ import annotations

from collections.abc import Callable

from pilot_helpers import MakeApp, screen_text, settle

from labeler.identity import Actor
from labeler.labels import set_label
from labeler.stats.compute import compute_stats
from labeler.stats.render import format_stats
from labeler.store import Store
from labeler.tui.stats_screen import StatsScreen

SIZE = (160, 50)


def _label_all(store: Store, who: Actor, bucket: str = "other") -> None:
    for (seq,) in store.query("SELECT seq FROM cases ORDER BY seq"):
        set_label(store, seq, who, bucket, expected_version=None)


async def test_blind_reviewer_does_not_see_agreement(
    store: Store, make_app: MakeApp, make_actor: Callable[[str], Actor]
) -> None:
    _label_all(store, make_actor("alice"), "wrong_intent")
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert not isinstance(app.screen, StatsScreen)
        assert "Krippendorff" not in screen_text(app)
        assert any("hidden" in str(n.message) for n in app._notifications)


async def test_stats_screen_shows_the_core_report(
    store: Store, make_app: MakeApp, make_actor: Callable[[str], Actor]
) -> None:
    _label_all(store, make_actor("alice"), "wrong_intent")
    _label_all(store, make_actor("bob"), "other")
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, StatsScreen)
        await app.workers.wait_for_complete()
        await settle(pilot)
        shown = screen_text(app)
        expected = format_stats(compute_stats(store))
        for line in expected[:8]:
            if line.strip():
                assert line.strip() in shown, line
        assert "Cohen's kappa" in shown
        assert "percent agreement    0.000" in shown  # alice and bob never agree
        await pilot.press("t")
        await settle(pilot)
        assert not isinstance(app.screen, StatsScreen)
