"""`/` search: exact matches first (phrases across white space), then all words, then typos;
where each hit matched; the trigram index and the scan agree; hostile queries and texts; the
index is built incrementally and an old store migrates to it."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import labeler.review.search as search_module
import labeler.store.connection as connection_module
import labeler.store.opening as opening_module
from labeler.identity import Actor
from labeler.importing import import_files
from labeler.labels import set_label
from labeler.review.search import (
    EXACT_ID_SCORE,
    Hit,
    SearchProgress,
    build_index,
    search_cases,
)
from labeler.store import Store, StorePermission, create_store, open_store
from labeler.store import search_index as idx
from labeler.store.schema import MIGRATIONS, SCHEMA_VERSION

MakeStore = Callable[..., Store]
CaseDict = dict[str, Any]


def indexed(store: Store) -> Store:
    """Build the store's search index completely, and return the store."""
    build_index(store, batch_seconds=1.0)
    assert idx.index_state(store).complete
    return store


def both_ways(store: Store, query: str, **kwargs: Any) -> list[Hit]:
    """Search through the index and by scanning; both must give the same hits."""
    with_index = search_cases(store, query, **kwargs)
    scanned = search_cases(store, query, use_index=False, **kwargs)
    exact = [(h.case_id, h.kind, h.field) for h in with_index if h.kind != "typo"]
    assert exact == [(h.case_id, h.kind, h.field) for h in scanned if h.kind != "typo"]
    return with_index


def matched(hit: Hit) -> str:
    """The marked part of the hit's snippet."""
    return hit.snippet[hit.start : hit.end]


def test_fts5_with_the_trigram_tokenizer_is_available() -> None:
    assert idx.fts5_trigram_available(), sqlite3.sqlite_version


def test_a_word_finds_the_case_that_contains_it_first(make_store: MakeStore) -> None:
    # make_case cycles through 12 words: "zebrafish" is the word of case 7 only.
    store = indexed(make_store(n=12))
    hits = both_ways(store, "zebrafish", limit=3)
    first = hits[0]
    assert (first.case_id, first.kind, first.score) == ("case-007", "exact", 100)
    assert first.field == "input" and matched(first) == "zebrafish"
    assert first.snippet == "Question 7: what about my zebrafish? I asked on Monday."
    assert all(h.kind == "typo" and h.score < 100 for h in hits[1:])


def test_exact_phrase_then_all_words_then_typos(make_store: MakeStore) -> None:
    records = [
        {"id": "typo", "input": "Where is the refnud polcy?", "output": "ok"},
        {"id": "words", "input": "The policy on a refund is strict", "output": "ok"},
        {"id": "phrase", "input": "hello", "output": "See the Refund\n   POLICY, section 2."},
        {"id": "none", "input": "nothing to see", "output": "at all"},
    ]
    store = indexed(make_store(records))
    hits = both_ways(store, "refund policy")
    assert [(h.case_id, h.kind) for h in hits] == [
        ("phrase", "exact"),
        ("words", "words"),
        ("typo", "typo"),
    ]
    phrase, words, typo = hits
    assert phrase.field == "output" and matched(phrase) == "Refund\n   POLICY"
    assert words.field == "input" and matched(words).lower() == "refund"
    assert typo.field == "input" and 60 <= typo.score < 100


def test_exact_matches_come_in_store_order_before_any_typo(make_store: MakeStore) -> None:
    records = [
        {"id": f"c{i}", "input": "a parcel" if i % 2 else "a parcl", "output": ""}
        for i in range(30)
    ]
    store = indexed(make_store(records))
    hits = search_cases(store, "parcel", limit=10)
    assert [h.case_id for h in hits] == [f"c{i}" for i in range(1, 20, 2)]
    assert all(h.kind == "exact" for h in hits)
    more = search_cases(store, "parcel", limit=20)
    assert [h.kind for h in more] == ["exact"] * 15 + ["typo"] * 5


def test_a_phrase_of_common_words_is_found_among_many_near_misses(
    make_store: MakeStore,
) -> None:
    near = "please {a} verify {b} your {c} identity"
    records = [
        {"id": f"near-{i:02d}", "input": near.format(a=i, b=i, c=i), "output": "ok"}
        for i in range(60)
    ]
    records[45] = {"id": "the-one", "input": "x", "output": "Please verify  your\nidentity."}
    store = indexed(make_store(records))
    hits = search_cases(store, "please verify your identity", limit=5)
    assert (hits[0].case_id, hits[0].kind, hits[0].field) == ("the-one", "exact", "output")
    assert matched(hits[0]) == "Please verify  your\nidentity"
    assert [h.kind for h in hits[1:]] == ["words"] * 4
    inside = search_cases(store, "ease verify", limit=5)  # starts inside a word
    assert (inside[0].case_id, inside[0].kind) == ("the-one", "exact")
    # A store whose index has trigrams only (made by a development version) still answers.
    with store.write() as conn:
        conn.execute("DROP TABLE case_words")
    assert not idx.has_words(store)
    assert search_cases(store, "ease verify", limit=5)[0].case_id == "the-one"
    assert [h.kind for h in search_cases(store, "please verify your identity")][:2] == [
        "words",
        "words",
    ]
    assert build_index(store) == 0


