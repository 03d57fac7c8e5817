"""The import's fast path (no pydantic for the usual shapes) gives what the model gives.

For every record, valid or not, :func:`labeler.importing.readers.check_record` (fast path, the
model only when unsure) and the model's own path (``read_records``) must agree: the same stored
values and hash for a valid record, the same worded reason for a bad one.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labeler import models
from labeler.importing import fastpath
from labeler.importing.mapping import Mapping
from labeler.importing.outcome import Problem
from labeler.importing.readers import Parsed, _row_of, _validate, check_record
from labeler.models import MAX_FIELD_CHARS

RECORDS: list[dict[str, Any]] = [
    {"input": "plain", "output": "out"},
    {"id": "x", "input": "a", "output": None},
    {"input": "a", "output": "", "expected": "exp"},
    {"input": "a", "output": "b", "expected": {"json": [1, 2.5, None, True]}},
    {"input": "a", "output": "b", "expected": 42},
    {"input": "a", "output": "b", "expected": [1, "x"]},
    {"input": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}],
     "output": "b"},
    {"input": [], "output": "b"},
    {"input": [{"content": "c", "role": "r"}], "output": "b"},
    {"input": "a", "output": "b", "context": "one document"},
    {"input": "a", "output": "b", "context": ""},
    {"input": "a", "output": "b", "context": ["doc one", {"text": "two", "title": "T"}]},
    {"input": "a", "output": "b", "context": [{"text": "t", "source": "s", "title": None}]},
    {"input": "a", "output": "b", "context": [{"text": "t", "source": None}]},
    {"input": "a", "output": "b", "context": []},
    {"input": "a", "output": "b", "slices": {"len": "long", "turns": 3, "json": True}},
    {"input": "a", "output": "b", "slices": {"f": 1.5, "big": 10**30, "neg": -0.0}},
    {"input": "a", "output": "b", "slices": {}},
    {"input": "a", "output": "b", "meta": {"z": 1, "a": {"nested": ["x"]}}, "extra": "top"},
    {"input": "a", "output": "b", "extra": "top", "meta": None},
    {"input": "a", "output": "b", "extra": "top", "meta": {"extra": "meta wins"}},
    {"input": "a", "output": "b", "meta": {}},
    {"input": "注文 🙏🏽 \x1b[31m \x00 \r\n \u202e", "output": "é\u200d", "meta": {"ключ": "в"}},
    {"input": "a", "output": "b", "context": ['quote " back \\ slash \n\r\t\b\f \x01 \x1f \x7f']},
    {"input": [{"role": "u\n", "content": '"\\\x00'}], "output": "b"},
    # bad records: the model words them
    {"input": "a"},
    {"output": "b"},
    {"input": 3, "output": "b"},
    {"input": "a", "output": 3},
    {"id": "", "input": "a", "output": "b"},
    {"id": 7, "input": "a", "output": "b"},
    {"id": "x" * 1001, "input": "a", "output": "b"},
    {"input": [{"role": "", "content": "c"}], "output": "b"},
    {"input": [{"role": "r"}], "output": "b"},
    {"input": [{"role": "r", "content": "c", "x": 1}], "output": "b"},
    {"input": ["just text"], "output": "b"},
    {"input": "a", "output": "b", "context": 5},
    {"input": "a", "output": "b", "context": [5]},
    {"input": "a", "output": "b", "context": [{"title": "no text"}]},
    {"input": "a", "output": "b", "context": [{"text": "t", "url": "u"}]},
    {"input": "a", "output": "b", "context": [{"text": "t", "title": 3}]},
    {"input": "a", "output": "b", "context": [{"text": "t", "title": "x" * 10_001}]},
    {"input": "a", "output": "b", "slices": []},
    {"input": "a", "output": "b", "slices": None},
    {"input": "a", "output": "b", "slices": {"": "v"}},
    {"input": "a", "output": "b", "slices": {"n": None}},
    {"input": "a", "output": "b", "slices": {"n": ["v"]}},
    {"input": "a", "output": "b", "slices": {"n" * 201: "v"}},
    {"input": "a", "output": "b", "slices": {"n": "v" * 1001}},
    {"input": "a", "output": "b", "meta": []},
    {"input": "a", "output": "b", "meta": None},
    {"input": "a", "output": "b", "meta": "x", "extra": 1},
    # lone surrogates, anywhere
    {"input": "\udc00", "output": "b"},
    {"id": "\ud800", "input": "a", "output": "b"},
    {"input": "a", "output": "b", "meta": {"k": ["\udfff"]}},
    {"input": "a", "output": "b", "slices": {"\udc80": "v"}},
    {"input": "a", "output": "b", "context": [{"text": "t", "title": "\ud800"}]},
    {"input": "a", "output": "b", "expected": {"e": "\udc00"}},
    # a lone surrogate and another mistake: the other one is named first (validated, then encoded)
    {"input": "\ud800", "output": None, "slices": {"": None}},
]  # fmt: skip


def model_path(data: dict[str, Any], is_jsonl: bool = True) -> tuple[Any, ...] | str:
    """What the model's path (``read_records``) makes of a record: its row, or the reason."""
    got = _validate("f.jsonl", 1, copy.deepcopy(data), Mapping(), is_jsonl)
    if isinstance(got, Problem):
        return got.reason
    assert isinstance(got, Parsed)
    return tuple(_row_of(got.stored, got.record.id is not None))


