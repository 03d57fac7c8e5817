"""``labeler check`` compares the kept counts with the labels; ``--recount`` mends them.

The counts are kept by triggers (:mod:`labeler.store.tallies`), so they go wrong only when
someone writes with a trigger dropped or edits a tally by hand. ``check`` names what is wrong
and how to mend it; ``check --recount`` puts the triggers back, recomputes the counts in one
transaction and logs a ``store.recount`` event.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from labeler.cli import main
from labeler.identity import Actor
from labeler.labels import set_label
from labeler.store import Store, create_store, open_store
from labeler.store.store_info import kept_count_problems, recount_kept_counts
from labeler.store.tallies import read_case_tallies, read_reviewer_tallies, recount

IMPORTER = Actor(name="importer", account="importer", on_trust=True)
LEAD = Actor(name="lead", account="lead", on_trust=True)


def _store(tmp_path: Path) -> Store:
    """Four cases, two labeled by alice and bob (one disagreement)."""
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        "".join(
            json.dumps({"id": f"case-{i}", "input": f"Question {i}?", "output": "An answer."})
            + "\n"
            for i in range(1, 5)
        ),
        encoding="utf-8",
    )
    runner = CliRunner()
    store_path = tmp_path / "s.db"
    done = runner.invoke(main, ["import", str(store_path), str(cases)])
    assert done.exit_code == 0, done.output
    store = open_store(store_path)
    for who, buckets in (("alice", ("other", "too_slow")), ("bob", ("other", "other"))):
        actor = Actor(name=who, account=who, on_trust=True)
        for seq, bucket in enumerate(buckets, start=1):
            set_label(store, seq, actor, bucket, expected_version=None)
    return store


def _hand(store: Store, *statements: str) -> None:
    raw = sqlite3.connect(store.path, isolation_level=None)
    try:
        for statement in statements:
            raw.execute(statement)
    finally:
        raw.close()


def _agrees(store: Store) -> bool:
    with store.snapshot() as conn:
        cases, reviewers = recount(conn)
        return read_case_tallies(conn) == cases and read_reviewer_tallies(conn) == reviewers


def test_a_store_written_by_labeler_has_no_count_problem(tmp_path: Path) -> None:
    store = _store(tmp_path)
    with store:
        assert kept_count_problems(store) == []


def test_labels_written_with_a_trigger_dropped_are_named_then_recounted(tmp_path: Path) -> None:
    store = _store(tmp_path)
    with store:
        _hand(
            store,
            "DROP TRIGGER labels_tally_insert",
            "INSERT INTO labels (case_seq, reviewer, account, bucket, labeled_at)"
            " VALUES (3, 'carol', 'carol', 'too_slow', 't'), (1, 'carol', 'carol', 'other', 't')",
        )
        problems = kept_count_problems(store)
        assert problems == [
            "kept counts: trigger(s) missing: labels_tally_insert",
            "kept counts: case 'case-1' has label_count 2, bucket_count 1, resolved 0,"
            " sampling_cause 4; its labels and resolution give 3, 1, 0, 4",
            "kept counts: case 'case-3' has label_count 0, bucket_count 0, resolved 0,"
            " sampling_cause NULL; its labels and resolution give 1, 1, 0, 4",
            "kept counts: case_tallies differs from a recount of the cases",
            "kept counts: reviewer_tallies differs from a recount of the labels",
            # case-3 is labeled now, but order_blocks still counts it unlabeled.
            "kept counts: order_blocks differs from a recount of the cases",
        ]
        assert not _agrees(store)

        assert recount_kept_counts(store, LEAD) == 2
        assert kept_count_problems(store) == []
        assert _agrees(store)
        # The trigger is back: a label written by hand now counts again.
        _hand(
            store,
            "INSERT INTO labels (case_seq, reviewer, account, bucket, labeled_at)"
            " VALUES (4, 'carol', 'carol', 'other', 't')",
        )
        assert kept_count_problems(store) == [] and _agrees(store)
        kinds = [
            (str(r[0]), json.loads(r[1]))
            for r in store.query("SELECT kind, detail FROM events WHERE kind = 'store.recount'")
        ]
        assert kinds == [("store.recount", {"cases_corrected": 2})]


def test_a_tally_edited_by_hand_is_found(tmp_path: Path) -> None:
    store = _store(tmp_path)
    with store:
        _hand(store, "UPDATE case_tallies SET cases = cases + 1 WHERE label_count = 0")
        assert kept_count_problems(store) == [
            "kept counts: case_tallies differs from a recount of the cases"
        ]
        assert recount_kept_counts(store, LEAD) == 0  # no case was wrong, only the tally
        assert kept_count_problems(store) == []


def test_an_order_tally_edited_or_a_trigger_dropped_is_found(tmp_path: Path) -> None:
    store = _store(tmp_path)
    with store:
        _hand(
            store,
            "UPDATE order_blocks SET cases = cases + 1"
            " WHERE block = (SELECT min(block) FROM order_blocks)",
        )
        assert kept_count_problems(store) == [
            "kept counts: order_blocks differs from a recount of the cases"
        ]
        _hand(store, "DROP TRIGGER order_tally_update")
        assert kept_count_problems(store)[0] == (
            "kept counts: trigger(s) missing: order_tally_update"
        )
        assert recount_kept_counts(store, LEAD) == 0
        assert kept_count_problems(store) == []
        # The trigger is back: a case that loses its key moves out of its block.
        _hand(store, "UPDATE cases SET review_order = NULL WHERE seq = 1")
        assert kept_count_problems(store) == []


def test_many_wrong_cases_are_summed_up_after_five(tmp_path: Path) -> None:
    store = create_store(tmp_path / "s.db", IMPORTER)
    with store:
        _hand(
            store,
            "INSERT INTO cases (seq, case_id, content_hash, imported_at) VALUES"
            + ", ".join(f"({i}, 'c{i}', 'h{i}', 't')" for i in range(1, 9)),
            "UPDATE cases SET label_count = 1",  # no label: every case is wrong
        )
        problems = kept_count_problems(store)
        assert problems[5] == "kept counts: 3 more case(s) like these"
        assert sum(p.startswith("kept counts: case 'c") for p in problems) == 5


def test_check_says_how_to_mend_and_recount_mends(tmp_path: Path) -> None:
    store = _store(tmp_path)
    path = store.path
    _hand(
        store,
        "DROP TRIGGER labels_tally_delete",
        "DELETE FROM labels WHERE case_seq = 2 AND reviewer = 'bob'",
    )
    store.close()
    runner = CliRunner()
    failed = runner.invoke(main, ["check", str(path)])
    assert failed.exit_code == 1
    assert "the counts labeler keeps (for progress) differ from the labels" in failed.output
    assert "case 'case-2' has label_count 2" in failed.output
    assert f"recompute them: labeler check {path} --recount" in failed.output

    mended = runner.invoke(main, ["check", str(path), "--recount", "--reviewer", "lead"])
    assert mended.exit_code == 0, mended.output
    assert "recounted: 1 case(s) had wrong kept counts" in mended.output
    assert mended.output.rstrip().endswith("ok")
    again = runner.invoke(main, ["check", str(path)])
    assert again.exit_code == 0 and again.output.strip() == "ok"