def test_typos_in_a_phrase(make_store: MakeStore) -> None:
    records = [
        {"id": "far", "input": "chargeback then a dispute", "output": "ok"},
        {"id": "near", "input": "open a chargeback dispute now", "output": "ok"},
        {"id": "none", "input": "nothing", "output": "at all"},
    ]
    store = indexed(make_store(records))
    hits = search_cases(store, "chargeback dispuet")
    assert hits[0].case_id == "near" and hits[0].kind == "typo" and hits[0].score >= 90
    assert matched(hits[0]) == "chargeback dispute"


def test_a_typo_is_found(make_store: MakeStore) -> None:
    store = indexed(make_store(n=12))
    for query in ("zebrafsh", "zebrafiish", "zerbafish", "Zebarfish"):
        hits = search_cases(store, query, limit=3)
        assert hits[0].case_id == "case-007", query
        assert hits[0].kind == "typo" and hits[0].score >= 80, (query, hits[0])
        assert matched(hits[0]).lower().startswith("ze")
    # Each word is in the text, if not side by side: better than a typo.
    hits = search_cases(store, "ZEBRA FISH", limit=3)
    assert (hits[0].case_id, hits[0].kind) == ("case-007", "words")


def test_non_ascii_text_is_found_ignoring_case(make_store: MakeStore) -> None:
    records = [
        {"id": "zurich", "input": "Ship it to ZÜRICH please", "output": "Done."},
        {"id": "kanji", "input": "注文はまだですか", "output": "確認します"},
        {"id": "greek", "input": "Σίσυφος", "output": "ΣΊΣΥΦΟΣ"},
        {"id": "emoji", "input": "the 📦 parcel 👍🏽 arrived", "output": "ok"},
        {"id": "plain", "input": "nothing here", "output": "nothing"},
    ]
    store = indexed(make_store(records))
    assert [h.case_id for h in both_ways(store, "zürich") if h.kind == "exact"] == ["zurich"]
    kanji = both_ways(store, "注文")  # two characters: no trigram, scanned
    assert [(h.case_id, h.kind) for h in kanji] == [("kanji", "exact")]
    assert [h.case_id for h in both_ways(store, "確認します")] == ["kanji"]
    assert both_ways(store, "σίσυφος")[0].case_id == "greek"
    emoji = both_ways(store, "📦 parcel 👍🏽")
    assert emoji[0].case_id == "emoji" and matched(emoji[0]) == "📦 parcel 👍🏽"


def test_the_case_with_that_id_comes_first(make_store: MakeStore) -> None:
    store = indexed(make_store(n=30))
    calls: list[SearchProgress] = []
    hits = search_cases(store, " case-021 ", on_progress=calls.append)
    assert [h.case_id for h in calls[0].hits] == ["case-021"]  # before any other step
    assert (hits[0].case_id, hits[0].kind, hits[0].score) == ("case-021", "id", EXACT_ID_SCORE)
    assert [h.case_id for h in hits].count("case-021") == 1
    assert calls[-1].done and not any(c.done for c in calls[:-1])
    # Part of an id is an exact match in the id.
    part = both_ways(store, "se-02")
    assert {h.case_id for h in part if h.kind == "exact"} >= {f"case-02{i}" for i in range(10)}
    assert all(h.field == "id" for h in part if h.kind == "exact")


HOSTILE_QUERIES = [
    '"',
    '""',
    "*",
    "a*",
    "NEAR(a b)",
    "AND",
    "x OR y",
    "NOT z",
    "-abc",
    "^abc",
    "col:abc",
    "{a b}",
    "(((",
    "[/INST]",
    "[@click=app.quit]x[/]",
    "\x1b[2J",
    "a\x00b",
    "\\",
    "%_%",
    "'; DROP TABLE cases; --",
    "\u202e evil",
    "x" * 10_000,
    "é" * 300,
]


