"""Tests for labeler.atomic_file: the final name only ever holds a complete file."""

from __future__ import annotations

import ast
import csv
import errno
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from labeler import atomic_file
from labeler.atomic_file import atomic_write


class Boom(Exception):
    """Raised inside a write block to simulate a failure."""


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _names(folder: Path) -> list[str]:
    return sorted(entry.name for entry in folder.iterdir())


def test_success_writes_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "export.csv"
    with atomic_write(target) as handle:
        handle.write("a,b\r\n1,2\n")
        # Nothing under the final name while writing.
        assert not target.exists()
        temporaries = [name for name in _names(tmp_path) if name.endswith(".tmp")]
        assert len(temporaries) == 1
        assert temporaries[0].startswith(".export.csv.")
    assert target.read_bytes() == b"a,b\r\n1,2\n"  # newline="" keeps line endings as written
    assert _names(tmp_path) == ["export.csv"]


def test_text_encoding_and_csv(tmp_path: Path) -> None:
    target = tmp_path / "cases.csv"
    rows = [["id", "text"], ["c1", 'line1\r\nline2, "quoted" 日本語']]
    with atomic_write(target) as handle:
        csv.writer(handle).writerows(rows)
    with target.open(encoding="utf-8", newline="") as handle:
        assert list(csv.reader(handle)) == rows


def test_exception_leaves_no_partial_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "export.csv"
    with pytest.raises(Boom), atomic_write(target) as handle:
        handle.write("half of the rows")
        raise Boom
    assert _names(tmp_path) == []


def test_exception_leaves_existing_file_untouched(tmp_path: Path) -> None:
    target = tmp_path / "export.csv"
    target.write_text("old complete export", encoding="utf-8")
    with pytest.raises(Boom), atomic_write(target, overwrite=True) as handle:
        handle.write("new half")
        raise Boom
    assert target.read_text(encoding="utf-8") == "old complete export"
    assert _names(tmp_path) == ["export.csv"]


def test_keyboard_interrupt_also_cleans_up(tmp_path: Path) -> None:
    target = tmp_path / "export.csv"
    with pytest.raises(KeyboardInterrupt), atomic_write(target) as handle:
        handle.write("x")
        raise KeyboardInterrupt
    assert _names(tmp_path) == []


def test_existing_file_not_overwritten(tmp_path: Path) -> None:
    target = tmp_path / "export.csv"
    target.write_text("keep me", encoding="utf-8")
    entered = False
    with pytest.raises(FileExistsError), atomic_write(target):
        entered = True
    assert not entered  # refused before anything was written
    assert target.read_text(encoding="utf-8") == "keep me"
    assert _names(tmp_path) == ["export.csv"]


def test_existing_symlink_not_overwritten(tmp_path: Path) -> None:
    target = tmp_path / "link.csv"
    target.symlink_to(tmp_path / "missing.csv")
    with pytest.raises(FileExistsError), atomic_write(target):
        pass
    assert target.is_symlink()


def test_file_appearing_during_write_is_not_clobbered(tmp_path: Path) -> None:
    target = tmp_path / "export.csv"
    with pytest.raises(FileExistsError), atomic_write(target) as handle:
        handle.write("ours")
        target.write_text("theirs", encoding="utf-8")  # another process wins the race
    assert target.read_text(encoding="utf-8") == "theirs"
    assert _names(tmp_path) == ["export.csv"]


def test_overwrite_replaces(tmp_path: Path) -> None:
    target = tmp_path / "export.csv"
    target.write_text("old", encoding="utf-8")
    with atomic_write(target, overwrite=True) as handle:
        handle.write("new")
    assert target.read_text(encoding="utf-8") == "new"
    assert _names(tmp_path) == ["export.csv"]


def test_binary_mode(tmp_path: Path) -> None:
    target = tmp_path / "blob.bin"
    data = bytes(range(256)) * 10
    with atomic_write(target, mode="wb") as handle:
        handle.write(data)
    assert target.read_bytes() == data


def test_bad_mode_rejected(tmp_path: Path) -> None:
    for mode in ("a", "r", "w+", "x"):
        with pytest.raises(ValueError, match="mode"), atomic_write(tmp_path / "f", mode=mode):
            pass
    assert _names(tmp_path) == []


def test_unknown_encoding_cleans_up(tmp_path: Path) -> None:
    with pytest.raises(LookupError), atomic_write(tmp_path / "f", encoding="no-such-codec"):
        pass
    assert _names(tmp_path) == []


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError), atomic_write(tmp_path / "nope" / "f.csv"):
        pass


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
@pytest.mark.parametrize(("umask", "expected"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_mode_follows_umask(tmp_path: Path, umask: int, expected: int) -> None:
    old = os.umask(umask)
    try:
        target = tmp_path / "export.csv"
        with atomic_write(target) as handle:
            handle.write("x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == expected


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_overwrite_gets_new_file_mode(tmp_path: Path, umask_022: None) -> None:
    target = tmp_path / "export.csv"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o600)
    with atomic_write(target, overwrite=True) as handle:
        handle.write("new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_failed_fsync_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A full disk at the last moment: the final name is untouched, the temporary removed."""
    target = tmp_path / "export.csv"
    target.write_text("old", encoding="utf-8")

    def no_space(descriptor: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(OSError, match="No space"), atomic_write(target, overwrite=True) as handle:
        handle.write("new")
    monkeypatch.undo()
    assert target.read_text(encoding="utf-8") == "old"
    assert _names(tmp_path) == ["export.csv"]


def test_failed_rename_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "export.csv"

    def failing_replace(source: object, destination: object) -> None:
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="I/O error"), atomic_write(target, overwrite=True) as h:
        h.write("new")
    monkeypatch.undo()
    assert _names(tmp_path) == []


def test_without_hard_links_falls_back_to_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "export.csv"

    def no_links(source: object, destination: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    with atomic_write(target) as handle:
        handle.write("data")
    assert target.read_text(encoding="utf-8") == "data"
    assert _names(tmp_path) == ["export.csv"]


def test_caller_may_close_the_handle(tmp_path: Path) -> None:
    target = tmp_path / "export.csv"
    with atomic_write(target) as handle:
        handle.write("data")
        handle.close()
    assert target.read_text(encoding="utf-8") == "data"
    assert _names(tmp_path) == ["export.csv"]


def test_accepts_str_path(tmp_path: Path) -> None:
    target = tmp_path / "export.csv"
    with atomic_write(str(target)) as handle:  # type: ignore[arg-type]
        handle.write("x")
    assert target.read_text(encoding="utf-8") == "x"


def test_module_imports_only_stdlib() -> None:
    tree = ast.parse(Path(atomic_file.__file__).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        for name in names:
            assert name.split(".")[0] in sys.stdlib_module_names | {"__future__"}, name
