"""CSV cases: a header row, then one case per record.

Columns: ``id``, ``input``, ``context``, ``output``, ``expected``, ``slice.NAME`` (or
``slices.NAME``) and ``meta.NAME``; any other column becomes a ``meta`` item named after it,
as unknown keys do in JSON lines. The header is required and must name ``input`` and ``output``.

Cells: an empty ``id``, ``context`` or ``expected`` cell means "none" (None); an empty
``output`` cell is the empty string ``""`` (CSV cannot tell "no output" from "empty output";
use JSON lines with ``"output": null`` for the former). Empty ``slice.*`` and ``meta.*`` cells
are left out. A ``meta.*`` cell holding a JSON number or ``true``/``false`` becomes that value
(``latency_ms`` ``1200`` is the number 1200); anything else, ``0123`` included, stays text.

Rows are read with ``csv.reader`` (``DictReader`` silently pads short rows): a record with too
few or too many cells is an error naming the physical line where the record starts (a quoted
cell may span several lines). The file is decoded as UTF-8 (a byte-order mark is allowed);
a byte that is not UTF-8 is reported with its column instead of stopping the file.
"""

from __future__ import annotations

import csv
import io
import json
import math
import sys
from collections.abc import Iterator
from typing import Any

from labeler.importing.mapping import MapMiss, Mapping
from labeler.importing.outcome import Problem
from labeler.text.display import safe_inline

CSV_FIELD_LIMIT = 50_000_000
"""The largest CSV cell read, in characters (Python's default is 131,072).

``csv.field_size_limit`` is process-wide; reading a CSV file raises it to this value. A cell
over the limit is reported as a problem on its line and the rest of that file is not read (the
CSV parser cannot find the next record reliably after it). Cells over
:data:`labeler.models.MAX_FIELD_CHARS` but under this limit are reported per record.
"""

FIELD_COLUMNS = ("id", "input", "context", "output", "expected")
_NONE_IF_EMPTY = frozenset({"id", "context", "expected"})
_NUMBER_START = frozenset("-0123456789tf")


def _header_columns(header: list[str]) -> list[tuple[str, str]]:
    """Each column as (kind, name): ("field", "output"), ("slice", "channel"), ("meta", "x").

    Raises MapMiss (used as a whole-file reason) for a header that cannot be read.
    """
    columns: list[tuple[str, str]] = []
    seen: set[str] = set()
    for index, name in enumerate(header, start=1):
        if not name:
            raise MapMiss(f"column {index} of the header has no name")
        if name in seen:
            raise MapMiss(f"the header names column `{safe_inline(name, 60)}` twice")
        seen.add(name)
        head, dot, rest = name.partition(".")
        if name in FIELD_COLUMNS:
            columns.append(("field", name))
        elif dot and rest and head in ("slice", "slices"):
            columns.append(("slice", rest))
        elif dot and rest and head == "meta":
            columns.append(("meta", rest))
        elif name in ("meta", "slices", "slice"):
            raise MapMiss(f"a `{name}` column: write one column per item, e.g. `{name}.NAME`")
        else:
            columns.append(("meta", name))
    for required, why in (
        ("input", "the user's input"),
        ("output", "the model's output; an empty cell means empty output"),
    ):
        if required not in seen:
            raise MapMiss(f"no `{required}` column in the header (it holds {why})")
    slice_names = [n for k, n in columns if k == "slice"]
    if len(set(slice_names)) != len(slice_names):
        raise MapMiss("the header names a slice twice (as slice.NAME and slices.NAME)")
    return columns


def meta_value(cell: str) -> Any:
    """A ``meta.*`` cell: a JSON number or ``true``/``false`` becomes that value, else text."""
    if not cell or cell[0] not in _NUMBER_START or cell != cell.strip():
        return cell
    try:
        value = json.loads(cell, parse_constant=_refuse)
    except (ValueError, RecursionError):
        return cell
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    if isinstance(value, int) and abs(value) <= sys.float_info.max:
        return value  # a larger integer stays text, as a number too large for a float would
    return cell


def _refuse(name: str) -> Any:
    raise ValueError(name)


def read_csv(
    stream: io.BufferedReader, file: str, mapping: Mapping
) -> Iterator[tuple[int, dict[str, Any]] | Problem]:
    """Yield ``(start line, record dict)`` per CSV record, or a Problem."""
    csv.field_size_limit(CSV_FIELD_LIMIT)
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline="")
    reader = csv.reader(text)
    try:
        header = _first_row(reader)
        if header is None:
            yield Problem(
                file,
                None,
                "the file is empty: a CSV file needs a header row such as "
                "id,input,context,output,expected",
            )
            return
        names = [h.strip() for h in header]
        if mapping:
            names = mapping.csv_header(names)
        columns = _header_columns(names)
    except MapMiss as exc:
        yield Problem(file, reader.line_num or 1, str(exc))
        return
    except csv.Error as exc:
        yield Problem(file, reader.line_num or 1, f"the header cannot be read: {exc}")
        return
    width = len(columns)
    last = reader.line_num
    while True:
        start = last + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Problem(file, start, _csv_error_reason(exc))
            return
        last = reader.line_num
        if not row:
            continue  # a blank line
        if len(row) != width:
            yield Problem(
                file,
                start,
                f"{len(row)} cells, but the header has {width} columns (a missing or extra "
                "comma, or a cell with a comma that is not in double quotes)",
            )
            continue
        yield start, _record(columns, row)


def _first_row(reader: Any) -> list[str] | None:
    for row in reader:
        if row:
            return list(row)
    return None


def _record(columns: list[tuple[str, str]], row: list[str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    slices: dict[str, Any] = {}
    meta: dict[str, Any] = {}
    for (kind, name), cell in zip(columns, row, strict=True):
        if kind == "field":
            data[name] = None if (not cell and name in _NONE_IF_EMPTY) else cell
        elif cell:
            if kind == "slice":
                slices[name] = cell
            else:
                meta[name] = meta_value(cell)
    if slices:
        data["slices"] = slices
    if meta:
        data["meta"] = meta
    return data


def _csv_error_reason(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return (
            f"a cell is larger than {CSV_FIELD_LIMIT:,} characters (an unclosed double quote "
            "can make the rest of the file one cell); the rest of the file was not read"
        )
    return (
        f"the CSV cannot be read here ({safe_inline(text, 120)}); the rest of the file was not read"
    )
