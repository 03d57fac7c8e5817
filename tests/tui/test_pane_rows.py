"""Wrapping safe lines into pane rows: never wider than the pane, nothing lost but break spaces."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from labeler.review.case_display import PaneLine
from labeler.text.display import make_safe
from labeler.tui.pane_rows import TAB_SIZE, wrap_line, wrap_rows

# Letters that take the slicing path (ASCII, Latin) and ones that do not (wide, combining).
ALPHABET = st.sampled_from(list("ab cdé ñ€—“”’ 注文 e\u0301 😀\t"))


@given(st.text(ALPHABET, max_size=300), st.integers(min_value=2, max_value=80))
def test_rows_fit_the_width_and_keep_every_character_but_break_spaces(raw: str, width: int) -> None:
    text = make_safe(raw).text.split("\n")[0].expandtabs(TAB_SIZE)
    rows = wrap_line(text, width)
    assert all(cell_len(row) <= width for row in rows), rows
    assert "".join(rows).replace(" ", "") == text.replace(" ", "")
    assert len("".join(rows)) >= len(text) - len(rows)  # at most one space dropped per break


@given(st.text(ALPHABET, max_size=300), st.integers(min_value=2, max_value=80))
def test_each_row_knows_its_width_in_cells(raw: str, width: int) -> None:
    lines = [PaneLine(line) for line in make_safe(raw).text.split("\n")]
    for row in wrap_rows(lines, width):
        assert row.cells == cell_len(row.text) <= width
        assert "\t" not in row.text


def test_words_are_not_cut_when_a_space_is_near() -> None:
    assert wrap_line("café crème brûlée", 11) == ["café crème ", "brûlée"]
    assert wrap_line("aaaa bbbb", 4) == ["aaaa", "bbbb"]  # the space at the edge is dropped


def test_a_long_word_is_cut_at_the_width() -> None:
    assert wrap_line("x" * 10, 4) == ["xxxx", "xxxx", "xx"]


def test_wide_characters_are_never_split() -> None:
    rows = wrap_line("注文" * 5, 5)
    assert all(cell_len(row) <= 5 for row in rows)
    assert "".join(rows) == "注文" * 5


def test_tabs_become_spaces() -> None:
    (row,) = wrap_rows([PaneLine("a\tb")], 40)
    assert row.text == "a" + " " * (TAB_SIZE - 1) + "b"
