"""Reviewers' notes, reviewer names, resolver names and reasons are untrusted text too: on the
resolve screen they are shown literally (control characters as visible stand-ins), run no
action when clicked, write no escape sequence to the terminal, and crash nothing."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pilot_helpers import screen_text, settle, terminal_output
from resolve_helpers import (
    current_seq,
    panel,
    panel_text,
    person,
    resolution_rows,
    resolve_app,
    screen,
    status,
)
from textual.pilot import Pilot

from labeler.labels import set_label
from labeler.resolve.resolutions import resolve
from labeler.store import Store, open_store
from labeler.tui.resolve_app import ResolveApp
from labeler.tui.reviewer_labels import ReviewerLabels

SIZE = (200, 50)
OSC52 = "\x1b]52;c;ZXZpbA==\x07"

# Raw hostile text, and how it must be shown.
HOSTILE: list[tuple[str, str]] = [
    ("[@click=app.quit]x[/]", "[@click=app.quit]x[/]"),
    ("[/INST]", "[/INST]"),
    (f"clip {OSC52} board", "clip ␛]52;c;ZXZpbA==␇ board"),
    ("wipe\x1b[2J screen", "wipe␛[2J screen"),
    ("invoice_\u202efdp.exe", "invoice_⟨U+202E⟩fdp.exe"),
    ("name\x00hidden", "name␀hidden"),
]
BUCKETS = ["wrong_intent", "bad_extraction", "invented_policy", "other"]
LONG_NOTE = "start " + "Z" * 100_000 + " end" + OSC52

# Textual's own output: SGR colours and cursor moves. Any other ESC came from the store.
TEXTUAL_SEQUENCES = re.compile(r"\x1b\[[0-9;]*m|\x1b\[\d+;\d+H")


def hostile_labels(store: Store) -> list[tuple[str, str, str, str]]:
    """Give each case two labels from hostile reviewers with hostile notes.

    Case ``i + 1``: reviewer ``HOSTILE[i]`` with note ``HOSTILE[i + 2]``, and reviewer
    ``zz HOSTILE[i + 1]`` with note ``HOSTILE[i + 3]`` (indexes wrap). Returns
    (reviewer, shown name, note, shown note) in case order.
    """
    given = []
    n = len(HOSTILE)
    for i in range(n):
        for offset, prefix in ((0, ""), (1, "zz ")):
            raw_name, shown_name = HOSTILE[(i + offset) % n]
            raw_note, shown_note = HOSTILE[(i + offset + 2) % n]
            bucket = BUCKETS[(i + offset) % len(BUCKETS)]
            set_label(
                store,
                i + 1,
                person(prefix + raw_name),
                bucket,
                expected_version=None,
                note=raw_note,
            )
            given.append((prefix + raw_name, prefix + shown_name, raw_note, shown_note))
    return given


def assert_terminal_safe(app: ResolveApp, raw_texts: list[str]) -> None:
    """No escape sequence, control, bidi or NUL character from the store reaches the terminal."""
    out = terminal_output(app)
    rest = TEXTUAL_SEQUENCES.sub("", out)
    assert "\x1b" not in rest, repr(rest[max(0, rest.index("\x1b") - 20) :][:40])
    controls = {c for c in rest if (ord(c) < 32 and c != "\n") or 0x7F <= ord(c) <= 0x9F}
    assert not controls, controls
    assert "\u202e" not in out
    for raw in raw_texts:
        for match in re.finditer("\x1b", raw):
            assert raw[match.start() : match.start() + 6] not in out


def assert_no_live_links(app: ResolveApp) -> None:
    """No drawn cell above the footer carries an action (``@click``) or a hyperlink."""
    strips = app.screen._compositor.render_strips()
    for y, strip in enumerate(strips[:-1]):  # the footer's keys are clickable by design
        for segment in strip:
            style = segment.style
            if style is None:
                continue
            assert not style.link, f"a link on row {y}: {segment.text!r}"
            assert "@click" not in (style.meta or {}), f"an action on row {y}: {segment.text!r}"


LINKISH = re.compile(r"\[@click[^\[\]]*\]?|[^\s\[\]“”]*\[/\]|\[/INST\]")
"""Drawn text that would be a live link if it had been parsed as markup: an opening action
tag, a link's label with its closing tag, ``[/INST]``."""


async def click_links_in_panel(pilot: Pilot[None], app: ResolveApp) -> int:
    """Click the labels panel where a parsed link would be (first cell of a tag, each cell of
    a link's label); return the number of clicks."""
    region = screen(app).query_one(ReviewerLabels).region
    lines = screen_text(app).split("\n")
    clicks = 0
    for y in range(region.y, region.bottom):
        row = lines[y][region.x : region.right]
        for match in LINKISH.finditer(row):
            label = match.group().removesuffix("[/]") if match.group()[0] != "[" else "["
            for x in range(match.start(), match.start() + max(1, len(label))):
                await pilot.click(offset=(region.x + x, y))
                clicks += 1
    await settle(pilot)
    return clicks


@pytest.fixture
def store(make_store: Callable[..., Store], hostile_records: list[dict[str, Any]]) -> Store:
    """Six hostile cases (the shared ones), each labeled by two hostile reviewers."""
    return make_store(hostile_records[: len(HOSTILE)], name="hostile-resolve.db")


