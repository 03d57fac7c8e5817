"""The store keeps SQLite's locks: opening the store again in the same process, or any other
check, never closes a descriptor of the store file (which would drop every POSIX lock the
process holds on it and let another process delete STORE-wal under a live connection)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from labeler.identity import Actor
from labeler.stats.store_info import store_info
from labeler.store import NotAStore, backup_store, create_store, open_store
from labeler.store.opening import refuse_store_file, wal_path

ACTOR = Actor(name="tester", account="tester", on_trust=False)


def open_and_close_elsewhere(path: Path) -> None:
    """Another process opens the store, reads and closes: the last one out deletes the WAL."""
    code = (
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
        "c.execute('SELECT count(*) FROM settings').fetchall(); c.close()"
    )
    subprocess.run([sys.executable, "-c", code, str(path)], check=True, timeout=30)


def add_setting(store_path: Path, key: str) -> None:
    store = open_store(store_path)
    try:
        with store.write() as conn:
            conn.execute("INSERT INTO settings (key, value) VALUES (?, 'v')", (key,))
    finally:
        store.close()


@pytest.mark.parametrize("second_open", ["open_store", "read_only", "info", "backup"])
def test_a_second_open_in_the_process_keeps_the_first_connections_locks(
    tmp_path: Path, second_open: str
) -> None:
    path = tmp_path / "s.db"
    create_store(path, ACTOR).close()
    live = open_store(path)
    with live.write() as conn:
        conn.execute("INSERT INTO settings (key, value) VALUES ('first', '1')")
    # What the review screen does a few times a second: open the store again, use it, close it.
    if second_open == "backup":
        backup_store(open_store(path, write=False), tmp_path / "copy.db")
    else:
        other = open_store(path, write=second_open != "read_only")
        if second_open == "info":
            store_info(other)
        other.close()
    open_and_close_elsewhere(path)
    assert wal_path(path).exists(), "another process deleted the WAL under a live connection"
    with live.write() as conn:
        conn.execute("INSERT INTO settings (key, value) VALUES ('second', '2')")
    open_and_close_elsewhere(path)
    live.close()
    check = open_store(path)
    try:
        assert check.setting("first") == "1"
        assert check.setting("second") == "2"
        assert check.query("PRAGMA integrity_check")[0][0] == "ok"
    finally:
        check.close()


def test_a_deleted_wal_is_reported_not_called_saved(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    create_store(path, ACTOR).close()
    live = open_store(path)
    with live.write() as conn:
        conn.execute("INSERT INTO settings (key, value) VALUES ('first', '1')")
    wal_path(path).unlink()  # what a careless `rm` or a broken peer does
    with pytest.raises(Exception, match="disappeared") as err, live.write() as conn:
        conn.execute("INSERT INTO settings (key, value) VALUES ('second', '2')")
    assert "damaged" not in str(err.value) and "backup" not in str(err.value)
    live.close()


def test_the_store_is_not_read_as_an_input_file(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    create_store(path, ACTOR).close()
    add_setting(path, "k")
    with pytest.raises(NotAStore, match="the store itself"):
        refuse_store_file(path, path)
    refuse_store_file(path, tmp_path / "other.jsonl")  # a missing or other file is fine
