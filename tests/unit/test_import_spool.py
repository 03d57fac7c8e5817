"""The import's spool on a disk that fills up: a worded error, found before the write lock, and
nothing written or left behind. (``tests/fault/test_disk_full.py`` does it on a real tmpfs.)"""

from __future__ import annotations

import errno
import io
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from labeler.cli import main
from labeler.identity import Actor
from labeler.importing import import_files
from labeler.importing import importer as importer_module
from labeler.importing.spool import Spool, SpoolError, SpoolFull
from labeler.store import Store, StoreFull, create_store

ACTOR = Actor(name="tester", account="tester", on_trust=False)


class FillingFile(io.BytesIO):
    """A temporary file on a disk with ``room`` bytes left; then ``error`` on every write."""

    def __init__(self, room: int, error: int = errno.ENOSPC) -> None:
        super().__init__()
        self.room = room
        self.error = error

    def write(self, data: Any) -> int:
        if self.tell() + len(data) > self.room:
            raise OSError(
                self.error, "No space left on device" if self.error == errno.ENOSPC else ""
            )
        return super().write(data)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    made = create_store(tmp_path / "s.db", ACTOR)
    yield made
    made.close()


def small_disk(monkeypatch: pytest.MonkeyPatch, room: int, error: int = errno.ENOSPC) -> None:
    monkeypatch.setattr(tempfile, "TemporaryFile", lambda **_: FillingFile(room, error))


def cases(tmp_path: Path, n: int = 1200) -> Path:
    path = tmp_path / "cases.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            f.write(json.dumps({"id": f"c{i}", "input": "x" * 200, "output": "o"}) + "\n")
    return path


def test_rows_come_back_in_order(tmp_path: Path) -> None:
    with Spool(tmp_path) as spool:
        rows = [("new", 0, i, f"c{i}", b"\xc3\xa9" * i, None) for i in range(1203)]
        for row in rows:
            spool.add(row)
        spool.seal()
        assert [row for batch in spool.batches() for row in batch] == rows


def test_a_full_disk_is_a_store_full_error_naming_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small_disk(monkeypatch, room=10_000)
    spool = Spool(tmp_path)
    with pytest.raises(SpoolFull) as info:
        for i in range(2000):
            spool.add(("new", 0, i, "x" * 100))
    spool.close()
    assert isinstance(info.value, StoreFull)
    message = str(info.value)
    assert message.startswith(f"the disk holding {tmp_path} (the disk mounted at ")
    assert "is full (No space left on device)" in message
    assert "temporary file" in message and "Nothing was written to the store" in message


def test_another_write_error_is_a_spool_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small_disk(monkeypatch, room=0, error=errno.EIO)
    spool = Spool(tmp_path)
    spool.add(("new", 0, 1, "x"))
    with pytest.raises(SpoolError) as info:
        spool.seal()
    spool.close()
    assert not isinstance(info.value, SpoolFull)
    assert f"could not write the import's temporary file in {tmp_path}" in str(info.value)


def test_no_temporary_file_can_be_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(**_: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "TemporaryFile", refuse)
    with pytest.raises(SpoolError, match="could not create the import's temporary file"):
        Spool(tmp_path)


def test_the_disk_fills_before_the_write_lock_is_taken(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last rows are pushed to the disk at the end of the check phase: a full disk is
    found there, and the store's write lock is never taken."""
    path = cases(tmp_path, n=10)  # less than one batch: held in memory until the seal
    small_disk(monkeypatch, room=100)

    def no_write(*_: object, **__: object) -> None:
        raise AssertionError("the write phase started")

    monkeypatch.setattr(importer_module, "write_checked", no_write)
    with pytest.raises(SpoolFull):
        import_files(store, [path], ACTOR)
    assert store.query("SELECT count(*) FROM cases")[0][0] == 0
    assert store.query("SELECT count(*) FROM imports")[0][0] == 0


def test_cli_import_on_a_full_disk_exits_1_with_the_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small_disk(monkeypatch, room=50_000)
    new_store = tmp_path / "new.db"
    result = CliRunner().invoke(main, ["import", str(new_store), str(cases(tmp_path))])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "is full" in result.output and "temporary file" in result.output
    assert not new_store.exists()  # the store made for this import went too
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.jsonl"]
