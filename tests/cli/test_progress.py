"""``labeler progress``: per reviewer counts, pace over the last session, --slice, --json."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from labeler.cli import main
from labeler.identity import Actor
from labeler.labels import set_label
from labeler.resolve.resolutions import resolve
from labeler.review.progress import compute_progress, session_pace
from labeler.store import Store

KEYS = [
    "reviewer",
    "labels",
    "left_in_queue",
    "full_overlap",
    "disagreements_open",
    "disagreements_resolved",
    "labels_per_hour",
]


def _label(store: Store, seq: int, who: Actor, bucket: str) -> None:
    set_label(store, seq, who, bucket, expected_version=None)


@pytest.fixture
def labeled(make_store, make_actor) -> Store:  # type: ignore[no-untyped-def]
    """Ten cases (odd ones short, even ones long): alice labels 1-6, bob 1-3; bob disagrees on
    cases 2 and 3; case 3 is resolved."""
    store: Store = make_store()
    alice, bob = make_actor("alice"), make_actor("bob")
    for seq in range(1, 7):
        _label(store, seq, alice, "wrong_intent")
    _label(store, 1, bob, "wrong_intent")
    _label(store, 2, bob, "too_slow")
    _label(store, 3, bob, "too_slow")
    resolve(
        store,
        3,
        make_actor("lead"),
        bucket="too_slow",
        method="took_b",
        reason=None,
        expected_version=None,
    )
    return store


def test_progress_counts_per_reviewer(labeled: Store) -> None:
    report = compute_progress(labeled)
    rows = {r.reviewer: r for r in report.reviewers}
    assert set(rows) == {"alice", "bob"}
    alice, bob = rows["alice"], rows["bob"]
    assert (alice.labels, alice.full_overlap, alice.left_in_queue) == (6, 3, 4)
    assert (bob.labels, bob.full_overlap, bob.left_in_queue) == (3, 3, 7)
    assert (alice.disagreements_open, alice.disagreements_resolved) == (1, 1)
    assert (bob.disagreements_open, bob.disagreements_resolved) == (1, 1)
    # Labels given just now, in a few milliseconds: a pace (or None when too quick to measure).
    assert alice.labels_per_hour is None or alice.labels_per_hour > 0


def test_progress_json_keys_and_slice(labeled: Store) -> None:
    result = CliRunner().invoke(
        main, ["progress", str(labeled.path), "--json", "--slice", "length=long"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [list(r) for r in data["reviewers"]] == [KEYS, KEYS]
    alice = data["reviewers"][0]
    # Long cases are the even ones: alice labeled 2, 4, 6; bob 2; 8 and 10 are left.
    assert alice["reviewer"] == "alice" and alice["labels"] == 3
    assert alice["left_in_queue"] == 2 and alice["full_overlap"] == 1
    assert (alice["disagreements_open"], alice["disagreements_resolved"]) == (1, 0)
    assert data["slices"] == {"length": "long"} and data["overlap"] == 2


def test_progress_text_table(labeled: Store) -> None:
    result = CliRunner().invoke(main, ["progress", str(labeled.path), "--overlap", "1"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "reviewer" in lines[1] and "labels/h" in lines[1]
    assert lines[2].split()[:4] == ["alice", "6", "4", "6"]


def test_progress_slice_typo_is_a_usage_error(labeled: Store) -> None:
    result = CliRunner().invoke(main, ["progress", str(labeled.path), "--slice", "lenght=long"])
    assert result.exit_code == 2
    assert "did you mean 'length'?" in result.output and "'channel'" in result.output


def test_progress_empty_store(make_store) -> None:  # type: ignore[no-untyped-def]
    store = make_store()
    result = CliRunner().invoke(main, ["progress", str(store.path), "--json"])
    assert result.exit_code == 0 and json.loads(result.output)["reviewers"] == []


def test_session_pace_uses_the_last_session_only() -> None:
    newest_first = [
        "2026-12-01T10:30:00.000Z",
        "2026-12-01T10:20:00.000Z",
        "2026-12-01T10:00:00.000Z",  # three labels in 30 minutes: 4 per hour
        "2026-12-01T08:00:00.000Z",  # an earlier session, two hours before
        "2026-12-01T07:59:00.000Z",
    ]
    assert session_pace(newest_first) == 4.0
    assert session_pace(newest_first[:1]) is None
    assert session_pace([]) is None
    assert session_pace(newest_first[2:4]) is None  # the last session holds one label


def test_installed_command(labeled: Store) -> None:
    exe = Path(sys.executable).with_name("labeler")
    out = subprocess.run(
        [str(exe), "progress", str(labeled.path), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout)["reviewers"][1]["reviewer"] == "bob"
