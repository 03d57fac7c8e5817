"""Records without ``input``/``output``: one message with the keys found and a ``--map``."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from labeler.cli import main
from labeler.importing.hint import suggest_map


def _jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_one_message_with_keys_and_map(tmp_path: Path) -> None:
    file = _jsonl(
        tmp_path / "chat.jsonl",
        [{"id": f"c{i}", "prompt": "hi", "response": "yo"} for i in range(30)],
    )
    result = CliRunner().invoke(main, ["import", str(tmp_path / "s.db"), str(file)])
    assert result.exit_code == 1
    assert result.stderr.count("no `input`") == 1
    assert "30 records have no `input` or `output` key" in result.stderr
    assert "The records have the keys: id, prompt, response." in result.stderr
    assert "Try: --map input=prompt --map output=response" in result.stderr
    # The suggestion works.
    done = CliRunner().invoke(
        main,
        [
            "import",
            str(tmp_path / "s.db"),
            str(file),
            "--map",
            "input=prompt",
            "--map",
            "output=response",
        ],
    )
    assert done.exit_code == 0, done.output


def test_one_bad_record_keeps_its_line(tmp_path: Path) -> None:
    file = _jsonl(
        tmp_path / "one.jsonl",
        [{"id": "a", "input": "q", "output": "a"}, {"id": "b", "output": "a"}],
    )
    result = CliRunner().invoke(main, ["import", str(tmp_path / "s.db"), str(file)])
    assert result.exit_code == 1
    assert "one.jsonl:2: no `input` key" in result.stderr


def test_suggest_map() -> None:
    assert suggest_map(["question", "answer"], ["input", "output"]) == [
        "input=question",
        "output=answer",
    ]
    assert suggest_map(["inpt", "zzz"], ["input"]) == ["input=inpt"]
    assert suggest_map(["zzz"], ["output"]) == []


def test_csv_without_input_names_its_columns(tmp_path: Path) -> None:
    file = tmp_path / "cases.csv"
    file.write_text("id,question,answer\na,q,x\nb,q,y\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["import", str(tmp_path / "s.db"), str(file)])
    assert result.exit_code == 1
    assert "no `input` column" in result.stderr
    assert "The header has the columns: id, question, answer." in result.stderr
    assert "Try: --map input=question --map output=answer" in result.stderr
