"""``ExportSpec(with_text=True)``: the case texts in the final and labels exports.

The cases are imported as a user imports them (``make_store``), so the texts are stored the
way the product stores them: a chat input and the context as JSON, the rest as text. JSON lines
must give each text back exactly (a chat and the context as lists); the CSV gives the stored
text in one cell, made safe for a spreadsheet like every other cell, and ``restore`` gives the
stored text back.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from export_fixtures import (
    AWKWARD_STRINGS,
    HOSTILE_STRINGS,
    actor,
    label,
    read_csv,
    read_csv_dicts,
    read_jsonl,
)

from labeler.export import (
    FINAL_COLUMNS,
    LABEL_COLUMNS,
    TEXT_COLUMNS,
    ExportSpec,
    export_store,
)
from labeler.export.rows import StoredJson, discover_columns, iter_rows
from labeler.export.writers import csv_cell
from labeler.importing import import_files
from labeler.store import Store, export_queries
from labeler.text.csv_safety import is_dangerous

CaseDict = dict[str, Any]
MakeStore = Callable[..., Store]

CHAT = [
    {"role": "system", "content": '=HYPERLINK("http://evil.example", "click")'},
    {"role": "user", "content": "line one\r\nline two\x00 and a NUL"},
    {"role": "assistant", "content": "\x1b]52;c;ZXZpbA==\x07 \u202eRTL"},
]
BIG = "=cmd|' /C calc'!A0 " + "x" * 300_000 + "\r\nend"
"""A text of about 300 KB that starts like a formula."""


def records() -> list[CaseDict]:
    """One case for each shape of text the importer takes."""
    return [
        {
            "id": "chat",
            "input": CHAT,
            "context": [
                "a plain string document",
                {"title": "=title", "text": "-2+3", "source": "@src"},
                {"text": "only text"},
            ],
            "output": "@SUM(A1:A9)",
            "expected": "+1 expected",
            "slices": {"kind": "chat"},
            "meta": {"model": "m"},
        },
        {
            "id": "text",
            "input": "\t=1+2 after a TAB",
            "context": "one string of context",
            "output": None,
            "slices": {"kind": "text"},
        },
        {"id": "big", "input": BIG, "output": BIG[::-1], "expected": BIG},
        {"id": "structured", "input": "q", "output": "a", "expected": {"answer": [1, "=2"]}},
        {"id": "bare", "input": "", "output": ""},
    ]


def jsonl_texts(record: CaseDict) -> dict[str, Any]:
    """What the JSON lines export must hold for a record: the texts as the product models
    them (a chat input and the context documents stay lists)."""
    context = record.get("context")
    if isinstance(context, str):
        context = [context]
    docs = None
    if context:
        docs = []
        for doc in context:
            full = {"text": doc} if isinstance(doc, str) else doc
            docs.append({key: full.get(key) for key in ("source", "text", "title")})
    chat = record["input"]
    expected = record.get("expected")
    if expected is not None and not isinstance(expected, str):
        expected = json.dumps(expected, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return {
        "input": chat if isinstance(chat, str) else [dict(sorted(t.items())) for t in chat],
        "context": docs,
        "output": record["output"],
        "expected": expected,
    }


def stored_texts(store: Store, case_id: str) -> dict[str, Any]:
    """The four texts of the current version of a case, exactly as stored."""
    row = store.query(
        "SELECT t.input, t.context, t.output, t.expected FROM cases c"
        " JOIN case_texts t ON t.case_seq = c.seq WHERE c.case_id = ? AND c.is_current = 1",
        (case_id,),
    )[0]
    return dict(zip(TEXT_COLUMNS, tuple(row), strict=True))


@pytest.fixture
def text_store(make_store: MakeStore) -> Store:
    """The cases of :func:`records`, two of them labeled by alice and one also by bob."""
    store = make_store(records())
    label(store, 1, "alice", "other", note="=note")
    label(store, 1, "bob", "too_slow")
    label(store, 2, "alice", "wrong_intent")
    return store


def test_text_columns_come_after_the_fixed_ones_and_before_slices_and_meta(
    text_store: Store,
) -> None:
    with text_store.snapshot() as conn:
        final = discover_columns(conn, ExportSpec(with_text=True)).names
        labels = discover_columns(conn, ExportSpec(what="labels", with_text=True)).names
        plain = discover_columns(conn, ExportSpec()).names
    assert final == FINAL_COLUMNS + TEXT_COLUMNS + ("slice.kind", "meta.model")
    assert labels == LABEL_COLUMNS + TEXT_COLUMNS
    assert plain == (*FINAL_COLUMNS, "slice.kind", "meta.model")
    assert TEXT_COLUMNS == ("input", "context", "output", "expected")


def test_jsonl_keeps_every_text_exactly(text_store: Store, tmp_path: Path) -> None:
    export_store(text_store, tmp_path / "f.jsonl", ExportSpec(with_text=True), fmt="jsonl")
    out = read_jsonl(tmp_path / "f.jsonl")
    assert [r["case_id"] for r in out] == [r["id"] for r in records()]
    for record, row in zip(records(), out, strict=True):
        assert {name: row[name] for name in TEXT_COLUMNS} == jsonl_texts(record), record["id"]
    assert list(out[0]) == [*FINAL_COLUMNS, *TEXT_COLUMNS, "slice.kind", "meta.model"]
    assert out[0]["input"] == CHAT  # the chat is a list of turns, key for key
    assert out[2]["input"] == BIG and out[2]["expected"] == BIG


def test_csv_holds_the_stored_texts_made_safe(text_store: Store, tmp_path: Path) -> None:
    export_store(text_store, tmp_path / "f.csv", ExportSpec(with_text=True))
    raw = read_csv(tmp_path / "f.csv")
    assert raw[0] == [*FINAL_COLUMNS, *TEXT_COLUMNS, "slice.kind", "meta.model"]
    for record in raw[1:]:
        assert not any(is_dangerous(cell) for cell in record)
    rows = read_csv_dicts(tmp_path / "f.csv")
    for row in rows:
        stored = stored_texts(text_store, row["case_id"])
        assert {name: row[name] for name in TEXT_COLUMNS} == {
            name: "" if value is None else value for name, value in stored.items()
        }
    by_id = {row["case_id"]: row for row in rows}
    jsonl_chat = jsonl_texts(records()[0])
    assert json.loads(by_id["chat"]["input"]) == jsonl_chat["input"]
    assert json.loads(by_id["chat"]["context"]) == jsonl_chat["context"]
    assert by_id["structured"]["expected"] == '{"answer":[1,"=2"]}'
    cells = dict(zip(raw[0], raw[3], strict=True))  # the big case: a formula start, prefixed
    assert cells["input"] == "'" + BIG and cells["expected"] == "'" + BIG
    assert dict(zip(raw[0], raw[2], strict=True))["input"] == "'\t=1+2 after a TAB"


def test_labels_rows_carry_the_texts_of_their_case(text_store: Store, tmp_path: Path) -> None:
    spec = ExportSpec(what="labels", with_text=True)
    export_store(text_store, tmp_path / "l.jsonl", spec, fmt="jsonl")
    export_store(text_store, tmp_path / "l.csv", spec)
    out = read_jsonl(tmp_path / "l.jsonl")
    assert [(r["case_id"], r["reviewer"]) for r in out] == [
        ("chat", "alice"),
        ("chat", "bob"),
        ("text", "alice"),
    ]
    expected = {r["id"]: jsonl_texts(r) for r in records()}
    for row in out:
        assert {name: row[name] for name in TEXT_COLUMNS} == expected[row["case_id"]]
    rows = read_csv_dicts(tmp_path / "l.csv")
    assert [r["note"] for r in rows] == ["=note", "", ""]
    for row in rows:
        stored = stored_texts(text_store, row["case_id"])
        assert row["input"] == stored["input"] and row["context"] == (stored["context"] or "")


@pytest.mark.parametrize("text", list(dict.fromkeys(HOSTILE_STRINGS + AWKWARD_STRINGS)))
def test_hostile_texts_round_trip(make_store: MakeStore, tmp_path: Path, text: str) -> None:
    record = {
        "id": "h",
        "input": [{"role": "user", "content": text}],
        "context": [{"title": text, "text": text, "source": text}],
        "output": text,
        "expected": text,
    }
    store = make_store([record, {"id": "plain", "input": text, "output": text}])
    export_store(store, tmp_path / "f.jsonl", ExportSpec(with_text=True), fmt="jsonl")
    export_store(store, tmp_path / "f.csv", ExportSpec(with_text=True))
    first, second = read_jsonl(tmp_path / "f.jsonl")
    assert first["input"] == [{"content": text, "role": "user"}]
    assert first["context"] == [{"source": text, "text": text, "title": text}]
    assert first["output"] == first["expected"] == second["input"] == second["output"] == text
    for raw in read_csv(tmp_path / "f.csv"):
        assert not any(is_dangerous(cell) for cell in raw)
    rows = read_csv_dicts(tmp_path / "f.csv")
    assert json.loads(rows[0]["input"]) == first["input"]
    assert json.loads(rows[0]["context"]) == first["context"]
    assert rows[0]["output"] == rows[0]["expected"] == rows[1]["input"] == text


def test_a_lone_surrogate_in_stored_json_survives(make_store: MakeStore, tmp_path: Path) -> None:
    """UTF-8 cannot hold a lone surrogate, but a JSON text can (as an escape): a hand-edited
    context or chat with one exports as valid UTF-8 and reads back to the same string."""
    store = make_store([{"id": "s", "input": [{"role": "u", "content": "x"}], "output": "o"}])
    with store.write() as conn:
        conn.execute(
            "UPDATE case_texts SET context = ?, input = ?",
            (
                '[{"source":null,"text":"a\\ud800b","title":null}]',
                '[{"content":"\\udfff","role":"u"}]',
            ),
        )
    export_store(store, tmp_path / "f.jsonl", ExportSpec(with_text=True), fmt="jsonl")
    export_store(store, tmp_path / "f.csv", ExportSpec(with_text=True))
    row = read_jsonl(tmp_path / "f.jsonl")[0]  # (strict UTF-8 decoding inside)
    assert row["context"] == [{"source": None, "text": "a\ud800b", "title": None}]
    assert row["input"] == [{"content": "\udfff", "role": "u"}]
    cells = read_csv_dicts(tmp_path / "f.csv")[0]
    assert cells["context"] == '[{"source":null,"text":"a\\ud800b","title":null}]'


def test_the_texts_are_those_of_the_current_version(make_store: MakeStore, tmp_path: Path) -> None:
    store = make_store([{"id": "a", "input": "old question", "output": "old answer"}])
    label(store, 1, "carol", "other")  # on the old text: not in the export
    newer = tmp_path / "newer.jsonl"
    newer.write_text(json.dumps({"id": "a", "input": "new question", "output": "new answer"}))
    assert import_files(store, [newer], actor("importer"), update=True).updated == 1
    new_seq = int(store.query("SELECT seq FROM cases WHERE is_current = 1")[0][0])
    label(store, new_seq, "alice", "wrong_intent")
    export_store(store, tmp_path / "f.jsonl", ExportSpec(with_text=True), fmt="jsonl")
    labels = ExportSpec(what="labels", with_text=True)
    export_store(store, tmp_path / "l.jsonl", labels, fmt="jsonl")
    (final,) = read_jsonl(tmp_path / "f.jsonl")
    assert (final["input"], final["output"], final["labels"]) == (
        "new question",
        "new answer",
        "alice:wrong_intent",
    )
    (row,) = read_jsonl(tmp_path / "l.jsonl")
    assert (row["reviewer"], row["input"], row["output"]) == ("alice", "new question", "new answer")


def test_filters_split_and_progress_work_with_text(text_store: Store, tmp_path: Path) -> None:
    for spec in (
        ExportSpec(buckets=("other", "unlabeled")),
        ExportSpec(slices=(("kind", "chat"),)),
        ExportSpec(what="labels", buckets=("wrong_intent",)),
    ):
        with text_store.snapshot() as conn:
            plain = [r.values for r in iter_rows(conn, spec, discover_columns(conn, spec))]
            spec_text = ExportSpec(spec.what, spec.buckets, spec.slices, with_text=True)
            columns = discover_columns(conn, spec_text)
            texts = [r.values for r in iter_rows(conn, spec_text, columns)]
        assert [{k: v for k, v in r.items() if k not in TEXT_COLUMNS} for r in texts] == plain
        assert plain  # each filter keeps something
    calls: list[tuple[int, int]] = []
    result = export_store(
        text_store,
        tmp_path / "split",
        ExportSpec(with_text=True),
        split=True,
        fmt="jsonl",
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(5, 5)] and result.rows == 5
    unlabeled = read_jsonl(tmp_path / "split" / "unlabeled.jsonl")
    assert [r["case_id"] for r in unlabeled] == ["big", "structured", "bare"]
    assert unlabeled[0]["input"] == BIG


def test_rows_give_raw_values_and_the_fast_csv_path_matches_csv_cell(text_store: Store) -> None:
    spec = ExportSpec(with_text=True)
    with text_store.snapshot() as conn:
        columns = discover_columns(conn, spec)
        rows = list(iter_rows(conn, spec, columns))
    chat = rows[0].values
    assert isinstance(chat["input"], StoredJson) and isinstance(chat["context"], StoredJson)
    assert chat["input"].value() == jsonl_texts(records()[0])["input"]
    assert rows[1].values["input"] == "\t=1+2 after a TAB"  # a text input is the text itself
    assert rows[1].values["output"] is None and rows[4].values["context"] is None
    for row in rows:
        assert row.names == columns.names and row.ordered is not None
        assert [csv_cell(v) for v in row.ordered] == [
            csv_cell(row.values.get(name)) for name in columns.names
        ]
        assert not row.optional & set(TEXT_COLUMNS)  # the texts are never left out


def test_a_case_without_texts_or_with_damaged_json_still_exports(
    make_store: MakeStore, tmp_path: Path
) -> None:
    store = make_store(
        [
            {"id": "gone", "input": "i", "output": "o"},
            {"id": "damaged", "input": [{"role": "u", "content": "c"}], "output": "o"},
        ]
    )
    with store.write() as conn:  # a hand-edited store
        conn.execute("DELETE FROM case_texts WHERE case_seq = 1")
        conn.execute("UPDATE case_texts SET input = '[not json', context = '{' WHERE case_seq = 2")
    export_store(store, tmp_path / "f.jsonl", ExportSpec(with_text=True), fmt="jsonl")
    gone, damaged = read_jsonl(tmp_path / "f.jsonl")
    assert [gone[name] for name in TEXT_COLUMNS] == [None, None, None, None]
    assert (damaged["input"], damaged["context"]) == ("[not json", "{")


def test_events_refuse_the_texts(text_store: Store, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="--with-text does not apply to --what events"):
        export_store(text_store, tmp_path / "e.csv", ExportSpec(what="events", with_text=True))
    assert not (tmp_path / "e.csv").exists()


FILTERS: list[tuple[tuple[tuple[str, str], ...], tuple[str, ...]]] = [
    ((), ()),
    ((("kind", "chat"),), ()),
    ((), ("other",)),
    ((("kind", "chat"),), ("other", "unresolved")),
]


@pytest.mark.parametrize(("slices", "buckets"), FILTERS)
def test_the_texts_are_read_in_case_order_and_never_sorted(
    text_store: Store,
    slices: tuple[tuple[str, str], ...],
    buckets: tuple[str, ...],
) -> None:
    """A sort would copy every text of the export into a temporary b-tree (gigabytes on a big
    store); the plans with texts read the cases in order instead. Without texts the statements
    do not touch ``case_texts`` at all, so the default export stays as fast as it was."""
    for build in (export_queries.final_rows_sql, export_queries.label_rows_sql):
        sql, params = build(slices, buckets, with_text=True)
        with text_store.snapshot() as conn:
            plan = [r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + sql, params)]
        assert not [step for step in plan if "TEMP B-TREE FOR ORDER BY" in step], plan
        assert "case_texts" not in build(slices, buckets)[0]
