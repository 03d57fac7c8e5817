"""The stats screen (`t`) shows the compare chart of the two latest versions, as
``labeler compare`` draws it, unless the version field is hidden from reviewers."""

from __future__ import annotations

from collections.abc import Callable

from pilot_helpers import CaseDict, MakeApp, screen_text, settle
from textual.pilot import Pilot

from labeler.compare import CompareRequest, compare_versions
from labeler.compare.chart import format_compare
from labeler.identity import Actor
from labeler.labels import set_label
from labeler.settings import set_setting
from labeler.store import Store
from labeler.tui.app import ReviewApp
from labeler.tui.stats_screen import StatsScreen

SIZE = (120, 200)


def two_versions(make_cases: Callable[..., list[CaseDict]]) -> list[CaseDict]:
    cases = make_cases(24)
    for i, case in enumerate(cases):
        case["meta"] = {"prompt_version": "v8" if i % 2 else "v7", "latency_ms": 900 + i}
        case["slices"] = {"channel": "chat" if i % 3 else "email"}
    return cases


def label_all(store: Store, who: Actor) -> None:
    for number, (seq,) in enumerate(store.query("SELECT seq FROM cases ORDER BY seq")):
        bucket = "wrong_intent" if number % 4 == 1 else "not_a_failure"
        set_label(store, seq, who, bucket, expected_version=None)


async def open_stats(app: ReviewApp, pilot: Pilot[None]) -> str:
    await settle(pilot)
    await pilot.press("t")
    await settle(pilot)
    assert isinstance(app.screen, StatsScreen)
    await app.workers.wait_for_complete()
    await settle(pilot)
    return screen_text(app)


async def test_the_stats_screen_shows_the_compare_chart(
    make_store: Callable[..., Store],
    make_cases: Callable[..., list[CaseDict]],
    make_app: MakeApp,
    make_actor: Callable[[str], Actor],
) -> None:
    store = make_store(two_versions(make_cases))
    label_all(store, make_actor("alice"))
    expected = format_compare(compare_versions(store, CompareRequest("v7", "v8", bootstrap=200)))
    app = make_app(store, "alice", overlap=1)
    async with app.run_test(size=SIZE) as pilot:
        shown = await open_stats(app, pilot)
    assert "compare v7 → v8 by meta.prompt_version" in shown
    for line in expected[:12]:
        if line.strip():
            assert line.strip() in shown, line


async def test_a_hidden_version_field_is_not_compared_on_the_reviewers_screen(
    make_store: Callable[..., Store],
    make_cases: Callable[..., list[CaseDict]],
    make_app: MakeApp,
    make_actor: Callable[[str], Actor],
) -> None:
    store = make_store(two_versions(make_cases))
    label_all(store, make_actor("alice"))
    set_setting(store, make_actor("owner"), "hidden_meta", "prompt_version")
    app = make_app(store, "alice", overlap=1)
    async with app.run_test(size=SIZE) as pilot:
        shown = await open_stats(app, pilot)
    assert "meta.prompt_version is hidden from reviewers" in shown
    assert "v7 → v8" not in shown
