"""Untrusted text is data: hostile cases open without a crash, show literally (control
characters as visible stand-ins), run no action when clicked, get the "hidden characters"
badge, and write no escape sequence of their own to the terminal."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pilot_helpers import (
    CaseDict,
    MakeApp,
    current_id,
    header_text,
    review_screen,
    screen_text,
    settle,
    terminal_output,
)
from textual.pilot import Pilot
from textual.widgets import OptionList

from labeler.identity import Actor
from labeler.labels import set_label
from labeler.store import Store
from labeler.tui.app import ReviewApp
from labeler.tui.search_screen import SearchScreen
from labeler.tui.text_pane import TextPane

SIZE = (240, 50)
MARKUP_ID = "[@click=app.quit]x[/]"
OSC52 = "\x1b]52;c;ZXZpbA==\x07"

# What each shared hostile case must show, literally, and whether it gets the badge.
SHARED_EXPECTED: dict[str, tuple[list[str], bool]] = {
    "hostile-markup-inst": (
        ["[INST] Summarise the thread [/INST] The refund [b]was[/b] approved [/]"],
        False,
    ),
    "hostile-action-link": (["Your order is delayed. [@click=app.quit]Track it here[/]"], False),
    "hostile-ansi-color": (["␛[31mREFUND DENIED␛[0m, sorry"], True),
    "hostile-osc-title": (["hello ␛]2;new window title␛\\ there"], True),
    "hostile-lone-cr": (["approve␍REJECT"], True),
    "hostile-bidi": (["please open invoice_⟨U+202E⟩fdp.exe"], True),
    "hostile-brackets": (
        ["def f(xs: list[int]) -> dict[str, int]: return {x: xs[0] for x in xs}"],
        False,
    ),
    "hostile-nul": (["name␀hidden"], True),
    "hostile-formula": (["=1+2"], False),
    "hostile-wide": (["注文番号 4471 の返品状況は？ 🙏🏽"], False),
}

# Textual's own output: SGR colours and cursor moves. Anything else starting with ESC would
# have come from the case text.
TEXTUAL_SEQUENCES = re.compile(r"\x1b\[[0-9;]*m|\x1b\[\d+;\d+H")


def own_cases(folder: Path) -> list[tuple[CaseDict, list[str], bool]]:
    """Hostile cases of our own: (record, literal texts it must show, badge expected)."""
    shot = f"[@click=app.screenshot('pwned.svg','{folder}')]shot[/]"
    return [
        (
            {
                "id": MARKUP_ID,
                "input": "[bold]not bold[/bold] [link=https://evil.example]link[/link]",
                "output": f"{shot} then [@click=app.quit]quit[/]",
                "slices": {"kind": "[@click=app.quit]slice[/]"},
                "meta": {"probe": "[/]", "model": "[@click=app.bell]m[/]"},
            },
            [MARKUP_ID, "kind=[@click=app.quit]slice[/]", shot, "probe=[/]"],
            False,
        ),
        (
            {
                "id": "own-osc52",
                "input": "copy this",
                "output": f"clip {OSC52} board",
                "meta": {"probe": "osc52"},
            },
            ["clip ␛]52;c;ZXZpbA==␇ board"],
            True,
        ),
        (
            {
                "id": "own-clear-c1",
                "input": "wipe\x1b[2J\x1b[H screen",
                "output": "c1 \x9b31m csi \x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\",
                "context": [{"title": "t\x1b]0;title\x07", "text": "doc \x1bP dcs \x1b\\ end"}],
                "meta": {"probe": "clear-c1"},
            },
            [
                "wipe␛[2J␛[H screen",
                "c1 ⟨U+009B⟩31m csi ␛]8;;https://evil.example␛\\link␛]8;;␛\\",
                "t␛]0;title␇",
                "doc ␛P dcs ␛\\ end",
            ],
            True,
        ),
        (
            {
                "id": "own-escape-in-slice\x1b]2;x\x07",
                "input": "slice escape",
                "output": "ok",
                "slices": {"k\x1b[2J": "v\x9b"},
                "meta": {"probe": "slice"},
            },
            ["own-escape-in-slice␛]2;x␇", "k␛[2J=v⟨U+009B⟩"],
            True,
        ),
    ]


def assert_terminal_safe(app: ReviewApp, records: list[CaseDict]) -> None:
    """No escape sequence or control character from the case reaches the terminal."""
    out = terminal_output(app)
    rest = TEXTUAL_SEQUENCES.sub("", out)
    assert "\x1b" not in rest, repr(rest[rest.index("\x1b") - 20 : rest.index("\x1b") + 20])
    controls = {c for c in rest if (ord(c) < 32 and c != "\n") or 0x7F <= ord(c) <= 0x9F}
    assert not controls, controls
    for record in records:
        for raw in raw_strings(record):
            for match in re.finditer("\x1b", raw):
                assert raw[match.start() : match.start() + 8] not in out


def raw_strings(value: Any) -> list[str]:
    """Every string inside a record (keys and values)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in raw_strings(k) + raw_strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in raw_strings(v)]
    return []


