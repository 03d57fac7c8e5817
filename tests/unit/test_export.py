"""``labeler.export``: the columns and values of each export kind, its filters, and JSON lines."""

from __future__ import annotations

from pathlib import Path

import pytest
from export_fixtures import (
    META_AGREED,
    add_case,
    read_csv,
    read_csv_dicts,
    read_jsonl,
    status_store,
)

from labeler.export import (
    EVENT_COLUMNS,
    FINAL_COLUMNS,
    LABEL_COLUMNS,
    ExportSpec,
    export_store,
)
from labeler.store import Store

META_COLUMNS = [
    "meta.empty",
    "meta.latency_ms",
    "meta.model",
    "meta.nothing",
    "meta.prompt.deep.x",
    "meta.prompt.tags",
    "meta.prompt.version",
    "meta.ratio",
]
SLICE_COLUMNS = ["slice.attachment", "slice.length", "slice.user"]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """The store with one case of every status."""
    return status_store(tmp_path)


def test_final_header_is_fixed_columns_then_sorted_slices_then_sorted_meta(
    store: Store, tmp_path: Path
) -> None:
    out = tmp_path / "final.csv"
    result = export_store(store, out, ExportSpec())
    header = read_csv(out)[0]
    assert header == [*FINAL_COLUMNS, *SLICE_COLUMNS, *META_COLUMNS]
    assert list(FINAL_COLUMNS) == [
        "case_id",
        "final_bucket",
        "status",
        "labels",
        "notes",
        "resolution_method",
        "resolver",
        "resolution_reason",
    ]
    assert result.rows == 6
    assert result.files == (out,)


