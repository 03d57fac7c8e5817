"""Reading records from a file: JSON lines or CSV in, validated cases or worded problems out.

:func:`read_records` is pure (it reads the file and nothing else) and streams: it holds one
record at a time; the ids seen so far, needed to name duplicates, are kept in a private
temporary SQLite database (see :class:`SeenIds`), so memory stays flat.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from labeler.importing.csv_reader import read_csv
from labeler.importing.fastpath import StoredRow, stored_row
from labeler.importing.jsonl import read_jsonl
from labeler.importing.mapping import MapMiss, Mapping
from labeler.importing.outcome import Problem
from labeler.importing.sources import FormatUnknown, OnBytes, detect_format, open_source
from labeler.importing.wording import (
    find_surrogate,
    path_text,
    shown_key,
    surrogate_reason,
    validation_reason,
)
from labeler.importing.workers import ChunkRow, ParsePool
from labeler.store.seen_ids import SeenIds as SeenIds
from labeler.text.display import safe_inline

if TYPE_CHECKING:  # (pydantic is imported only when a record needs the model: see _by_model)
    from pydantic import ValidationError

    from labeler.importing.stored import StoredCase
    from labeler.models import CaseRecord

GIVE_UP_AFTER = 1_000
"""Stop reading a file whose first this-many records are all bad: it is not a case file."""


@dataclass(frozen=True, slots=True)
class Parsed:
    """A valid record, where it starts in its file, and the values the store will keep."""

    line: int
    record: CaseRecord
    stored: StoredCase


Row = tuple[int, StoredRow | ChunkRow]
"""A valid record as the import spools it: its line and stored values (see
:func:`read_rows`)."""

_Item = TypeVar("_Item", Parsed, Row)
_Item_co = TypeVar("_Item_co", Parsed, Row, covariant=True)


class _Validate(Protocol[_Item_co]):
    def __call__(
        self, file: str, line: int, data: dict[str, Any], mapping: Mapping, is_jsonl: bool
    ) -> _Item_co | Problem: ...


def read_records(
    path: Path | str,
    fmt: str | None = None,
    mapping: Mapping | None = None,
    *,
    on_bytes: OnBytes | None = None,
    seen: SeenIds | None = None,
) -> Iterator[Parsed | Problem]:
    """Yield each record of ``path`` as :class:`Parsed` (valid) or :class:`Problem` (bad).

    ``fmt`` is ``"jsonl"`` or ``"csv"``; None tells it from the file name. A problem with the
    whole file (unknown format, unreadable, a bad CSV header) is a Problem with ``line=None``
    or the header's line. ``on_bytes`` sees every chunk of the file as it is read (for a hash
    or progress). ``seen`` shares the duplicate-id check across the files of one run.
    """
    own = seen is None
    ids = SeenIds() if seen is None else seen
    try:
        yield from _read(path, fmt, mapping or Mapping(), on_bytes, ids, _validate, _parsed_key)
    finally:
        if own:
            ids.close()


def read_rows(
    path: Path | str,
    fmt: str | None,
    mapping: Mapping | None,
    *,
    on_bytes: OnBytes | None,
    seen: SeenIds,
    pool: ParsePool | None = None,
    number: int = 0,
) -> Iterator[Row | Problem]:
    """As :func:`read_records`, for the import: each valid record as ``(line, StoredRow)``.

    The same records are valid and the same problems reported, in the same order, but the
    usual shapes are checked without pydantic (:mod:`labeler.importing.fastpath`), and with a
    ``pool`` the lines of a JSON lines file are parsed and checked in worker processes (its
    records then come as :class:`~labeler.importing.workers.ChunkRow`, spooled from the
    chunk's rows; ``number`` is the file's number in the spool).
    """
    yield from _read(
        path, fmt, mapping or Mapping(), on_bytes, seen, check_record, _row_key, pool, number
    )


def _parsed_key(item: Parsed) -> tuple[int, str, bool]:
    return item.line, item.stored.case_id, item.record.id is not None


def _row_key(item: Row) -> tuple[int, str, bool]:
    return item[0], item[1].case_id, item[1].id_given


def _read(
    path: Path | str,
    fmt: str | None,
    rules: Mapping,
    on_bytes: OnBytes | None,
    ids: SeenIds,
    validate: _Validate[_Item],
    key: Callable[[_Item], tuple[int, str, bool]],
    pool: ParsePool | None = None,
    number: int = 0,
) -> Iterator[_Item | Problem]:
    file = str(path)
    file_no = ids.file_number(file)
    try:
        kind = detect_format(path, fmt)
    except FormatUnknown as exc:
        yield Problem(file, None, str(exc))
        return
    try:
        stream = open_source(path, on_bytes)
    except IsADirectoryError:
        yield Problem(file, None, "this is a folder, not a file")
        return
    except OSError as exc:
        yield Problem(file, None, f"cannot read it: {exc.strerror or exc}")
        return
    good = 0
    bad = 0
    last_line = 0
    with stream:
        wrong = _wrong_encoding(stream.peek(4)[:4])
        if wrong is not None:
            yield Problem(file, None, wrong)
            return
        items: Iterator[Any]
        if kind == "jsonl" and pool is not None:
            items = pool.check(stream, file, number)
        else:
            items = _validated(stream, file, kind, rules, validate)
        try:
            for item in items:
                if not isinstance(item, Problem):
                    line, case_id, id_given = key(item)
                    earlier = ids.claim(case_id, file_no, line)
                    if earlier is not None:
                        item = Problem(
                            file, line, _duplicate_reason(case_id, id_given, file, earlier)
                        )
                if isinstance(item, Problem):
                    bad += 1
                    yield item
                    if good == 0 and bad >= GIVE_UP_AFTER:
                        yield Problem(
                            file,
                            None,
                            f"stopped reading after {bad:,} bad records and no good one: is "
                            f"this a {'JSON lines' if kind == 'jsonl' else 'CSV'} file of cases?",
                        )
                        return
                else:
                    good += 1
                    last_line = line
                    yield item
        except OSError as exc:
            yield Problem(
                file,
                None,
                f"reading failed after line {last_line:,}: {exc.strerror or exc}",
            )
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()


def _validated(
    stream: io.BufferedReader,
    file: str,
    kind: str,
    rules: Mapping,
    validate: _Validate[_Item],
) -> Iterator[_Item | Problem]:
    is_jsonl = kind == "jsonl"
    items = read_jsonl(stream, file) if is_jsonl else read_csv(stream, file, rules)
    for raw in items:
        yield raw if isinstance(raw, Problem) else validate(file, raw[0], raw[1], rules, is_jsonl)


def _validate(
    file: str,
    line: int,
    data: dict[str, Any],
    mapping: Mapping,
    is_jsonl: bool,
) -> Parsed | Problem:
    try:
        if is_jsonl and mapping:  # (CSV columns are renamed once, at the header)
            data = mapping.apply(data)
    except MapMiss as exc:
        return Problem(file, line, str(exc))
    return _by_model(file, line, data, is_jsonl)


def check_record(
    file: str,
    line: int,
    data: dict[str, Any],
    mapping: Mapping,
    is_jsonl: bool,
) -> Row | Problem:
    """One record's stored values, or the problem :func:`read_records` would report."""
    try:
        if is_jsonl and mapping:  # (CSV columns are renamed once, at the header)
            data = mapping.apply(data)
        row = stored_row(data)
    except MapMiss as exc:
        return Problem(file, line, str(exc))
    except UnicodeEncodeError:
        # A lone surrogate: the model words it, or first what else is wrong with the record,
        # as read_records does (it validates, then encodes).
        row = None
    except RecursionError:
        return Problem(file, line, _TOO_DEEP)
    if row is not None:
        return line, row
    # Not one of the usual shapes: the model decides, and words what is wrong.
    parsed = _by_model(file, line, data, is_jsonl)
    if isinstance(parsed, Problem):
        return parsed
    return line, _row_of(parsed.stored, parsed.record.id is not None)


