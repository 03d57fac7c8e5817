"""JSON lines: one object per line, streamed, with every way a line can be bad put in words.

The file is read in binary one line at a time and each line decoded as strict UTF-8, so a
multi-GB file is never held in memory and a bad byte is named by its offset. Accepted: a UTF-8
byte-order mark (at the start of the file, or of any line, as ``cat`` of two such files makes),
CRLF line endings and blank lines.

Python's ``json`` is lenient where a store must not be, so this parser is stricter: a key given
twice in one object (at any depth) is an error rather than "last one wins"; ``NaN`` and
``Infinity`` are refused (they are not JSON); a number too large for a float, integers too,
is refused (it would turn into ``Infinity``, in SQLite too); nesting deep enough to exhaust
the stack is reported, not raised.
Lone surrogate escapes (``"\\udc00"``) are valid JSON that SQLite refuses: they are caught when
the record's stored texts are encoded (see :mod:`labeler.importing.stored`).

Speed: the stdlib parser costs about 13 µs for a 9 KB line here (orjson would be about twice
as fast but is not a dependency, and it would still need the duplicate-key check).
"""

from __future__ import annotations

import io
import json
import math
import sys
from collections.abc import Iterator
from typing import Any

from labeler.importing.outcome import Problem
from labeler.importing.wording import json_type, shown_key

MAX_LINE_BYTES = 128 * 1024 * 1024
"""A line longer than this (128 MiB) is reported without being parsed."""

_BOM = b"\xef\xbb\xbf"
_SKIP_CHUNK = 1 << 20


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


class _BadNumber(ValueError):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return obj


def _constant(name: str) -> Any:
    raise _BadNumber(name)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _BadNumber(text)
    return value


def _int(text: str) -> int:
    value = int(text)  # over 4,300 digits: ValueError, worded below
    if len(text) > 300 and abs(value) > sys.float_info.max:  # SQLite would read it as Inf
        raise _BadNumber(text)
    return value


_DECODER = json.JSONDecoder(
    object_pairs_hook=_pairs, parse_constant=_constant, parse_float=_float, parse_int=_int
)


def parse_line(text: str) -> Any:
    """Parse one line with the strict rules above (raises the private errors of this module)."""
    return _DECODER.decode(text)


RawLine = tuple[int, int, bytes, bool]
"""``(line number, byte offset of the line, its bytes without a BOM, first non-blank line)``."""


def read_jsonl(stream: io.BufferedReader, file: str) -> Iterator[tuple[int, Any] | Problem]:
    """Yield ``(line number, object)`` for each line that is one JSON object, else a Problem."""
    for item in jsonl_lines(stream, file):
        yield item if isinstance(item, Problem) else parse_raw(item, file)


def parse_raw(raw: RawLine, file: str) -> tuple[int, Any] | Problem:
    """Parse one line from :func:`jsonl_lines`."""
    line_no, start, data, first = raw
    return _parse(data, file, line_no, start, first)


def jsonl_lines(stream: io.BufferedReader, file: str) -> Iterator[RawLine | Problem]:
    """Yield each non-blank line, unparsed, or a Problem for a line too long to read."""
    line_no = 0
    offset = 0
    first = True
    while True:
        raw = stream.readline(MAX_LINE_BYTES)
        if not raw:
            return
        line_no += 1
        start = offset
        offset += len(raw)
        if len(raw) == MAX_LINE_BYTES and not raw.endswith(b"\n"):
            offset += _skip_rest_of_line(stream)
            yield Problem(
                file,
                line_no,
                f"the line is longer than {MAX_LINE_BYTES // (1024 * 1024)} MiB; it was not read",
            )
            first = False
            continue
        if raw.startswith(_BOM):
            raw = raw[3:]
            start += 3
        if not raw or raw.isspace():
            continue
        yield line_no, start, raw, first
        first = False


def _skip_rest_of_line(stream: io.BufferedReader) -> int:
    skipped = 0
    while True:
        chunk = stream.readline(_SKIP_CHUNK)
        skipped += len(chunk)
        if not chunk or chunk.endswith(b"\n"):
            return skipped


def _parse(raw: bytes, file: str, line: int, start: int, first: bool) -> tuple[int, Any] | Problem:
    if raw.endswith(b"\n"):  # so that a line cut short reads "Unterminated string"
        raw = raw[:-2] if raw.endswith(b"\r\n") else raw[:-1]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = raw[exc.start : exc.start + 1].hex()
        return Problem(
            file,
            line,
            f"not valid UTF-8: byte 0x{bad} at byte {exc.start + 1:,} of the line "
            f"(byte offset {start + exc.start:,} in the file); save the file as UTF-8",
        )
    try:
        value = parse_line(text)
    except json.JSONDecodeError as exc:
        reason = f"not JSON: {exc.msg.removesuffix(' at')} at column {exc.colno:,}"
        if first and text.lstrip().startswith("["):
            reason += (
                "; this looks like one JSON array, not JSON lines (one object per line): "
                "convert it with `jq -c '.[]' FILE > FILE.jsonl`"
            )
        return Problem(file, line, reason)
    except _DuplicateKey as exc:
        return Problem(
            file,
            line,
            f"duplicate key {shown_key(exc.key)}: an object gives it twice and readers "
            "disagree on which one wins; keep one",
        )
    except _BadNumber as exc:
        if exc.text in ("NaN", "Infinity", "-Infinity"):
            return Problem(
                file, line, f"{exc.text} is not valid JSON: write null (or a string) instead"
            )
        return Problem(file, line, f"the number {exc.text[:40]} is too large; write it as a string")
    except RecursionError:
        return Problem(file, line, "nested too deeply (about 1,000 levels or more)")
    except ValueError as exc:  # e.g. an integer with more than 4,300 digits
        return Problem(file, line, f"not usable JSON: {str(exc)[:200]}")
    if not isinstance(value, dict):
        return Problem(
            file,
            line,
            f"this line is {json_type(value)}, not an object: each line must be one "
            'JSON object such as {"input": ..., "output": ...}',
        )
    return line, value
