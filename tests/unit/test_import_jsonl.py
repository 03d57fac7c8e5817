"""JSON lines reading: every kind of bad record is named by line with a reason to act on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from labeler.importing import Parsed, Problem, read_records
from labeler.importing import jsonl as jsonl_module
from labeler.models import MAX_FIELD_CHARS

# A copy of /work/shared/hostile/bad.jsonl, so the test works without the shared folder:
# lines 2, 4, 5 and 6 are bad (not JSON; no output; duplicate key; lone surrogate).
BAD_JSONL = (
    b'{"id": "ok-1", "input": "a", "output": "b"}\n'
    b'{"id": "broken", "input": "unterminated\n'
    b'{"id": "ok-2", "input": "c", "output": "d"}\n'
    b'{"id": "no-output", "input": "e"}\n'
    b'{"id": "dup-keys", "input": "x", "output": "y", "output": "z"}\n'
    b'{"id": "surrogate", "input": "\\udc00", "output": "y"}\n'
)


def read(tmp_path: Path, data: bytes, name: str = "cases.jsonl") -> list[Parsed | Problem]:
    path = tmp_path / name
    path.write_bytes(data)
    return list(read_records(path))


def problems(items: list[Parsed | Problem]) -> dict[int | None, str]:
    return {p.line: p.reason for p in items if isinstance(p, Problem)}


def good(items: list[Parsed | Problem]) -> list[Parsed]:
    return [p for p in items if isinstance(p, Parsed)]


def one_problem(tmp_path: Path, line: bytes) -> str:
    items = read(tmp_path, b'{"input": "a", "output": "b"}\n' + line + b"\n")
    found = problems(items)
    assert list(found) == [2], found
    assert len(good(items)) == 1
    return found[2]


def test_hostile_bad_file_names_each_bad_line(tmp_path: Path) -> None:
    items = read(tmp_path, BAD_JSONL)
    found = problems(items)
    assert list(found) == [2, 4, 5, 6]
    assert [p.line for p in good(items)] == [1, 3]
    assert [p.record.id for p in good(items)] == ["ok-1", "ok-2"]
    assert found[2].startswith("not JSON: Unterminated string starting at column 27")
    assert found[4] == 'no `output` key: add "output": null when the model produced nothing'
    assert "duplicate key `output`" in found[5]
    assert "unpaired surrogate \\udc00" in found[6] and "`input`" in found[6]
    described = [p.describe() for p in items if isinstance(p, Problem)]
    assert described[0].endswith(".jsonl:2: " + found[2])


def test_bom_crlf_and_blank_lines_are_accepted(tmp_path: Path) -> None:
    data = (
        b"\xef\xbb\xbf"
        b'{"id": "a", "input": "x", "output": "y"}\r\n'
        b"\r\n"
        b"   \n"
        b'{"id": "b", "input": "x\\r\\ny", "output": null}\r\n'
        b"\n"
        b'{"id": "c", "input": "z", "output": ""}'  # no newline at the end
    )
    items = read(tmp_path, data)
    assert problems(items) == {}
    assert [(p.line, p.record.id) for p in good(items)] == [(1, "a"), (4, "b"), (6, "c")]
    assert good(items)[1].record.input == "x\r\ny"
    assert good(items)[1].record.output is None


def test_bom_at_the_start_of_a_later_line_is_accepted(tmp_path: Path) -> None:
    data = b'{"input": "x", "output": "y"}\n\xef\xbb\xbf{"input": "z", "output": "w"}\n'
    assert problems(read(tmp_path, data)) == {}


def test_not_an_object(tmp_path: Path) -> None:
    reason = one_problem(tmp_path, b'["input", "output"]')
    assert reason.startswith("this line is a list, not an object")
    assert "not an object" in one_problem(tmp_path, b'"just a string"')
    assert "a number, not an object" in one_problem(tmp_path, b"42")


def test_json_array_file_gets_a_hint(tmp_path: Path) -> None:
    items = read(tmp_path, b'[\n  {"input": "a", "output": "b"}\n]\n', name="cases.json")
    assert "jq -c" in problems(items)[1]


def test_missing_input(tmp_path: Path) -> None:
    assert one_problem(tmp_path, b'{"output": "b"}').startswith("no `input` key")


def test_wrong_types_name_the_field_and_what_was_expected(tmp_path: Path) -> None:
    reason = one_problem(tmp_path, b'{"input": 5, "output": "b"}')
    assert reason == (
        '`input` should be a string, or a list of {"role": ..., "content": ...} turns, not a number'
    )
    reason = one_problem(tmp_path, b'{"input": "a", "output": ["b"]}')
    assert (
        reason == "`output` should be a string, or null when the model produced nothing, not a list"
    )
    reason = one_problem(tmp_path, b'{"input": [{"role": "user"}], "output": "b"}')
    assert reason == "`input[0]` has no `content` key"
    reason = one_problem(tmp_path, b'{"input": "a", "output": "b", "context": [{"txt": "x"}]}')
    assert "`context[0]` has no `text` key" in reason
    assert "`context[0]` has an unknown key `txt`" in reason
    reason = one_problem(tmp_path, b'{"id": 42, "input": "a", "output": "b"}')
    assert reason.startswith("`id` should be a non-empty string")
    reason = one_problem(tmp_path, b'{"input": "a", "output": "b", "slices": {"len": [1]}}')
    assert reason == "`slices.len` should be a string, number or boolean, not a list"
    assert "pydantic" not in reason and "http" not in reason


def test_duplicate_key_at_any_depth(tmp_path: Path) -> None:
    reason = one_problem(tmp_path, b'{"input": "a", "output": "b", "meta": {"k": 1, "k": 2}}')
    assert "duplicate key `k`" in reason
    nested = b'{"input": "a", "output": "b", "meta": {"x": [{"deep": {"q": 1, "q": 1}}]}}'
    assert "duplicate key `q`" in one_problem(tmp_path, nested)


def test_lone_surrogates_are_refused_but_pairs_are_fine(tmp_path: Path) -> None:
    items = read(
        tmp_path,
        b'{"input": "\\ud83d\\ude00 ok", "output": "b"}\n'
        b'{"input": "a", "output": "b", "meta": {"note": "x\\ud800"}}\n'
        b'{"id": "\\udfff", "input": "a", "output": "b"}\n'
        b'{"input": "a", "output": "b", "meta": {"\\ud800key": 1}}\n',
    )
    assert good(items)[0].record.input == "😀 ok"
    found = problems(items)
    assert "`meta.note` holds an unpaired surrogate \\ud800 at character 2" in found[2]
    assert "unpaired surrogate \\udfff" in found[3] and "`id`" in found[3]
    assert "unpaired surrogate \\ud800" in found[4]


def test_invalid_utf8_names_the_byte_offset(tmp_path: Path) -> None:
    items = read(
        tmp_path,
        b'{"input": "a", "output": "b"}\n{"input": "caf\xe9", "output": "b"}\n',
    )
    reason = problems(items)[2]
    assert reason.startswith("not valid UTF-8: byte 0xe9 at byte 15 of the line")
    assert "(byte offset 44 in the file)" in reason  # 30 bytes of line 1, then 14 more


def test_nan_and_infinity_are_refused(tmp_path: Path) -> None:
    for constant in (b"NaN", b"Infinity", b"-Infinity"):
        line = b'{"input": "a", "output": "b", "meta": {"score": ' + constant + b"}}"
        reason = one_problem(tmp_path, line)
        assert reason.startswith(constant.decode() + " is not valid JSON")
    reason = one_problem(tmp_path, b'{"input": "a", "output": "b", "meta": {"x": 1e400}}')
    assert "too large" in reason


def test_an_integer_too_large_for_a_float_is_refused(tmp_path: Path) -> None:
    """SQLite reads such an integer in JSON as Inf (stats grouped it as "inf")."""
    huge = b"-" + b"9" * 400
    reason = one_problem(tmp_path, b'{"input": "a", "output": "b", "meta": {"x": ' + huge + b"}}")
    assert reason.endswith("is too large; write it as a string")
    fits = b"9" * 300  # below 1.8e308: kept as the number it is
    items = read(tmp_path, b'{"input": "a", "output": "b", "meta": {"x": ' + fits + b"}}\n")
    assert problems(items) == {}


def test_too_deeply_nested(tmp_path: Path) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    reason = one_problem(tmp_path, b'{"input": "a", "output": "b", "meta": {"x": ' + deep + b"}}")
    assert "nested too deeply" in reason


def test_a_field_too_large(tmp_path: Path) -> None:
    big = "x" * (MAX_FIELD_CHARS + 1)
    reason = one_problem(tmp_path, json.dumps({"input": "a", "output": big}).encode())
    assert reason == (
        f"`output` is too large: {MAX_FIELD_CHARS + 1:,} characters, "
        f"the limit is {MAX_FIELD_CHARS:,}"
    )
    reason = one_problem(
        tmp_path, json.dumps({"input": "a", "output": "", "expected": big}).encode()
    )
    assert "expected is longer than" in reason


def test_duplicate_ids_within_a_file(tmp_path: Path) -> None:
    items = read(
        tmp_path,
        b'{"id": "x", "input": "a", "output": "b"}\n'
        b'{"id": "y", "input": "a", "output": "b"}\n'
        b'{"id": "x", "input": "other", "output": "b"}\n'
        b'{"input": "same", "output": "b"}\n'
        b'{"input": "same", "output": "b"}\n',
    )
    found = problems(items)
    assert found[3] == "duplicate id `x`: line 1 has it too; ids must be unique"
    assert found[5].startswith("the same content as line 4, and no id")
    assert [p.line for p in good(items)] == [1, 2, 4]


def test_unknown_keys_go_to_meta(tmp_path: Path) -> None:
    items = read(tmp_path, b'{"input": "a", "output": "b", "model": "m1", "meta": {"k": 1}}\n')
    assert good(items)[0].record.meta == {"model": "m1", "k": 1}


def test_an_overlong_line_is_reported_and_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jsonl_module, "MAX_LINE_BYTES", 64)
    data = (
        b'{"input": "a", "output": "b"}\n'
        + b'{"input": "'
        + b"x" * 5000
        + b'", "output": "b"}\n'
        + b'{"input": "c", "output": "d"}\n'
    )
    items = read(tmp_path, data)
    assert problems(items) == {2: "the line is longer than 0 MiB; it was not read"}
    assert [p.line for p in good(items)] == [1, 3]


def test_a_file_of_garbage_stops_early_without_raising(tmp_path: Path) -> None:
    data = b"\x00\xff garbage line\n" * 5000
    items = read(tmp_path, data)
    assert all(isinstance(p, Problem) for p in items)
    assert len(items) == 1001  # 1,000 bad lines, then "stopped reading"
    last = items[-1]
    assert isinstance(last, Problem)
    assert last.line is None and "stopped reading" in last.reason


def test_unknown_extension_and_unreadable_files(tmp_path: Path) -> None:
    (tmp_path / "cases.txt").write_text('{"input": "a", "output": "b"}\n')
    [problem] = list(read_records(tmp_path / "cases.txt"))
    assert isinstance(problem, Problem) and problem.line is None
    assert "--format jsonl or --format csv" in problem.reason
    assert good(list(read_records(tmp_path / "cases.txt", "jsonl")))[0].line == 1
    [missing] = list(read_records(tmp_path / "missing.jsonl"))
    assert isinstance(missing, Problem) and "cannot read it" in missing.reason
    folder = tmp_path / "folder.jsonl"
    folder.mkdir()
    [problem] = list(read_records(folder))
    assert isinstance(problem, Problem) and "folder" in problem.reason


def test_file_names_with_control_characters_are_shown_safely(tmp_path: Path) -> None:
    name = "evil\x1b]0;title\x07.jsonl"
    items = read(tmp_path, b"nope\n", name=name)
    text = items[0].describe()  # type: ignore[union-attr]
    assert "\x1b" not in text and "\x07" not in text
    assert "␛" in text


@pytest.mark.parametrize(
    ("head", "words"),
    [
        (b"\xff\xfe{\x00", "UTF-16"),
        (b"\x1f\x8b\x08\x00", "gzip-compressed"),
        (b"SQLite format 3\x00", "SQLite database"),
    ],
)
def test_files_that_are_not_utf8_text_are_named(tmp_path: Path, head: bytes, words: str) -> None:
    [problem] = read(tmp_path, head + b"\x00" * 100)
    assert isinstance(problem, Problem) and problem.line is None
    assert words in problem.reason
