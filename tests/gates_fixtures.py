"""Test data for the release gate: stores built from cases and labels the way the product does.

Cases go through ``labeler.importing.import_files`` (a JSONL written here) and labels through
``labeler.labels.set_label``, so the gate reads exactly what a real store holds.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from labeler.cases import find_case_seq
from labeler.gates import GateOutcome, RuleResult, parse_gates, run_gate
from labeler.identity import Actor
from labeler.importing import import_files
from labeler.labels import set_label
from labeler.store import Store, create_store

OWNER = Actor(name="owner", account="owner", on_trust=False)


def reviewer(name: str) -> Actor:
    """A reviewer acting under their own name."""
    return Actor(name=name, account=name, on_trust=True)


def case(
    number: int,
    *,
    slices: Mapping[str, str] | None = None,
    meta: Mapping[str, Any] | None = None,
    output: str | None = None,
) -> dict[str, Any]:
    """One case record ``c<number>``."""
    return {
        "id": f"c{number:04d}",
        "input": f"question {number}",
        "output": output if output is not None else f"answer {number}",
        "slices": dict(slices or {}),
        "meta": dict(meta or {}),
    }


def build_store(
    tmp_path: Path,
    records: Sequence[Mapping[str, Any]],
    labels: Mapping[str, Mapping[str, str]] | None = None,
    name: str = "s.db",
) -> Store:
    """A new store with ``records`` imported and ``labels`` ({case id: {reviewer: bucket}})."""
    store = create_store(tmp_path / name, OWNER)
    source = tmp_path / f"{name}.cases.jsonl"
    source.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    result = import_files(store, [source], OWNER)
    assert result.committed and result.problem_count == 0, result
    for case_id, by_reviewer in (labels or {}).items():
        seq = find_case_seq(store, case_id)
        assert seq is not None, case_id
        for who, bucket in by_reviewer.items():
            set_label(store, seq, reviewer(who), bucket, expected_version=None)
    return store


def agreed(case_ids: Sequence[str], bucket: str) -> dict[str, dict[str, str]]:
    """alice and bob both give ``bucket`` on each case."""
    return {cid: {"alice": bucket, "bob": bucket} for cid in case_ids}


def ids(numbers: Sequence[int] | range) -> list[str]:
    """Case ids for case numbers."""
    return [f"c{n:04d}" for n in numbers]


def judge(store: Store, gates: str) -> GateOutcome:
    """Run a gates file given as text on the store."""
    return run_gate(store, parse_gates(gates, "gates.toml"))[0]


def only(outcome: GateOutcome) -> RuleResult:
    """The single result of a one-rule gate."""
    assert len(outcome.results) == 1, outcome.results
    return outcome.results[0]


def rule(**fields: Any) -> str:
    """One ``[[rule]]`` table in TOML."""
    lines = ["[[rule]]"]
    for key, value in fields.items():
        lines.append(f"{key} = {json.dumps(value)}")
    return "\n".join(lines) + "\n"


def rate_store(tmp_path: Path, hits: int, total: int = 100, bucket: str = "wrong_intent") -> Store:
    """``total`` cases, every one labeled by alice and bob; ``hits`` of them in ``bucket``.

    Odd-numbered cases are ``length=long``, even ones ``length=short``; the hits are the
    first odd-numbered cases, so all of them are long.
    """
    records = [
        case(n, slices={"length": "long" if n % 2 else "short"}) for n in range(1, total + 1)
    ]
    hit_numbers = [n for n in range(1, total + 1) if n % 2][:hits]
    labels = agreed(ids(range(1, total + 1)), "not_a_failure")
    labels.update(agreed(ids(hit_numbers), bucket))
    return build_store(tmp_path, records, labels)
