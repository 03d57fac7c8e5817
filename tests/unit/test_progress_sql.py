"""``labeler progress`` counts from a few aggregate queries equal what the first version gave.

The first version asked, per reviewer, for the cases left in their queue (a ``NOT EXISTS``
probe of every open case) and grouped every label of every current case; the queries in
:mod:`labeler.store.progress_queries` count the same numbers from indexes and the
``case_status`` view. The reference queries below are that first version, kept here as the
oracle; random stores (old case versions, three reviewers, disagreements, resolutions,
slices, overlaps) must give the same rows.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labeler.identity import Actor, os_account
from labeler.importing import import_files
from labeler.labels import set_label
from labeler.resolve.resolutions import resolve
from labeler.review.progress import compute_progress
from labeler.store import Store, create_store
from labeler.store.case_filters import SliceFilter, slice_sql

Plan = tuple[int, list[tuple[int, int, int]], list[int], list[tuple[int, bool]]]
"""A store to build: cases, labels (case, reviewer, bucket), new versions, resolutions."""

REVIEWERS = ("alice", "bob", "carol")
BUCKETS = ("wrong_intent", "too_slow", "broken_format")
OTHER = "not_a_failure"
"""A bucket no reviewer gives in these stores: the bucket of an "other" resolution."""


def _write_cases(path: Path, numbers: Sequence[int], answer: str = "An answer") -> None:
    """Cases ``case-NNN`` as JSONL: odd ones short, even ones long, all on chat."""
    with path.open("w", encoding="utf-8") as f:
        for i in numbers:
            case = {
                "id": f"case-{i:03d}",
                "input": f"Question {i}?",
                "output": f"{answer} {i}.",
                "slices": {"length": "short" if i % 2 else "long", "channel": "chat"},
            }
            f.write(json.dumps(case) + "\n")


def _actor(name: str) -> Actor:
    account = os_account()
    return Actor(name=name, account=account, on_trust=name != account)


def reference(
    store: Store, slices: Sequence[SliceFilter], overlap: int
) -> dict[str, tuple[int, int, int, int, int]]:
    """Reviewer -> (labels, left_in_queue, full_overlap, open, resolved), as first computed."""
    cond, params = slice_sql(slices)
    labeled = store.query(
        "SELECT l.reviewer, count(*), sum(c.label_count >= ?) FROM labels l"
        " JOIN cases c ON c.seq = l.case_seq WHERE c.is_current = 1"
        + cond
        + " GROUP BY l.reviewer ORDER BY l.reviewer",
        [overlap, *params],
    )
    split = {
        str(r[0]): (int(r[1] or 0), int(r[2] or 0))
        for r in store.query(
            "WITH split AS (SELECT l.case_seq FROM labels l JOIN cases c ON c.seq = l.case_seq"
            " WHERE c.is_current = 1" + cond + " GROUP BY l.case_seq"
            " HAVING count(DISTINCT l.bucket) > 1)"
            " SELECT l.reviewer, sum(r.case_seq IS NULL), sum(r.case_seq IS NOT NULL)"
            " FROM split s JOIN labels l ON l.case_seq = s.case_seq"
            " LEFT JOIN resolutions r ON r.case_seq = s.case_seq GROUP BY l.reviewer",
            params,
        )
    }
    out = {}
    for reviewer, labels, full in labeled:
        left = store.query(
            "SELECT count(*) FROM cases c WHERE c.is_current = 1 AND c.label_count < ?"
            " AND NOT EXISTS (SELECT 1 FROM labels l WHERE l.case_seq = c.seq"
            " AND l.reviewer = ?)" + cond,
            [overlap, reviewer, *params],
        )[0][0]
        still_open, resolved = split.get(reviewer, (0, 0))
        out[str(reviewer)] = (int(labels), int(left), int(full or 0), still_open, resolved)
    return out


def build(
    folder: Path,
    n_cases: int,
    labels: Sequence[tuple[int, int, int]],
    new_versions: Sequence[int],
    resolved: Sequence[tuple[int, bool]],
) -> Store:
    """A store of ``n_cases`` cases; ``labels`` are (case, reviewer, bucket) indexes; the cases
    in ``new_versions`` are then imported again with a new output (their labels stay on the old
    version); ``resolved`` cases get a resolution (unclear when the flag is set)."""
    importer = _actor("importer")
    store = create_store(folder / "s.db", importer)
    source = folder / "cases.jsonl"
    _write_cases(source, range(1, n_cases + 1))
    assert import_files(store, [source], importer).ok
    for case, who, bucket in labels:
        set_label(store, case, _actor(REVIEWERS[who]), BUCKETS[bucket], expected_version=None)
    for case, unclear in resolved:
        resolve(
            store,
            case,
            _actor("lead"),
            bucket=None if unclear else OTHER,
            method="unclear" if unclear else "other",
            reason=None,
            expected_version=None,
        )
    if new_versions:
        _write_cases(source, sorted(set(new_versions)), answer="A new answer")
        assert import_files(store, [source], importer, update=True).ok
    return store


@st.composite
def stores(draw: st.DrawFn) -> Plan:
    n_cases = draw(st.integers(1, 8))
    case = st.integers(1, n_cases)
    picks = draw(
        st.lists(
            st.tuples(case, st.integers(0, len(REVIEWERS) - 1), st.integers(0, 2)),
            max_size=16,
            unique_by=lambda t: (t[0], t[1]),
        )
    )
    versions = draw(st.lists(case, max_size=3))
    labeled = sorted({c for c, _, _ in picks})
    resolved = draw(
        st.lists(st.tuples(st.sampled_from(labeled), st.booleans()), unique_by=lambda t: t[0])
        if labeled
        else st.just([])
    )
    return n_cases, picks, versions, resolved


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    store_plan=stores(),
    overlap=st.integers(1, 3),
    slices=st.sampled_from([(), (("length", "long"),), (("length", "short"), ("channel", "chat"))]),
)
def test_progress_equals_the_first_version(
    store_plan: Plan,
    overlap: int,
    slices: tuple[SliceFilter, ...],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = build(Path(folder), *store_plan)
        try:
            expected = reference(store, slices, overlap)
            report = compute_progress(store, slices, overlap)
        finally:
            store.close()
    got = {
        r.reviewer: (
            r.labels,
            r.left_in_queue,
            r.full_overlap,
            r.disagreements_open,
            r.disagreements_resolved,
        )
        for r in report.reviewers
    }
    assert got == expected
    assert [r.reviewer for r in report.reviewers] == sorted(expected)
