"""Running an export: one snapshot of the store, written so that no half-file is ever kept.

One file: the rows are written through `labeler.atomic_file.atomic_write` (a temporary file in
the same folder, fsynced, renamed onto the final name at the end). An existing file is only
replaced with ``force``.

Split by bucket (one file per final bucket, in the folder OUT):

* OUT does not exist: every file is written into a temporary folder beside OUT
  (``.OUT.<random>.partial``), and that folder is renamed to OUT at the end, in one step. An
  interrupted export leaves no OUT at all.
* OUT is an empty folder, or any folder with ``force``: the files are written into a temporary
  folder inside OUT and, once all are complete, moved into OUT one by one, each in one atomic
  step. A crash during those moves can leave some files new and some old, never a half file.
  Other files in OUT are left alone (also a file for a bucket that has no cases any more).

Both passes over the store (the column set, then the rows) run in one read transaction, so the
export is one consistent state even while reviewers keep labeling.

This module is part of the pure core: standard library only.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final, Literal

from labeler.atomic_file import atomic_write, fsync_folder
from labeler.export import rows as export_rows
from labeler.export.rows import PSEUDO_BUCKETS, Columns, ExportSpec
from labeler.export.writers import CsvSink, FileNamer, JsonlSink, RowSink
from labeler.store import export_queries
from labeler.store.connection import Store, translate_error
from labeler.store.opening import shown
from labeler.text.display import safe_inline

__all__ = ["ExportResult", "Format", "export_store", "format_for"]

Format = Literal["csv", "jsonl"]
Progress = Callable[[int, int], None]
"""``progress(rows done, rows in all)``."""
PROGRESS_EVERY: Final = 5_000
_SUFFIX: Final[dict[str, str]] = {"csv": ".csv", "jsonl": ".jsonl"}


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote."""

    rows: int
    destination: Path
    files: tuple[Path, ...]


def format_for(path: Path) -> Format:
    """The format a file name implies: ``.jsonl`` / ``.ndjson`` is JSON lines, anything else CSV."""
    return "jsonl" if path.suffix.lower() in (".jsonl", ".ndjson") else "csv"


def _sink_for(handle: IO[Any], fmt: Format, columns: Columns) -> RowSink:
    if fmt == "jsonl":
        return JsonlSink(handle, columns.names)
    return CsvSink(handle, columns.names)


def _check_not_store(store: Store, out: Path) -> None:
    """Refuse to write over the store itself (or its -wal / -shm files)."""
    store_file = store.path.resolve()
    targets = {store_file, Path(f"{store_file}-wal"), Path(f"{store_file}-shm")}
    same = out.resolve() in targets
    with contextlib.suppress(OSError):
        same = same or os.path.samefile(out, store_file)  # e.g. a hard link to the store
    if same:
        raise ValueError(f"{shown(out)} is the store itself; choose another output name")


def check_buckets(conn: sqlite3.Connection, spec: ExportSpec) -> None:
    """Raise ValueError naming any ``--bucket`` that this store does not have."""
    known = export_queries.bucket_keys(conn)
    if spec.what == "final":
        known.update(PSEUDO_BUCKETS)
    unknown = [b for b in spec.buckets if b not in known]
    if unknown:
        names = ", ".join(f"'{safe_inline(b, 60)}'" for b in unknown)
        choices = ", ".join(safe_inline(b, 60) for b in sorted(known))
        raise ValueError(f"no bucket {names} in this store; choose from: {choices}")


def _check_spec(spec: ExportSpec, split: bool) -> None:
    if spec.what == "events" and spec.buckets:
        raise ValueError("--bucket does not apply to --what events (events have no bucket)")
    if spec.what == "events" and split:
        raise ValueError("--split-by-bucket does not apply to --what events")
    if spec.what == "events" and spec.with_text:
        raise ValueError(
            "--with-text does not apply to --what events (the audit log holds no case texts); "
            "use --what final or --what labels"
        )


@contextlib.contextmanager
def _pinned_snapshot(store: Store) -> Iterator[sqlite3.Connection]:
    """A read transaction whose snapshot is taken now, before any column or row query."""
    with store.snapshot() as conn:
        export_queries.pin_snapshot(conn)
        yield conn


def export_store(
    store: Store,
    out: Path,
    spec: ExportSpec,
    *,
    fmt: Format = "csv",
    excel: bool = False,
    force: bool = False,
    split: bool = False,
    progress: Progress | None = None,
) -> ExportResult:
    """Export ``spec`` from ``store`` to ``out`` (a file, or a folder with ``split``).

    ``progress(done, total)`` is called every few thousand rows and at the end (the total is
    counted in the same snapshot). Raises ValueError or FileExistsError with a message for the
    user; on any error nothing is left under the final name(s) but what was there before.
    """
    try:
        return _export(
            store,
            Path(out),
            spec,
            fmt=fmt,
            excel=excel,
            force=force,
            split=split,
            progress=progress,
        )
    except sqlite3.Error as exc:
        raise translate_error(exc, store.path) from None


