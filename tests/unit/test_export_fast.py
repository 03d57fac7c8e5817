"""The export's fast paths give what the straightforward code gave, value for value.

``discover_columns`` lists flat metadata keys without flattening, parses stored objects with the
scanner alone, and ``iter_rows`` builds rows in column order; ``csv_cell`` skips
``neutralise`` for plain first characters. The oracles below are the code as it was before
(parse with ``decode``, flatten every object, one dict per row).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from export_fixtures import actor, add_case, label, resolve
from hypothesis import given, settings
from hypothesis import strategies as st

from labeler.export import ExportSpec
from labeler.export import rows as export_rows
from labeler.export.rows import (
    _DECODER,
    FINAL_COLUMNS,
    MAX_META_COLUMNS,
    META_PREFIX,
    SLICE_PREFIX,
    discover_columns,
    flatten_json_object,
    iter_rows,
)
from labeler.export.writers import _jsonable, csv_cell
from labeler.store import Store, create_store
from labeler.text.csv_safety import neutralise


def old_load_object(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        value = _DECODER.decode(text)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def old_slice_values(text: str | None) -> dict[str, Any]:
    slices = old_load_object(text)
    if slices is None:
        return {}
    return {SLICE_PREFIX + name: value for name, value in slices.items()}


def old_meta_values(text: str | None, flattened: bool) -> dict[str, Any]:
    if not flattened:
        return {"meta": text}
    meta = old_load_object(text)
    if meta is None:
        return {} if text in (None, "", "{}") else {"meta": text}
    return flatten_json_object(meta, META_PREFIX)


def old_columns(store: Store, spec: ExportSpec) -> tuple[tuple[str, ...], bool, int]:
    slice_names: set[str] = set()
    meta_names: set[str] = set()
    flattened = True
    rows = 0
    marks = ",".join("?" * len(spec.buckets))
    where = f" AND final_bucket IN ({marks})" if spec.buckets else ""
    for slices_text, meta_text in store.query(
        f"SELECT slices, meta FROM case_status WHERE 1 = 1{where}", spec.buckets
    ):
        rows += 1
        slice_names.update(old_slice_values(slices_text))
        if flattened:
            meta_names.update(old_meta_values(meta_text, True))
            if len(meta_names) > MAX_META_COLUMNS:
                flattened = False
                meta_names = {"meta"}
    return FINAL_COLUMNS + tuple(sorted(slice_names)) + tuple(sorted(meta_names)), flattened, rows


def old_cell(value: Any) -> str:
    value = _jsonable(value)
    if value is None:
        text = ""
    elif isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = json.dumps(value, ensure_ascii=False)
    return neutralise(text)


META_TEXTS = [
    '{"model": "m", "latency_ms": 120, "ok": true, "score": 0.5, "tags": ["a", {"b": 1}]}',
    '{"a": {"b": {"c": 1}}, "a.b": 2, "e": {}, "n": null}',
    '{"deep": ' + "[" * 300 + "]" * 300 + "}",
    '{"esc\\u0041pe": "v\\n", "quote\\"": 1}',
    '{"x": NaN, "y": Infinity, "z": 1e999}',
    '{"dup": 1, "dup": 2}',
    '  {"spaced": 1}  ',
    '{"trailing": 1} x',
    "[1, 2]",
    '"just a string"',
    "not json",
    "",
    "{}",
    '{"big": ' + "9" * 30 + "}",
    '{"é": "注文", "": "empty key"}',
    '{"neg": -5, "eq": "=1+2", "apos": "\'q"}',
]


def _odd_store(folder: Path, *, broken_slices: bool = True) -> Store:
    store = create_store(folder / "s.db", actor("owner"))
    for seq, text in enumerate(META_TEXTS, start=1):
        slices = {"length": ["short", "long"][seq % 2], "n": str(seq % 3)}
        add_case(store, seq, f"c{seq}", slices=slices if seq % 4 else None)
        with store.write() as conn:  # the stored text exactly, even where import would refuse it
            conn.execute("UPDATE cases SET meta = ? WHERE seq = ?", (text, seq))
        if seq % 3:
            label(store, seq, "alice", "other", note=f"note {seq}")
        if seq % 5 == 0:
            label(store, seq, "bob", "too_slow")
            resolve(store, seq, "too_slow", "other", "carol", "=reason")
    if broken_slices:  # (a --slice filter reads slices with SQLite's JSON, which refuses these)
        with store.write() as conn:
            conn.execute("UPDATE cases SET slices = 'not json' WHERE seq = 3")
            conn.execute("UPDATE cases SET slices = '[1]' WHERE seq = 5")
    return store


@pytest.mark.parametrize(
    "spec",
    [
        ExportSpec(),
        ExportSpec(buckets=("other", "unlabeled")),
        ExportSpec(slices=(("length", "long"),)),
    ],
    ids=["all", "buckets", "slice"],
)
def test_columns_and_rows_are_the_old_ones(tmp_path: Path, spec: ExportSpec) -> None:
    store = _odd_store(tmp_path, broken_slices=not spec.slices)
    with store.snapshot() as conn:
        columns = discover_columns(conn, spec)
        rows = list(iter_rows(conn, spec, columns))
    if not spec.slices:
        names, flattened, count = old_columns(store, spec)
        assert (columns.names, columns.meta_flattened, columns.rows) == (names, flattened, count)
    extra = frozenset(columns.names[len(FINAL_COLUMNS) :])
    for row in rows:
        values = {name: row.values[name] for name in FINAL_COLUMNS}
        seq = int(str(values["case_id"])[1:])
        stored = store.query("SELECT slices, meta FROM cases WHERE seq = ?", (seq,))[0]
        values.update(old_slice_values(stored[0]))
        values.update(old_meta_values(stored[1], columns.meta_flattened))
        assert row.values == values
        assert row.optional == extra - values.keys()
        assert [old_cell(row.values.get(n)) for n in columns.names] == [
            csv_cell(v) for v in (row.ordered or [])
        ]


def test_too_many_metadata_keys_is_one_meta_column(tmp_path: Path) -> None:
    store = _odd_store(tmp_path)
    add_case(store, 99, "c-wide", meta={f"k{i}": i for i in range(MAX_META_COLUMNS + 1)})
    with store.snapshot() as conn:
        columns = discover_columns(conn, ExportSpec())
        rows = list(iter_rows(conn, ExportSpec(), columns))
    assert columns.names[-1] == "meta" and not columns.meta_flattened
    assert old_columns(store, ExportSpec())[:2] == (columns.names, False)
    assert [r.values["meta"] for r in rows][-1].startswith('{"k0": 0')


_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(),
    st.binary(max_size=8),
    st.lists(st.integers() | st.text(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@settings(max_examples=500, deadline=None)
@given(_VALUE)
def test_csv_cell_is_the_old_one(value: Any) -> None:
    if isinstance(value, float) and math.isnan(value):
        assert csv_cell(value) == old_cell(value) == "NaN"
    assert csv_cell(value) == old_cell(value)


def test_the_rows_module_keeps_its_public_names() -> None:
    assert {"ExportRow", "MISSING", "iter_rows", "discover_columns"} <= set(export_rows.__all__)
