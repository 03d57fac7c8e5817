"""Tests for labeler.text.csv_safety: formula neutralisation that restore undoes exactly."""

from __future__ import annotations

import ast
import csv
import io
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labeler.text import csv_safety
from labeler.text.csv_safety import is_dangerous, neutralise, restore

DANGEROUS = [
    "=1+2",
    "+1",
    "-1",
    "@SUM(A1:A2)",
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example","click")',
    "\t=1",
    "\r=1",
    "\n=1",
    "  =1",
    "\r\n+1",
    "\u3000=1",  # ideographic space
    "\u00a0=1",  # no-break space
    "\u200b=1",  # zero-width space
    "\ufeff=1",  # byte order mark
    "\x00=1",
    "\uff1d1+2",  # full-width =
    "\uff0b1",  # full-width +
    "\uff0d1",  # full-width -
    "\uff20SUM(A1)",  # full-width @
    "\u3000\uff1d1",
    "-5",  # negative numbers as text get the apostrophe too (documented)
    "-0.25",
    "+44 20 7946 0000",
    "\thello",  # TAB at position 0 is dangerous whatever follows
    "\rhello",
    "=",
    "-",
]

SAFE = ["hello", "1-2", "a=b", "", "5", "0.25", "x@example.com", "(=1)", " hello", "\nhello"]


@pytest.mark.parametrize("cell", DANGEROUS)
def test_dangerous_cells_get_one_apostrophe(cell: str) -> None:
    assert is_dangerous(cell)
    assert neutralise(cell) == "'" + cell
    assert restore(neutralise(cell)) == cell
    assert not is_dangerous(neutralise(cell))


@pytest.mark.parametrize("cell", SAFE)
def test_safe_cells_untouched(cell: str) -> None:
    assert not is_dangerous(cell)
    assert neutralise(cell) == cell
    assert restore(cell) == cell


@pytest.mark.parametrize(
    ("cell", "neutralised"),
    [("'hello", "''hello"), ("'=1", "''=1"), ("'", "''"), ("''", "'''"), ("''=x", "'''=x")],
)
def test_existing_apostrophe_is_doubled(cell: str, neutralised: str) -> None:
    assert neutralise(cell) == neutralised
    assert restore(neutralised) == cell


def test_neutralised_cells_start_with_apostrophe_only_when_changed() -> None:
    assert neutralise("-5").startswith("'")
    assert restore("no apostrophe") == "no apostrophe"


any_text = st.text(alphabet=st.characters(exclude_categories=()))  # includes surrogates
prefix_heavy = st.lists(
    st.sampled_from(
        ["'", "=", "+", "-", "@", "\t", "\r", "\n", " ", "\u3000", "\uff1d", "\uff20", "a", "1"]
    )
).map("".join)


@settings(max_examples=500)
@given(st.one_of(any_text, prefix_heavy))
def test_property_restore_undoes_neutralise(cell: str) -> None:
    safe = neutralise(cell)
    assert restore(safe) == cell
    assert not is_dangerous(safe)
    assert safe in (cell, "'" + cell)
    assert safe.startswith("'") == (cell.startswith("'") or is_dangerous(cell))


HOSTILE_CELLS = [
    "=1+2",
    'say "hi", then',
    "a,b,c",
    "line1\nline2",
    "line1\r\nline2",
    "cr\ronly",
    "\r\n",
    '"',
    '""',
    "'quoted'",
    "",
    "   ",
    "name\x00hidden",
    "\x00",
    "\x1b[31mred\x1b[0m",
    "-5",
    "\uff1d1",
    "日本語 🙏🏽",
]


def _round_trip(rows: list[list[str]]) -> list[list[str]]:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows([[neutralise(cell) for cell in row] for row in rows])
    buffer.seek(0)
    return [[restore(cell) for cell in row] for row in csv.reader(buffer)]


def test_csv_round_trip_of_hostile_cells(tmp_path: Path) -> None:
    rows = [HOSTILE_CELLS, list(reversed(HOSTILE_CELLS)), ["only"]]
    assert _round_trip(rows) == rows
    # Same through a real file opened with newline="" (the way an export writes it).
    path = tmp_path / "export.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([[neutralise(cell) for cell in row] for row in rows])
    with path.open(encoding="utf-8", newline="") as handle:
        assert [[restore(cell) for cell in row] for row in csv.reader(handle)] == rows
    # In the file, no cell starts a formula.
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            assert not any(is_dangerous(cell) for cell in row)


def test_nul_round_trips_in_this_python() -> None:
    """Python 3.11's csv writes and reads NUL (3.10 refused to read it)."""
    assert _round_trip([["a\x00b", "\x00"]]) == [["a\x00b", "\x00"]]


def test_big_fields_need_a_raised_field_limit() -> None:
    """Documented: csv's reader refuses a field over 131,072 characters by default."""
    big = "x" * 200_000
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerow([neutralise(big)])
    buffer.seek(0)
    # The limit is process-wide and the product raises it when it reads a CSV file.
    raised = csv.field_size_limit(131_072)
    try:
        with pytest.raises(csv.Error, match="field limit"):
            list(csv.reader(buffer))
    finally:
        csv.field_size_limit(raised)


cell_text = st.text(alphabet=st.characters(exclude_categories=()))


@settings(max_examples=200)
@given(st.lists(st.lists(cell_text, min_size=1, max_size=5), max_size=5))
def test_property_csv_round_trip(rows: list[list[str]]) -> None:
    assert _round_trip(rows) == rows


def test_module_imports_only_stdlib() -> None:
    tree = ast.parse(Path(csv_safety.__file__).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
            )
            for name in names:
                assert name.split(".")[0] in sys.stdlib_module_names | {"__future__"}, name
