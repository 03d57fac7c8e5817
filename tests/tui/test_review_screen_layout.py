"""The review screen at small sizes, its frames, the expected answer, the guide and NO_COLOR.

Issue 12, "The screen": 80x24 shows the case id, the last user message, the output and every
bucket key; a pane with more text says so in words; the chosen bucket has a glyph; the expected
answer is its own section; a long line is readable to its end; the guideline is beside the case.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pilot_helpers import MakeApp, header_text, review_screen, screen_text, settle
from test_review_snapshots import CASES

from labeler.review.case_display import EXPECTED_TITLE
from labeler.store import Store
from labeler.tui.bucket_bar import CHOSEN
from labeler.tui.bucket_guide import BucketGuide
from labeler.tui.modals import help_text
from labeler.tui.text_pane import TextPane

MakeStore = Callable[..., Store]


async def test_80x24_shows_the_id_the_last_user_message_the_output_and_every_key(
    make_store: MakeStore, make_app: MakeApp
) -> None:
    app = make_app(make_store(CASES), "bob")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        shown = screen_text(app)
        assert "case sup-0042" in shown
        assert "It was due on Monday." in shown  # the last user turn, not the first
        assert "lines above" in shown  # the earlier turns are above, and it says so
        assert "Your parcel is on its way" in shown
        for bucket in review_screen(app).buckets:
            assert f" {bucket.shortcut}  {bucket.name}" in shown
        assert "? Help" in shown  # where the other keys are
        await pilot.press("j")
        shown = screen_text(app)
        assert "case sup-0043" in shown
        assert "Cancel my Plus membership please" in shown
        assert '{"tool": "cancel_membership"}' in shown


async def test_below_the_smallest_size_the_screen_says_so(
    make_store: MakeStore, make_app: MakeApp
) -> None:
    app = make_app(make_store(CASES), "bob")
    async with app.run_test(size=(50, 14)) as pilot:
        await settle(pilot)
        shown = screen_text(app)
        assert "This terminal is 50x14" in shown
        assert "at least" in shown and "60x20" in shown
        assert "╭─ Input" not in shown  # no empty panes
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        shown = screen_text(app)
        assert "This terminal is" not in shown
        assert "case sup-0042" in shown


async def test_more_text_is_said_in_words_and_the_chosen_bucket_has_a_glyph_under_no_color(
    make_store: MakeStore, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    long_output = "\n".join(f"line {i} of the answer" for i in range(60))
    store = make_store(
        [
            {"id": "long", "input": "q", "output": long_output},
            {"id": "next", "input": "q2", "output": "a2"},
        ]
    )
    app = make_app(store, "bob")
    assert app.no_color
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "▼ 57 more lines" in screen_text(app)
        await pilot.press("tab", "tab", "pagedown")
        assert "lines above" in screen_text(app)
        await pilot.press("end")
        assert "more lines" not in screen_text(app)
        first = review_screen(app).buckets[0]
        await pilot.press(first.shortcut)
        await settle(pilot)
        await pilot.press("k")
        await settle(pilot)
        shown = screen_text(app)
        assert f"{CHOSEN}{first.shortcut}  {first.name}" in shown
        assert f"{CHOSEN}{review_screen(app).buckets[1].shortcut}" not in shown


async def test_the_expected_answer_is_its_own_titled_section(
    make_store: MakeStore, make_app: MakeApp
) -> None:
    store = make_store([{"id": "e1", "input": "q", "output": "model says", "expected": "ref"}])
    app = make_app(store, "bob")
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        output = app.screen.query_one("#pane-output", TextPane)
        rows = output.plain_text().split("\n")
        assert rows == ["model says", "", EXPECTED_TITLE, "ref"]
        assert [row.kind for row in output._rows][2:] == ["expected-title", "expected"]
        assert EXPECTED_TITLE in screen_text(app)


async def test_a_single_line_longer_than_the_old_cap_is_readable_to_its_end(
    make_store: MakeStore, make_app: MakeApp
) -> None:
    line = "word " * 9_000 + "THE-END"
    store = make_store([{"id": "one-line", "input": "q", "output": line}])
    app = make_app(store, "bob")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("tab", "tab", "end")
        assert "THE-END" in screen_text(app)
        assert "capped" not in header_text(app)


async def test_the_guide_shows_every_guideline_beside_the_case(
    make_store: MakeStore, make_app: MakeApp
) -> None:
    app = make_app(make_store(CASES), "bob")
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        guide = app.screen.query_one(BucketGuide)
        assert not guide.display
        await pilot.press("d")
        await settle(pilot)
        assert guide.display
        shown = screen_text(app)
        assert "case sup-0042" in shown and "It was due on Monday." in shown
        described = [b for b in review_screen(app).buckets if b.description]
        assert described
        assert described[0].description[:30] in " ".join(
            str(guide.query_one("Static").render()).split()
        )
        await pilot.press("d")
        await settle(pilot)
        assert not guide.display


def test_help_columns_never_run_together() -> None:
    text = help_text([("z", "zoom"), ("a-very-long-key-name", "choose")], []).plain
    assert "a-very-long-key-name  choose" in text
    assert "z" + " " * 21 + "zoom" in text


async def test_zoom_shows_a_capped_text_whole(make_store: MakeStore, make_app: MakeApp) -> None:
    line = "word " * 50_000 + "THE-END"  # over the 200,000-character cap
    store = make_store([{"id": "huge", "input": "q", "output": line}])
    app = make_app(store, "bob")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "capped" in header_text(app)
        await pilot.press("tab", "tab", "end")
        assert "THE-END" not in screen_text(app)
        await pilot.press("z")
        await settle(pilot)
        await pilot.press("end")
        assert "THE-END" in screen_text(app)
