"""``--map TARGET=SOURCE``: parsing, reshaping JSON lines, renaming CSV columns."""

from __future__ import annotations

from pathlib import Path

import pytest

from labeler.importing import MappingError, Parsed, Problem, parse_mapping, read_records

LOG_LINE = (
    b'{"request": {"messages": [{"role": "user", "content": "hi"}], "temperature": 0},'
    b' "response": {"text": "hello"}, "model_name": "m-7", "source": "email", "trace": "t1"}\n'
)


def test_parse_mapping_good() -> None:
    mapping = parse_mapping(
        ["input=request.messages", "output=response.text", "meta.model=model_name",
         "slices.channel=source", "slice.lang = lang"]
    )  # fmt: skip
    assert [(r.target, r.source) for r in mapping.rules] == [
        (("input",), ("request", "messages")),
        (("output",), ("response", "text")),
        (("meta", "model"), ("model_name",)),
        (("slices", "channel"), ("source",)),
        (("slices", "lang"), ("lang",)),
    ]
    assert not parse_mapping([])


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("outputresponse", "TARGET=SOURCE with one `=`"),
        ("output=a=b", "TARGET=SOURCE with one `=`"),
        ("output=", "both TARGET and SOURCE"),
        ("=response", "both TARGET and SOURCE"),
        ("output=response..text", "empty part"),
        ("output=.text", "empty part"),
        ("answer=response", "unknown target `answer`"),
        ("meta=response", "unknown target `meta`"),
        ("slices.=x", "unknown target"),
    ],
)
def test_parse_mapping_bad(spec: str, words: str) -> None:
    with pytest.raises(MappingError) as info:
        parse_mapping([spec])
    assert words in str(info.value)
    assert str(info.value).startswith("--map ")


def test_parse_mapping_refuses_a_target_twice() -> None:
    with pytest.raises(MappingError, match="already mapped"):
        parse_mapping(["output=a", "output=b"])


def test_mapping_reshapes_json_lines_and_removes_mapped_keys(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    path.write_bytes(LOG_LINE)
    mapping = parse_mapping(
        ["input=request.messages", "output=response.text", "meta.model=model_name",
         "slices.channel=source"]
    )  # fmt: skip
    [item] = list(read_records(path, None, mapping))
    assert isinstance(item, Parsed), item
    record = item.record
    assert record.input_kind() == "chat"
    assert record.stored_input() == '[{"content":"hi","role":"user"}]'
    assert record.output == "hello"
    assert record.slices == {"channel": "email"}
    # "response" was left empty and removed; "request" kept its other key; nothing doubled.
    assert record.meta == {"model": "m-7", "trace": "t1", "request": {"temperature": 0}}


def test_mapping_a_missing_source_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    path.write_bytes(LOG_LINE + b'{"request": {}, "response": {"text": "x"}}\n')
    mapping = parse_mapping(["input=request.messages", "output=response.text"])
    items = list(read_records(path, None, mapping))
    assert isinstance(items[0], Parsed)
    assert isinstance(items[1], Problem) and items[1].line == 2
    assert items[1].reason == (
        "no `request.messages` in this record (needed by --map input=request.messages)"
    )


def test_mapping_onto_a_field_that_is_already_there(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    path.write_bytes(b'{"input": "a", "output": "b", "response": "c"}\n')
    [item] = list(read_records(path, None, parse_mapping(["output=response"])))
    assert isinstance(item, Problem)
    assert "has both `output` and `response`" in item.reason


def test_mapping_renames_csv_columns(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_bytes(b"question,response,model_name,source\nhi,hello,m-7,email\n")
    mapping = parse_mapping(
        ["input=question", "output=response", "meta.model=model_name", "slices.channel=source"]
    )
    [item] = list(read_records(path, None, mapping))
    assert isinstance(item, Parsed), item
    assert item.record.input == "hi" and item.record.output == "hello"
    assert item.record.meta == {"model": "m-7"}
    assert item.record.slices == {"channel": "email"}


def test_mapping_a_missing_csv_column_is_a_file_problem(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_bytes(b"input,answer\nhi,hello\n")
    [item] = list(read_records(path, None, parse_mapping(["output=response"])))
    assert isinstance(item, Problem) and item.line == 1
    assert item.reason.startswith("no column `response` (needed by --map output=response)")
    [item] = list(read_records(path, None, parse_mapping(["input=answer"])))
    assert isinstance(item, Problem) and "already has the column `input`" in item.reason