@pytest.mark.parametrize("query", HOSTILE_QUERIES, ids=range(len(HOSTILE_QUERIES)))
def test_hostile_queries_are_plain_text(make_store: MakeStore, query: str) -> None:
    store = indexed(make_store(n=5))
    for use_index in (True, False):
        hits = search_cases(store, query, use_index=use_index)
        assert all(isinstance(h, Hit) for h in hits)
    assert store.query("SELECT count(*) FROM cases")[0][0] == 5


def test_hostile_texts_are_found_literally(
    make_store: MakeStore, hostile_records: list[CaseDict]
) -> None:
    store = indexed(make_store(hostile_records, name="hostile.db"))
    for record in hostile_records:
        case_id = str(record["id"])
        hits = search_cases(store, case_id)
        assert hits and hits[0].case_id == case_id, case_id
    markup = [r for r in hostile_records if "[@click" in json.dumps(r["output"])]
    for record in markup:
        text = str(record["output"])
        start = text.index("[@click")
        query = text[start : start + 20]
        hits = both_ways(store, query)
        assert any(h.case_id == record["id"] and h.kind == "exact" for h in hits), query


def test_only_the_current_version_is_searched(
    make_store: MakeStore, make_actor: Callable[[str], Actor], tmp_path: Path
) -> None:
    store = indexed(make_store(n=3))
    updated = tmp_path / "updated.jsonl"
    record = {"id": "case-002", "input": "a quokka asks", "output": "about a quokka"}
    updated.write_text(json.dumps(record) + "\n", encoding="utf-8")
    assert import_files(store, [updated], make_actor("importer"), update=True).updated == 1
    (old_seq,), (new_seq,) = (
        tuple(r)
        for r in store.query("SELECT seq FROM cases WHERE case_id = 'case-002' ORDER BY version")
    )
    for _ in range(2):  # the new version scanned, then indexed
        hits = both_ways(store, "quokka", limit=1)
        assert (hits[0].seq, hits[0].kind) == (new_seq, "exact")
        old_words = both_ways(store, "Question 2: what about my parcel")
        assert old_seq not in {h.seq for h in old_words}
        assert all(h.kind == "typo" for h in old_words)
        assert search_cases(store, "case-002")[0].seq == new_seq
        build_index(store)


def test_notes_and_labels_are_never_searched(
    make_store: MakeStore, make_actor: Callable[[str], Actor]
) -> None:
    store = indexed(make_store(n=3))
    set_label(store, 2, make_actor("alice"), "other", expected_version=None, note="flamingo42")
    for use_index in (True, False):
        assert search_cases(store, "flamingo42", use_index=use_index) == []
        hits = search_cases(store, "other", use_index=use_index)
        assert all("alice" not in h.snippet and "flamingo" not in h.snippet for h in hits)


def test_it_stops_when_asked_and_reports_scan_progress_by_chunk(
    make_store: MakeStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_module, "CHUNK", 4)
    monkeypatch.setattr(search_module, "FIRST_CHUNK", 4)
    store = make_store(n=10)  # not indexed: every case is scanned
    progress: list[SearchProgress] = []
    search_cases(store, "xylophone", on_progress=progress.append)
    scans = [(p.scanned, p.to_scan) for p in progress if p.step == "scanning"]
    assert scans == [(0, 10), (4, 10), (8, 10), (10, 10)]
    progress.clear()
    search_cases(
        store,
        "xylophone",
        should_stop=lambda: any(p.scanned for p in progress),
        on_progress=progress.append,
    )
    assert [p.scanned for p in progress if p.step == "scanning"] == [0, 4]
    assert not any(p.done for p in progress)


def test_limit_and_an_empty_query(make_store: MakeStore) -> None:
    store = indexed(make_store(n=12))
    assert len(search_cases(store, "your", limit=5)) == 5
    assert search_cases(store, "   ") == []
    assert search_cases(store, "") == []


def test_the_index_is_built_incrementally_and_new_cases_are_scanned_meanwhile(
    make_store: MakeStore, make_cases: Callable[..., list[CaseDict]], add_cases: Any
) -> None:
    store = make_store(n=10)
    assert idx.index_state(store) == idx.IndexState(0, 10, 10)
    reported: list[tuple[int, int]] = []
    assert build_index(store, on_progress=lambda d, t: reported.append((d, t))) == 10
    assert reported[0] == (0, 10) and reported[-1] == (10, 10)
    add_cases(store, make_cases(5, start=11, input="a brand new walrus"), store_actor())
    state = idx.index_state(store)
    assert (state.indexed_through, state.pending, state.complete) == (10, 5, False)
    hits = search_cases(store, "walrus")  # found by the scan of the 5 new cases
    assert [h.case_id for h in hits] == [f"case-{i:03d}" for i in range(11, 16)]
    assert build_index(store) == 5 and idx.index_state(store).complete
    assert [h.case_id for h in search_cases(store, "walrus")] == [
        f"case-{i:03d}" for i in range(11, 16)
    ]
    assert build_index(store) == 0


