"""Fuzzy search over ids, inputs and outputs: ranking, the exact id first, current versions only,
stopping early, and progress as it goes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

import labeler.search as search_module
from labeler.identity import Actor
from labeler.importing import import_files
from labeler.search import EXACT_ID_SCORE, Hit, search_cases
from labeler.store import Store

MakeStore = Callable[..., Store]


def test_a_word_finds_the_cases_that_contain_it(make_store: MakeStore) -> None:
    # make_case cycles through 12 words: "zebrafish" is the word of case 7 only.
    store = make_store(n=12)
    hits = search_cases(store, "zebrafish", limit=3)
    assert hits[0].case_id == "case-007"
    assert hits[0].score == 100
    assert all(hit.score < 100 for hit in hits[1:])
    assert hits[0].snippet.startswith("Question 7: what about my zebrafish?")


def test_the_case_with_that_id_comes_first_before_the_scan(make_store: MakeStore) -> None:
    store = make_store(n=30)
    calls: list[tuple[int, list[Hit]]] = []
    hits = search_cases(store, "case-021", on_progress=lambda n, h: calls.append((n, h)))
    scanned, first_hits = calls[0]
    assert scanned == 0 and [h.case_id for h in first_hits] == ["case-021"]
    assert hits[0].case_id == "case-021" and hits[0].score == EXACT_ID_SCORE
    assert [h.case_id for h in hits].count("case-021") == 1  # not again from the scan
    assert calls[-1][0] == 30


def test_only_the_current_version_is_searched(
    make_store: MakeStore, make_actor: Callable[[str], Actor], tmp_path: Path
) -> None:
    store = make_store(n=3)
    updated = tmp_path / "updated.jsonl"
    record = {"id": "case-002", "input": "a quokka asks", "output": "about a quokka"}
    updated.write_text(json.dumps(record) + "\n", encoding="utf-8")
    assert import_files(store, [updated], make_actor("importer"), update=True).updated == 1
    (old_seq,), (new_seq,) = (
        tuple(r)
        for r in store.query("SELECT seq FROM cases WHERE case_id = 'case-002' ORDER BY version")
    )
    hits = search_cases(store, "quokka", limit=1)
    assert (hits[0].seq, hits[0].score) == (new_seq, 100)
    # The old version's words ("Question 2: what about my parcel?") are not found any more.
    old_words = search_cases(store, "Question 2: what about my parcel", limit=10)
    assert old_seq not in {h.seq for h in old_words}
    assert all(h.score < 100 for h in old_words)
    assert search_cases(store, "case-002")[0].seq == new_seq


def test_it_stops_when_asked_and_reports_progress_by_chunk(
    make_store: MakeStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_module, "CHUNK", 4)
    store = make_store(n=10)
    progress: list[int] = []
    search_cases(store, "parcel", on_progress=lambda n, h: progress.append(n))
    assert progress == [4, 8, 10]
    progress.clear()
    search_cases(
        store,
        "parcel",
        should_stop=lambda: len(progress) >= 1,
        on_progress=lambda n, h: progress.append(n),
    )
    assert progress == [4]


def test_limit_and_an_empty_query(make_store: MakeStore) -> None:
    store = make_store(n=12)
    assert len(search_cases(store, "your", limit=5)) == 5
    assert search_cases(store, "   ") == []
