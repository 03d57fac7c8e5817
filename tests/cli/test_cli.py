"""The command line: help everywhere, worded errors, label import, and the installed command."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from labeler.cli import COMMANDS, main
from labeler.cli.common import friendly_errors

SAMPLE = Path(__file__).resolve().parents[2] / "labeler" / "sample_data" / "support_assistant"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_command_has_help(command: str) -> None:
    code, out = run(command, "--help")
    assert code == 0
    assert "Usage:" in out and len(out) > 200


def test_main_help_teaches_the_flow() -> None:
    code, out = run("--help")
    assert code == 0
    for word in ("import", "review", "stats", "resolve", "export", "gate", "demo"):
        assert word in out


def test_init_import_info_json(tmp_path: Path) -> None:
    store = str(tmp_path / "s.db")
    assert run("init", store)[0] == 0
    code, out = run("import", store, str(SAMPLE / "cases.jsonl"))
    assert code == 0, out
    assert "180 new" in out
    code, out = run("import", store, str(SAMPLE / "cases.jsonl"))
    assert code == 0 and "nothing to do" in out
    code, out = run("import-labels", store, str(SAMPLE / "labels.csv"))
    assert code == 0 and "360 new" in out, out
    code, out = run("info", store, "--json")
    data = json.loads(out)
    assert {k: data[k] for k in ("cases", "labels", "reviewers", "buckets", "imports")} == {
        "cases": 180,
        "labels": 360,
        "reviewers": ["alice", "bob"],
        "buckets": 9,
        "imports": 1,
    }
    assert data["schema_version"] >= 1
    assert {"cases", "labels", "events"} <= set(data["tables"])
    assert "case_status" in data["views"]


def test_import_into_a_new_path_creates_the_store(tmp_path: Path) -> None:
    code, out = run("import", str(tmp_path / "new.db"), str(SAMPLE / "cases.jsonl"))
    assert code == 0, out
    assert (tmp_path / "new.db").exists()


def test_rejected_import_into_a_new_path_leaves_no_store(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "input": "x"}\n')
    code, out = run("import", str(tmp_path / "new.db"), str(bad))
    assert code == 1
    assert "bad.jsonl:1" in out and "output" in out
    assert not (tmp_path / "new.db").exists()


def test_store_and_file_swapped_is_explained(tmp_path: Path) -> None:
    code, out = run("info", str(SAMPLE / "cases.jsonl"))
    assert code == 1
    assert "not a labeler store" in out and "Traceback" not in out


def test_import_labels_lists_unknown_ids_and_buckets(tmp_path: Path) -> None:
    store = str(tmp_path / "s.db")
    run("import", store, str(SAMPLE / "cases.jsonl"))
    labels = tmp_path / "l.csv"
    labels.write_text(
        "case_id,reviewer,bucket,note\n"
        "sup-0001,carol,wrong_intent,\n"
        "nope-1,carol,wrong_intent,\n"
        "sup-0002,carol,made_up,\n"
    )
    code, out = run("import-labels", store, str(labels))
    assert code == 1
    assert "nope-1" in out and "made_up" in out and "--create-buckets" in out
    assert json.loads(run("info", store, "--json")[1])["labels"] == 0
    labels.write_text("case_id,reviewer,bucket\nsup-0002,carol,made_up\n")
    code, out = run("import-labels", store, str(labels), "--create-buckets")
    assert code == 0 and "made_up" in out
    code, out = run("log", store, "--case", "sup-0002", "--json")
    kinds = [e["kind"] for e in json.loads(out)]
    assert "label.import" in kinds


def test_import_labels_names_bad_lines(tmp_path: Path) -> None:
    store = str(tmp_path / "s.db")
    run("import", store, str(SAMPLE / "cases.jsonl"))
    labels = tmp_path / "l.csv"
    labels.write_text(
        "case_id,reviewer,bucket\nsup-0001,carol\nsup-0001,carol,other\nsup-0001,carol,other\n"
    )
    code, out = run("import-labels", store, str(labels))
    assert code == 1
    assert "l.csv:2" in out and "l.csv:4" in out


def test_taxonomy_set_and_show(tmp_path: Path) -> None:
    store = str(tmp_path / "s.db")
    run("init", store)
    code, out = run("taxonomy", store, "--set", str(SAMPLE / "taxonomy.toml"))
    assert code == 0, out
    code, out = run("taxonomy", store, "--json")
    keys = [b["key"] for b in json.loads(out)]
    assert keys[0] == "wrong_intent" and len(keys) == 9
    bad = tmp_path / "bad.toml"
    bad.write_text('[[bucket]]\nkey = "x"\nname = "X"\nshortcut = "11"\n')
    code, out = run("taxonomy", store, "--set", str(bad))
    assert code == 1 and "bad.toml:1" in out


def test_reviewer_name_must_not_be_empty(tmp_path: Path) -> None:
    code, out = run("init", str(tmp_path / "s.db"), "--reviewer", "  ")
    assert code == 2 and "empty" in out


def test_backup_and_check(tmp_path: Path) -> None:
    store = str(tmp_path / "s.db")
    run("import", store, str(SAMPLE / "cases.jsonl"))
    assert run("backup", store, str(tmp_path / "b.db"))[0] == 0
    code, out = run("check", str(tmp_path / "b.db"))
    assert code == 0 and "ok" in out
    assert json.loads(run("info", str(tmp_path / "b.db"), "--json")[1])["cases"] == 180


def _installed_labeler() -> str:
    candidate = Path(sys.executable).parent / "labeler"
    found = str(candidate) if candidate.exists() else shutil.which("labeler")
    assert found, "the labeler console script is not installed next to this Python"
    return found


def test_installed_command_end_to_end(tmp_path: Path) -> None:
    exe = _installed_labeler()
    env = {**os.environ, "LABELER_REVIEWER": "e2e"}
    store = tmp_path / "e2e.db"

    def call(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([exe, *args], capture_output=True, text=True, env=env, timeout=120)

    assert call("import", str(store), str(SAMPLE / "cases.jsonl")).returncode == 0
    assert call("import-labels", str(store), str(SAMPLE / "labels.csv")).returncode == 0
    stats = call("stats", str(store), "--json")
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout)["labels"] == 360
    out = tmp_path / "final.csv"
    assert call("export", str(store), str(out)).returncode == 0
    assert out.read_text(encoding="utf-8").startswith("case_id,final_bucket,status")
    bad = call("info", str(tmp_path / "missing.db"))
    assert bad.returncode == 1 and "no store" in bad.stderr and "Traceback" not in bad.stderr
    demo = call("demo", "--info")
    assert demo.returncode == 0 and "180 cases" in demo.stdout


def test_settings_show_and_set(tmp_path: Path) -> None:
    store = str(tmp_path / "s.db")
    run("init", store)
    code, out = run("settings", store)
    assert code == 0 and "latency_threshold_ms = 5000" in out
    code, out = run("settings", store, "--set", "latency_threshold_ms=8000")
    assert code == 0 and "latency_threshold_ms = 8000" in out
    code, out = run("settings", store, "--set", "latency_threshold_ms=soon")
    assert code == 1 and "whole number" in out
    code, out = run("settings", store, "--set", "colour=red")
    assert code == 1 and "unknown setting" in out
    code, out = run("log", store, "--json")
    assert any(e["kind"] == "settings.set" for e in json.loads(out))


def test_every_listed_command_exists_and_help_imports_none() -> None:
    for name in COMMANDS:
        assert main.get_command(click.Context(main), name) is not None, name
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from labeler.cli import main\n"
        "CliRunner().invoke(main, ['--help'])\n"
        "print(sorted(m for m in ('numpy', 'pydantic', 'textual') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_created_bucket_names_are_checked_and_shown_safely(tmp_path: Path) -> None:
    store = str(tmp_path / "s.db")
    run("import", store, str(SAMPLE / "cases.jsonl"))
    labels = tmp_path / "l.csv"
    labels.write_text("case_id,reviewer,bucket\nsup-0001,carol,bad\x1b]0;x\x07key\n")
    code, out = run("import-labels", store, str(labels), "--create-buckets")
    assert code == 1 and "cannot create buckets" in out
    assert "\x1b" not in out and "␛" in out
    assert json.loads(run("info", store, "--json")[1])["buckets"] == 9


def test_core_error_messages_reach_the_terminal_made_safe() -> None:
    @click.command()
    @friendly_errors
    def broken() -> None:
        raise ValueError("no bucket 'x\x1b[2J\x9b31m'\nsecond line \u202e")

    result = CliRunner().invoke(broken, [])
    assert result.exit_code == 1
    assert "\x1b" not in result.output and "\x9b" not in result.output
    assert "\u202e" not in result.output
    assert "␛[2J" in result.output and "second line" in result.output


def test_taxonomy_toml_escapes_hidden_characters_and_reads_back(tmp_path: Path) -> None:
    store_path = tmp_path / "s.db"
    name = "Wrong\x1b[31m intent \u202e😀"
    taxonomy_file = tmp_path / "t.toml"
    taxonomy_file.write_text(
        '[[bucket]]\nkey = "wrong_intent"\nname = "'
        + name.replace("\x1b", "\\u001b")
        + '"\nshortcut = "1"\ndescription = "d"\n',
        encoding="utf-8",
    )
    assert CliRunner().invoke(main, ["init", str(store_path)]).exit_code == 0
    result = CliRunner().invoke(main, ["taxonomy", str(store_path), "--set", str(taxonomy_file)])
    assert result.exit_code == 0, result.output
    shown = CliRunner().invoke(main, ["taxonomy", str(store_path), "--toml"])
    assert shown.exit_code == 0, shown.output
    assert "\x1b" not in shown.output and "\u202e" not in shown.output
    assert tomllib.loads(shown.output)["bucket"][0]["name"] == name
