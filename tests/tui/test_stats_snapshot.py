"""What the stats screen (`t`) shows once the reviewer's queue is done: an SVG snapshot."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pilot_helpers import MakeApp, settle
from textual.pilot import Pilot

from labeler.identity import Actor
from labeler.labels import set_label
from labeler.store import Store

SnapCompare = Callable[..., bool]


def _label(store: Store, who: Actor, buckets: list[str]) -> None:
    for (seq,), bucket in zip(
        store.query("SELECT seq FROM cases ORDER BY seq"), buckets, strict=False
    ):
        set_label(store, seq, who, bucket, expected_version=None)


def test_stats_screen_200x50(
    snap_compare: SnapCompare,
    store: Store,
    make_app: MakeApp,
    make_actor: Callable[[str], Actor],
) -> None:
    _label(store, make_actor("alice"), ["wrong_intent"] * 6 + ["other"] * 4)
    _label(store, make_actor("bob"), ["wrong_intent"] * 4 + ["other"] * 6)
    app = make_app(store, "bob")

    async def open_stats(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        await pilot.app.workers.wait_for_complete()
        await settle(pilot)

    assert snap_compare(app, terminal_size=(200, 50), run_before=open_stats)
