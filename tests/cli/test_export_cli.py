"""``labeler export`` through click's CliRunner: options, messages and exit statuses."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from export_fixtures import read_csv, read_csv_dicts, read_jsonl, status_store
from terminal_run import installed_labeler, run_on_terminal

from labeler.cli import main


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    """A closed store with one case of every status."""
    with status_store(tmp_path) as store:
        return store.path


def run(*args: str | Path) -> Result:
    """Run ``labeler export ARGS``."""
    return CliRunner().invoke(main, ["export", *map(str, args)])


def test_default_export_writes_csv_and_a_summary_on_stderr(
    store_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "buckets.csv"
    result = run(store_path, out)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr.strip() == f"wrote 6 rows to {out}"
    assert len(read_csv_dicts(out)) == 6


def test_existing_file_needs_force(store_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "buckets.csv"
    out.write_text("old\n")
    result = run(store_path, out)
    assert result.exit_code == 1
    assert "already exists; use --force" in result.stderr
    assert "Traceback" not in result.output
    assert out.read_text() == "old\n"
    assert run(store_path, out, "--force").exit_code == 0
    assert read_csv(out)[0][0] == "case_id"


def test_format_follows_the_suffix_unless_given(store_path: Path, tmp_path: Path) -> None:
    assert run(store_path, tmp_path / "f.jsonl").exit_code == 0
    assert read_jsonl(tmp_path / "f.jsonl")[0]["case_id"] == "c-agreed"
    assert run(store_path, tmp_path / "f.txt", "--format", "jsonl").exit_code == 0
    assert read_jsonl(tmp_path / "f.txt")[0]["status"] == "agreed"
    assert run(store_path, tmp_path / "g.jsonl", "--format", "csv").exit_code == 0
    assert read_csv(tmp_path / "g.jsonl")[0][0] == "case_id"


def test_what_labels_with_bucket_and_slice(store_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "labels.csv"
    result = run(
        store_path, out, "--what", "labels", "--bucket", "wrong_intent", "--slice", "length=long"
    )
    assert result.exit_code == 0, result.output
    records = read_csv(out)
    assert records[0] == ["case_id", "reviewer", "bucket", "note", "labeled_at", "account"]
    assert [(r[0], r[1]) for r in records[1:]] == [
        ("c-agreed", "alice"),
        ("c-agreed", "bob"),
        ("c-unres", "alice"),
    ]
    assert "wrote 3 rows" in result.stderr


def test_what_events(store_path: Path, tmp_path: Path) -> None:
    result = run(store_path, tmp_path / "e.jsonl", "--what", "events")
    assert result.exit_code == 0, result.output
    kinds = {r["kind"] for r in read_jsonl(tmp_path / "e.jsonl")}
    assert {"store.create", "label.create"} <= kinds


def test_split_by_bucket_with_excel(store_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "by_bucket"
    result = run(store_path, out, "--split-by-bucket", "--excel")
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == f"wrote 6 rows to 5 files in {out}"
    assert (out / "wrong_intent.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_bad_slice_is_a_usage_error(store_path: Path, tmp_path: Path) -> None:
    result = run(store_path, tmp_path / "f.csv", "--slice", "length")
    assert result.exit_code == 2
    assert "NAME=VALUE" in result.stderr


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--bucket", "nope"], "no bucket 'nope'"),
        (["--format", "jsonl", "--excel"], "--excel only applies to CSV"),
        (["--what", "events", "--bucket", "other"], "--bucket does not apply"),
    ],
)
def test_worded_errors_exit_1(
    store_path: Path, tmp_path: Path, extra: list[str], message: str
) -> None:
    out = tmp_path / "f.csv"
    result = run(store_path, out, *extra)
    assert result.exit_code == 1
    assert message in result.stderr
    assert not out.exists()


def test_the_store_cannot_be_the_output(store_path: Path) -> None:
    result = run(store_path, store_path, "--force")
    assert result.exit_code == 1
    assert "is the store itself" in result.stderr


def test_a_missing_store_is_named(tmp_path: Path) -> None:
    result = run(tmp_path / "none.db", tmp_path / "f.csv")
    assert result.exit_code == 1
    assert "none.db" in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "f.csv").exists()


def test_a_full_disk_is_a_worded_error(
    store_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from labeler.export import writers

    def full(self: object, row: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writers.CsvSink, "write", full)
    result = run(store_path, tmp_path / "f.csv")
    assert result.exit_code == 1
    assert "could not write" in result.stderr and "No space left" in result.stderr
    assert not (tmp_path / "f.csv").exists()


def test_help_explains_how_to_undo_the_apostrophes() -> None:
    result = CliRunner().invoke(main, ["export", "--help"])
    assert result.exit_code == 0
    assert "strip ONE leading apostrophe" in result.output
    assert "labeler.text.csv_safety.restore" in result.output
    assert "export" in CliRunner().invoke(main, ["--help"]).output


def test_a_terminal_sees_a_progress_bar_and_a_pipe_does_not(
    store_path: Path, tmp_path: Path
) -> None:
    """Run the installed command with stderr on a pseudo-terminal, as a user at a shell has."""
    status, shown = run_on_terminal(
        ["export", str(store_path), str(tmp_path / "tty.csv")], stream="stderr"
    )
    assert status == 0, shown
    assert "exporting" in shown and "100%" in shown
    assert "wrote 6 rows" in shown
    piped = subprocess.run(
        [installed_labeler(), "export", str(store_path), str(tmp_path / "pipe.csv")],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "exporting" not in piped.stderr
    assert "wrote 6 rows" in piped.stderr
