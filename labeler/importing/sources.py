"""Opening an input file: telling its format, and watching its bytes as they are read.

Files are read in binary through a 1 MiB buffer; every chunk is passed to an ``on_bytes``
callback on its way (the import hashes the bytes and reports progress from it), so the file is
read once, never loaded whole, and the sha256 is of exactly the bytes that were parsed.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from labeler.text.display import safe_inline

Format = Literal["jsonl", "csv"]
FORMATS: tuple[Format, ...] = ("jsonl", "csv")

EXTENSIONS: dict[str, Format] = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".csv": "csv",
}
"""File name endings that say the format (case-insensitive). ``.json`` is read as JSON lines."""

READ_BUFFER = 1 << 20

OnBytes = Callable[[memoryview], None]
"""Called with each chunk of raw bytes as it is read (valid only during the call)."""


class FormatUnknown(ValueError):
    """The format was neither given nor told by the file name; the message says what to do."""


def detect_format(path: Path | str, fmt: str | None = None) -> Format:
    """The format given (``jsonl`` or ``csv``), else the one the file name ends with."""
    if fmt is not None:
        wanted = fmt.strip().lower()
        if wanted == "jsonl":
            return "jsonl"
        if wanted == "csv":
            return "csv"
        raise FormatUnknown(
            f"unknown format `{safe_inline(fmt, 40)}`: use --format jsonl or --format csv"
        )
    suffix = Path(path).suffix.lower()
    found = EXTENSIONS.get(suffix)
    if found is None:
        shown = safe_inline(Path(path).name, 80)
        raise FormatUnknown(
            f"cannot tell the format from the name `{shown}` (known endings: "
            f"{', '.join(EXTENSIONS)}): add --format jsonl or --format csv"
        )
    return found


class _TappedFile(io.RawIOBase):
    """A raw binary file that shows every chunk it reads to a callback."""

    def __init__(self, raw: io.FileIO, on_bytes: OnBytes) -> None:
        super().__init__()
        self._raw = raw
        self._on_bytes = on_bytes

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        count = self._raw.readinto(buffer)
        if count:
            with memoryview(buffer) as view:
                self._on_bytes(view[:count])
        return count or 0

    def close(self) -> None:
        self._raw.close()
        super().close()


def open_source(path: Path | str, on_bytes: OnBytes | None = None) -> io.BufferedReader:
    """Open ``path`` for binary reading; raise OSError (IsADirectoryError, ...) as ``open`` does."""
    raw = io.FileIO(path, "rb")
    if on_bytes is None:
        return io.BufferedReader(raw, buffer_size=READ_BUFFER)
    return io.BufferedReader(_TappedFile(raw, on_bytes), buffer_size=READ_BUFFER)
