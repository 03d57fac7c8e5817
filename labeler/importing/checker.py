"""The check phase: read every file, validate every record, compare with the store, spool.

Nothing here writes to the store or takes its write lock. Each good record is compared with
the current version of its case (in batches of lookups, skipped when the store has no cases):

* no such case: ``new``;
* same content hash: ``same`` (unchanged);
* different content: a conflict ("use --update"), or ``update`` when updating.

``new`` and ``update`` rows go to the spool with everything the write needs (the large texts
as UTF-8 bytes, which the writer stores as TEXT with ``CAST``); ``same`` rows go
with their id and hash only, so the write phase can notice if the store changed in between.
The store's *fingerprint* (highest ``seq`` and number of case rows) is taken before the first
lookup; if it is the same when the write lock is taken, no case row was added meanwhile and
these decisions still hold.
"""

from __future__ import annotations

import hashlib
import os
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from labeler.importing.fastpath import StoredRow
from labeler.importing.mapping import Mapping
from labeler.importing.outcome import FileResult, PreviousImport, Problem
from labeler.importing.readers import Row, SeenIds, read_rows
from labeler.importing.sources import FormatUnknown, detect_format
from labeler.importing.spool import SPOOL_BATCH, Spool, SpoolRow
from labeler.importing.wording import shown_key
from labeler.importing.workers import MIN_BYTES, Chunk, ChunkRow, ParsePool, default_workers
from labeler.store import imports as import_sql
from labeler.store.connection import Store
from labeler.store.opening import refuse_store_file

NEW, SAME, UPDATE = "new", "same", "update"

Fingerprint = tuple[int, int]


def conflict_reason(case_id: str) -> str:
    """The reason for a record whose case exists with other content."""
    return (
        f"case {shown_key(case_id)} exists with different content; "
        "use --update to add a new version"
    )


@dataclass
class FileCheck:
    """One file after the check phase."""

    number: int
    """The file's index in the run (rows in the spool carry it)."""
    result: FileResult
    problems: list[Problem] = field(default_factory=list)
    """Problems of this file, kept here until we know the file is not a no-op."""
    problem_count: int = 0

    @property
    def writable(self) -> bool:
        """Whether this file gets an ``imports`` row if the run writes.

        A file that gave no good record leaves no trace (running it again reports its problems
        again); one whose records were all unchanged is recorded, so a re-run is a no-op.
        """
        r = self.result
        return (
            r.sha256 is not None
            and r.format is not None
            and r.previous is None
            and r.same_as is None
            and r.records > 0
        )


@dataclass
class Checked:
    """Everything the write phase needs."""

    files: list[FileCheck]
    spool: Spool
    fingerprint: Fingerprint
    total_bytes: int


"""(highest seq, number of case rows): changes whenever a case row is added."""


class _Hasher(Protocol):
    def update(self, data: bytes | memoryview, /) -> None: ...
    def hexdigest(self) -> str: ...


def check_files(
    store: Store,
    paths: Sequence[Path | str],
    *,
    fmt: str | None,
    mapping: Mapping | None,
    update: bool,
    keep_problems: int,
    progress: Callable[[int, int], None] | None,
) -> Checked:
    """Read, validate and classify every record of ``paths``; spool what is to be written."""
    folder = store.path.parent if str(store.path.parent) else Path(".")
    spool = Spool(folder)
    seen_ids = SeenIds()
    pool: ParsePool | None = None
    try:
        fingerprint = import_sql.fingerprint(store)
        sizes = [_size(p) for p in paths]
        total = sum(sizes) * 2  # reading counts once, writing once more
        pool = _pool(paths, sizes, fmt, mapping)
        state = _Run(store, spool, update, keep_problems, progress, total, fingerprint[1] == 0)
        state.pool = pool
        seen_files: dict[tuple[int, int], str] = {}
        files = []
        for number, (path, size) in enumerate(zip(paths, sizes, strict=True)):
            check = FileCheck(number, FileResult(path=str(path), size=size))
            files.append(check)
            refuse_store_file(store.path, path)
            key = _identity(path)
            if key is not None and key in seen_files:
                check.result.same_as = seen_files[key]
                state.done += size
                continue
            if key is not None:
                seen_files[key] = str(path)
            state.check_file(check, path, fmt, mapping, seen_ids)
        spool.seal()  # a full disk shows here, before the write lock is taken
    except BaseException:
        spool.close()
        raise
    finally:
        seen_ids.close()
        if pool is not None:
            pool.close()
    return Checked(files=files, spool=spool, fingerprint=fingerprint, total_bytes=total)


