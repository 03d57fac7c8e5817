"""Blind labeling: before bob labels a case, nothing on his screen shows alice's bucket or note;
automatic hints appear only after his own decision."""

from __future__ import annotations

from collections.abc import Callable

from pilot_helpers import (
    CaseDict,
    MakeApp,
    buckets,
    current_id,
    header_text,
    press_saved,
    review_screen,
    screen_text,
    settle,
    terminal_output,
)
from rich.text import Text

from labeler.identity import Actor
from labeler.labels import set_label
from labeler.settings import LATENCY_SETTING
from labeler.store import Store
from labeler.tui.app import ReviewApp
from labeler.tui.bucket_bar import BucketBar
from labeler.tui.modals import HelpScreen

SIZE = (160, 45)
ALICE_NOTE = "ALICE-NOTE"


def bar_text(app: ReviewApp) -> Text:
    """The bucket bar as drawn (text and styles)."""
    rendered = review_screen(app).query_one(BucketBar).render()
    assert isinstance(rendered, Text)
    return rendered


async def test_another_reviewers_bucket_and_note_are_never_shown(
    store: Store, make_app: MakeApp, make_actor: Callable[[str], Actor]
) -> None:
    chosen = buckets(store)["3"]  # "Invented policy or fact"
    set_label(store, 4, make_actor("alice"), chosen.key, expected_version=None, note=ALICE_NOTE)
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        baseline_bar = bar_text(app)  # case-001: nobody labeled it
        baseline_screen = screen_text(app)
        await pilot.press("j", "j", "j")
        await settle(pilot)
        assert current_id(app) == "case-004"
        header = header_text(app)
        shown = screen_text(app)
        raw = terminal_output(app)
        # The count of labels is shown, never whose or which.
        assert "1 label" in header
        assert "your label" not in header
        for text in (header, shown, raw):
            assert ALICE_NOTE not in text
            assert "alice" not in text
            assert chosen.key not in text
        # The bucket's name appears once, in the bucket bar, exactly as on an unlabeled case.
        assert shown.count(chosen.name) == baseline_screen.count(chosen.name) == 1
        assert chosen.name not in header
        bar = bar_text(app)
        assert bar.plain == baseline_bar.plain
        assert bar.spans == baseline_bar.spans  # nothing highlighted
        assert review_screen(app).query_one(BucketBar)._current is None
        # Help lists every bucket, but says nothing about this case's labels.
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert ALICE_NOTE not in screen_text(app) and "alice" not in screen_text(app)
        await pilot.press("escape")
        # After bob labels it, he sees his own label, still not alice's.
        await press_saved(pilot, "9", "k")
        assert current_id(app) == "case-004"
        header = header_text(app)
        assert "2 labels" in header
        assert f"your label: {buckets(store)['9'].name}" in header
        assert ALICE_NOTE not in screen_text(app) and chosen.key not in screen_text(app)
        assert review_screen(app).query_one(BucketBar)._current == buckets(store)["9"].key


async def test_search_does_not_reveal_labels_or_notes(
    store: Store, make_app: MakeApp, make_actor: Callable[[str], Actor]
) -> None:
    set_label(store, 7, make_actor("alice"), "other", expected_version=None, note=ALICE_NOTE)
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", "z", "e", "b", "r", "a")
        await settle(pilot)
        shown = screen_text(app)
        assert "case-007" in shown
        assert ALICE_NOTE not in shown and "alice" not in shown


def hint_cases(make_cases: Callable[..., list[CaseDict]]) -> list[CaseDict]:
    plain, bad_json, slow, fine_json = make_cases(4)
    bad_json["meta"] = {"output_format": "json", "latency_ms": 300}
    bad_json["output"] = "Sure! {'tool': 'refund', amount: 12}"
    slow["meta"] = {"output_format": "text", "latency_ms": 9000}
    fine_json["meta"] = {"output_format": "json", "latency_ms": 200}
    fine_json["output"] = '{"tool": "refund", "amount": 12}'
    return [plain, bad_json, slow, fine_json]


JSON_HINT = "output is not valid JSON"
LATENCY_HINT = "latency 9,000 ms is over the threshold of 2,000 ms"


async def test_hints_appear_only_after_the_reviewer_labeled_the_case(
    make_store: Callable[..., Store],
    make_cases: Callable[..., list[CaseDict]],
    make_app: MakeApp,
) -> None:
    store = make_store(hint_cases(make_cases))
    with store.write() as conn:
        conn.execute("INSERT INTO settings (key, value) VALUES (?, '2000')", (LATENCY_SETTING,))
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before: dict[str, str] = {}
        for _ in range(4):
            before[str(current_id(app))] = screen_text(app)
            await pilot.press("j")
        for text in before.values():
            assert JSON_HINT not in text and "latency" not in text.replace("latency_ms", "")
        # Label every case, then go back over them.
        await pilot.press("k", "k", "k", "k")
        assert current_id(app) == "case-001"
        await press_saved(pilot, "8", "5", "7", "9")
        after: dict[str, str] = {}
        for _ in range(4):
            await pilot.press("k")
            after[str(current_id(app))] = screen_text(app)
    assert JSON_HINT in after["case-002"]
    assert LATENCY_HINT in after["case-003"]
    for case_id in ("case-001", "case-004"):
        assert JSON_HINT not in after[case_id] and LATENCY_HINT not in after[case_id]
    # A hint is never a label.
    assert store.query("SELECT count(*) FROM labels")[0][0] == 4


async def test_hints_show_at_once_when_revisiting(
    make_store: Callable[..., Store],
    make_cases: Callable[..., list[CaseDict]],
    make_app: MakeApp,
    make_actor: Callable[[str], Actor],
) -> None:
    store = make_store(hint_cases(make_cases))
    with store.write() as conn:
        conn.execute("INSERT INTO settings (key, value) VALUES (?, '2000')", (LATENCY_SETTING,))
    bob = make_actor("bob")
    for seq in (2, 3):
        set_label(store, seq, bob, "other", expected_version=None)
    set_label(store, 1, make_actor("alice"), "other", expected_version=None)
    app = make_app(store, "bob", revisit=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert current_id(app) == "case-002"
        assert JSON_HINT in header_text(app)
        await pilot.press("j")
        assert LATENCY_HINT in header_text(app)
    # Carol has not labeled case-002: no hint for her.
    fresh = make_app(store, "carol")
    async with fresh.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j")
        assert current_id(fresh) == "case-002"
        assert JSON_HINT not in screen_text(fresh)
