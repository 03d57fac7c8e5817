"""``import-labels --create-buckets`` takes the bucket names a spreadsheet has."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner

from labeler.cli import main
from labeler.importing.bucket_names import key_for_name
from labeler.store import Store

NAMES = ["wrong answer", "tool/misuse", "naïve-parse", "N/A"]


def test_key_for_name() -> None:
    assert [key_for_name(n, set()) for n in NAMES] == [
        "wrong_answer",
        "tool_misuse",
        "naive-parse",
        "n_a",
    ]
    assert key_for_name("wrong answer", {"wrong_answer"}) == "wrong_answer_2"
    assert key_for_name("too_slow", set()) == "too_slow"
    assert key_for_name("???", set()) == "bucket"


def _csv(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    path.write_text(
        "case_id,reviewer,bucket\n" + "".join(f'{c},{r},"{b}"\n' for c, r, b in rows),
        encoding="utf-8",
    )
    return path


def test_names_become_keys_and_later_imports_match(make_store: Any, tmp_path: Path) -> None:
    store: Store = make_store()
    first = _csv(tmp_path / "a.csv", [(f"case-00{i + 1}", "alice", n) for i, n in enumerate(NAMES)])
    result = CliRunner().invoke(
        main, ["import-labels", str(store.path), str(first), "--create-buckets"]
    )
    assert result.exit_code == 0, result.output
    assert "wrong_answer ('wrong answer')" in result.output
    assert "n_a ('N/A')" in result.output
    rows = store.query("SELECT key, name FROM buckets WHERE key IN ('wrong_answer', 'n_a')")
    assert {(r[0], r[1]) for r in rows} == {("wrong_answer", "wrong answer"), ("n_a", "N/A")}
    # Later imports match by name (any case) or by key, without --create-buckets.
    later = _csv(
        tmp_path / "b.csv",
        [("case-005", "bob", "Wrong Answer"), ("case-006", "bob", "tool_misuse")],
    )
    result = CliRunner().invoke(main, ["import-labels", str(store.path), str(later)])
    assert result.exit_code == 0, result.output
    labels = store.query(
        "SELECT c.case_id, l.bucket FROM labels l JOIN cases c ON c.seq = l.case_seq"
        " WHERE l.reviewer = 'bob' ORDER BY 1"
    )
    assert [(r[0], r[1]) for r in labels] == [
        ("case-005", "wrong_answer"),
        ("case-006", "tool_misuse"),
    ]


def test_dry_run_prints_the_mapping(make_store: Any, tmp_path: Path) -> None:
    store: Store = make_store()
    file = _csv(tmp_path / "a.csv", [("case-001", "alice", "tool/misuse")])
    result = CliRunner().invoke(
        main, ["import-labels", str(store.path), str(file), "--create-buckets", "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert "would create buckets: tool_misuse ('tool/misuse')" in result.output
