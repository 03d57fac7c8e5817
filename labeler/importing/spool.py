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
"""

from __future__ import annotations

import marshal
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import IO, Any

SPOOL_BATCH = 500
"""Rows per marshalled batch (also the batch size of the inserts)."""

SpoolRow = tuple[Any, ...]


class Spool:
    """An append-then-read-once queue of row tuples in an unnamed temporary file."""

    def __init__(self, folder: Path | None = None) -> None:
        self._file: IO[bytes] = tempfile.TemporaryFile(  # noqa: SIM115 (closed by close())
            dir=folder, prefix=".labeler-import-", buffering=1 << 20
        )
        self._pending: list[SpoolRow] = []
        self.count = 0
        """Rows added so far."""

    def add(self, row: SpoolRow) -> None:
        """Queue one row."""
        self._pending.append(row)
        self.count += 1
        if len(self._pending) >= SPOOL_BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            blob = marshal.dumps(self._pending)
            self._file.write(len(blob).to_bytes(8, "little"))
            self._file.write(blob)
            self._pending = []

    def batches(self) -> Iterator[list[SpoolRow]]:
        """Every row added, in order, in lists of at most :data:`SPOOL_BATCH`."""
        self._flush()
        self._file.flush()
        self._file.seek(0)
        while head := self._file.read(8):
            batch: list[SpoolRow] = marshal.loads(self._file.read(int.from_bytes(head, "little")))
            yield batch

    def close(self) -> None:
        """Drop the file (its space is freed at once)."""
        self._pending = []
        self._file.close()

    def __enter__(self) -> Spool:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