def assert_no_live_links(app: ReviewApp) -> None:
    """No drawn cell above the footer carries an action (``@click``) or a hyperlink."""
    strips = app.screen._compositor.render_strips()
    for y, strip in enumerate(strips[:-1]):  # the footer's keys are clickable by design
        for segment in strip:
            style = segment.style
            if style is None:
                continue
            assert not style.link, f"a link on row {y}: {segment.text!r}"
            assert "@click" not in (style.meta or {}), f"an action on row {y}: {segment.text!r}"


CLICKABLE = ("[@click", "[link", "Track it here", "shot[/]", "quit[/]")


async def click_on_text(pilot: Pilot[None], app: ReviewApp) -> int:
    """Click where anything that looks like a link is drawn; return how many clicks."""
    clicks = 0
    for y, line in enumerate(screen_text(app).split("\n")[:-1]):
        for needle in CLICKABLE:
            for match in re.finditer(re.escape(needle), line):
                # Where the label of a parsed link would be drawn.
                await pilot.click(offset=(match.start() + 1, y))
                clicks += 1
    await settle(pilot)
    assert app.is_running
    return clicks


async def check_case_screen(
    pilot: Pilot[None],
    app: ReviewApp,
    record: CaseDict,
    expected: list[str],
    badge: bool,
) -> None:
    await settle(pilot)
    assert app.is_running
    assert current_id(app) == record["id"]
    shown = screen_text(app)
    unwrapped = [header_text(app)] + [
        "".join(pane.plain_text().split("\n")) for pane in app.screen.query(TextPane)
    ]
    for text in expected:
        # On screen as it is; a text longer than its pane is checked in the pane, unwrapped.
        assert text in shown or any(text in u for u in unwrapped), f"{text!r} is not shown"
        assert text[:40] in shown
    assert ("hidden characters" in header_text(app)) is badge
    assert_terminal_safe(app, [record])
    assert_no_live_links(app)
    if any(needle in text for text in raw_strings(record) for needle in CLICKABLE[:2]):
        assert await click_on_text(pilot, app) > 0
    assert current_id(app) == record["id"]
    assert_terminal_safe(app, [record])


@pytest.mark.parametrize("case_id", sorted(SHARED_EXPECTED))
async def test_shared_hostile_case(
    case_id: str,
    hostile_records: list[CaseDict],
    make_store: Callable[..., Store],
    make_app: MakeApp,
) -> None:
    record = next(r for r in hostile_records if r["id"] == case_id)
    store = make_store([record])
    expected, badge = SHARED_EXPECTED[case_id]
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await check_case_screen(pilot, app, record, expected, badge)
        await pilot.press("1")
    assert store.query("SELECT count(*) FROM labels")[0][0] == 1


def test_every_shared_hostile_case_is_covered(hostile_records: list[CaseDict]) -> None:
    assert sorted(r["id"] for r in hostile_records) == sorted(SHARED_EXPECTED)


@pytest.mark.parametrize("index", range(4))
async def test_own_hostile_case(
    index: int, tmp_path: Path, make_store: Callable[..., Store], make_app: MakeApp
) -> None:
    record, expected, badge = own_cases(tmp_path)[index]
    store = make_store([record])
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await check_case_screen(pilot, app, record, expected, badge)
        # The screenshot action in the text was not run, and nothing else was written.
        assert not list(tmp_path.glob("*.svg"))
        await pilot.press("s")
        assert review_screen(app).status_message.startswith("skipped ")
        await pilot.press("1")
    assert store.query("SELECT count(*) FROM labels")[0][0] == 1


async def test_narrow_screen_with_every_hostile_case(
    tmp_path: Path,
    hostile_records: list[CaseDict],
    make_store: Callable[..., Store],
    make_app: MakeApp,
) -> None:
    records = hostile_records + [r for r, _, _ in own_cases(tmp_path)]
    store = make_store(records)
    app = make_app(store, "bob")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for record in records:
            assert current_id(app) == record["id"]
            assert_terminal_safe(app, [record])
            await pilot.press("j")
        assert app.is_running