def test_final_row_of_every_status(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "final.csv"
    export_store(store, out, ExportSpec())
    rows = {r["case_id"]: r for r in read_csv_dicts(out)}
    assert list(rows) == ["c-agreed", "c-resolved", "c-unclear", "c-unres", "c-single", "c-none"]
    fixed = {case_id: tuple(row[c] for c in FINAL_COLUMNS[1:]) for case_id, row in rows.items()}
    assert fixed == {
        "c-agreed": (
            "wrong_intent",
            "agreed",
            "alice:wrong_intent; bob:wrong_intent",
            "alice: clear, wrong intent; bob: =1+2 looks like a formula",
            "",
            "",
            "",
        ),
        "c-resolved": (
            "wrong_intent",
            "resolved",
            "alice:wrong_intent; bob:bad_extraction",
            "bob: the amount",
            "took_a",
            "carol",
            "A read the request right",
        ),
        "c-unclear": (
            "unclear",
            "unclear",
            "alice:other; bob:too_slow",
            "",
            "unclear",
            "carol",
            "cannot tell from the log",
        ),
        "c-unres": (
            "unresolved",
            "unresolved",
            "alice:wrong_intent; bob:not_a_failure",
            "",
            "",
            "",
            "",
        ),
        "c-single": ("unsafe_pii", "single", "alice:unsafe_pii", "", "", "", ""),
        "c-none": ("unlabeled", "unlabeled", "", "", "", "", ""),
    }


def test_final_slice_and_meta_cells(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "final.csv"
    export_store(store, out, ExportSpec())
    rows = {r["case_id"]: r for r in read_csv_dicts(out)}
    agreed = rows["c-agreed"]
    assert {c: agreed[c] for c in SLICE_COLUMNS} == {
        "slice.attachment": "",
        "slice.length": "long",
        "slice.user": "new",
    }
    assert {c: agreed[c] for c in META_COLUMNS} == {
        "meta.empty": "{}",
        "meta.latency_ms": "1234",
        "meta.model": "gpt-x",
        "meta.nothing": "",
        "meta.prompt.deep.x": "true",
        "meta.prompt.tags": '["a", "b"]',
        "meta.prompt.version": "v2",
        "meta.ratio": "0.25",
    }
    assert rows["c-resolved"]["meta.model"] == "gpt-y"
    assert rows["c-unclear"]["slice.attachment"] == "yes"
    assert all(rows["c-none"][c] == "" for c in SLICE_COLUMNS + META_COLUMNS)


def test_final_jsonl_keeps_raw_values_and_leaves_out_missing_keys(
    store: Store, tmp_path: Path
) -> None:
    out = tmp_path / "final.jsonl"
    result = export_store(store, out, ExportSpec(), fmt="jsonl")
    records = read_jsonl(out)
    assert result.rows == len(records) == 6
    agreed = records[0]
    assert list(agreed) == [*FINAL_COLUMNS, "slice.length", "slice.user", *META_COLUMNS]
    assert agreed["meta.latency_ms"] == 1234
    assert agreed["meta.prompt.tags"] == ["a", "b"]
    assert agreed["meta.prompt.deep.x"] is True
    assert agreed["meta.empty"] == {}
    assert agreed["meta.nothing"] is None
    assert agreed["meta.ratio"] == META_AGREED["ratio"]
    assert agreed["notes"] == "alice: clear, wrong intent; bob: =1+2 looks like a formula"
    assert agreed["resolution_method"] is None
    none = records[-1]
    assert list(none) == list(FINAL_COLUMNS)
    assert none["labels"] is None
    assert none["status"] == "unlabeled"


def test_bucket_filter_keeps_final_buckets_including_pseudo_buckets(
    store: Store, tmp_path: Path
) -> None:
    out = tmp_path / "f.csv"
    export_store(store, out, ExportSpec(buckets=("wrong_intent", "unclear")))
    rows = read_csv_dicts(out)
    assert [r["case_id"] for r in rows] == ["c-agreed", "c-resolved", "c-unclear"]
    # Only slices and meta keys of the exported cases make columns.
    header = [c for c in read_csv(out)[0] if c.startswith("slice.")]
    assert header == SLICE_COLUMNS


def test_slice_filter_and_columns_of_only_the_exported_cases(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "f.csv"
    export_store(store, out, ExportSpec(slices=(("length", "short"),)))
    rows = read_csv_dicts(out)
    assert [r["case_id"] for r in rows] == ["c-resolved", "c-single"]
    assert read_csv(out)[0] == [*FINAL_COLUMNS, "slice.length", "meta.model"]


def test_slice_and_bucket_filters_combine(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "f.csv"
    spec = ExportSpec(buckets=("unresolved", "wrong_intent"), slices=(("length", "long"),))
    export_store(store, out, spec)
    assert [r["case_id"] for r in read_csv_dicts(out)] == ["c-agreed", "c-unres"]


def test_unknown_bucket_is_refused_with_the_choices(store: Store, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"no bucket 'nope'.*wrong_intent"):
        export_store(store, tmp_path / "f.csv", ExportSpec(buckets=("nope",)))
    assert not (tmp_path / "f.csv").exists()


def test_labels_export_columns_and_rows_of_current_cases(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "labels.csv"
    result = export_store(store, out, ExportSpec(what="labels"))
    records = read_csv(out)
    assert records[0] == ["case_id", "reviewer", "bucket", "note", "labeled_at", "account"]
    assert records[0] == list(LABEL_COLUMNS)
    rows = read_csv_dicts(out)
    assert result.rows == 9  # carol's label on the old version of c-single is not exported
    assert [(r["case_id"], r["reviewer"], r["bucket"]) for r in rows][:3] == [
        ("c-agreed", "alice", "wrong_intent"),
        ("c-agreed", "bob", "wrong_intent"),
        ("c-resolved", "alice", "wrong_intent"),
    ]
    assert rows[1]["note"] == "=1+2 looks like a formula"
    assert records[2][3] == "'=1+2 looks like a formula"
    assert rows[1]["account"] == "bob-account"
    assert rows[1]["labeled_at"].endswith("Z")
    assert all(r["reviewer"] != "carol" for r in rows)


def test_labels_export_bucket_filter_is_the_label_bucket(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "labels.jsonl"
    export_store(store, out, ExportSpec(what="labels", buckets=("wrong_intent",)), fmt="jsonl")
    records = read_jsonl(out)
    assert [(r["case_id"], r["reviewer"]) for r in records] == [
        ("c-agreed", "alice"),
        ("c-agreed", "bob"),
        ("c-resolved", "alice"),
        ("c-unres", "alice"),
    ]
    assert records[0]["note"] == "clear, wrong intent"
    assert records[2]["note"] is None
    assert list(records[0]) == list(LABEL_COLUMNS)


def test_events_export_is_the_whole_audit_log(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "events.csv"
    result = export_store(store, out, ExportSpec(what="events"))
    assert read_csv(out)[0] == list(EVENT_COLUMNS)
    assert list(EVENT_COLUMNS) == [
        "id",
        "at",
        "actor",
        "account",
        "kind",
        "case_id",
        "before",
        "after",
        "detail",
    ]
    total = store.query("SELECT count(*) FROM events")[0][0]
    assert result.rows == total
    rows = read_csv_dicts(out)
    assert [int(r["id"]) for r in rows] == sorted(int(r["id"]) for r in rows)
    creates = [r for r in rows if r["kind"] == "label.create" and r["case_id"] == "c-agreed"]
    assert creates[0]["actor"] == "bob"
    assert creates[0]["account"] == "bob-account"
    assert '"bucket": "wrong_intent"' in creates[0]["after"]


def test_events_export_with_slice_keeps_events_of_those_cases(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "events.jsonl"
    export_store(store, out, ExportSpec(what="events", slices=(("length", "short"),)), fmt="jsonl")
    records = read_jsonl(out)
    assert {r["case_id"] for r in records} == {"c-resolved", "c-single"}
    assert isinstance(records[0]["id"], int)


def test_events_reject_bucket_and_split(store: Store, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="--bucket does not apply"):
        export_store(store, tmp_path / "e.csv", ExportSpec(what="events", buckets=("other",)))
    with pytest.raises(ValueError, match="--split-by-bucket does not apply"):
        export_store(store, tmp_path / "e", ExportSpec(what="events"), split=True)


def test_meta_with_too_many_keys_becomes_one_json_column(tmp_path: Path) -> None:
    from labeler.export import rows

    store = status_store(tmp_path)
    add_case(store, 8, "c-wide", meta={f"k{i}": i for i in range(rows.MAX_META_COLUMNS + 1)})
    out = tmp_path / "f.csv"
    export_store(store, out, ExportSpec())
    header = read_csv(out)[0]
    assert header[-1] == "meta"
    assert not any(c.startswith("meta.") for c in header)
    wide = read_csv_dicts(out)[-1]
    assert wide["meta"].startswith('{"k0": 0')


def test_meta_flattening_rules() -> None:
    from labeler.export.rows import flatten_json_object

    assert flatten_json_object({"a": {"b": {"c": 1}}, "l": [1, {"x": 2}], "e": {}}, "m.") == {
        "m.a.b.c": 1,
        "m.l": [1, {"x": 2}],
        "m.e": {},
    }
    # A literal dotted key and a nested path that flatten alike: the first one wins.
    assert flatten_json_object({"a": {"b": 1}, "a.b": 2}, "") == {"a.b": 1}


def test_damaged_meta_is_exported_as_text(tmp_path: Path) -> None:
    store = status_store(tmp_path)
    add_case(store, 8, "c-bad-meta")
    with store.write() as conn:
        conn.execute("UPDATE cases SET meta = '[1, 2' WHERE seq = 8")
    out = tmp_path / "f.jsonl"
    export_store(store, out, ExportSpec(), fmt="jsonl")
    assert read_jsonl(out)[-1]["meta"] == "[1, 2"


def test_the_export_core_imports_no_ui_library() -> None:
    import subprocess
    import sys

    code = (
        "import sys, labeler.export, labeler.export.run;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich', 'click')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
