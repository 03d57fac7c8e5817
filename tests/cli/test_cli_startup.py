"""Commands that only read a little start without the heavy libraries, and say the same thing.

``benchmarks/bench_startup.py`` times them against ``labeler --help``; these tests pin what
makes them fast (what they do not import) and that the fast path prints what the command does.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from labeler.cli import FIXED_TEXT, main
from labeler.identity import Actor
from labeler.stats.store_info import store_info
from labeler.store import create_store

HEAVY = ("numpy", "pandas", "sqlite_utils", "pydantic", "textual", "labeler.gates", "rapidfuzz")
"""rapidfuzz is only for wording "did you mean" after a typo (10 ms to import)."""

PROBE = """
import contextlib, io, json, sys
from labeler.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        main(sys.argv[1:], standalone_mode=False)
    except SystemExit:
        pass
heavy = json.loads(sys.stdin.read())
print(json.dumps(sorted(m for m in heavy if m in sys.modules)))
"""


def loaded_after(*args: str) -> list[str]:
    """The heavy modules a command line imports (run in a fresh interpreter)."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        input=json.dumps(HEAVY),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def test_gate_example_is_the_commands_text() -> None:
    from labeler.cli.gate_command import gate

    fast = CliRunner().invoke(main, ["gate", "--example"])
    slow = CliRunner().invoke(gate, ["--example"])
    assert fast.exit_code == slow.exit_code == 0
    assert fast.output == slow.output
    assert "[[rule]]" in fast.output


def test_every_fixed_text_line_names_a_real_option() -> None:
    for name, *args in FIXED_TEXT:
        command = main.get_command(None, name)  # type: ignore[arg-type]
        assert command is not None
        options = {o for p in command.params for o in getattr(p, "opts", ())}
        assert set(args) <= options


def test_gate_example_imports_nothing_heavy() -> None:
    assert loaded_after("gate", "--example") == []


def test_info_imports_nothing_heavy(tmp_path: Path) -> None:
    store = tmp_path / "s.db"
    create_store(store, Actor(name="t", account="t", on_trust=False)).close()
    assert loaded_after("info", str(store)) == []
    assert loaded_after("info", str(store), "--json") == []


def _labeled_store(path: Path, *, in_order: bool) -> None:
    """Four cases, two labeled: the first two of the random order, or the last two."""
    from labeler.labels import set_label

    actor = Actor(name="t", account="t", on_trust=False)
    store = create_store(path, actor)
    with store.write() as conn:
        for seq in range(1, 5):
            conn.execute(
                "INSERT INTO cases (seq, case_id, content_hash, imported_at, review_order, slices)"
                " VALUES (?, ?, 'h', 'now', ?, '{\"lang\": \"en\"}')",
                (seq, f"c{seq}", 10 * seq),
            )
    for seq in (1, 2) if in_order else (3, 4):
        set_label(store, seq, actor, "other", expected_version=None)
    store.close()


def test_progress_on_a_walked_store_imports_nothing_heavy(tmp_path: Path) -> None:
    """Labels a random-order prefix: the counts are kept, the sampling line is read from the
    order's index (labeler.stats.walked_prefix); nothing to measure."""
    store = tmp_path / "s.db"
    _labeled_store(store, in_order=True)
    assert loaded_after("progress", str(store), "--json") == []
    empty = tmp_path / "empty.db"
    create_store(empty, Actor(name="t", account="t", on_trust=False)).close()
    assert loaded_after("progress", str(empty), "--json") == []


def test_progress_measures_labels_out_of_order_without_numpy(tmp_path: Path) -> None:
    """Labels beyond the prefix: the holes and strays are found from the order's kept block
    tallies (labeler.stats.block_sampling), not by sorting every key with numpy."""
    store = tmp_path / "s.db"
    _labeled_store(store, in_order=False)
    assert loaded_after("progress", str(store), "--json") == []
    shown = CliRunner().invoke(main, ["progress", str(store)])
    assert "NOT A RANDOM-ORDER PREFIX" in shown.output


def test_progress_with_a_slice_measures_with_numpy(tmp_path: Path) -> None:
    """With ``--slice`` there are no kept counts to read: the sampling is measured."""
    store = tmp_path / "s.db"
    _labeled_store(store, in_order=False)
    assert loaded_after("progress", str(store), "--slice", "lang=en", "--json") == ["numpy"]


def test_info_counts_match_sqlite_utils(tmp_path: Path) -> None:
    """The counts are the ones sqlite-utils gave before (the queries it runs)."""
    import sqlite_utils

    from labeler.labels import set_label

    actor = Actor(name="t", account="t", on_trust=False)
    store = create_store(tmp_path / "s.db", actor)
    with store.write() as conn:
        for seq, (case_id, current) in enumerate([("a", 1), ("a", 0), ("b", 1)], start=1):
            conn.execute(
                "INSERT INTO cases (seq, case_id, version, is_current, content_hash, "
                "imported_at) VALUES (?, ?, ?, ?, 'h', 'now')",
                (seq, case_id, 2 if current and case_id == "a" else 1, current),
            )
    for reviewer in ("zed", "amy", "amy2"):
        set_label(
            store,
            1,
            Actor(name=reviewer, account=reviewer, on_trust=True),
            "other",
            expected_version=None,
        )
    # A label on the old version of "a" (given before its update): counted too.
    set_label(
        store, 2, Actor(name="bo", account="bo", on_trust=True), "other", expected_version=None
    )
    info = store_info(store)
    db = sqlite_utils.Database(store.conn)
    assert info.reviewers == ("amy", "amy2", "bo", "zed")
    assert info.cases == db["cases"].count_where("is_current = 1") == 2
    assert info.old_case_versions == db["cases"].count_where("is_current = 0") == 1
    assert info.labels == db["labels"].count == 4
    assert info.tables == tuple(sorted(db.table_names()))
    assert info.views == tuple(sorted(db.view_names()))
