"""Export progress: the total is counted in the export's snapshot and the calls rise to it."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pytest
from export_fixtures import read_csv, status_store

import labeler.export.run as export_run
from labeler.export import ExportSpec, export_store
from labeler.export import rows as export_rows
from labeler.slice_filter import SliceFilter
from labeler.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """The store with one case of every status."""
    return status_store(tmp_path)


def export_with_progress(
    store: Store, out: Path, spec: ExportSpec, *, split: bool = False
) -> tuple[int, list[tuple[int, int]]]:
    calls: list[tuple[int, int]] = []
    result = export_store(
        store, out, spec, split=split, progress=lambda done, total: calls.append((done, total))
    )
    return result.rows, calls


@pytest.mark.parametrize("what", ["final", "labels", "events"])
@pytest.mark.parametrize("sliced", [False, True])
def test_the_total_is_the_number_of_rows_written(
    store: Store, tmp_path: Path, what: Literal["final", "labels", "events"], sliced: bool
) -> None:
    slices: tuple[SliceFilter, ...] = (("length", "long"),) if sliced else ()
    out = tmp_path / f"{what}.csv"
    rows, calls = export_with_progress(store, out, ExportSpec(what=what, slices=slices))
    assert rows == len(read_csv(out)) - 1
    assert calls[-1] == (rows, rows)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_a_bucket_filter_counts_only_its_rows(store: Store, tmp_path: Path) -> None:
    spec = ExportSpec(what="labels", buckets=("wrong_intent",))
    rows, calls = export_with_progress(store, tmp_path / "labels.csv", spec)
    assert 0 < rows < store.query("SELECT count(*) FROM labels")[0][0]
    assert calls == [(rows, rows)]


def test_progress_comes_every_few_thousand_rows(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_run, "PROGRESS_EVERY", 2)
    rows, calls = export_with_progress(store, tmp_path / "final.csv", ExportSpec())
    assert rows == 6
    assert calls == [(2, 6), (4, 6), (6, 6)]


def test_a_split_export_reports_progress_too(store: Store, tmp_path: Path) -> None:
    rows, calls = export_with_progress(store, tmp_path / "split", ExportSpec(), split=True)
    assert calls == [(rows, rows)]
    assert rows == 6


def test_no_progress_asked_means_no_count(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object) -> int:
        raise AssertionError("counted without a progress callback")

    monkeypatch.setattr(export_rows, "count_rows", refuse)
    assert export_store(store, tmp_path / "final.csv", ExportSpec()).rows == 6
