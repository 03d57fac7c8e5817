"""The rows of an export, read from one snapshot of the store.

Each export kind (``final``, ``labels``, ``events``) is a fixed list of columns, plus, with
``with_text`` (``final`` and ``labels``), the case's texts (:data:`TEXT_COLUMNS`), plus, for
``final``, one ``slice.<name>`` column per slice name and one ``meta.<key>`` column per
(flattened) metadata key found among the exported cases. Those are found by a first, cheap pass
over the narrow ``cases`` table (`discover_columns`); the rows themselves come from a second
pass (`iter_rows`) that iterates the cursor, so a store of any size is never held in memory.
Both passes must run inside the same read transaction (``Store.snapshot()``).

Values are raw: text exactly as stored, metadata values as parsed from their JSON (numbers stay
numbers, lists stay lists). Turning them into spreadsheet-safe cells is the writers' job.

The texts are those of the version of the case the row is about (the current one). ``input``
and ``output`` and ``expected`` are the stored strings (a non-string ``expected`` was stored as
its JSON text, and stays that text); a chat ``input`` (a list of ``{role, content}`` turns) and
the ``context`` (a list of ``{title, text, source}`` documents, a plain-string context being one
untitled document) are stored as JSON and come as :class:`StoredJson`: the CSV writer writes
the stored JSON text, the JSON lines writer the list it holds, so a chat stays a list.

The status and final bucket of a case come from the ``case_status`` view, so there is one
definition of "agreed", "resolved", "unclear", "unresolved", "single" and "unlabeled".

The SQL is in :mod:`labeler.store.export_queries`.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Final, Literal

from labeler.slice_filter import SliceFilter
from labeler.stats.counts import PSEUDO_BUCKETS
from labeler.store import export_queries as queries

__all__ = [
    "EVENT_COLUMNS",
    "FINAL_COLUMNS",
    "LABEL_COLUMNS",
    "MISSING",
    "PSEUDO_BUCKETS",
    "TEXT_COLUMNS",
    "Columns",
    "ExportRow",
    "ExportSpec",
    "StoredJson",
    "discover_columns",
    "flatten_json_object",
    "iter_rows",
]

What = Literal["final", "labels", "events"]

FINAL_COLUMNS: Final[tuple[str, ...]] = (
    "case_id",
    "final_bucket",
    "status",
    "labels",
    "notes",
    "resolution_method",
    "resolver",
    "resolution_reason",
)
LABEL_COLUMNS: Final[tuple[str, ...]] = (
    "case_id",
    "reviewer",
    "bucket",
    "note",
    "labeled_at",
    "account",
)
TEXT_COLUMNS: Final[tuple[str, ...]] = ("input", "context", "output", "expected")
"""The case's texts, after the fixed columns of ``final`` and ``labels`` (``with_text``)."""
EVENT_COLUMNS: Final[tuple[str, ...]] = (
    "id",
    "at",
    "actor",
    "account",
    "kind",
    "case_id",
    "before",
    "after",
    "detail",
)


SLICE_PREFIX: Final = "slice."
META_PREFIX: Final = "meta."
MAX_META_COLUMNS: Final = 1_000
"""Above this many distinct metadata keys, metadata is exported as one ``meta`` JSON column."""
MAX_FLATTEN_DEPTH: Final = 32
"""Objects nested deeper than this are kept whole (JSON text in a CSV cell)."""


@dataclass(frozen=True)
class ExportSpec:
    """What to export: the kind of rows and the filters."""

    what: What = "final"
    buckets: tuple[str, ...] = ()
    """Keep cases whose final bucket is one of these (``labels``: the label's bucket)."""
    slices: tuple[SliceFilter, ...] = ()
    """Keep cases that have every one of these slice values."""
    with_text: bool = False
    """Add the case's texts (:data:`TEXT_COLUMNS`) to ``final`` and ``labels`` rows."""


@dataclass(frozen=True)
class Columns:
    """The columns of an export, in order, and how metadata is laid out."""

    names: tuple[str, ...]
    meta_flattened: bool = True
    """False when there were too many metadata keys: one ``meta`` column holds the JSON text."""
    rows: int | None = None
    """How many rows the export has, when the first pass counted them."""


