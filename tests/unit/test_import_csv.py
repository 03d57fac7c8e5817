"""CSV reading: header rules, empty cells, meta values, and bad rows named by line."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest

from labeler.importing import CSV_FIELD_LIMIT, Parsed, Problem, csv_reader, read_records


@pytest.fixture(autouse=True)
def _restore_csv_limit() -> Iterator[None]:
    """csv.field_size_limit is process-wide: leave it as it was."""
    before = csv.field_size_limit()
    yield
    csv.field_size_limit(before)


def read(tmp_path: Path, data: bytes, name: str = "cases.csv") -> list[Parsed | Problem]:
    path = tmp_path / name
    path.write_bytes(data)
    return list(read_records(path))


def problems(items: list[Parsed | Problem]) -> dict[int | None, str]:
    return {p.line: p.reason for p in items if isinstance(p, Problem)}


def good(items: list[Parsed | Problem]) -> list[Parsed]:
    return [p for p in items if isinstance(p, Parsed)]


def test_good_rows_and_the_meaning_of_empty_cells(tmp_path: Path) -> None:
    data = (
        b"id,input,context,output,expected,slice.length,meta.latency_ms,meta.model,meta.flag,team\r\n"
        b'c1,"hello, world",,,,long,1200,m-1,true,red\r\n'
        b'c2,"two\nlines",some docs,an answer,the answer,,0123,,NaN,\r\n'
    )
    items = read(tmp_path, data)
    assert problems(items) == {}
    first, second = good(items)
    assert first.line == 2 and second.line == 3
    assert first.record.input == "hello, world"
    assert first.record.context is None
    assert first.record.output == ""  # an empty output cell is the empty string
    assert first.record.expected is None
    assert first.record.slices == {"length": "long"}
    assert first.record.meta == {"latency_ms": 1200, "model": "m-1", "flag": True, "team": "red"}
    assert second.record.input == "two\nlines"
    assert second.record.context == "some docs"
    assert second.record.expected == "the answer"
    assert second.record.slices == {}
    assert second.record.meta == {"latency_ms": "0123", "flag": "NaN"}


def test_empty_id_gets_a_content_hash_id(tmp_path: Path) -> None:
    items = read(tmp_path, b"id,input,output\n,question,answer\n")
    assert good(items)[0].stored.case_id.startswith("h-")


def test_rows_with_too_few_or_too_many_cells_name_their_starting_line(tmp_path: Path) -> None:
    data = (
        b"id,input,output\n"
        b'a,"a cell\nover three\nlines",out\n'  # lines 2-4
        b"b,too few\n"  # line 5
        b"\n"  # line 6: blank
        b'c,"spans\ntwo lines",out,extra\n'  # lines 7-8: too many
        b"d,fine,out\n"  # line 9
    )
    items = read(tmp_path, data)
    found = problems(items)
    assert found == {
        5: "2 cells, but the header has 3 columns (a missing or extra comma, or a cell with a "
        "comma that is not in double quotes)",
        7: "4 cells, but the header has 3 columns (a missing or extra comma, or a cell with a "
        "comma that is not in double quotes)",
    }
    assert [(p.line, p.record.id) for p in good(items)] == [(2, "a"), (9, "d")]


def test_header_is_required_with_input_and_output(tmp_path: Path) -> None:
    [empty] = read(tmp_path, b"")
    assert isinstance(empty, Problem) and "needs a header row" in empty.reason
    [no_output] = read(tmp_path, b"id,input,response\n1,a,b\n")
    assert isinstance(no_output, Problem) and no_output.line == 1
    assert no_output.reason.startswith("no `output` column")
    [no_input] = read(tmp_path, b"id,output\n1,b\n")
    assert isinstance(no_input, Problem) and "no `input` column" in no_input.reason
    [twice] = read(tmp_path, b"input,output,output\n")
    assert isinstance(twice, Problem) and "twice" in twice.reason
    [unnamed] = read(tmp_path, b"input,,output\n")
    assert isinstance(unnamed, Problem) and "no name" in unnamed.reason


def test_bom_and_crlf(tmp_path: Path) -> None:
    items = read(tmp_path, b'\xef\xbb\xbfid,input,output\r\nx,"a\r\nb",c\r\n\r\ny,d,e\r\n')
    assert problems(items) == {}
    assert good(items)[0].record.id == "x"
    assert good(items)[0].record.input == "a\r\nb"  # CRLF inside a cell is kept as it is
    assert [(p.line, p.record.id) for p in good(items)] == [(2, "x"), (5, "y")]


def test_invalid_utf8_names_the_column(tmp_path: Path) -> None:
    items = read(tmp_path, b"id,input,output\nok,a,b\nbad,caf\xe9,b\nok2,c,d\n")
    found = problems(items)
    assert found == {
        3: "not valid UTF-8: byte 0xe9 in `input` at character 4; save the file as UTF-8"
    }
    assert [p.record.id for p in good(items)] == ["ok", "ok2"]


def test_a_cell_over_the_field_limit_is_an_error_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert CSV_FIELD_LIMIT == 50_000_000
    monkeypatch.setattr(csv_reader, "CSV_FIELD_LIMIT", 1000)
    data = b"id,input,output\na,short,b\nb," + b"x" * 2000 + b",c\nc,d,e\n"
    items = read(tmp_path, data)
    found = problems(items)
    assert list(found) == [3]
    assert found[3].startswith("a cell is larger than 1,000 characters")
    assert "the rest of the file was not read" in found[3]
    assert [p.record.id for p in good(items)] == ["a"]


def test_the_default_field_limit_is_raised(tmp_path: Path) -> None:
    big = b"x" * 200_000  # over Python's default limit of 131,072
    items = read(tmp_path, b"input,output\n" + big + b",b\n")
    assert problems(items) == {}
    assert len(good(items)[0].record.input) == 200_000


def test_a_field_over_the_model_limit_is_reported(tmp_path: Path) -> None:
    from labeler.models import MAX_FIELD_CHARS

    items = read(tmp_path, b"input,output\na," + b"y" * (MAX_FIELD_CHARS + 1) + b"\n")
    assert problems(items)[2].startswith("`output` is too large")


def test_duplicate_ids_and_bad_slice_header(tmp_path: Path) -> None:
    items = read(tmp_path, b"id,input,output\nx,a,b\nx,c,d\n")
    assert problems(items) == {3: "duplicate id `x`: line 2 has it too; ids must be unique"}
    [problem] = read(tmp_path, b"input,output,meta\n")
    assert isinstance(problem, Problem) and "meta.NAME" in problem.reason


def test_csv_by_format_option(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_bytes(b"input,output\na,b\n")
    items = list(read_records(path, "csv"))
    assert good(items)[0].record.output == "b"


def test_a_meta_integer_too_large_for_a_float_stays_text(tmp_path: Path) -> None:
    """Found by the garbage test: a 400-digit meta cell raised OverflowError (a traceback)."""
    huge = "9" * 400  # over 1.8e308
    data = f"id,input,output,meta.latency_ms,meta.n\r\nc1,q,a,{huge},12345678901234567890\r\n"
    items = read(tmp_path, data.encode())
    assert problems(items) == {}
    [case] = good(items)
    assert case.record.meta == {"latency_ms": huge, "n": 12345678901234567890}
