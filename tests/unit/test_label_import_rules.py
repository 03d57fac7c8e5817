"""``import-labels`` never overwrites a label silently, shows a dry run, rejects a header that
names a column twice, and matches case ids exactly as they were imported."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from labeler.cases import find_case_seq
from labeler.cli import main
from labeler.identity import Actor
from labeler.importing.labels import LabelConflictError, LabelFileError, import_labels
from labeler.labels import get_label, set_label
from labeler.store import Store, StoreError

MakeStore = Callable[..., Store]
MakeCases = Callable[..., list[dict[str, Any]]]
MakeActor = Callable[[str], Actor]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def label(
    store: Store, case_id: str, reviewer: Actor, bucket: str, note: str | None = None
) -> None:
    """A label given as the review screen gives it."""
    seq = find_case_seq(store, case_id)
    assert seq is not None
    current = get_label(store, seq, reviewer.name)
    set_label(
        store,
        seq,
        reviewer,
        bucket,
        expected_version=None if current is None else current.version,
        note=note,
    )


def stored(store: Store) -> list[tuple[str, str, str, str | None, int]]:
    rows = store.query(
        "SELECT c.case_id, l.reviewer, l.bucket, l.note, l.version FROM labels l"
        " JOIN cases c ON c.seq = l.case_seq ORDER BY c.case_id, l.reviewer"
    )
    return [(r[0], r[1], r[2], r[3], r[4]) for r in rows]


def event_count(store: Store) -> int:
    return int(store.query("SELECT count(*) FROM events")[0][0])


def bucket_keys(store: Store) -> list[str]:
    return [r[0] for r in store.query("SELECT key FROM buckets ORDER BY position")]


@pytest.fixture
def alice(make_actor: MakeActor) -> Actor:
    return make_actor("alice")


@pytest.fixture
def labeled(store: Store, alice: Actor) -> Store:
    """Ten cases; alice labeled case-001..case-007 in the review screen, one with a note."""
    for number in range(1, 8):
        note = "quotes 90 days" if number == 1 else None
        label(store, f"case-{number:03d}", alice, "wrong_intent", note)
    return store


def test_differing_labels_are_refused_naming_the_first_cases_and_the_count(
    labeled: Store, alice: Actor, tmp_path: Path
) -> None:
    rows = [["case_id", "reviewer", "bucket", "note"]]
    rows += [[f"case-{n:03d}", "alice", "other", ""] for n in range(2, 8)]  # 6 changes
    rows += [["case-009", "alice", "other", ""]]  # new
    path = write_csv(tmp_path / "pass.csv", rows)
    before, events = stored(labeled), event_count(labeled)

    with pytest.raises(LabelConflictError) as caught:
        import_labels(labeled, path, alice)

    message = str(caught.value)
    assert "6 labels in the file differ" in message
    for shown in ("case-002", "case-003", "case-004", "case-005", "case-006"):
        assert f'"{shown}"' in message
    assert "case-007" not in message and "and 1 more" in message
    assert "wrong_intent in the store, other in the file" in message
    assert "--replace" in message and "nothing was written" in message
    assert len(caught.value.changes) == 6
    assert stored(labeled) == before  # case-009 was not written either
    assert event_count(labeled) == events


def test_replace_overwrites_them_and_logs_what_was_there(
    labeled: Store, alice: Actor, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "pass.csv",
        [["case_id", "reviewer", "bucket"], ["case-002", "alice", "other"]],
    )
    result = import_labels(labeled, path, alice, replace=True)
    assert (result.created, result.changed, result.unchanged) == (0, 1, 0)
    assert ("case-002", "alice", "other", None, 2) in stored(labeled)
    events = labeled.query(
        "SELECT before, after, detail FROM events WHERE kind = 'label.import' AND case_id = ?",
        ("case-002",),
    )
    assert len(events) == 1
    assert json.loads(events[0][0])["bucket"] == "wrong_intent"
    assert json.loads(events[0][1])["bucket"] == "other"
    assert json.loads(events[0][2])["replace"] is True


def test_the_same_labels_again_are_unchanged_not_a_conflict(
    labeled: Store, alice: Actor, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "same.csv",
        [
            ["case_id", "reviewer", "bucket", "note"],
            ["case-001", "alice", "wrong_intent", "quotes 90 days"],
            ["case-002", "alice", "wrong_intent", ""],
        ],
    )
    events = event_count(labeled)
    result = import_labels(labeled, path, alice)
    assert (result.created, result.changed, result.unchanged) == (0, 0, 2)
    assert event_count(labeled) == events


def test_another_reviewers_label_is_not_a_conflict(
    labeled: Store, alice: Actor, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "bob.csv",
        [["case_id", "reviewer", "bucket"], ["case-002", "bob", "other"]],
    )
    result = import_labels(labeled, path, alice)
    assert (result.created, result.changed) == (1, 0)
    assert ("case-002", "alice", "wrong_intent", None, 1) in stored(labeled)


def test_without_a_note_column_the_stored_note_is_kept(
    labeled: Store, alice: Actor, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "no-note.csv",
        [["case_id", "reviewer", "bucket"], ["case-001", "alice", "wrong_intent"]],
    )
    result = import_labels(labeled, path, alice)
    assert result.unchanged == 1
    assert ("case-001", "alice", "wrong_intent", "quotes 90 days", 1) in stored(labeled)


def test_a_different_note_alone_is_a_conflict(labeled: Store, alice: Actor, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "note.csv",
        [["case_id", "reviewer", "bucket", "note"], ["case-001", "alice", "wrong_intent", ""]],
    )
    with pytest.raises(LabelConflictError, match="the note differs"):
        import_labels(labeled, path, alice)
    assert ("case-001", "alice", "wrong_intent", "quotes 90 days", 1) in stored(labeled)


def test_dry_run_counts_new_same_and_changed_and_writes_nothing(
    labeled: Store, alice: Actor, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "pass.csv",
        [
            ["case_id", "reviewer", "bucket", "note"],
            ["case-001", "alice", "wrong_intent", "quotes 90 days"],  # same
            ["case-002", "alice", "other", "not intent"],  # changed
            ["case-003", "alice", "made_up", ""],  # changed, to a new bucket
            ["case-009", "alice", "other", ""],  # new
            ["case-010", "bob", "too_slow", ""],  # new
        ],
    )
    before, events, keys = stored(labeled), event_count(labeled), bucket_keys(labeled)

    result = import_labels(labeled, path, alice, dry_run=True, create_buckets=True)

    assert result.dry_run and result.refused
    assert (result.created, result.unchanged, result.changed) == (2, 1, 2)
    assert [(c.line, c.case_id, c.old_bucket, c.new_bucket) for c in result.changes] == [
        (3, "case-002", "wrong_intent", "other"),
        (4, "case-003", "wrong_intent", "made_up"),
    ]
    assert result.changes[0].new_note == "not intent"
    assert result.new_buckets == ["made_up"]
    assert stored(labeled) == before
    assert event_count(labeled) == events
    assert bucket_keys(labeled) == keys

    with_replace = import_labels(
        labeled, path, alice, dry_run=True, replace=True, create_buckets=True
    )
    assert not with_replace.refused and stored(labeled) == before


def test_dry_run_still_names_unknown_case_ids(labeled: Store, alice: Actor, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "pass.csv", [["case_id", "reviewer", "bucket"], ["nope", "alice", "other"]]
    )
    with pytest.raises(StoreError, match='unknown case ids: "nope"'):
        import_labels(labeled, path, alice, dry_run=True)


@pytest.mark.parametrize(
    "header",
    [
        ["case_id", "reviewer", "bucket", "bucket"],
        ["case_id", "reviewer", "bucket", "note", "note"],
        ["case_id", "reviewer", " case_id ", "bucket"],
    ],
)
def test_a_header_that_names_a_column_twice_is_rejected_naming_it(
    store: Store, alice: Actor, tmp_path: Path, header: list[str]
) -> None:
    twice = header[-1].strip() if header.count(header[-1]) == 2 else "case_id"
    path = write_csv(
        tmp_path / "dup.csv",
        [header, ["case-001", "alice", "other", "wrong_intent", "x"][: len(header)]],
    )
    with pytest.raises(LabelFileError) as caught:
        import_labels(store, path, alice)
    assert f"dup.csv:1: the header names the column `{twice}` twice" in str(caught.value)
    assert stored(store) == []


def test_case_ids_are_matched_exactly_as_imported(
    make_store: MakeStore, make_cases: MakeCases, alice: Actor, tmp_path: Path
) -> None:
    records = make_cases(3)
    records[0]["id"] = " padded "
    records[1]["id"] = "plain"
    store = make_store(records)
    path = write_csv(
        tmp_path / "ids.csv",
        [
            ["case_id", "reviewer", "bucket"],
            [" padded ", "alice", "other"],
            ["plain", "bob", "other"],
        ],
    )
    result = import_labels(store, path, alice)
    assert result.created == 2
    assert [(r[0], r[1]) for r in stored(store)] == [(" padded ", "alice"), ("plain", "bob")]

    spaced = write_csv(
        tmp_path / "spaced.csv", [["case_id", "reviewer", "bucket"], ["plain ", "carol", "other"]]
    )
    with pytest.raises(StoreError) as caught:
        import_labels(store, spaced, alice)
    message = str(caught.value)
    assert 'unknown case ids: "plain "' in message
    assert 'the store has "plain"' in message
    assert len(stored(store)) == 2


def test_a_note_over_the_csv_default_field_limit_is_read(
    store: Store, alice: Actor, tmp_path: Path
) -> None:
    note = "n" * 200_000
    path = write_csv(
        tmp_path / "long.csv",
        [["case_id", "reviewer", "bucket", "note"], ["case-001", "alice", "other", note]],
    )
    assert import_labels(store, path, alice).created == 1
    assert stored(store)[0][3] == note


def test_a_control_character_in_a_reviewer_name_is_refused(
    store: Store, alice: Actor, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "rev.csv",
        [["case_id", "reviewer", "bucket"], ["case-001", "al\x1bice", "other"]],
    )
    with pytest.raises(LabelFileError, match=r"rev\.csv:2: the reviewer name contains control"):
        import_labels(store, path, alice)


# The command line: exit status, the dry-run listing, and untrusted text made safe.


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_cli_refuses_then_dry_run_lists_then_replace_writes(labeled: Store, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "pass.csv",
        [
            ["case_id", "reviewer", "bucket", "note"],
            ["case-002", "alice", "other", "see \x1b]0;title\x07 policy"],
            ["case-009", "alice", "other", ""],
        ],
    )
    store_path = str(labeled.path)
    before = stored(labeled)

    code, out = run("import-labels", store_path, str(path))
    assert code == 1
    assert "1 label in the file differs" in out and '"case-002"' in out and "--replace" in out
    assert stored(labeled) == before

    code, out = run("import-labels", store_path, str(path), "--dry-run")
    assert code == 0, out
    assert "dry run, nothing written: 1 new, 1 changed, 0 same" in out
    assert 'pass.csv:2: case "case-002" by alice: wrong_intent -> other' in out
    assert "without --replace this import would be refused" in out
    assert "\x1b" not in out and "␛" in out
    assert stored(labeled) == before

    code, out = run("import-labels", store_path, str(path), "--replace")
    assert code == 0, out
    assert "labels: 1 new, 1 changed, 0 unchanged" in out
    assert ("case-002", "alice", "other", "see \x1b]0;title\x07 policy", 2) in stored(labeled)


def test_cli_conflict_message_makes_case_ids_safe(
    make_store: MakeStore, make_cases: MakeCases, alice: Actor, tmp_path: Path
) -> None:
    records = make_cases(1)
    records[0]["id"] = "evil\x1b[2J\u202eid"
    store = make_store(records)
    label(store, records[0]["id"], alice, "wrong_intent")
    path = write_csv(
        tmp_path / "pass.csv",
        [["case_id", "reviewer", "bucket"], [records[0]["id"], "alice", "other"]],
    )
    code, out = run("import-labels", str(store.path), str(path))
    assert code == 1
    assert "\x1b" not in out and "\u202e" not in out
    assert "evil␛[2J⟨U+202E⟩id" in out
