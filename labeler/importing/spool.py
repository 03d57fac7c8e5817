"""The spool: checked rows waiting, on disk, for the one write transaction.

An import parses and checks everything before it takes the store's write lock, and must not
hold a million records in memory meanwhile. Checked rows go to an anonymous temporary file
(already unlinked, so a killed import leaves nothing behind), in length-prefixed batches
serialised with ``marshal`` (the rows are tuples of str, bytes, int and None only; the large
texts travel as UTF-8 ``bytes``, which marshal copies as they are, where a non-ASCII ``str``
would be encoded on the way in and decoded on the way out). The
write phase then reads the batches back and only inserts: no parsing, validation or hashing
happens while the lock is held, which keeps the lock as short as it can be.

Why not two streaming passes (check, then parse again while writing)? Parsing, validating and
hashing cost four to five times as much as the insert itself (``benchmarks/bench_import.py``):
under the lock, that would make reviewers' label writes wait five times longer. Why not a
temporary SQLite file? Its inserts cost as much as the store's. The price of the spool is
temporary disk space about the size of the texts imported; it lives in the store's folder (the
disk that must hold that data anyway), not in /tmp, which is often small or in memory.

A disk that fills up while the spool is written is reported as :class:`SpoolFull` (a
``StoreFull``: the disk is named, and how much the import needed so far); any other failure to
write or read it as :class:`SpoolError`. Either way nothing was written to the store, and the
unnamed file leaves nothing behind. :meth:`Spool.seal` pushes the last rows to the disk at the
end of the check phase, so a full disk is found before the store's write lock is taken.
"""

from __future__ import annotations

import contextlib
import errno
import marshal
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from labeler.store.errors import StoreError, StoreFull
from labeler.store.opening import shown

SPOOL_BATCH = 500
"""Rows per marshalled batch (also the batch size of the inserts)."""

SpoolRow = tuple[Any, ...]

_FULL = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG})
"""Errors that mean "no room": the disk is full, the user's quota is used up, the file is too big
for the file system."""


class SpoolError(StoreError):
    """The import's temporary file could not be made, written or read; the store is unchanged."""


class SpoolFull(SpoolError, StoreFull):
    """The disk holding the store's folder filled up while the import's checked records were
    being spooled; the store is unchanged and nothing is left behind."""


class Spool:
    """An append-then-read-once queue of row tuples in an unnamed temporary file."""

    def __init__(self, folder: Path | None = None) -> None:
        self._folder = folder if folder is not None and str(folder) else Path(".")
        try:
            self._file: IO[bytes] = tempfile.TemporaryFile(  # noqa: SIM115 (closed by close())
                dir=self._folder, prefix=".labeler-import-", buffering=1 << 20
            )
        except OSError as exc:
            raise self._error(exc, "create") from None
        self._pending: list[SpoolRow] = []
        self._written = 0
        self.count = 0
        """Rows added so far."""

    def add(self, row: SpoolRow) -> None:
        """Queue one row."""
        self._pending.append(row)
        self.count += 1
        if len(self._pending) >= SPOOL_BATCH:
            self._flush()

    def add_blob(self, blob: bytes | memoryview, count: int) -> None:
        """Queue ``count`` rows already serialised as one batch (``marshal`` of a list)."""
        self._flush()
        self.count += count
        try:
            self._file.write(len(blob).to_bytes(8, "little"))
            self._file.write(blob)
        except OSError as exc:
            raise self._error(exc, "write", self._written + 8 + len(blob)) from None
        self._written += 8 + len(blob)

    def _flush(self) -> None:
        if self._pending:
            blob = marshal.dumps(self._pending)
            self._pending = []
            try:
                self._file.write(len(blob).to_bytes(8, "little"))
                self._file.write(blob)
            except OSError as exc:
                raise self._error(exc, "write", self._written + 8 + len(blob)) from None
            self._written += 8 + len(blob)

    def seal(self) -> None:
        """Write every queued row to the disk now (a full disk raises :class:`SpoolFull` here,
        before the store is locked); :meth:`batches` then only reads."""
        self._flush()
        try:
            self._file.flush()
        except OSError as exc:
            raise self._error(exc, "write") from None

    def batches(self) -> Iterator[list[SpoolRow]]:
        """Every row added, in order, in lists of at most :data:`SPOOL_BATCH`."""
        self.seal()
        try:
            self._file.seek(0)
            while head := self._file.read(8):
                size = int.from_bytes(head, "little")
                blob = self._file.read(size)
                if len(blob) != size:
                    raise OSError(errno.EIO, "the temporary file is shorter than written")
                batch: list[SpoolRow] = marshal.loads(blob)
                yield batch
        except OSError as exc:
            raise self._error(exc, "read") from None

    def close(self) -> None:
        """Drop the file (its space is freed at once)."""
        self._pending = []
        with contextlib.suppress(OSError):  # a failed last flush: the file is gone all the same
            self._file.close()

    def _error(self, exc: OSError, doing: str, needed: int = 0) -> SpoolError:
        """A worded error for a failure to ``doing`` the temporary file (``needed``: the bytes
        it would have held)."""
        folder = shown(self._folder.absolute())
        reason = exc.strerror or str(exc)
        if exc.errno in _FULL:
            needed = max(needed, self._written)
            return SpoolFull(
                f"the disk holding {folder}{_mount_note(self._folder)} is full ({reason}): the "
                "import keeps its checked records in a temporary file in the store's folder "
                f"until it writes them, and needed at least {_size(needed)} for them. "
                "Nothing was written to the store and no temporary file is left. Free some "
                "space there (the import needs about twice the size of the new cases: once "
                "while checking, once in the store) and run the import again."
            )
        return SpoolError(
            f"could not {doing} the import's temporary file in {folder} ({reason}); nothing "
            "was written to the store. The import needs to write a temporary file in the "
            "store's folder."
        )

    def __enter__(self) -> Spool:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _size(count: int) -> str:
    """A byte count for people: KB below a megabyte, then MB, then GB."""
    if count < 1 << 20:
        return f"{max(count, 0) / 1024:,.0f} KB"
    if count < 1 << 30:
        return f"{count / (1 << 20):,.1f} MB"
    return f"{count / (1 << 30):,.1f} GB"


def _mount_note(folder: Path) -> str:
    """`` (the disk mounted at /x)``: where the folder's disk is mounted, when that is not the
    folder itself (``stat`` only)."""
    try:
        path = folder.resolve()
        device = os.stat(path).st_dev
        while path.parent != path and os.stat(path.parent).st_dev == device:
            path = path.parent
    except OSError:
        return ""
    if path == folder.resolve():
        return ""
    return f" (the disk mounted at {shown(path)})"