def test_a_batch_is_one_short_transaction(make_store: MakeStore) -> None:
    store = make_store(n=10)
    assert idx.index_next(store, 3) == (3, 3)
    assert idx.index_next(store, 0) == (1, 4)  # at least one
    assert idx.index_next(store, 100) == (6, 10)
    assert idx.index_next(store, 100) == (0, 10)


def test_the_index_builder_thread_fills_the_index(make_store: MakeStore) -> None:
    store = make_store(n=20)
    builder = search_module.IndexBuilder(store.path)
    builder.start()
    builder.stop(timeout=30)  # stops after the batch it is in...
    builder.start()  # ...and a new start catches up
    assert builder._thread is not None
    builder._thread.join(30)
    assert builder.progress.state == "done" and builder.progress.error is None
    assert idx.index_state(store).complete


def test_the_index_builder_of_a_read_only_store_says_so(
    make_store: MakeStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = make_store(n=3)

    def refuse(path: Path, **kwargs: Any) -> Store:
        raise StorePermission(f"{path} is read-only for you")

    monkeypatch.setattr(search_module, "open_store", refuse)
    builder = search_module.IndexBuilder(store.path)
    builder.start()
    assert builder._thread is not None
    builder._thread.join(30)
    assert builder.progress.state == "read-only"
    assert "read-only for you" in str(builder.progress.error)
    assert search_cases(store, "parcel")[0].case_id == "case-002"  # scanned


def store_actor() -> Actor:
    return Actor(name="importer", account="importer", on_trust=True)


def _search_migration() -> int:
    """The number (1-based) of the migration that adds the search index."""
    for number, statements in enumerate(MIGRATIONS, start=1):
        if any("case_search" in statement for statement in statements):
            return number
    raise AssertionError("no migration creates case_search")


def test_a_store_from_before_the_index_migrates_and_is_indexed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    number = _search_migration()
    old = number - 1
    path = tmp_path / "old.db"
    with monkeypatch.context() as patch:
        patch.setattr(connection_module, "migrations", lambda: MIGRATIONS[:old])
        patch.setattr(connection_module, "SCHEMA_VERSION", old)
        patch.setattr(opening_module, "SCHEMA_VERSION", old)
        store = create_store(path, store_actor())
        with store.write() as conn:  # cases as a labeler of that version wrote them
            conn.execute(
                "INSERT INTO imports (id, file_name, sha256, format, imported_at, actor, account,"
                " records, inserted, updated, unchanged, skipped) VALUES (1, 'old.jsonl', '0',"
                " 'jsonl', '2026-01-01', 'x', 'x', 3, 3, 0, 0, 0)"
            )
            for seq, (kind, text) in enumerate(
                [
                    ("text", "my parcel is late"),
                    ("chat", json.dumps([{"role": "user", "content": "where is my walrus"}])),
                    ("text", "an invoice question"),
                ],
                start=1,
            ):
                conn.execute(
                    "INSERT INTO cases (seq, case_id, content_hash, import_id, imported_at)"
                    " VALUES (?, ?, ?, 1, '2026-01-01')",
                    (seq, f"old-{seq}", f"h{seq}"),
                )
                conn.execute(
                    "INSERT INTO case_texts (case_seq, input_kind, input, output)"
                    " VALUES (?, ?, ?, 'answer')",
                    (seq, kind, text),
                )
        assert store.query("PRAGMA user_version")[0][0] == old
        assert not store.query("SELECT 1 FROM sqlite_master WHERE name = 'case_search'")
        store.close()
    store = open_store(path)
    assert store.query("PRAGMA user_version")[0][0] == SCHEMA_VERSION
    migrated = [
        json.loads(r[0])
        for r in store.query("SELECT detail FROM events WHERE kind = 'store.migrate'")
    ]
    assert migrated == [{"from": old, "to": SCHEMA_VERSION}]
    assert idx.index_state(store) == idx.IndexState(0, 3, 3)  # empty: filled later
    assert idx.has_words(store)
    walrus = search_cases(store, "walrus")  # scanned
    assert [(h.case_id, h.kind, h.field) for h in walrus] == [("old-2", "exact", "input")]
    assert walrus[0].snippet == "where is my walrus"  # a chat's text, not its JSON
    assert build_index(store) == 3 and idx.index_state(store).complete
    assert [h.case_id for h in search_cases(store, "walrus")] == ["old-2"]
    assert search_cases(store, "role") == [] or all(
        h.kind == "typo" for h in search_cases(store, "role")
    )
    store.close()