def _export(
    store: Store,
    out: Path,
    spec: ExportSpec,
    *,
    fmt: Format,
    excel: bool,
    force: bool,
    split: bool,
    progress: Progress | None,
) -> ExportResult:
    _check_spec(spec, split)
    if excel and fmt != "csv":
        raise ValueError("--excel only applies to CSV (it adds a UTF-8 byte order mark)")
    _check_not_store(store, out)
    if split:
        return _export_split(store, out, spec, fmt=fmt, excel=excel, force=force, progress=progress)
    if out.is_dir():
        raise ValueError(f"{shown(out)} is a folder; give a file name (or use --split-by-bucket)")
    if not force and os.path.lexists(out):
        raise FileExistsError(f"{shown(out)} already exists; use --force to overwrite it")
    folder = out.parent
    if not folder.is_dir():
        raise FileNotFoundError(f"the folder {shown(folder)} does not exist")
    count = 0
    with _pinned_snapshot(store) as conn:
        check_buckets(conn, spec)
        columns = export_rows.discover_columns(conn, spec)
        mode = "wb" if fmt == "jsonl" else "w"
        encoding = "utf-8-sig" if excel else "utf-8"
        with atomic_write(out, mode=mode, encoding=encoding, newline="", overwrite=force) as f:
            sink = _sink_for(f, fmt, columns)
            for row in _counted(conn, spec, columns, progress):
                sink.write(row)
                count += 1
    return ExportResult(count, out, (out,))


def _counted(
    conn: sqlite3.Connection, spec: ExportSpec, columns: Columns, progress: Progress | None
) -> Iterator[export_rows.ExportRow]:
    """The export's rows, reporting progress as they go."""
    rows = export_rows.iter_rows(conn, spec, columns)
    if progress is None:
        yield from rows
        return
    total = export_rows.count_rows(conn, spec, columns)
    for done, row in enumerate(rows, start=1):
        yield row
        if done % PROGRESS_EVERY == 0 and done < total:
            progress(done, total)
    progress(total, total)


def _make_temporary_folder(parent: Path, prefix: str) -> Path:
    """A new folder with the permissions a normal new folder gets (``mkdir`` honours umask)."""
    for _ in range(100):
        candidate = parent / f"{prefix}.{secrets.token_hex(6)}.partial"
        try:
            candidate.mkdir(mode=0o777)
        except FileExistsError:
            continue
        return candidate
    raise FileExistsError(f"could not create a temporary folder in {shown(parent)}")


class _SplitFiles:
    """Open files of a split export, one per bucket, opened as their first row arrives."""

    def __init__(self, folder: Path, fmt: Format, excel: bool, columns: Columns) -> None:
        self.folder = folder
        self._fmt = fmt
        self._encoding = "utf-8-sig" if excel else "utf-8"
        self._columns = columns
        self._namer = FileNamer(_SUFFIX[fmt])
        self._open: dict[str, tuple[IO[Any], RowSink]] = {}

    def sink(self, key: str) -> RowSink:
        """The sink for one bucket's rows."""
        entry = self._open.get(key)
        if entry is None:
            path = self.folder / self._namer.name(key)
            handle: IO[Any]
            if self._fmt == "jsonl":
                handle = path.open("xb")
            else:
                handle = path.open("x", encoding=self._encoding, newline="")
            entry = (handle, _sink_for(handle, self._fmt, self._columns))
            self._open[key] = entry
        return entry[1]

    def finish(self) -> list[str]:
        """Flush, fsync and close every file; return the file names."""
        for handle, _ in self._open.values():
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
        fsync_folder(self.folder)
        return sorted(self._namer.name(key) for key in self._open)

    def close_all(self) -> None:
        """Close every file after an error (the caller removes the folder)."""
        for handle, _ in self._open.values():
            with contextlib.suppress(OSError):
                handle.close()


def _export_split(
    store: Store,
    out: Path,
    spec: ExportSpec,
    *,
    fmt: Format,
    excel: bool,
    force: bool,
    progress: Progress | None,
) -> ExportResult:
    exists = os.path.lexists(out)
    if exists and not out.is_dir():
        raise FileExistsError(f"{shown(out)} is a file; --split-by-bucket writes a folder of files")
    if exists and not force and any(out.iterdir()):
        raise FileExistsError(
            f"the folder {shown(out)} is not empty; use --force to write into it "
            "(files of the same name are replaced, other files are kept)"
        )
    parent = out if exists else out.parent
    if not parent.is_dir():
        raise FileNotFoundError(f"the folder {shown(parent)} does not exist")
    temporary = _make_temporary_folder(parent, ".labeler-export" if exists else f".{out.name}")
    files = _SplitFiles(temporary, fmt, excel, Columns(()))
    try:
        count = 0
        with _pinned_snapshot(store) as conn:
            check_buckets(conn, spec)
            columns = export_rows.discover_columns(conn, spec)
            files = _SplitFiles(temporary, fmt, excel, columns)
            for row in _counted(conn, spec, columns, progress):
                files.sink(row.split_key or "none").write(row)
                count += 1
        names = files.finish()
        if exists:
            _move_files_into(temporary, out, names, force=force)
        else:
            try:
                os.rename(temporary, out)
            except OSError as exc:  # OUT was made meanwhile and is not an empty folder
                raise FileExistsError(
                    f"{shown(out)} appeared meanwhile ({exc.strerror}); not overwriting it"
                ) from None
            fsync_folder(out.parent if str(out.parent) else Path("."))
    except BaseException:
        files.close_all()
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    return ExportResult(count, out, tuple(out / name for name in names))


def _move_files_into(temporary: Path, out: Path, names: list[str], *, force: bool) -> None:
    """Move finished files into an existing folder, each in one step; then drop the temp folder."""
    for name in names:
        target = out / name
        if not force and os.path.lexists(target):
            raise FileExistsError(f"{shown(target)} appeared meanwhile; not overwriting it")
        os.replace(temporary / name, target)
    temporary.rmdir()
    fsync_folder(out)
