"""The importer's one-pass stored values agree with the model's own methods."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from labeler.importing.stored import stored_case
from labeler.models import CaseRecord

RECORDS: list[dict[str, Any]] = [
    {"input": "plain", "output": "out"},
    {"id": "x", "input": "a", "output": None},
    {"input": "a", "output": "", "expected": "exp"},
    {"input": "a", "output": "b", "expected": {"json": [1, 2.5, None, True]}},
    {"input": "a", "output": "b", "expected": 42},
    {"input": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}],
     "output": "b"},
    {"input": "a", "output": "b", "context": "one document"},
    {"input": "a", "output": "b", "context": ["doc one", {"text": "two", "title": "T"}]},
    {"input": "a", "output": "b", "context": [{"text": "t", "source": "s", "title": None}]},
    {"input": "a", "output": "b", "context": []},
    {"input": "a", "output": "b", "slices": {"len": "long", "turns": 3, "json": True}},
    {"input": "a", "output": "b", "meta": {"z": 1, "a": {"nested": ["x"]}}, "extra": "top"},
    {"input": "注文 🙏🏽 \x1b[31m \x00 \r\n \u202e", "output": "é\u200d", "meta": {"ключ": "в"}},
]  # fmt: skip


@pytest.mark.parametrize("data", RECORDS)
def test_stored_case_matches_the_model(data: dict[str, Any]) -> None:
    record = CaseRecord.model_validate(data)
    stored = stored_case(record)
    assert stored.content_hash == record.content_hash()
    assert stored.case_id == record.case_id()
    assert stored.input == record.stored_input()
    assert stored.input_kind == record.input_kind()
    assert stored.context == record.stored_context()
    assert stored.output == record.output
    assert stored.expected == record.stored_expected()


def test_lone_surrogate_raises_encode_error() -> None:
    record = CaseRecord.model_validate({"input": "\udc00", "output": "b"})
    with pytest.raises(UnicodeEncodeError):
        stored_case(record)


def test_importing_package_pulls_in_no_ui_library() -> None:
    code = (
        "import sys, labeler.importing\n"
        "bad = [m for m in ('textual', 'rich', 'click') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == ""
