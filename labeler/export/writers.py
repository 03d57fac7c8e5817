"""Turning export rows into CSV cells or JSON lines, and naming the files of a split export.

CSV (for spreadsheets): every cell, the header included, goes through
`labeler.text.csv_safety.neutralise`, so no cell can run as a formula. Undo it with
`labeler.text.csv_safety.restore` (strip one leading apostrophe from every cell that starts with
one). ``None`` is an empty cell, ``true``/``false`` stand for booleans, numbers are written as
JSON numbers, lists and objects as JSON text, and a text the store keeps as JSON (a chat input,
the context documents: :class:`~labeler.export.rows.StoredJson`) as that stored JSON text, under
the same rule as every other cell. Files are written with ``newline=""`` so that quotes, commas,
CR, LF and NUL inside cells round-trip exactly through Python's ``csv``.

JSON lines (lossless): one object per line with the raw values, no neutralisation, UTF-8 with
``ensure_ascii=False``. The keys are the CSV columns; a ``slice.*`` or ``meta.*`` key the case
does not have is left out (so a missing key and a JSON ``null`` stay distinct). A lone
surrogate, which UTF-8 cannot encode, is written as its ``\\udXXX`` JSON escape, so a line is
always valid UTF-8 and valid JSON. A :class:`~labeler.export.rows.StoredJson` text is written as
the JSON value it holds (a chat input or the context documents stay lists).

This module is part of the pure core: standard library only.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import re
from collections.abc import Sequence
from typing import IO, Any, Final, Protocol

from labeler.export.rows import MISSING, ExportRow, StoredJson
from labeler.text.csv_safety import neutralise

__all__ = [
    "CsvSink",
    "FileNamer",
    "JsonlSink",
    "RowSink",
    "csv_cell",
    "jsonl_line",
    "safe_file_stem",
]

_SURROGATE: Final = re.compile("[\ud800-\udfff]")
_UNSAFE_NAME: Final = re.compile(r"[^A-Za-z0-9_.-]+")
_MAX_STEM: Final = 80
_WINDOWS_RESERVED: Final[frozenset[str]] = frozenset(
    ["con", "prn", "aux", "nul"]
    + [f"com{i}" for i in range(1, 10)]
    + [f"lpt{i}" for i in range(1, 10)]
)


class RowSink(Protocol):
    """Something rows are written to."""

    def write(self, row: ExportRow) -> None:
        """Write one row."""


def _jsonable(value: Any) -> Any:
    """Values JSON can carry as they are; bytes (only in a hand-edited store) become text."""
    if value is None or type(value) is str:
        return value
    if type(value) is StoredJson:
        return value.value()
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    if isinstance(value, float) and not math.isfinite(value):
        return json.dumps(value)  # "NaN", "Infinity": not valid JSON numbers
    return value


_PLAIN_START: Final = frozenset(chr(c) for c in range(0x21, 0x7F)) - frozenset("=+-@'")
"""First characters after which `neutralise` changes nothing: printable ASCII that is not a
blank, a formula sign or an apostrophe (most cells; the rest go through `neutralise`)."""


def csv_cell(value: Any) -> str:
    """The spreadsheet-safe text of one value (see the module docstring)."""
    kind = type(value)
    text: str
    if kind is str:
        text = value
    elif value is None or value is MISSING:
        return ""
    elif kind is int:
        text = int.__repr__(value)  # what json.dumps writes for an int
    elif kind is StoredJson:
        text = value.text
    else:
        value = _jsonable(value)
        if value is None:
            return ""
        if isinstance(value, str):
            text = value
        elif isinstance(value, bool):
            text = "true" if value else "false"
        else:
            text = json.dumps(value, ensure_ascii=False)
    if text[:1] in _PLAIN_START:
        return text
    return neutralise(text)


def jsonl_line(columns: Sequence[str], row: ExportRow) -> bytes:
    """One JSON object and a newline, encoded as UTF-8 (see the module docstring)."""
    record = {name: _jsonable(row.values.get(name)) for name in columns if name not in row.optional}
    text = json.dumps(record, ensure_ascii=False, allow_nan=False) + "\n"
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        escaped = _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
        return escaped.encode("utf-8")


class CsvSink:
    """Writes a header, then one neutralised CSV record per row, to a text handle."""

    def __init__(self, handle: IO[str], columns: Sequence[str]) -> None:
        self._columns = tuple(columns)
        self._writer = csv.writer(handle)
        self._writer.writerow([neutralise(name) for name in self._columns])

    def write(self, row: ExportRow) -> None:
        """Write one row."""
        if row.ordered is not None and row.names == self._columns:
            plain = _PLAIN_START
            self._writer.writerow(
                [
                    value if type(value) is str and value[:1] in plain else csv_cell(value)
                    for value in row.ordered
                ]
            )
            return
        values = row.values
        self._writer.writerow([csv_cell(values.get(name)) for name in self._columns])


class JsonlSink:
    """Writes one JSON object per row to a binary handle."""

    def __init__(self, handle: IO[bytes], columns: Sequence[str]) -> None:
        self._handle = handle
        self._columns = tuple(columns)

    def write(self, row: ExportRow) -> None:
        """Write one row."""
        self._handle.write(jsonl_line(self._columns, row))


def _short_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def safe_file_stem(key: str) -> str:
    """A file name stem made from a bucket key: ``[A-Za-z0-9_.-]`` only, never hidden.

    A key that had to be changed gets ``-`` and 8 hex digits of its hash, so two different
    keys (``a/b`` and ``a_b``) never share a name.
    """
    stem = _UNSAFE_NAME.sub("_", key).lstrip(".-")[:_MAX_STEM] or "bucket"
    if stem != key or stem.split(".")[0].lower() in _WINDOWS_RESERVED:
        stem = f"{stem}-{_short_hash(key)}"
    return stem


class FileNamer:
    """Gives each bucket key one file name, unique even on a case-insensitive file system."""

    def __init__(self, suffix: str) -> None:
        self._suffix = suffix
        self._by_key: dict[str, str] = {}
        self._taken: set[str] = set()

    def name(self, key: str) -> str:
        """The file name for ``key`` (the same name every time it is asked)."""
        known = self._by_key.get(key)
        if known is not None:
            return known
        stem = safe_file_stem(key)
        if stem.lower() in self._taken:  # e.g. "Other" after "other"
            stem = f"{stem}-{_short_hash(key)}"
        while stem.lower() in self._taken:  # a hash of a changed key collided: vanishingly rare
            stem = f"{stem}-{_short_hash(stem)}"
        self._taken.add(stem.lower())
        name = stem + self._suffix
        self._by_key[key] = name
        return name