def _by_model(file: str, line: int, data: dict[str, Any], is_jsonl: bool) -> Parsed | Problem:
    """Validate with :class:`labeler.models.CaseRecord` (pydantic, imported on first use: the
    usual records never need it, and importing it costs about 0.1 s)."""
    from pydantic import ValidationError

    from labeler.importing.stored import stored_case
    from labeler.models import CaseRecord

    try:
        record = CaseRecord.model_validate(data)
        stored = stored_case(record)
    except ValidationError as exc:
        return Problem(file, line, _invalid_reason(exc, data, is_jsonl))
    except UnicodeEncodeError:
        return Problem(file, line, surrogate_reason(data) if is_jsonl else _bad_bytes(data))
    except RecursionError:
        return Problem(file, line, _TOO_DEEP)
    return Parsed(line, record, stored)


_TOO_DEEP = "nested too deeply to store (about 1,000 levels or more)"


def _invalid_reason(exc: ValidationError, data: dict[str, Any], is_jsonl: bool) -> str:
    if any(e["type"] == "string_unicode" for e in exc.errors()):  # a lone surrogate
        return surrogate_reason(data) if is_jsonl else _bad_bytes(data)
    return validation_reason(exc)


def _row_of(stored: StoredCase, id_given: bool) -> StoredRow:
    """The values of a record validated by the model, as :func:`stored_row` gives them."""
    return StoredRow(
        stored.case_id,
        stored.content_hash,
        id_given,
        stored.input_kind,
        stored.input.encode(),
        _utf8(stored.context),
        _utf8(stored.output),
        _utf8(stored.expected),
        stored.slices,
        stored.meta,
    )


def _utf8(text: str | None) -> bytes | None:
    return None if text is None else text.encode()


def _wrong_encoding(head: bytes) -> str | None:
    """A reason when the first bytes say the file is not UTF-8 text at all."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "this file is UTF-16 text: save it as UTF-8 and import it again"
    if head.startswith(b"\x1f\x8b"):
        return "this file is gzip-compressed: decompress it first (gunzip -k FILE)"
    if head.startswith(b"SQLi"):  # "SQLite format 3"
        return "this is a SQLite database, not a file of cases"
    return None


def _bad_bytes(data: dict[str, Any]) -> str:
    """CSV cells are decoded with ``surrogateescape``: a lone surrogate is a byte not UTF-8."""
    found = find_surrogate(data)
    if found is None:
        return "holds bytes that are not valid UTF-8; save the file as UTF-8"
    path, index, char = found
    code = ord(char)
    byte = f"byte 0x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else "a byte"
    return (
        f"not valid UTF-8: {byte} in `{path_text(path)}` at character {index + 1:,}; "
        "save the file as UTF-8"
    )


def _duplicate_reason(case_id: str, id_given: bool, file: str, earlier: tuple[str, int]) -> str:
    where = f"line {earlier[1]:,}"
    if earlier[0] != file:
        where = f"{safe_inline(earlier[0], 100)} {where}"
    if not id_given:
        return (
            f"the same content as {where}, and no id (both would be case "
            f"{shown_key(case_id)}); drop one, or give them ids"
        )
    return f"duplicate id {shown_key(case_id)}: {where} has it too; ids must be unique"
