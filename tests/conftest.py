"""Shared fixtures: actors, case records, and stores that hold them.

Every store is made the way the product makes one (``create_store`` with the default taxonomy)
and filled with ``labeler.importing.import_files`` from a JSONL file, as a user fills one.
Fixtures that build things are factories (``make_store(records)``), so test modules can make as
many stores as they need.

The hostile cases are a copy of ``shared/hostile/cases.jsonl`` kept in ``tests/data`` so the
tests do not depend on anything outside the repository.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from labeler.identity import Actor, os_account
from labeler.importing import import_files
from labeler.store import Store, create_store

# Property tests draw new examples on every run on a developer's machine (that is how they find
# bugs); CI (.ci/run sets HYPOTHESIS_PROFILE=ci) draws the same ones every time, so a red CI
# always points at a change, and a failure prints the blob to reproduce it.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

DATA_DIR = Path(__file__).resolve().parent / "data"
HOSTILE_CASES_FILE = DATA_DIR / "hostile_cases.jsonl"

CaseDict = dict[str, Any]
MakeActor = Callable[[str], Actor]
MakeCases = Callable[..., list[CaseDict]]
AddCases = Callable[[Store, Sequence[CaseDict], Actor], None]
MakeStore = Callable[..., Store]

_WORDS = (
    "refund",
    "parcel",
    "invoice",
    "warranty",
    "coupon",
    "address",
    "zebrafish",
    "password",
    "delivery",
    "upgrade",
    "receipt",
    "exchange",
)


def _actor(name: str) -> Actor:
    account = os_account()
    return Actor(name=name, account=account, on_trust=name != account)


def make_case(number: int, **fields: Any) -> CaseDict:
    """A plain, readable case ``case-NNN`` (fields given override the defaults)."""
    word = _WORDS[(number - 1) % len(_WORDS)]
    record: CaseDict = {
        "id": f"case-{number:03d}",
        "input": f"Question {number}: what about my {word}? I asked on Monday.",
        "context": [
            {
                "title": f"Policy {number}",
                "text": f"The {word} policy: answer within two days.",
                "source": f"kb/{word}",
            }
        ],
        "output": f"Answer {number}: your {word} is on its way.",
        "slices": {"length": "short" if number % 2 else "long", "channel": "chat"},
        "meta": {"prompt_version": "v3", "model": "test-model", "latency_ms": 100 + number},
    }
    record.update(fields)
    return record


def _write_jsonl(path: Path, records: Sequence[CaseDict]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as f:
        for record in records:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")


def add_cases_to_store(store: Store, records: Sequence[CaseDict], actor: Actor) -> None:
    """Import ``records`` into ``store`` (through a JSONL file, as a user would)."""
    source = store.path.parent / f".{store.path.name}.import-{len(records)}.jsonl"
    _write_jsonl(source, records)
    try:
        result = import_files(store, [source], actor)
    finally:
        source.unlink(missing_ok=True)
    assert result.ok, f"the test cases did not import: {result.describe_problems()}"
    assert result.inserted == len(records)


@pytest.fixture
def make_actor() -> MakeActor:
    """``make_actor("bob")``: a reviewer with a display name and the real OS account."""
    return _actor


@pytest.fixture
def actor() -> Actor:
    """The default reviewer of a test, ``alice`` (the OS account recorded beside the name)."""
    return _actor("alice")


@pytest.fixture
def make_cases() -> MakeCases:
    """``make_cases(n, start=1, **fields)``: ``n`` plain cases ``case-001``..."""

    def build(n: int, start: int = 1, **fields: Any) -> list[CaseDict]:
        return [make_case(i, **fields) for i in range(start, start + n)]

    return build


@pytest.fixture
def add_cases() -> AddCases:
    """``add_cases(store, records, actor)``: import more cases into a store."""
    return add_cases_to_store


@pytest.fixture
def hostile_records() -> list[CaseDict]:
    """The shared hostile cases (markup, escapes, CR, bidi, NUL, formulas, wide characters)."""
    lines = HOSTILE_CASES_FILE.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.fixture
def make_store(tmp_path: Path) -> Iterator[MakeStore]:
    """``make_store(records=None, n=10, name="store.db")``: a new store holding the cases.

    Without ``records`` the store holds ``n`` plain cases from :func:`make_case`. Every store
    made is closed at the end of the test.
    """
    opened: list[Store] = []

    def build(
        records: Sequence[CaseDict] | None = None,
        *,
        n: int = 10,
        name: str = "store.db",
        owner: Actor | None = None,
    ) -> Store:
        who = owner or _actor("importer")
        store = create_store(tmp_path / name, who)
        opened.append(store)
        rows = list(records) if records is not None else [make_case(i) for i in range(1, n + 1)]
        if rows:
            add_cases_to_store(store, rows, who)
        return store

    yield build
    for store in opened:
        store.close()


@pytest.fixture
def store(make_store: MakeStore) -> Store:
    """A store with ten plain cases, ``case-001`` to ``case-010``, and no labels."""
    return make_store()


@pytest.fixture
def hostile_store(make_store: MakeStore, hostile_records: list[CaseDict]) -> Store:
    """A store holding only the shared hostile cases, in file order."""
    return make_store(hostile_records, name="hostile.db")
