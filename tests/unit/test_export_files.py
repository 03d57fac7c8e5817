"""How an export reaches the disk: one snapshot, no partial file, --force, split, --excel."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from export_fixtures import actor, label, read_csv, read_csv_dicts, status_store

from labeler.export import ExportSpec, export_store, writers
from labeler.export import rows as export_rows
from labeler.export.rows import Columns, ExportRow
from labeler.export.writers import FileNamer, safe_file_stem
from labeler.store import Store, StoreError, open_store

STORE_FILES = {"s.db", "s.db-wal", "s.db-shm", "link.db"}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """The store with one case of every status."""
    with status_store(tmp_path) as opened:
        yield opened


def _leftovers(folder: Path) -> set[str]:
    """Names in ``folder`` other than the store's files."""
    return {p.name for p in folder.iterdir()} - STORE_FILES


# -- the snapshot rule ------------------------------------------------------------------------


def _write_midway(store_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the row iterator write labels from a second connection after the first row."""
    real = export_rows.iter_rows

    def iter_rows_with_a_write(
        conn: sqlite3.Connection, spec: ExportSpec, columns: Columns
    ) -> Iterator[ExportRow]:
        for number, row in enumerate(real(conn, spec, columns)):
            if number == 1:
                with open_store(store_path) as other:
                    label(other, 7, "dave", "too_slow", note="written mid-export")  # c-none
                    label(other, 4, "carol", "wrong_intent")  # c-unres
                    count = other.query("SELECT count(*) FROM labels WHERE reviewer = 'dave'")
                    assert count[0][0] == 1  # committed, visible to everyone else
            yield row

    monkeypatch.setattr(export_rows, "iter_rows", iter_rows_with_a_write)


@pytest.mark.parametrize("what", ["final", "labels", "events"])
def test_a_label_written_during_the_export_is_not_in_it(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, what: str
) -> None:
    spec = ExportSpec(what=what)  # type: ignore[arg-type]
    export_store(store, tmp_path / "before.csv", spec)
    _write_midway(store.path, monkeypatch)
    export_store(store, tmp_path / "during.csv", spec)
    monkeypatch.undo()
    export_store(store, tmp_path / "after.csv", spec)

    before = read_csv(tmp_path / "before.csv")
    assert read_csv(tmp_path / "during.csv") == before
    assert read_csv(tmp_path / "after.csv") != before


def test_the_snapshot_covers_the_column_pass_too(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A case with a new slice, added between the column pass and the rows, is in neither."""
    real = export_rows.iter_rows

    def iter_rows_after_an_import(
        conn: sqlite3.Connection, spec: ExportSpec, columns: Columns
    ) -> Iterator[ExportRow]:
        from export_fixtures import add_case

        with open_store(store.path) as other:
            add_case(other, 9, "c-new", slices={"brand_new": "x"})
        return real(conn, spec, columns)

    monkeypatch.setattr(export_rows, "iter_rows", iter_rows_after_an_import)
    export_store(store, tmp_path / "f.csv", ExportSpec())
    records = read_csv(tmp_path / "f.csv")
    assert "slice.brand_new" not in records[0]
    assert [r[0] for r in records[1:]] == [
        "c-agreed",
        "c-resolved",
        "c-unclear",
        "c-unres",
        "c-single",
        "c-none",
    ]


# -- no partial file --------------------------------------------------------------------------


def _fail_on_third_row(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = {"n": 0}

    def write(self: Any, row: ExportRow) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device")
        real_csv(self, row) if isinstance(self, writers.CsvSink) else real_json(self, row)

    real_csv, real_json = writers.CsvSink.write, writers.JsonlSink.write
    monkeypatch.setattr(writers.CsvSink, "write", write)
    monkeypatch.setattr(writers.JsonlSink, "write", write)


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_a_failure_midway_leaves_no_file_and_no_temporary(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    _fail_on_third_row(monkeypatch)
    out = tmp_path / f"f.{fmt}"
    with pytest.raises(OSError, match="No space"):
        export_store(store, out, ExportSpec(), fmt=fmt)  # type: ignore[arg-type]
    assert _leftovers(tmp_path) == set()


def test_a_failure_midway_with_force_keeps_the_old_file(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "f.csv"
    out.write_text("old content\n")
    _fail_on_third_row(monkeypatch)
    with pytest.raises(OSError):
        export_store(store, out, ExportSpec(), force=True)
    assert out.read_text() == "old content\n"
    assert _leftovers(tmp_path) == {"f.csv"}


def test_a_failure_midway_in_a_split_export_leaves_nothing(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fail_on_third_row(monkeypatch)
    with pytest.raises(OSError):
        export_store(store, tmp_path / "out", ExportSpec(), split=True)
    assert _leftovers(tmp_path) == set()


def test_an_interrupt_midway_leaves_nothing(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(self: Any, row: ExportRow) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(writers.CsvSink, "write", interrupted)
    with pytest.raises(KeyboardInterrupt):
        export_store(store, tmp_path / "f.csv", ExportSpec())
    with pytest.raises(KeyboardInterrupt):
        export_store(store, tmp_path / "out", ExportSpec(), split=True)
    assert _leftovers(tmp_path) == set()


# -- overwriting ------------------------------------------------------------------------------


def test_an_existing_file_needs_force(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "f.csv"
    out.write_text("keep me\n")
    with pytest.raises(FileExistsError, match="already exists; use --force"):
        export_store(store, out, ExportSpec())
    assert out.read_text() == "keep me\n"
    result = export_store(store, out, ExportSpec(), force=True)
    assert result.rows == 6
    assert read_csv(out)[0][0] == "case_id"
    assert _leftovers(tmp_path) == {"f.csv"}


def test_the_store_itself_is_never_the_output(store: Store, tmp_path: Path) -> None:
    (tmp_path / "link.db").hardlink_to(tmp_path / "s.db")
    for name in ("s.db", "s.db-wal", "link.db"):
        with pytest.raises(ValueError, match="is the store itself"):
            export_store(store, tmp_path / name, ExportSpec(), force=True)
    assert store.query("SELECT count(*) FROM cases")[0][0] == 7


def test_a_folder_is_not_a_file_name(store: Store, tmp_path: Path) -> None:
    (tmp_path / "dir").mkdir()
    with pytest.raises(ValueError, match="is a folder"):
        export_store(store, tmp_path / "dir", ExportSpec(), force=True)


def test_a_missing_folder_is_named(store: Store, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        export_store(store, tmp_path / "nope" / "f.csv", ExportSpec())


# -- --excel ----------------------------------------------------------------------------------


def test_excel_writes_a_bom_and_plain_csv_does_not(store: Store, tmp_path: Path) -> None:
    export_store(store, tmp_path / "x.csv", ExportSpec(), excel=True)
    export_store(store, tmp_path / "p.csv", ExportSpec())
    excel_bytes = (tmp_path / "x.csv").read_bytes()
    assert excel_bytes.startswith(b"\xef\xbb\xbfcase_id,")
    assert (tmp_path / "p.csv").read_bytes().startswith(b"case_id,")
    assert excel_bytes[3:] == (tmp_path / "p.csv").read_bytes()
    assert read_csv(tmp_path / "x.csv", encoding="utf-8-sig") == read_csv(tmp_path / "p.csv")


def test_excel_is_for_csv_only(store: Store, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="--excel only applies to CSV"):
        export_store(store, tmp_path / "f.jsonl", ExportSpec(), fmt="jsonl", excel=True)


# -- --split-by-bucket ------------------------------------------------------------------------


def test_split_writes_one_file_per_final_bucket(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = export_store(store, out, ExportSpec(), split=True, excel=True)
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "unclear.csv",
        "unlabeled.csv",
        "unresolved.csv",
        "unsafe_pii.csv",
        "wrong_intent.csv",
    ]
    assert result.rows == 6
    assert sorted(p.name for p in result.files) == names
    wrong = read_csv_dicts(out / "wrong_intent.csv", encoding="utf-8-sig")
    assert [r["case_id"] for r in wrong] == ["c-agreed", "c-resolved"]
    # Every file has the same columns, and a BOM with --excel.
    headers = {tuple(read_csv(out / n, encoding="utf-8-sig")[0]) for n in names}
    assert len(headers) == 1
    assert all((out / n).read_bytes().startswith(b"\xef\xbb\xbf") for n in names)
    assert _leftovers(tmp_path) == {"out"}


def test_split_labels_by_label_bucket_as_jsonl(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "out"
    export_store(store, out, ExportSpec(what="labels"), split=True, fmt="jsonl")
    assert (out / "wrong_intent.jsonl").read_text().count("\n") == 4
    assert (out / "too_slow.jsonl").exists()


def test_split_file_names_are_safe_and_distinct(tmp_path: Path) -> None:
    with status_store(tmp_path) as store:
        with store.write() as conn:
            for position, key in enumerate(["../evil", "a/b", "a_b", "Other", "CON", "."]):
                conn.execute(
                    "INSERT INTO buckets (key, name, shortcut, position) VALUES (?, ?, ?, ?)",
                    (key, key, "ABCDEF"[position], 100 + position),
                )
        keys = ["../evil", "a/b", "a_b", "Other", "CON", "."]
        for seq, key in zip([1, 2, 3, 4, 6, 7], keys, strict=True):  # 5 is an old version
            label(store, seq, "zed", key)
        export_store(store, tmp_path / "out", ExportSpec(what="labels"), split=True)
    names = {p.name for p in (tmp_path / "out").iterdir()}
    assert "a_b.csv" in names
    assert len(names) == 6 + 6  # the six keys, and the six buckets of the fixture labels
    assert {n for n in names if n.startswith("_evil-")}
    assert len([n for n in names if n.startswith("a_b-")]) == 1
    assert any(n.startswith("CON-") for n in names)
    assert all("/" not in n and not n.startswith(".") for n in names)
    assert _leftovers(tmp_path) == {"out"}
    assert not list(tmp_path.glob("*evil*"))


def test_file_namer_keeps_case_insensitive_names_apart() -> None:
    namer = FileNamer(".csv")
    assert namer.name("other") == "other.csv"
    assert namer.name("Other").startswith("Other-")
    assert namer.name("other") == "other.csv"
    assert re.fullmatch(r"bucket-[0-9a-f]{8}", safe_file_stem(""))
    assert safe_file_stem("..").startswith("bucket-")


def test_split_into_an_existing_folder(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    export_store(store, out, ExportSpec(), split=True)  # an empty folder is fine
    (out / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="not empty; use --force"):
        export_store(store, out, ExportSpec(), split=True)
    (out / "stale.csv").write_text("old")
    export_store(store, out, ExportSpec(buckets=("unclear",)), split=True, force=True)
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "stale.csv").read_text() == "old"
    assert [r["case_id"] for r in read_csv_dicts(out / "unclear.csv")] == ["c-unclear"]
    assert {p.name for p in out.iterdir() if p.name.startswith(".")} == set()


def test_split_onto_a_file_is_refused(store: Store, tmp_path: Path) -> None:
    (tmp_path / "out").write_text("x")
    with pytest.raises(FileExistsError, match="is a file"):
        export_store(store, tmp_path / "out", ExportSpec(), split=True, force=True)


def test_split_with_no_rows_makes_an_empty_folder(store: Store, tmp_path: Path) -> None:
    result = export_store(
        store, tmp_path / "out", ExportSpec(slices=(("length", "none"),)), split=True
    )
    assert result.rows == 0
    assert list((tmp_path / "out").iterdir()) == []


def test_an_unreadable_store_is_a_store_error(tmp_path: Path) -> None:
    with status_store(tmp_path) as store:
        store.conn.execute("DROP VIEW case_status")
        with pytest.raises(StoreError):
            export_store(store, tmp_path / "f.csv", ExportSpec())
    assert _leftovers(tmp_path) == set()
    assert actor("x").account == "x-account"
