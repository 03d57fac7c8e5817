"""The text pane draws its own border, title and scroll bar, and scrolls like any pane."""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from textual import events
from textual.app import App, ComposeResult
from textual.geometry import Region

from labeler.review.case_display import PaneContent, PaneLine
from labeler.tui.pane_rows import wrap_line, wrap_rows
from labeler.tui.text_pane import FRAME_LEFT, FRAME_RIGHT, TextPane

WIDTH = 30
HEIGHT = 10


class PaneApp(App[None]):
    """One pane filling a small screen."""

    CSS = "TextPane { width: 1fr; height: 1fr; }"

    def compose(self) -> ComposeResult:
        yield TextPane("Output", id="pane")


def content(*texts: str) -> PaneContent:
    return PaneContent(lines=[PaneLine(text) for text in texts])


def drawn(pane: TextPane) -> list[str]:
    width, height = pane.outer_size
    return [strip.text for strip in pane.render_lines(Region(0, 0, width, height))]


async def test_border_title_text_and_padding_fill_exactly_the_pane() -> None:
    app = PaneApp()
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        pane = app.query_one(TextPane)
        pane.set_content(content("hello", "", "日本語のテキスト"))
        await pilot.pause()
        lines = drawn(pane)
        assert len(lines) == HEIGHT
        assert lines[0].startswith("╭─ Output ─") and lines[0].endswith("╮")
        assert lines[-1] == "╰" + "─" * (WIDTH - 2) + "╯"
        assert lines[1].startswith("│ hello ") and lines[1].endswith("│")
        assert lines[3].startswith("│ 日本語のテキスト ")
        width, height = pane.outer_size
        for strip in pane.render_lines(Region(0, 0, width, height)):
            assert strip.cell_length == WIDTH
            assert cell_len(strip.text) == WIDTH
        assert pane.text_width == WIDTH - FRAME_LEFT - FRAME_RIGHT


async def test_long_lines_wrap_at_the_text_width() -> None:
    app = PaneApp()
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        pane = app.query_one(TextPane)
        pane.set_content(content("word " * 20))
        await pilot.pause()
        assert pane.row_count > 1
        rows = pane.plain_text().split("\n")
        assert all(cell_len(row) <= pane.text_width for row in rows)
        assert "".join(rows).split() == ["word"] * 20


async def test_a_tall_text_gets_a_thumb_and_scrolls_by_pages_and_to_its_edges() -> None:
    app = PaneApp()
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        pane = app.query_one(TextPane)
        pane.set_content(content(*(f"line {i}" for i in range(100))))
        await pilot.pause()
        page = HEIGHT - 2
        assert pane.max_scroll_y == 100 - page
        assert pane.allow_vertical_scroll
        styles = pane._pane_styles()
        thumb_cells = [
            strip
            for strip in pane.render_lines(Region(0, 0, WIDTH, HEIGHT))[1:-1]
            if any(seg.style == styles.thumb for seg in strip)
        ]
        assert len(thumb_cells) == 1  # 8 rows of 100: the smallest thumb
        pane.scroll_page(1)
        await pilot.pause()
        assert pane.scroll_y == page
        assert drawn(pane)[1].startswith(f"│ line {page} ")
        pane.scroll_to_edge(True)
        await pilot.pause()
        assert drawn(pane)[-2].startswith("│ line 99 ")
        pane.scroll_page(-1)
        await pilot.pause()
        assert pane.scroll_y == pane.max_scroll_y - page
        pane.scroll_to_edge(False)
        await pilot.pause()
        assert pane.scroll_y == 0


async def test_the_mouse_wheel_scrolls_a_tall_text_only() -> None:
    app = PaneApp()
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        pane = app.query_one(TextPane)
        pane.set_content(content("short"))
        await pilot.pause()
        assert not pane.allow_vertical_scroll
        pane.set_content(content(*(f"line {i}" for i in range(100))))
        await pilot.pause()
        # As the terminal driver delivers a wheel turn: to the app, at a screen position.
        wheel = events.MouseScrollDown(None, 5, 5, 0, 1, 0, False, False, False, 5, 5)
        app.post_message(wheel)
        await pilot.pause()
        assert pane.scroll_y > 0


async def test_new_content_starts_at_the_top() -> None:
    app = PaneApp()
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        pane = app.query_one(TextPane)
        pane.set_content(content(*(f"line {i}" for i in range(100))))
        await pilot.pause()
        pane.scroll_to_edge(True)
        await pilot.pause()
        pane.set_content(content(*(f"other {i}" for i in range(100))))
        await pilot.pause()
        assert pane.scroll_y == 0
        assert drawn(pane)[1].startswith("│ other 0 ")


async def test_a_cropped_render_is_the_same_cells_as_a_full_one() -> None:
    app = PaneApp()
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        pane = app.query_one(TextPane)
        pane.set_content(content("abcdefghijklmnopqrstuvwxyz0123456789"))
        await pilot.pause()
        full = drawn(pane)
        part = pane.render_lines(Region(3, 2, 10, 4))
        assert [strip.text for strip in part] == [line[3:13] for line in full[2:6]]


async def test_the_chosen_pane_has_another_border_style() -> None:
    app = PaneApp()
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        pane = app.query_one(TextPane)
        plain = pane._pane_styles().border
        pane.add_class("-active")
        await pilot.pause()
        assert pane._pane_styles().border != plain
        first = pane.render_lines(Region(0, 0, WIDTH, 1))[0]
        assert next(iter(first)).style == pane._pane_styles().border


async def test_markup_in_the_text_is_drawn_literally_and_carries_no_action() -> None:
    app = PaneApp()
    async with app.run_test(size=(90, HEIGHT)) as pilot:
        pane = app.query_one(TextPane)
        text = "[@click=app.quit]x[/] [b]bold[/b] [link=https://e.example]y[/link]"
        pane.set_content(content(text))
        await pilot.pause()
        row = pane.render_lines(Region(0, 1, 90, 1))[0]
        assert text in row.text
        for segment in row:
            assert segment.style is None or not segment.style.meta
            assert segment.style is None or segment.style.link is None
        await pilot.click(TextPane, offset=(4, 1))
        await pilot.pause()
        assert app.is_running


async def test_no_color_turns_the_pane_grey(monkeypatch: pytest.MonkeyPatch) -> None:
    """Textual's NO_COLOR filter (greys, on a true-colour terminal) applies to the pane too."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = PaneApp()
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        pane = app.query_one(TextPane)
        pane.set_content(content("hello"))
        await pilot.pause()
        for strip in pane.render_lines(Region(0, 0, WIDTH, HEIGHT)):
            for segment in strip:
                style = segment.style
                for color in (style.color, style.bgcolor) if style else ():
                    if color is not None and color.triplet is not None:
                        red, green, blue = color.triplet
                        assert red == green == blue, segment


async def test_a_tiny_pane_still_draws_without_error() -> None:
    app = PaneApp()
    async with app.run_test(size=(4, 2)) as pilot:
        pane = app.query_one(TextPane)
        pane.set_content(content("hello"))
        await pilot.pause()
        strips = pane.render_lines(Region(0, 0, *pane.outer_size))
        assert all(strip.cell_length == pane.outer_size.width for strip in strips)


def test_wrapping_measures_rows_in_cells() -> None:
    rows = wrap_rows([PaneLine("日本語" * 10, "text"), PaneLine("abc", "role")], 7)
    assert all(row.cells == cell_len(row.text) <= 7 for row in rows)
    assert rows[-1].text == "abc" and rows[-1].kind == "role"
    assert wrap_line("no width", 0) == ["no width"]
