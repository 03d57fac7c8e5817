"""Spreadsheet safety and exact round trips: neutralised CSV cells, lossless JSON lines."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from export_fixtures import (
    AWKWARD_STRINGS,
    HOSTILE_STRINGS,
    actor,
    add_case,
    label,
    read_csv,
    read_csv_dicts,
    read_jsonl,
    resolve,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labeler.export import ExportSpec, export_store
from labeler.export.rows import ExportRow
from labeler.export.writers import csv_cell, jsonl_line
from labeler.store import Store, create_store
from labeler.text.csv_safety import is_dangerous, restore


def _store_of_strings(folder: Path, texts: list[str]) -> Store:
    """One case per text, the text used as case id, slice name and value, meta value, note and
    resolution reason."""
    store = create_store(folder / "s.db", actor("owner"))
    for seq, text in enumerate(texts, start=1):
        add_case(store, seq, text, slices={text: text}, meta={"v": text})
        label(store, seq, "alice", "other", note=text)
        resolve(store, seq, "other", "other", "carol", text)
    return store


def _check_round_trip(folder: Path, texts: list[str]) -> None:
    """Export CSV and JSONL; the restored CSV cells and the JSON values equal the raw texts."""
    with _store_of_strings(folder, texts) as store:
        export_store(store, folder / "final.csv", ExportSpec())
        export_store(store, folder / "labels.csv", ExportSpec(what="labels"))
        export_store(store, folder / "final.jsonl", ExportSpec(), fmt="jsonl")
        export_store(store, folder / "labels.jsonl", ExportSpec(what="labels"), fmt="jsonl")

    for raw_record in read_csv(folder / "final.csv") + read_csv(folder / "labels.csv"):
        assert not any(is_dangerous(cell) for cell in raw_record)

    final = read_csv_dicts(folder / "final.csv")
    assert [r["case_id"] for r in final] == texts
    for text, row in zip(texts, final, strict=True):
        assert row["resolution_reason"] == text
        assert row["meta.v"] == text
        assert row["slice." + text] == text
        assert row["notes"] == (f"alice: {text}" if text else "")
        assert row["labels"] == "alice:other"
        assert row["status"] == "resolved"
    labels = read_csv_dicts(folder / "labels.csv")
    assert [(r["case_id"], r["note"]) for r in labels] == [(t, t) for t in texts]

    final_json = read_jsonl(folder / "final.jsonl")
    for text, record in zip(texts, final_json, strict=True):
        assert record["case_id"] == text
        assert record["resolution_reason"] == text
        assert record["meta.v"] == text
        assert record["slice." + text] == text
    labels_json = read_jsonl(folder / "labels.jsonl")
    assert [(r["case_id"], r["note"]) for r in labels_json] == [(t, t) for t in texts]


def test_hostile_and_awkward_strings_round_trip(tmp_path: Path) -> None:
    _check_round_trip(tmp_path, list(dict.fromkeys(HOSTILE_STRINGS + AWKWARD_STRINGS)))


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.lists(st.text(max_size=40), min_size=1, max_size=4, unique=True))
def test_any_text_round_trips_through_a_real_file(texts: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        _check_round_trip(Path(folder), texts)


def test_formula_cells_get_one_apostrophe_and_restore_undoes_it(tmp_path: Path) -> None:
    texts = ["=1+2", "-2+3", "+1", "@SUM(A1)", "\t=1", " =1", "\uff1d1", "'x", "plain", "1-2"]
    with _store_of_strings(tmp_path, texts) as store:
        export_store(store, tmp_path / "labels.csv", ExportSpec(what="labels"))
    notes = [record[3] for record in read_csv(tmp_path / "labels.csv")[1:]]
    assert notes == [
        "'=1+2",
        "'-2+3",
        "'+1",
        "'@SUM(A1)",
        "'\t=1",
        "' =1",
        "'\uff1d1",
        "''x",
        "plain",
        "1-2",
    ]
    assert [restore(n) for n in notes] == texts


def test_header_cells_are_neutralised_too(tmp_path: Path) -> None:
    # A slice name can be anything; its column is "slice.<name>", which never starts with "=".
    # Every header cell still goes through neutralise, so restore applies to every cell.
    with _store_of_strings(tmp_path, ["=x"]) as store:
        export_store(store, tmp_path / "f.csv", ExportSpec())
    header = read_csv(tmp_path / "f.csv")[0]
    assert "slice.=x" in header
    assert read_csv_dicts(tmp_path / "f.csv")[0]["slice.=x"] == "=x"


def test_nul_and_cr_survive_csv_and_jsonl(tmp_path: Path) -> None:
    texts = ["a\x00b", "\x00", "x\ry", "\r\n", "end\r"]
    _check_round_trip(tmp_path, texts)
    raw = (tmp_path / "labels.csv").read_bytes()
    assert b"a\x00b" in raw
    assert b'"x\ry"' in raw  # a lone CR is quoted, not turned into a line break


def test_csv_cells_of_non_text_values() -> None:
    assert csv_cell(None) == ""
    assert csv_cell(True) == "true"
    assert csv_cell(False) == "false"
    assert csv_cell(-5) == "'-5"
    assert csv_cell(1.5) == "1.5"
    assert csv_cell(["=a", 1]) == '["=a", 1]'
    assert csv_cell({}) == "{}"
    assert csv_cell(b"\xff=") == "\\xff="
    assert csv_cell(float("inf")) == "Infinity"


def test_jsonl_line_is_valid_utf8_even_with_a_lone_surrogate() -> None:
    row = ExportRow({"a": "x\udc80y", "b": "é\x00"})
    line = jsonl_line(["a", "b"], row)
    text = line.decode("utf-8")  # strict: no invalid bytes
    assert text.endswith("\n")
    assert json.loads(text) == {"a": "x\udc80y", "b": "é\x00"}


def test_jsonl_line_leaves_out_keys_the_case_does_not_have() -> None:
    row = ExportRow({"a": None}, optional=frozenset({"meta.x"}))
    assert json.loads(jsonl_line(["a", "meta.x"], row)) == {"a": None}


def test_huge_numbers_in_meta_stay_valid_json(tmp_path: Path) -> None:
    store = create_store(tmp_path / "s.db", actor("owner"))
    add_case(store, 1, "c")
    with store.write() as conn:
        conn.execute("""UPDATE cases SET meta = '{"big": 1e999, "n": NaN, "l": [1e999]}'""")
    export_store(store, tmp_path / "f.jsonl", ExportSpec(), fmt="jsonl")
    export_store(store, tmp_path / "f.csv", ExportSpec())
    record = read_jsonl(tmp_path / "f.jsonl")[0]
    assert (record["meta.big"], record["meta.n"], record["meta.l"]) == ("1e999", "NaN", ["1e999"])
    row = read_csv_dicts(tmp_path / "f.csv")[0]
    assert (row["meta.big"], row["meta.n"], row["meta.l"]) == ("1e999", "NaN", '["1e999"]')