def fast_path(data: dict[str, Any], is_jsonl: bool = True) -> tuple[Any, ...] | str:
    got = check_record("f.jsonl", 1, copy.deepcopy(data), Mapping(), is_jsonl)
    if isinstance(got, Problem):
        return got.reason
    return tuple(got[1])


def test_the_constants_are_the_models() -> None:
    assert fastpath.MAX_FIELD_CHARS == models.MAX_FIELD_CHARS
    assert fastpath.KNOWN_KEYS == models.KNOWN_KEYS


@pytest.mark.parametrize("data", RECORDS)
@pytest.mark.parametrize("is_jsonl", [True, False], ids=["jsonl", "csv"])
def test_fast_path_agrees_with_the_model(data: dict[str, Any], is_jsonl: bool) -> None:
    assert fast_path(data, is_jsonl) == model_path(data, is_jsonl)


def test_the_usual_shapes_do_not_need_the_model() -> None:
    usual = [r for r in RECORDS[:25] if "meta" not in r or isinstance(r["meta"], dict)]
    for data in usual:
        assert fastpath.stored_row(copy.deepcopy(data)) is not None, data


def test_field_size_limits_are_the_models() -> None:
    big = "x" * (MAX_FIELD_CHARS + 1)
    for data in (
        {"input": big, "output": "b"},
        {"input": "a", "output": big},
        {"input": "a", "output": "b", "expected": big},
        {"input": "a", "output": "b", "context": big},
        {"input": "a", "output": "b", "context": [big]},
        {"input": "a", "output": "b", "context": [{"text": big}]},
        {"input": [{"role": "r", "content": big}], "output": "b"},
    ):
        assert fastpath.stored_row(data) is None
        assert fast_path(data) == model_path(data)
        assert isinstance(fast_path(data), str)


_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from('"\\\n\r\t\b\f\x00\x01\x1f\x7f\u2028\ufeffé注🙏'),
        st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),
    ),
    max_size=12,
)
_SCALAR = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
    _TEXT,
)  # fmt: skip
_JSON = st.recursive(
    _SCALAR,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_TEXT, inner, max_size=3)),
    max_leaves=8,
)
_DOC = st.one_of(
    _TEXT,
    st.fixed_dictionaries(
        {"text": _TEXT},
        optional={"title": st.one_of(st.none(), _TEXT, st.integers()), "source": _JSON},
    ),
    _JSON,
)
_TURN = st.one_of(
    st.fixed_dictionaries({"role": _TEXT, "content": _TEXT}, optional={"name": _TEXT}),
    _JSON,
)
_RECORD = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.none(), _TEXT, st.integers()),
        "input": st.one_of(_TEXT, st.lists(_TURN, max_size=3), _JSON),
        "output": st.one_of(st.none(), _TEXT, _JSON),
        "context": st.one_of(st.none(), _TEXT, st.lists(_DOC, max_size=3), _JSON),
        "expected": _JSON,
        "slices": st.one_of(st.dictionaries(_TEXT, _SCALAR, max_size=3), _JSON),
        "meta": st.one_of(st.dictionaries(_TEXT, _JSON, max_size=3), _JSON),
        "extra": _JSON,
        "другое": _JSON,
    },
)


_GOOD_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8", exclude_categories=["Cs"]),
        st.sampled_from('"\\\n\r\t\b\f\x00\x01\x1f\x7f\u2028\ufeffé注🙏'),
    ),
    max_size=12,
)
_GOOD_JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False,
              allow_infinity=False), _GOOD_TEXT),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(_GOOD_TEXT, inner, max_size=3)
    ),
    max_leaves=6,
)  # fmt: skip
_GOOD_DOC = st.one_of(
    _GOOD_TEXT,
    st.fixed_dictionaries(
        {"text": _GOOD_TEXT},
        optional={"title": st.one_of(st.none(), _GOOD_TEXT), "source": st.none() | _GOOD_TEXT},
    ),
)
_MOSTLY_GOOD = st.fixed_dictionaries(
    {
        "input": st.one_of(
            _GOOD_TEXT,
            st.lists(
                st.fixed_dictionaries({"role": _GOOD_TEXT.filter(bool), "content": _GOOD_TEXT}),
                max_size=3,
            ),
        ),
        "output": st.one_of(st.none(), _GOOD_TEXT),
    },
    optional={
        "id": st.one_of(st.none(), _GOOD_TEXT, _TEXT),
        "context": st.one_of(st.none(), _GOOD_TEXT, st.lists(_GOOD_DOC, max_size=3)),
        "expected": _GOOD_JSON,
        "slices": st.dictionaries(
            _GOOD_TEXT,
            st.one_of(st.booleans(), st.integers(), st.floats(allow_nan=False,
                      allow_infinity=False), _GOOD_TEXT),
            max_size=3,
        ),
        "meta": st.one_of(st.none(), st.dictionaries(_GOOD_TEXT, _GOOD_JSON, max_size=3)),
        "extra": _GOOD_JSON,
        "другое": _TEXT,
    },
)  # fmt: skip


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_RECORD | _MOSTLY_GOOD, st.booleans())
def test_fast_path_agrees_with_the_model_on_generated_records(
    data: dict[str, Any], is_jsonl: bool
) -> None:
    assert fast_path(data, is_jsonl) == model_path(data, is_jsonl)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_quoting_is_json_dumps(text: str) -> None:
    try:
        expected = fastpath.dumps(text).encode()
    except UnicodeEncodeError:
        with pytest.raises(UnicodeEncodeError):
            fastpath._quoted(text)
        return
    assert b'"' + fastpath._quoted(text) + b'"' == expected
