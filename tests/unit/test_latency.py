"""``meta.latency_ms``: one rule (``labeler.stats.latency``), and the hint and the gate follow
it."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labeler.cases import find_case_seq, load_case
from labeler.gates.metrics import read_case_facts
from labeler.identity import Actor
from labeler.importing import import_files
from labeler.review.hints import hints_for, latency_hint
from labeler.stats.latency import parse_latency_ms
from labeler.store import create_store

OWNER = Actor(name="owner", account="owner", on_trust=False)
THRESHOLD = 2000


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1840, 1840.0),
        (1840.5, 1840.5),
        (0, 0.0),
        ("1840", 1840.0),
        (" 12 ", 12.0),
        ("1e3", 1000.0),
        (10**47, 1e47),
        (None, None),
        (True, None),
        (False, None),
        ("inf", None),
        ("-inf", None),
        ("Infinity", None),
        ("NaN", None),
        ("1e999", None),
        (float("inf"), None),
        (float("nan"), None),
        (10**400, None),
        (-3, None),
        ("-0.5", None),
        ("slow", None),
        ("", None),
        ([1200], None),
        ({"ms": 1200}, None),
    ],
)
def test_what_is_a_latency(value: object, expected: float | None) -> None:
    assert parse_latency_ms(value) == expected


def test_the_hint_says_over_the_threshold_or_unreadable() -> None:
    assert latency_hint({"latency_ms": 9000}, THRESHOLD) == (
        "latency 9,000 ms is over the threshold of 2,000 ms"
    )
    assert latency_hint({"latency_ms": "9000"}, THRESHOLD) is not None
    assert latency_hint({"latency_ms": 2000}, THRESHOLD) is None
    assert latency_hint({}, THRESHOLD) is None
    assert latency_hint({"latency_ms": None}, THRESHOLD) is None
    unreadable = latency_hint({"latency_ms": "inf"}, THRESHOLD)
    assert unreadable == 'latency_ms "inf" is not a readable latency (the gate leaves it out)'
    hostile = latency_hint({"latency_ms": "\x1b[2J" + "x" * 100}, THRESHOLD)
    assert hostile is not None and "\x1b" not in hostile and len(hostile) < 120


LATENCY_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    # Numbers SQLite and Python both read exactly (long decimals may differ in the last bit).
    st.integers(min_value=-(10**15), max_value=10**15),
    st.integers(min_value=-(10**9), max_value=10**9).map(lambda n: n / 100),
    st.sampled_from(
        ["inf", "-inf", "Infinity", "NaN", "nan", "1e999", "-0", "1_000", " 12 ", "0x10", "١٢", ""]
    ),
    st.text(alphabet="0123456789.eE+-_ infINFaN", max_size=8),
    st.lists(st.integers(0, 9), max_size=2),
    st.dictionaries(st.sampled_from(["ms"]), st.integers(0, 9), max_size=1),
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(values=st.lists(LATENCY_VALUES, min_size=1, max_size=12))
def test_the_gate_and_the_hint_read_a_latency_the_same_way(
    tmp_path_factory: pytest.TempPathFactory, values: list[object]
) -> None:
    """Imported the product's way: the gate (SQL JSON functions) and the hint (the Case's meta)
    see the same latency, or both see none; the hint calls everything else unreadable."""
    folder = tmp_path_factory.mktemp("latency")
    store = create_store(folder / "s.db", OWNER)
    source = folder / "cases.jsonl"
    records = [
        {"id": f"c{i}", "input": "q", "output": "o", "meta": {"latency_ms": value}}
        for i, value in enumerate(values)
    ]
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    result = import_files(store, [source], OWNER)
    assert result.committed and result.problem_count == 0, result
    facts = read_case_facts(store, ())
    for i, value in enumerate(values):
        seq = find_case_seq(store, f"c{i}")
        assert seq is not None
        case = load_case(store, seq)
        assert case is not None
        seen = case.meta.get("latency_ms")
        latency = parse_latency_ms(seen)
        assert facts.latency_ms[facts.seqs.index(seq)] == latency, value
        hints = [h for h in hints_for(case, THRESHOLD) if "latency" in h]
        if latency is None:
            assert hints == ([] if seen is None else [latency_hint(case.meta, THRESHOLD)])
            assert seen is None or "not a readable latency" in hints[0]
        else:
            assert bool(hints) == (latency > THRESHOLD), (value, hints)
    store.close()