async def test_hostile_names_and_notes_are_shown_literally_and_inert(store: Store) -> None:
    given = hostile_labels(store)
    raws = [text for g in given for text in (g[0], g[2])]
    app = resolve_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        clicks = 0
        for i in range(len(HOSTILE)):
            assert current_seq(app) == i + 1
            shown = panel_text(app)
            for _, shown_name, _, shown_note in given[2 * i : 2 * i + 2]:
                assert shown_name in shown
                assert f"“{shown_note}”" in shown
            assert shown.index(given[2 * i][1]) < shown.index(given[2 * i + 1][1])  # A, then B
            assert_terminal_safe(app, raws)
            assert_no_live_links(app)
            clicks += await click_links_in_panel(pilot, app)
            assert app.is_running
            assert current_seq(app) == i + 1  # a click decided nothing
            await pilot.press("j")
        assert clicks >= 2 * len(HOSTILE)
        assert app.is_running and app.return_code is None
    assert resolution_rows(store) == {}


async def test_resolving_a_hostile_case_stores_the_raw_bucket_and_says_so_safely(
    store: Store,
) -> None:
    hostile_labels(store)
    app = resolve_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a", "b", "x")
        await settle(pilot)
        assert status(app).startswith("saved: ")
        assert app.is_running
    rows = resolution_rows(store)
    assert [rows[seq]["method"] for seq in (1, 2, 3)] == ["took_a", "took_b", "unclear"]
    # Reviewer A of case 1 sorts first by raw name; the stored bucket is theirs, untouched.
    assert rows[1]["bucket"] == "wrong_intent"


async def test_a_hundred_kilobyte_note_is_capped_and_the_case_still_shows(
    make_store: Callable[..., Store],
) -> None:
    store = make_store(n=2, name="long-note.db")
    set_label(store, 1, person("alice"), "other", expected_version=None, note=LONG_NOTE)
    set_label(store, 1, person("bob"), "too_slow", expected_version=None, note="short")
    app = resolve_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        shown = panel_text(app)
        assert "“start ZZZZ" in shown
        assert "ZZZ…" in shown and "ZZZ…" in panel(app)  # the drawn note ends with the mark
        assert " end" not in shown
        assert len(shown.replace(" ", "")) < 2_000
        widget = screen(app).query_one(ReviewerLabels)
        assert widget.region.height <= 8  # the panel never takes over the screen
        assert "Output" in screen_text(app)
        assert_terminal_safe(app, [LONG_NOTE])
        await pilot.press("a")
        await settle(pilot)
        assert app.is_running
    assert resolution_rows(store)[1]["method"] == "took_a"


async def test_a_screenshot_action_in_a_note_is_not_run(
    tmp_path: Path, make_store: Callable[..., Store]
) -> None:
    shot = f"[@click=app.screenshot('pwned.svg','{tmp_path}')]shot[/]"
    store = make_store(n=1, name="shot.db")
    set_label(store, 1, person(shot), "other", expected_version=None, note=shot)
    set_label(store, 1, person("bob"), "too_slow", expected_version=None, note=shot)
    app = resolve_app(store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert panel_text(app).count(shot) == 2  # both notes, literally
        assert f" a  {shot[:39]}…" in panel_text(app)  # the name, capped
        assert await click_links_in_panel(pilot, app) >= 3  # name and both notes
        assert app.is_running
    assert not list(tmp_path.rglob("pwned.svg"))


async def test_hostile_resolver_and_reason_are_shown_safely(
    make_store: Callable[..., Store],
) -> None:
    store = make_store(n=3, name="resolver.db")
    for seq in (1, 2, 3):
        set_label(store, seq, person("alice"), "other", expected_version=None)
        set_label(store, seq, person("bob"), "too_slow", expected_version=None)
    resolver = "[@click=app.quit]r[/]\x1b]0;title\x07"
    reason = f"[/INST] {OSC52} \x1b[2J \u202e \x00 " + "R" * 100_000
    resolve(
        store,
        1,
        person(resolver),
        bucket="other",
        method="took_a",
        reason=reason,
        expected_version=None,
    )
    app = resolve_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert current_seq(app) == 2
        await pilot.press("k")  # back to the case the hostile resolver settled
        assert current_seq(app) == 1
        shown = panel_text(app)
        assert "(took_a by [@click=app.quit]r[/]␛]0;title␇)" in shown
        assert "reason: [/INST] ␛]52;c;ZXZpbA==␇ ␛[2J ⟨U+202E⟩ ␀ RRR" in shown
        assert_terminal_safe(app, [resolver, reason])
        assert_no_live_links(app)
        assert await click_links_in_panel(pilot, app) > 0
        assert app.is_running
        # A second resolver with a hostile name takes case 2 while this screen shows it.
        await pilot.press("j")
        assert current_seq(app) == 2
        with open_store(store.path) as other:
            resolve(
                other,
                2,
                person(resolver),
                bucket=None,
                method="unclear",
                reason=None,
                expected_version=None,
            )
        await pilot.press("b")
        message = status(app)
        assert message.startswith("not saved:")
        assert "[@click=app.quit]r[/]␛]0;title␇" in message
        assert "[@click=app.quit]r[/]␛]0;title␇" in screen_text(app)
        assert_terminal_safe(app, [resolver, reason])
        assert_no_live_links(app)
        assert await click_links_in_panel(pilot, app) > 0
        assert app.is_running
    assert resolution_rows(store)[2]["resolver"] == resolver  # kept, not overwritten
