"""``labeler export --with-text``: the case texts for the people who fix the failures.

Through click's CliRunner, and once through the installed command on a terminal (the progress
bar must still show).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from export_fixtures import label, read_csv, read_csv_dicts, read_jsonl
from terminal_run import run_on_terminal

from labeler.cli import main
from labeler.export import FINAL_COLUMNS, LABEL_COLUMNS, TEXT_COLUMNS
from labeler.store import Store
from labeler.text.csv_safety import is_dangerous

CaseDict = dict[str, Any]
MakeStore = Callable[..., Store]

CHAT = [
    {"role": "user", "content": '=HYPERLINK("http://evil.example","see")'},
    {"role": "assistant", "content": "two\r\nlines"},
]


@pytest.fixture
def store_path(make_store: MakeStore, hostile_records: list[CaseDict]) -> Path:
    """A closed store: the shared hostile cases, a chat case, one label."""
    chat: CaseDict = {
        "id": "chat",
        "input": CHAT,
        "context": "+retrieved",
        "output": "-1",
        "expected": "@me",
        "slices": {"kind": "chat"},
    }
    store = make_store([*hostile_records, chat])
    label(store, 1, "alice", "other")
    store.close()
    return store.path


def run(*args: str | Path) -> Result:
    """Run ``labeler export ARGS``."""
    return CliRunner().invoke(main, ["export", *map(str, args)])


def test_jsonl_with_text_is_exact(
    store_path: Path, tmp_path: Path, hostile_records: list[CaseDict]
) -> None:
    out = tmp_path / "f.jsonl"
    result = run(store_path, out, "--with-text")
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == f"wrote {len(hostile_records) + 1} rows to {out}"
    rows = read_jsonl(out)
    assert list(rows[0])[: len(FINAL_COLUMNS) + 4] == [*FINAL_COLUMNS, *TEXT_COLUMNS]
    for record, row in zip(hostile_records, rows, strict=False):
        assert (row["case_id"], row["input"], row["output"]) == (
            record["id"],
            record["input"],
            record["output"],
        )
    chat = rows[-1]
    assert chat["input"] == [dict(sorted(turn.items())) for turn in CHAT]
    assert chat["context"] == [{"source": None, "text": "+retrieved", "title": None}]
    assert (chat["output"], chat["expected"]) == ("-1", "@me")


def test_csv_with_text_is_safe_and_restores(
    store_path: Path, tmp_path: Path, hostile_records: list[CaseDict]
) -> None:
    out = tmp_path / "f.csv"
    assert run(store_path, out, "--with-text").exit_code == 0
    raw = read_csv(out)
    header = raw[0]
    assert header[: len(FINAL_COLUMNS) + 4] == [*FINAL_COLUMNS, *TEXT_COLUMNS]
    assert header.index("expected") < min(
        i for i, name in enumerate(header) if name.startswith(("slice.", "meta."))
    )
    for cells_of_row in raw[1:]:
        assert not any(is_dangerous(cell) for cell in cells_of_row)
    rows = read_csv_dicts(out)
    for record, row in zip(hostile_records, rows, strict=False):
        assert (row["input"], row["output"]) == (record["input"], record["output"])
    chat = rows[-1]
    assert json.loads(chat["input"]) == [dict(sorted(turn.items())) for turn in CHAT]
    assert (chat["output"], chat["expected"]) == ("-1", "@me")
    cells = dict(zip(header, raw[-1], strict=True))
    assert (cells["output"], cells["expected"]) == ("'-1", "'@me")  # the usual apostrophe


def test_labels_with_text(store_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "l.csv"
    result = run(store_path, out, "--what", "labels", "--with-text")
    assert result.exit_code == 0, result.output
    raw = read_csv(out)
    assert raw[0] == [*LABEL_COLUMNS, *TEXT_COLUMNS]
    (row,) = read_csv_dicts(out)
    assert (row["reviewer"], row["input"]) == ("alice", "Where is my refund?")


def test_without_the_flag_there_are_no_text_columns(store_path: Path, tmp_path: Path) -> None:
    assert run(store_path, tmp_path / "f.csv").exit_code == 0
    assert not set(TEXT_COLUMNS) & set(read_csv(tmp_path / "f.csv")[0])
    assert run(store_path, tmp_path / "l.jsonl", "--what", "labels").exit_code == 0
    assert list(read_jsonl(tmp_path / "l.jsonl")[0]) == list(LABEL_COLUMNS)


@pytest.mark.parametrize("store_exists", [True, False])
def test_events_with_text_is_a_usage_error(
    store_path: Path, tmp_path: Path, store_exists: bool
) -> None:
    store = store_path if store_exists else tmp_path / "missing.db"
    out = tmp_path / "e.csv"
    result = run(store, out, "--what", "events", "--with-text")
    assert result.exit_code == 2
    assert "--with-text" in result.stderr and "--what final or --what labels" in result.stderr
    assert "Usage:" in result.stderr and "Traceback" not in result.output
    assert not out.exists() and not (tmp_path / "missing.db").exists()


def test_help_teaches_the_texts() -> None:
    result = CliRunner().invoke(main, ["export", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "--with-text" in text
    assert "input, context, output, expected: only with --with-text" in text
    assert "before any slice. and meta. column" in text
    assert "In JSONL they are exact" in text and "same formula safety" in text


def test_a_terminal_sees_the_progress_bar_with_text(store_path: Path, tmp_path: Path) -> None:
    status, shown = run_on_terminal(
        ["export", str(store_path), str(tmp_path / "tty.jsonl"), "--with-text"], stream="stderr"
    )
    assert status == 0, shown
    assert "exporting" in shown and "100%" in shown
    assert "wrote 11 rows" in shown
    assert read_jsonl(tmp_path / "tty.jsonl")[-1]["case_id"] == "chat"
