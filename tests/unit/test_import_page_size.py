"""Imports work whatever the store's page size, and never change it.

New stores have SQLite's 4096-byte pages; 64 KB pages halve an import's insert cost
(benchmarks/bench_import_sqlite.py, HISTORY.md) and may become the default for new stores, so a
store with either page size, made at the current or the previous schema version, must open,
migrate, import and stay intact."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from labeler.identity import Actor
from labeler.importing import import_files
from labeler.store import create_store, open_store
from labeler.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

ACTOR = Actor(name="tester", account="tester", on_trust=False)


def _cases(path: Path, ids: range, size: int = 9000) -> Path:
    with path.open("w", encoding="utf-8") as f:
        for i in ids:
            case = {"id": f"c{i}", "input": f"q{i} " + "é" * size, "output": "a" * 300}
            f.write(json.dumps(case, ensure_ascii=False) + "\n")
    return path


def _pragma(path: Path, name: str) -> object:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        conn.close()


def _made_by_hand(path: Path, version: int, page_size: int) -> Path:
    """A store made by hand with ``page_size`` pages at schema ``version``, in WAL mode."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA page_size = {page_size}")
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("BEGIN")
    for migration in MIGRATIONS[:version]:
        for statement in migration:
            conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {version}")
    conn.execute("COMMIT")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    return path


def test_a_new_store_is_in_wal_mode_and_imports(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    create_store(path, ACTOR).close()
    assert _pragma(path, "page_size") == 4096
    assert str(_pragma(path, "journal_mode")).lower() == "wal"
    store = open_store(path)
    try:
        result = import_files(store, [_cases(tmp_path / "a.jsonl", range(40))], ACTOR)
        assert result.committed
        assert store.query("SELECT count(*) FROM case_texts")[0][0] == 40
        assert store.query("PRAGMA integrity_check")[0][0] == "ok"
    finally:
        store.close()


@pytest.mark.parametrize("page_size", [4096, 65536])
def test_a_store_of_the_previous_version_opens_migrates_and_imports(
    tmp_path: Path, page_size: int
) -> None:
    path = _made_by_hand(tmp_path / "old.db", SCHEMA_VERSION - 1, page_size)
    store = open_store(path)  # migrates the last step in one transaction
    try:
        assert store.query("PRAGMA user_version")[0][0] == SCHEMA_VERSION
        first = import_files(store, [_cases(tmp_path / "a.jsonl", range(30))], ACTOR)
        assert first.committed and first.files[0].inserted == 30
        again = import_files(store, [_cases(tmp_path / "b.jsonl", range(20, 50))], ACTOR)
        assert again.committed
        assert again.files[0].inserted == 20 and again.files[0].unchanged == 10
        assert store.query("SELECT count(*) FROM cases")[0][0] == 50
        assert store.query("PRAGMA integrity_check")[0][0] == "ok"
    finally:
        store.close()
    assert _pragma(path, "page_size") == page_size  # never rewritten behind the user's back


@pytest.mark.parametrize("page_size", [4096, 65536])
def test_a_store_of_the_current_version_imports_big_cases(tmp_path: Path, page_size: int) -> None:
    path = _made_by_hand(tmp_path / "old.db", SCHEMA_VERSION, page_size)
    store = open_store(path)
    try:
        cases = _cases(tmp_path / "a.jsonl", range(25), size=70_000)  # bigger than a page
        result = import_files(store, [cases], ACTOR)
        assert result.committed
        texts = store.query("SELECT input FROM case_texts ORDER BY case_seq")
        assert [t[0] for t in texts] == [f"q{i} " + "é" * 70_000 for i in range(25)]
        assert store.query("PRAGMA integrity_check")[0][0] == "ok"
    finally:
        store.close()
    assert _pragma(path, "page_size") == page_size
