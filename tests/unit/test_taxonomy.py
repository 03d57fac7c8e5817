"""Taxonomy files: validation with line numbers, clashes, and safe replacement."""

from __future__ import annotations

from pathlib import Path

import pytest

from labeler.cases import find_case_seq
from labeler.identity import Actor
from labeler.importing import import_files
from labeler.labels import get_label, set_label
from labeler.store import StoreError, create_store
from labeler.taxonomy import (
    TaxonomyFileError,
    default_taxonomy,
    parse_taxonomy,
    read_taxonomy,
    replace_taxonomy,
    taxonomy_to_toml,
)

ACTOR = Actor(name="owner", account="owner", on_trust=False)

GOOD = """
[[bucket]]
key = "wrong_intent"
name = "Wrong intent"
shortcut = "1"
description = "Answers another request."

[[bucket]]
key = "fine"
name = "Not a failure"
shortcut = "2"
"""


def test_default_taxonomy_has_the_failure_kinds() -> None:
    keys = [b.key for b in default_taxonomy().buckets]
    assert keys == [
        "wrong_intent",
        "bad_extraction",
        "invented_policy",
        "unsafe_pii",
        "broken_format",
        "wrong_refusal",
        "too_slow",
        "other",
        "not_a_failure",
    ]
    assert {b.key for b in default_taxonomy().buckets if b.must_pass} == {
        "unsafe_pii",
        "broken_format",
    }


def test_parse_good_file_and_round_trip() -> None:
    tax = parse_taxonomy(GOOD, "t.toml")
    assert [b.key for b in tax.buckets] == ["wrong_intent", "fine"]
    assert parse_taxonomy(taxonomy_to_toml(tax), "again.toml") == tax


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD.replace('shortcut = "2"', 'shortcut = "1"'), "share the shortcut"),
        (GOOD.replace('shortcut = "2"', 'shortcut = "22"'), "t.toml:8: bucket #2 shortcut"),
        (GOOD.replace('shortcut = "2"', 'shortcut = "q"'), "used by the review screens"),
        (GOOD.replace('key = "fine"', 'key = ""'), "t.toml:8: bucket #2 key"),
        (GOOD.replace('key = "fine"', 'key = "wrong_intent"'), "appears twice"),
        (GOOD.replace('name = "Not a failure"', 'name = "x"\ncolour = "red"'), "colour"),
        (GOOD.replace('shortcut = "2"', "shortcut = 2"), "bucket #2 shortcut"),
        ("[[bucket]\nkey=", "not valid TOML"),
        ("title = 'x'", "no [[bucket]]"),
    ],
)
def test_bad_files_are_named_by_line(text: str, expected: str) -> None:
    with pytest.raises(TaxonomyFileError) as err:
        parse_taxonomy(text, "t.toml")
    assert expected in str(err.value)


def _store_with_label(tmp_path: Path):  # type: ignore[no-untyped-def]
    store = create_store(tmp_path / "s.db", ACTOR)
    cases = tmp_path / "c.jsonl"
    cases.write_text('{"id": "c1", "input": "a", "output": "b"}\n')
    import_files(store, [cases], ACTOR)
    seq = find_case_seq(store, "c1")
    assert seq is not None
    set_label(store, seq, Actor("alice", "alice", False), "too_slow", expected_version=None)
    return store, seq


def test_dropping_a_bucket_with_labels_is_refused(tmp_path: Path) -> None:
    store, seq = _store_with_label(tmp_path)
    new = parse_taxonomy(GOOD, "t.toml")
    with pytest.raises(StoreError, match=r"too_slow \(1 labels\).*--merge"):
        replace_taxonomy(store, new, ACTOR)
    assert [b.key for b in read_taxonomy(store).buckets][6] == "too_slow"
    label = get_label(store, seq, "alice")
    assert label is not None and label.bucket == "too_slow"


def test_merge_moves_labels_and_logs_them(tmp_path: Path) -> None:
    store, seq = _store_with_label(tmp_path)
    new = parse_taxonomy(GOOD, "t.toml")
    moved = replace_taxonomy(store, new, ACTOR, {"too_slow": "fine"})
    assert moved == {"too_slow": 1}
    label = get_label(store, seq, "alice")
    assert label is not None and label.bucket == "fine" and label.version == 2
    kinds = [r[0] for r in store.query("SELECT kind FROM events ORDER BY id")]
    assert "label.merge" in kinds and kinds[-1] == "taxonomy.set"
    assert [b.key for b in read_taxonomy(store).buckets] == ["wrong_intent", "fine"]


def test_swapping_shortcuts_works(tmp_path: Path) -> None:
    store = create_store(tmp_path / "s.db", ACTOR)
    tax = default_taxonomy()
    first, second = tax.buckets[0], tax.buckets[1]
    swapped = tax.model_copy(deep=True)
    swapped.buckets[0].shortcut, swapped.buckets[1].shortcut = second.shortcut, first.shortcut
    replace_taxonomy(store, swapped, ACTOR)
    stored = read_taxonomy(store).by_key()
    assert stored[first.key].shortcut == second.shortcut