def _pool(
    paths: Sequence[Path | str], sizes: list[int], fmt: str | None, mapping: Mapping | None
) -> ParsePool | None:
    """Parse workers when there are enough JSON lines to be worth them (see
    :mod:`labeler.importing.workers`)."""
    jsonl = 0
    for path, size in zip(paths, sizes, strict=True):
        try:
            if detect_format(path, fmt) == "jsonl":
                jsonl += size
        except FormatUnknown:
            pass
    count = default_workers()
    if count == 0 or jsonl < MIN_BYTES:
        return None
    return ParsePool(count, mapping or Mapping())


def _size(path: Path | str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _identity(path: Path | str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


class _Run:
    """The state of one check phase."""

    def __init__(
        self,
        store: Store,
        spool: Spool,
        update: bool,
        keep_problems: int,
        progress: Callable[[int, int], None] | None,
        total: int,
        store_empty: bool,
    ) -> None:
        self.store = store
        self.spool = spool
        self.update = update
        self.keep_problems = keep_problems
        self.progress = progress
        self.total = total
        self.store_empty = store_empty
        self.done = 0
        self.pool: ParsePool | None = None
        self.chunks = _ChunkRun(spool)

    def check_file(
        self,
        check: FileCheck,
        path: Path | str,
        fmt: str | None,
        mapping: Mapping | None,
        seen_ids: SeenIds,
    ) -> None:
        result = check.result
        try:
            result.format = detect_format(path, fmt)
        except FormatUnknown:
            result.format = None
        if result.format is not None and self._same_name_imported(path):
            # A re-run on the same path: hashing first (about 10x faster than parsing) turns
            # the common "already imported" case into a quick no-op.
            digest = _finish_hash(path, hashlib.sha256(), 0)
            previous = _previous_import(self.store, digest) if digest is not None else None
            if previous is not None:
                result.sha256, result.previous = digest, previous
                self.done += result.size
                return
        sha = _ThreadedSha256()
        read = 0

        def on_bytes(chunk: memoryview) -> None:
            nonlocal read
            sha.update(chunk)
            read += len(chunk)
            self.done += len(chunk)
            if self.progress is not None:
                self.progress(min(self.done, self.total // 2), self.total)

        batch: list[Row] = []
        rows = read_rows(
            path,
            fmt,
            mapping,
            on_bytes=on_bytes,
            seen=seen_ids,
            pool=self.pool,
            number=check.number,
        )
        for item in rows:
            if isinstance(item, Problem):
                self._problem(check, item)
                continue
            batch.append(item)
            if len(batch) >= SPOOL_BATCH:
                self._classify(check, batch)
                batch = []
        if batch:
            self._classify(check, batch)
        self.chunks.flush()
        if result.format is not None:
            result.sha256 = _finish_hash(path, sha, read)
        if result.sha256 is not None:
            result.previous = _previous_import(self.store, result.sha256)

    def _same_name_imported(self, path: Path | str) -> bool:
        return import_sql.file_name_imported(self.store, os.path.abspath(path))

    def _problem(self, check: FileCheck, problem: Problem) -> None:
        check.problem_count += 1
        check.result.problems += 1
        if len(check.problems) < self.keep_problems:
            check.problems.append(problem)

    def _classify(self, check: FileCheck, batch: list[Row]) -> None:
        current: dict[str, tuple[int, int, str]] = {}
        if not self.store_empty:
            current = import_sql.current_cases(self.store, [row.case_id for _, row in batch])
        result = check.result
        number = check.number
        add = self.chunks.add
        for line, s in batch:
            found = current.get(s.case_id) if current else None
            if found is None:
                result.records += 1
                result.inserted += 1
                if type(s) is ChunkRow:
                    self.chunks.add_new(s)
                else:
                    add(_spool_row(NEW, number, line, s, (None, None, None)))
                continue
            if found[2] == s.content_hash:
                result.records += 1
                result.unchanged += 1
                add((SAME, number, line, s.case_id, s.content_hash))
            elif self.update:
                result.records += 1
                result.updated += 1
                add(_spool_row(UPDATE, number, line, s, found))
            else:
                self._problem(check, Problem(result.path, line, conflict_reason(s.case_id)))


def _spool_row(
    kind: str,
    number: int,
    line: int,
    s: StoredRow | ChunkRow,
    old: tuple[int | None, int | None, str | None],
) -> SpoolRow:
    """The spool row of a new or updated case (``old``: seq, version and hash it replaces)."""
    if type(s) is ChunkRow:
        return (kind, *s.chunk.row(s.position)[1:5], *old, *s.chunk.row(s.position)[8:])
    assert isinstance(s, StoredRow)
    return (kind, number, line, s.case_id, s.content_hash, *old, s.input_kind, s.input,
            s.context, s.output, s.expected, s.slices, s.meta)  # fmt: skip


class _ChunkRun:
    """Spools rows in order; the records of a worker's chunk that are all new go to the spool
    as the worker serialised them, in one piece (see :mod:`labeler.importing.workers`)."""

    def __init__(self, spool: Spool) -> None:
        self.spool = spool
        self.chunk: Chunk | None = None
        self.count = 0

    def add_new(self, s: ChunkRow) -> None:
        """A new case checked by a worker."""
        if self.chunk is not s.chunk or s.position != self.count:
            self.flush()
            if s.position != 0:  # an earlier record of its chunk was not new
                self.spool.add(s.chunk.row(s.position))
                return
            self.chunk = s.chunk
        self.count += 1
        if self.count == s.chunk.count:  # the whole chunk, as it is
            self.spool.add_blob(s.chunk.blob, self.count)
            self.chunk = None
            self.count = 0

    def add(self, row: SpoolRow) -> None:
        """Any other row."""
        self.flush()
        self.spool.add(row)

    def flush(self) -> None:
        """Spool the rows of a chunk begun but not completed, one by one."""
        if self.chunk is not None:
            for position in range(self.count):
                self.spool.add(self.chunk.row(position))
            self.chunk = None
            self.count = 0


class _ThreadedSha256:
    """A sha256 computed on a thread of its own while the file is parsed: ``hashlib`` releases
    the GIL for large updates, so on a machine with a CPU to spare the file's hash (about 6 µs
    of a 9 KB case's 100 µs) costs no time. Chunks are copied (they are only valid during the
    read) and queued, at most 8 at a time."""

    def __init__(self) -> None:
        self._sha = hashlib.sha256()
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=8)
        self._thread = threading.Thread(target=self._run, name="import-sha256", daemon=True)
        self._thread.start()
        self._digest: str | None = None

    def _run(self) -> None:
        while (chunk := self._queue.get()) is not None:
            self._sha.update(chunk)

    def update(self, data: bytes | memoryview, /) -> None:
        self._queue.put(bytes(data))

    def hexdigest(self) -> str:
        if self._digest is None:
            self._queue.put(None)
            self._thread.join()
            self._digest = self._sha.hexdigest()
        return self._digest


def _finish_hash(path: Path | str, sha: _Hasher, offset: int) -> str | None:
    """Hash the file from ``offset`` on (the rest, when reading stopped early, or all of it).

    None if it cannot be read.
    """
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            while chunk := f.read(1 << 20):
                sha.update(chunk)
    except OSError:
        return None
    return sha.hexdigest()


def _previous_import(store: Store, sha256: str) -> PreviousImport | None:
    found = import_sql.first_import_of(store, sha256)
    if found is None:
        return None
    return PreviousImport(
        import_id=found.import_id, imported_at=found.imported_at, file_name=found.file_name
    )