async def test_hostile_note_is_shown_literally_and_is_inert(
    hostile_store: Store, make_app: MakeApp, make_actor: Callable[[str], Actor]
) -> None:
    note = f"[@click=app.quit]note[/] [/INST] {OSC52} \x1b[2J \x9b end"
    set_label(hostile_store, 1, make_actor("bob"), "other", expected_version=None, note=note)
    app = make_app(hostile_store, "bob", revisit=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        header = header_text(app)
        assert "[@click=app.quit]note[/] [/INST] ␛]52;c;ZXZpbA==␇ ␛[2J ⟨U+009B⟩ end" in header
        assert_terminal_safe(app, [{"note": note}])
        assert_no_live_links(app)
        assert await click_on_text(pilot, app) >= 1
        assert current_id(app) == "hostile-markup-inst"


async def test_markup_typed_into_a_note_is_kept_as_text(store: Store, make_app: MakeApp) -> None:
    app = make_app(store, "bob")
    keys = ["left_square_bracket", "slash", "right_square_bracket", "space"]
    keys += ["left_square_bracket", "b", "right_square_bracket"]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n", *keys, "enter")
        assert "[/] [b]" in header_text(app)
        await pilot.press("1", "k")
        assert "[/] [b]" in header_text(app)
        assert app.is_running
    assert store.query("SELECT note FROM labels")[0][0] == "[/] [b]"


async def test_search_results_show_hostile_ids_literally(
    tmp_path: Path, make_store: Callable[..., Store], make_app: MakeApp
) -> None:
    records = [r for r, _, _ in own_cases(tmp_path)]
    store = make_store(records)
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "slash", "c", "l", "i", "c", "k")
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)
        assert app.screen.query_one(OptionList).option_count >= 1
        shown = screen_text(app)
        assert MARKUP_ID in shown
        assert "own-escape-in-slice␛]2;x␇" in shown or "wipe␛[2J" in shown
        assert_terminal_safe(app, records)
        assert await click_on_text(pilot, app) > 0


@pytest.fixture
def long_records() -> list[CaseDict]:
    one_line = ("lorem ipsum " * 90_000)[:1_000_000]
    many_lines = "\n".join(f"line {i} of the log" for i in range(20_000))
    return [
        {"id": "long-line", "input": "one huge line", "output": one_line},
        {"id": "many-lines", "input": many_lines, "output": "ok"},
        {"id": "after-long", "input": "short again", "output": "ok"},
    ]


async def test_very_long_texts_are_capped_and_the_screen_stays_responsive(
    long_records: list[CaseDict], make_store: Callable[..., Store], make_app: MakeApp
) -> None:
    store = make_store(long_records)
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        started = time.perf_counter()
        await settle(pilot)
        assert current_id(app) == "long-line"
        assert "long text capped" in header_text(app)
        output = app.screen.query_one("#pane-output", TextPane)
        # the notes may be wrapped at any space: compare with the rows joined by one space
        shown = " ".join(output.plain_text().split())
        # one line is capped only with the whole text: it can be read to the whole cap's end
        assert "[line truncated" not in shown
        assert "[truncated: showing 200,000 of 1,000,000 characters]" in shown
        await pilot.press("tab", "tab", "end")
        assert "truncated: showing 200,000 of 1,000,000 characters" in screen_text(app)
        await pilot.press("j")
        assert current_id(app) == "many-lines"
        pane = app.screen.query_one("#pane-input", TextPane)
        assert pane.row_count < 5_100
        assert "showing 5,000 of 20,000 lines" in pane.plain_text()
        await pilot.press("tab", "end")  # the input pane (tab cycles back to it)
        assert "showing 5,000 of 20,000 lines" in screen_text(app)
        await pilot.press("home")
        assert "line 0 of the log" in screen_text(app)
        await pilot.press("pagedown", "pagedown")
        assert "line 0 of the log" not in screen_text(app)
        await pilot.press("1")
        assert current_id(app) == "after-long"
        elapsed = time.perf_counter() - started
        assert elapsed < 20, f"the long cases took {elapsed:.1f} s"
    assert store.query("SELECT count(*) FROM labels")[0][0] == 1


async def test_hidden_characters_outside_the_texts_raise_the_badge(
    make_store: Callable[..., Store], make_app: MakeApp
) -> None:
    records: list[CaseDict] = [
        {"id": "in-meta", "input": "a", "output": "b", "meta": {"model": "m\x1b[2J"}},
        {
            "id": "in-title",
            "input": "a",
            "output": "b",
            "context": [{"title": "t\x1b]0;x\x07", "text": "c", "source": "s\u202e"}],
        },
        {"id": "in-role", "input": [{"role": "us\x1ber", "content": "hi"}], "output": "b"},
    ]
    store = make_store(records)
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for record in records:
            assert current_id(app) == record["id"]
            assert "␛" in screen_text(app) or "⟨U+202E⟩" in screen_text(app)
            assert "hidden characters" in header_text(app), record["id"]
            await pilot.press("j")