class _Missing:
    """The value of a column a row does not have at all (see :attr:`ExportRow.optional`)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()


class ExportRow:
    """One exported row: its values by column, and the key ``--split-by-bucket`` groups by.

    Made either from a dict of values (``ExportRow({"a": 1}, optional=...)``), or, on the
    export's fast path, from the values in column order (``ordered``, with :data:`MISSING` for
    a column the row does not have) and the column names; ``values`` and ``optional`` are then
    built only if asked for (the CSV writer never asks).
    """

    __slots__ = ("_optional", "_values", "names", "ordered", "split_key")

    def __init__(
        self,
        values: dict[str, Any] | None = None,
        split_key: str | None = None,
        optional: frozenset[str] = frozenset(),
        *,
        ordered: list[Any] | None = None,
        names: tuple[str, ...] = (),
    ) -> None:
        self._values = values
        self.split_key = split_key
        self._optional: frozenset[str] | None = optional if ordered is None else None
        self.ordered = ordered
        """The values in the order of ``names`` (fast path only)."""
        self.names = names

    @property
    def values(self) -> dict[str, Any]:
        """The row's values by column name (absent: the columns in :attr:`optional`)."""
        if self._values is None:
            ordered = self.ordered or []
            self._values = {
                name: value
                for name, value in zip(self.names, ordered, strict=True)
                if value is not MISSING
            }
        return self._values

    @property
    def optional(self) -> frozenset[str]:
        """Columns this row does not have at all (a slice or metadata key the case lacks)."""
        if self._optional is None:
            ordered = self.ordered or []
            self._optional = frozenset(
                name for name, value in zip(self.names, ordered, strict=True) if value is MISSING
            )
        return self._optional

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ExportRow):
            return NotImplemented
        return (self.values, self.split_key, self.optional) == (
            other.values,
            other.split_key,
            other.optional,
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"ExportRow({self.values!r}, split_key={self.split_key!r})"


@dataclass(frozen=True, slots=True)
class StoredJson:
    """A text the store keeps as JSON (a chat transcript, the context documents).

    CSV writes :attr:`text` (the stored JSON text); JSON lines writes :meth:`value`.
    """

    text: str

    def value(self) -> Any:
        """The JSON value of the text; the text itself if it is not JSON (a damaged store)."""
        try:
            return json.loads(self.text)
        except (ValueError, RecursionError):
            return self.text


def _texts(row: tuple[Any, ...], start: int) -> list[Any]:
    """The :data:`TEXT_COLUMNS` values of a row whose texts begin at ``start`` (the input
    kind, input, context, output, expected of ``queries.TEXT_SELECT``)."""
    kind, text, context, output, expected = row[start : start + 5]
    if kind == "chat" and type(text) is str:
        text = StoredJson(text)
    if type(context) is str:
        context = StoredJson(context)
    return [text, context, output, expected]


def _parse_constant(name: str) -> str:
    """Keep ``NaN`` / ``Infinity`` as text: they are not valid JSON values."""
    return name


def _parse_float(text: str) -> float | str:
    """Keep a number too large for a float (``1e999``) as its text rather than infinity."""
    number = float(text)
    return number if math.isfinite(number) else text


_DECODER: Final = json.JSONDecoder(parse_constant=_parse_constant, parse_float=_parse_float)


_SCAN: Final[Callable[[str, int], tuple[Any, int]]] = getattr(_DECODER, "scan_once")  # noqa: B009
"""The decoder's C scanner (typeshed does not list the attribute)."""


def _load_object(text: str | None) -> dict[str, Any] | None:
    """Parse a stored JSON object; None if it is not one (a damaged or hand-edited store)."""
    if text is None:
        return None
    try:
        if type(text) is str and text[:1] == "{" and text[-1:] == "}":
            # The stored form (no blanks around it): the scanner alone, without decode()'s
            # two whitespace matches; anything it does not read to the end goes to decode().
            value, end = _SCAN(text, 0)
            if end == len(text):
                return value if isinstance(value, dict) else None
        value = _DECODER.decode(text)
    except (ValueError, RecursionError, StopIteration):
        return None
    return value if isinstance(value, dict) else None


def _flat_object(text: Any) -> dict[str, Any] | None:
    """The stored object ``text`` when it is the usual kind: written without blanks around it,
    read to its end by the scanner, and holding no non-empty object (so flattening it only
    prefixes its keys); None for anything else (the caller then takes the general path)."""
    if type(text) is not str or text[:1] != "{" or text[-1:] != "}":
        return None
    try:
        value, end = _SCAN(text, 0)
    except (ValueError, RecursionError, StopIteration):
        return None
    if end != len(text) or type(value) is not dict:
        return None
    if text.find("{", 1) >= 0 and not _is_flat(value):  # (no other brace: nothing nested)
        return None
    return value


def _is_flat(value: dict[str, Any]) -> bool:
    """True when no value is a non-empty object (flattening then only adds the prefix)."""
    for item in value.values():  # noqa: SIM110 (a loop is faster than all() here)
        if type(item) is dict and item:
            return False
    return True


def flatten_json_object(value: dict[str, Any], prefix: str, depth: int = 0) -> dict[str, Any]:
    """Flatten nested objects into ``prefix + "a.b.c"`` keys.

    Lists and scalars are kept as they are; an empty object is kept as ``{}`` so it is not
    lost. When two paths flatten to the same name (``{"a": {"b": 1}, "a.b": 2}``) the first
    one in the object wins.
    """
    flat: dict[str, Any] = {}
    for key, item in value.items():
        name = prefix + key
        if isinstance(item, dict) and item and depth < MAX_FLATTEN_DEPTH:
            for sub_name, sub_item in flatten_json_object(item, name + ".", depth + 1).items():
                flat.setdefault(sub_name, sub_item)
        else:
            flat.setdefault(name, item)
    return flat


def _slice_values(text: str | None) -> dict[str, Any]:
    slices = _load_object(text)
    if slices is None:
        return {}
    return {SLICE_PREFIX + name: value for name, value in slices.items()}


class _SliceCache:
    """The parsed slices of each distinct ``slices`` text (a store has few combinations)."""

    LIMIT: Final = 4_096

    def __init__(self) -> None:
        self._known: dict[str | None, dict[str, Any]] = {}

    def values(self, text: str | None) -> dict[str, Any]:
        """:func:`_slice_values` of ``text`` (the same dict each time: do not change it)."""
        found = self._known.get(text)
        if found is None:
            if len(self._known) >= self.LIMIT:
                self._known.clear()
            found = self._known[text] = _slice_values(text)
        return found


_EMPTY_META: Final = frozenset({None, "", "{}"})
"""Stored metadata texts that give no column (most cases of a store without metadata)."""


def _meta_values(text: str | None, flattened: bool) -> dict[str, Any]:
    if not flattened:
        return {"meta": text}
    meta = _load_object(text)
    if meta is None:
        return {} if text in (None, "", "{}") else {"meta": text}
    return flatten_json_object(meta, META_PREFIX)


def discover_columns(conn: sqlite3.Connection, spec: ExportSpec) -> Columns:
    """The column set of the export (first pass: slice names and metadata keys of the cases)."""
    if spec.what == "labels":
        return Columns(LABEL_COLUMNS + TEXT_COLUMNS if spec.with_text else LABEL_COLUMNS)
    if spec.what == "events":
        return Columns(EVENT_COLUMNS)
    rows = 0
    slice_names: set[str] = set()
    slices_seen: set[str | None] = set()
    meta_keys: set[str] = set()  # keys of flat metadata objects (the usual kind), unprefixed
    meta_names: set[str] = set()  # names found by flattening the others
    for slices_text, meta_text in queries.final_case_meta(conn, spec.slices, spec.buckets):
        rows += 1
        if slices_text not in slices_seen:
            if len(slices_seen) >= _SliceCache.LIMIT:
                slices_seen.clear()
            slices_seen.add(slices_text)
            slice_names.update(_slice_values(slices_text))
        if meta_text in _EMPTY_META:
            continue
        meta = _flat_object(meta_text)
        if meta is not None:
            meta_keys.update(meta)
        else:
            meta_names.update(_meta_values(meta_text, True))
    meta_names.update(META_PREFIX + key for key in meta_keys)
    flattened = len(meta_names) <= MAX_META_COLUMNS
    if not flattened:
        meta_names = {"meta"}
    texts = TEXT_COLUMNS if spec.with_text else ()
    names = FINAL_COLUMNS + texts + tuple(sorted(slice_names)) + tuple(sorted(meta_names))
    return Columns(names, meta_flattened=flattened, rows=rows)


def _final_rows(
    conn: sqlite3.Connection, spec: ExportSpec, columns: Columns
) -> Iterator[ExportRow]:
    names = columns.names
    base = len(FINAL_COLUMNS)
    with_text = spec.with_text
    position = {name: index for index, name in enumerate(names)}
    blank = [MISSING] * (len(names) - base - (len(TEXT_COLUMNS) if with_text else 0))
    slice_cache = _SliceCache()
    slice_places: dict[str | None, list[tuple[int, Any]]] = {}
    flattened = columns.meta_flattened
    key_places: dict[tuple[str, ...], list[int]] = {}  # metadata keys (in order) -> columns
    for row in queries.final_rows(conn, spec.slices, spec.buckets, with_text=with_text):
        ordered = list(row[:base])
        if with_text:
            ordered += _texts(row, 10)  # after the slices and meta texts
        ordered += blank
        slices_text = row[8]
        places = slice_places.get(slices_text)
        if places is None:
            if len(slice_places) >= _SliceCache.LIMIT:
                slice_places.clear()
            places = slice_places[slices_text] = [
                (position[name], value)
                for name, value in slice_cache.values(slices_text).items()
                if name in position
            ]
        for index, value in places:
            ordered[index] = value
        meta_text = row[9]
        if not flattened:
            ordered[position["meta"]] = meta_text
        elif meta_text not in _EMPTY_META:
            meta = _flat_object(meta_text)
            if meta is not None:
                keys = tuple(meta)
                targets = key_places.get(keys)
                if targets is None:
                    if len(key_places) >= _SliceCache.LIMIT:
                        key_places.clear()
                    targets = key_places[keys] = [
                        position.get(META_PREFIX + key, -1) for key in keys
                    ]
                for place, value in zip(targets, meta.values(), strict=True):
                    if place >= 0:
                        ordered[place] = value
            else:
                for name, value in _meta_values(meta_text, True).items():
                    place = position.get(name, -1)
                    if place >= 0:
                        ordered[place] = value
        yield ExportRow(split_key=row[1], ordered=ordered, names=names)


def _label_rows(
    conn: sqlite3.Connection, spec: ExportSpec, columns: Columns
) -> Iterator[ExportRow]:
    names = columns.names
    if not spec.with_text:
        for row in queries.label_rows(conn, spec.slices, spec.buckets):
            yield ExportRow(split_key=row[2], ordered=list(row), names=names)
        return
    base = len(LABEL_COLUMNS)
    for row in queries.label_rows(conn, spec.slices, spec.buckets, with_text=True):
        ordered = list(row[:base])
        ordered += _texts(row, base)
        yield ExportRow(split_key=row[2], ordered=ordered, names=names)


def _event_rows(conn: sqlite3.Connection, spec: ExportSpec) -> Iterator[ExportRow]:
    for row in queries.event_rows(conn, spec.slices):
        yield ExportRow(ordered=list(row), names=EVENT_COLUMNS)


def count_rows(conn: sqlite3.Connection, spec: ExportSpec, columns: Columns) -> int:
    """How many rows :func:`iter_rows` will give (for a progress bar)."""
    if columns.rows is not None:
        return columns.rows
    if spec.what == "labels":
        return queries.count_label_rows(conn, spec.slices, spec.buckets)
    return queries.count_event_rows(conn, spec.slices)


def iter_rows(conn: sqlite3.Connection, spec: ExportSpec, columns: Columns) -> Iterator[ExportRow]:
    """Yield the rows of the export, streaming from the cursor (second pass)."""
    if spec.what == "final":
        return _final_rows(conn, spec, columns)
    if spec.what == "labels":
        return _label_rows(conn, spec, columns)
    return _event_rows(conn, spec)
