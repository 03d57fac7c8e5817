"""Opening a store: every wrong file is named in words and left untouched; migrations."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from labeler.identity import Actor
from labeler.store import (
    NotAStore,
    StoreError,
    StoreMissing,
    StorePermission,
    StoreTooNew,
    backup_store,
    create_store,
    open_store,
)
from labeler.store import connection as connection_module
from labeler.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

ACTOR = Actor(name="tester", account="tester", on_trust=False)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_create_records_application_id_version_and_wal(tmp_path: Path) -> None:
    store = create_store(tmp_path / "s.db", ACTOR)
    conn = store.conn
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    kinds = [r[0] for r in conn.execute("SELECT kind FROM events ORDER BY id")]
    assert kinds == ["store.create", "taxonomy.default"]
    assert not list(tmp_path.glob(".s.db.*")), "the temporary file was left behind"


def test_create_refuses_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "s.db"
    target.write_text("keep me")
    with pytest.raises(StoreError, match="already exists"):
        create_store(target, ACTOR)
    assert target.read_text() == "keep me"


def test_missing_store_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(StoreMissing, match="labeler init"):
        open_store(tmp_path / "nope.db")


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "empty file"),
        (b'{"id": "a", "input": "x", "output": "y"}\n', "JSON"),
        (b"id,input,output\n1,a,b\n", "CSV"),
        (b"\x00\x01\x02garbage" * 20, "binary"),
        (b"SQLite format 3\x00" + b"\x00" * 20, "truncated"),
    ],
)
def test_wrong_files_are_named_and_untouched(tmp_path: Path, content: bytes, words: str) -> None:
    path = tmp_path / "wrong.db"
    path.write_bytes(content)
    with pytest.raises(NotAStore, match=words):
        open_store(path)
    assert path.read_bytes() == content
    assert not Path(f"{path}-wal").exists()


def test_another_sqlite_database_is_not_a_store(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    before = digest(path)
    with pytest.raises(NotAStore, match="not a labeler store"):
        open_store(path)
    assert digest(path) == before


def test_damaged_store_is_named_damaged(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    create_store(path, ACTOR).close()
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # wreck the schema page, keep the header
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError, match="damaged"):
        store = open_store(path)
        store.query("SELECT count(*) FROM cases")


def test_newer_store_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    create_store(path, ACTOR).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.commit()
    conn.close()
    before = digest(path)
    with pytest.raises(StoreTooNew) as err:
        open_store(path)
    assert str(SCHEMA_VERSION + 5) in str(err.value) and str(SCHEMA_VERSION) in str(err.value)
    assert digest(path) == before


def test_the_schema_version_is_the_number_of_migrations() -> None:
    """``SCHEMA_VERSION`` is written as a number (opening a store builds no migration SQL):
    it must follow the list."""
    assert len(MIGRATIONS) == SCHEMA_VERSION


def test_older_store_is_migrated_in_one_transaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.db"
    create_store(path, ACTOR).close()
    extra = ["CREATE TABLE added_later (x INTEGER)", "ALTER TABLE buckets ADD COLUMN colour TEXT"]
    monkeypatch.setattr(connection_module, "migrations", lambda: [*MIGRATIONS, extra])
    monkeypatch.setattr(connection_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    import labeler.store.opening as opening

    monkeypatch.setattr(opening, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    store = open_store(path)
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    assert store.query("SELECT count(*) FROM added_later")[0][0] == 0
    kinds = [r[0] for r in store.query("SELECT kind FROM events")]
    assert "store.migrate" in kinds
    store.close()


def test_the_migration_notice_is_held_around_a_migration_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.db"
    create_store(path, ACTOR).close()
    seen: list[tuple[str, int, int, int]] = []

    @contextmanager
    def notice(from_version: int, to_version: int) -> Iterator[None]:
        conn = sqlite3.connect(path)
        before = conn.execute("PRAGMA user_version").fetchone()[0]
        seen.append(("enter", from_version, to_version, before))
        yield
        after = conn.execute("PRAGMA user_version").fetchone()[0]
        conn.close()
        seen.append(("exit", from_version, to_version, after))

    open_store(path, migration_notice=notice).close()
    assert seen == []  # a current store: nothing to say

    monkeypatch.setattr(
        connection_module, "migrations", lambda: [*MIGRATIONS, ["CREATE TABLE t (x)"]]
    )
    monkeypatch.setattr(connection_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    import labeler.store.opening as opening

    monkeypatch.setattr(opening, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    store = open_store(path, migration_notice=notice)
    # entered before the store changed, left after it was migrated
    assert seen == [
        ("enter", SCHEMA_VERSION, SCHEMA_VERSION + 1, SCHEMA_VERSION),
        ("exit", SCHEMA_VERSION, SCHEMA_VERSION + 1, SCHEMA_VERSION + 1),
    ]
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    store.close()


def test_failed_migration_leaves_the_old_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.db"
    create_store(path, ACTOR).close()
    broken = ["CREATE TABLE half_done (x)", "THIS IS NOT SQL"]
    monkeypatch.setattr(connection_module, "migrations", lambda: [*MIGRATIONS, broken])
    monkeypatch.setattr(connection_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    import labeler.store.opening as opening

    monkeypatch.setattr(opening, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(StoreError):
        open_store(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert "half_done" not in names
    conn.close()


def test_events_are_append_only(tmp_path: Path) -> None:
    store = create_store(tmp_path / "s.db", ACTOR)
    with pytest.raises(StoreError, match="append-only"), store.write() as conn:
        conn.execute("DELETE FROM events")
    with pytest.raises(StoreError, match="append-only"), store.write() as conn:
        conn.execute("UPDATE events SET actor = 'mallory'")
    assert store.query("SELECT count(*) FROM events")[0][0] == 2


def test_shared_store_is_group_writable(tmp_path: Path) -> None:
    store = create_store(tmp_path / "s.db", ACTOR, shared=True)
    with store.write() as conn:  # make sure the WAL files exist
        conn.execute("INSERT INTO settings VALUES ('k', 'v')")
    for name in ("s.db", "s.db-wal", "s.db-shm"):
        mode = (tmp_path / name).stat().st_mode
        assert mode & stat.S_IWGRP, f"{name} is not group-writable"
    store.close()


def test_backup_copies_a_live_store_with_its_wal(tmp_path: Path) -> None:
    store = create_store(tmp_path / "s.db", ACTOR)
    with store.write() as conn:
        conn.execute("INSERT INTO settings VALUES ('newest', 'yes')")
    backup_store(store, tmp_path / "copy.db")
    copy = open_store(tmp_path / "copy.db")
    assert copy.setting("newest") == "yes"
    with pytest.raises(StoreError, match="already exists"):
        backup_store(store, tmp_path / "copy.db")


def test_unwritable_store_explains_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests run as root, who may write anything: make os.access say what another user would see.
    path = tmp_path / "s.db"
    create_store(path, ACTOR).close()
    before = digest(path)
    real_access = os.access
    monkeypatch.setattr(
        os,
        "access",
        lambda p, mode: False if Path(p) == path and mode & os.W_OK else real_access(p, mode),
    )
    with pytest.raises(StorePermission) as err:
        open_store(path)
    message = str(err.value)
    assert "cannot write" in message and "s.db" in message
    assert "chmod g+rw" in message and "--shared" in message
    assert digest(path) == before


def test_unwritable_folder_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "s.db"
    create_store(path, ACTOR).close()
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode: False if Path(p) == tmp_path else real_access(p, mode)
    )
    with pytest.raises(StorePermission, match="-wal and -shm"):
        open_store(path)
