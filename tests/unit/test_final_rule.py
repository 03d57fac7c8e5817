"""The final bucket and status of a case: every consumer of the rule agrees, case by case.

The rule (README, ``labeler.stats.counts``): a resolution decides (``unclear`` when the
resolvers said
so); else the bucket every reviewer gave (status ``single`` with one label, ``agreed`` with
more); else ``unresolved``; no label at all is ``unlabeled``. Only the current version of a case
counts: labels and resolutions of an older version do not.

For random stores (built the product's way: ``import_files``, ``set_label``, ``resolve``,
``import --update``) this checks that these all give each case the bucket and status of the
plain reading of the rule written out below:

* ``labeler.stats.counts.final_of`` (the Python rule on one case);
* ``labeler.stats.compute.case_finals`` (the numpy path ``compute_stats`` uses);
* ``compute_stats``' counts per case (``--by`` a slice with one case per value) and statuses;
* the ``case_status`` view (its SQL twin: export, the gate's per-case statuses);
* the gate: the counts and statuses it reads (``gather``) and a bucket rule judged per case;
* the resolve queue: ``is_disagreement`` holds exactly when the labels differ.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labeler.cases import find_case_seq
from labeler.gates import evaluate_rules, gather, parse_gates
from labeler.identity import Actor
from labeler.importing import import_files
from labeler.labels import set_label
from labeler.resolve.disagreements import ResolveSpec, case_labels, is_disagreement
from labeler.resolve.resolutions import method_for, resolve
from labeler.stats.compute import StatsRequest, case_finals, compute_stats
from labeler.stats.counts import PSEUDO_BUCKETS, STATUSES, final_of
from labeler.store import Store, create_store

OWNER = Actor(name="owner", account="owner", on_trust=False)
GIVEN = ("wrong_intent", "bad_extraction", "other")
"""Buckets the reviewers use."""
DECIDED = (*GIVEN, "not_a_failure")
"""Buckets the resolvers may pick (one that no reviewer gave: method ``other``)."""
REVIEWERS = ("r1", "r2", "r3")
UNCLEAR = object()


def _who(name: str) -> Actor:
    return Actor(name=name, account=name, on_trust=True)


def rule_as_written(labels: list[str], resolution: object, updated: bool) -> tuple[str, str]:
    """The README's words, as plainly as they can be written: ``(final bucket, status)``."""
    if updated:  # the current version is new: no labels, no resolution
        return "unlabeled", "unlabeled"
    if resolution is UNCLEAR:
        return "unclear", "unclear"
    if resolution is not None:
        return str(resolution), "resolved"
    if not labels:
        return "unlabeled", "unlabeled"
    if all(label == labels[0] for label in labels):
        return labels[0], "single" if len(labels) == 1 else "agreed"
    return "unresolved", "unresolved"


CASE = st.tuples(
    st.lists(st.one_of(st.none(), st.sampled_from(GIVEN)), min_size=3, max_size=3),
    st.one_of(st.none(), st.just(UNCLEAR), st.sampled_from(DECIDED)),
    st.booleans(),
)


def _record(number: int, edited: bool = False) -> dict[str, object]:
    return {
        "id": f"c{number}",
        "input": f"question {number}",
        "output": f"answer {number}" + (" (edited)" if edited else ""),
        "slices": {"case": str(number), "half": str(number % 2)},
    }


def _import(store: Store, folder: Path, name: str, records: list[dict[str, object]]) -> None:
    source = folder / name
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    result = import_files(store, [source], OWNER, update=True)
    assert result.committed and result.problem_count == 0, result


def _build(folder: Path, cases: list[tuple[list[str | None], object, bool]]) -> list[int]:
    """The store at ``folder/s.db``; returns the current case number of each case."""
    store = create_store(folder / "s.db", OWNER)
    _import(store, folder, "cases.jsonl", [_record(i) for i in range(len(cases))])
    for i, (labels, resolution, _updated) in enumerate(cases):
        seq = find_case_seq(store, f"c{i}")
        assert seq is not None
        for reviewer, bucket in zip(REVIEWERS, labels, strict=True):
            if bucket is not None:
                set_label(store, seq, _who(reviewer), bucket, expected_version=None)
        if resolution is not None:
            bucket = None if resolution is UNCLEAR else str(resolution)
            method = method_for(case_labels(store, seq), bucket)
            resolve(
                store,
                seq,
                _who("rita"),
                bucket=bucket,
                method=method,
                reason=None,
                expected_version=None,
            )
    edited = [_record(i, edited=True) for i, case in enumerate(cases) if case[2]]
    if edited:
        _import(store, folder, "edited.jsonl", edited)
    seqs = [find_case_seq(store, f"c{i}") for i in range(len(cases))]
    store.close()
    assert all(seq is not None for seq in seqs)
    return [int(seq) for seq in seqs if seq is not None]


def _gate_rules(expected: list[tuple[str, str]]) -> str:
    """One bucket rule per case, scoped to it: on its final bucket, or on a bucket it is not."""
    rules = []
    for i, (bucket, _status) in enumerate(expected):
        on = GIVEN[0] if bucket in PSEUDO_BUCKETS else bucket
        rules.append(
            '[[rule]]\nkind = "bucket_rate"\n'
            f'bucket = {json.dumps(on)}\nslice = "case={i}"\n'
            'max_per_1000 = 1000\non_fail = "flag"\n'
        )
    return "\n".join(rules)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cases=st.lists(CASE, min_size=1, max_size=10))
def test_every_consumer_gives_each_case_the_same_bucket_and_status(
    tmp_path_factory: pytest.TempPathFactory,
    cases: list[tuple[list[str | None], object, bool]],
) -> None:
    folder = tmp_path_factory.mktemp("finals")
    seqs = _build(folder, cases)
    expected = [
        rule_as_written([b for b in labels if b is not None], resolution, updated)
        for labels, resolution, updated in cases
    ]
    current_labels = [
        [] if updated else [b for b in labels if b is not None] for labels, _, updated in cases
    ]

    # The Python rule on one case.
    for (_labels, resolution, updated), given_labels, want in zip(
        cases, current_labels, expected, strict=True
    ):
        resolved = resolution is not None and not updated
        decided = None if resolution is UNCLEAR or not resolved else str(resolution)
        assert tuple(final_of(given_labels, resolved, decided)) == want

    from labeler.store import open_store

    with open_store(folder / "s.db") as store:
        # The numpy path of stats, per case.
        finals = case_finals(store)
        assert [tuple(finals[seq]) for seq in seqs] == expected

        # compute_stats: one case per value of the `case` slice; statuses overall.
        report = compute_stats(store, StatsRequest(by=("case", "half")))
        for i, (bucket, status) in enumerate(expected):
            counts = report.counts.by["case"][str(i)]
            assert counts.cases == 1
            assert counts.reviewed == (status != "unlabeled")
            assert [name for name, c in counts.buckets.items() if c.cases] == [bucket]
        assert report.status.to_json() == {
            name: Counter(s for _, s in expected)[name] for name in STATUSES
        }
        assert dict(Counter(b for b, _ in expected)) == {
            name: c.cases for name, c in report.counts.overall.buckets.items() if c.cases
        }

        # The SQL twin.
        view = {
            int(r[0]): (str(r[1]), str(r[2]))
            for r in store.query("SELECT case_seq, final_bucket, status FROM case_status")
        }
        assert [view[seq] for seq in seqs] == expected
        assert len(view) == len(seqs)

        # The gate: what it reads, and a bucket rule per case.
        spec = parse_gates(_gate_rules(expected), "g.toml")
        inputs = gather(store, spec)
        facts = inputs.facts
        for i, (seq, (bucket, status)) in enumerate(zip(seqs, expected, strict=True)):
            scoped = inputs.stats.counts.scope(("case", str(i)))
            assert scoped is not None and scoped.cases_in(bucket) == 1
            at = facts.seqs.index(seq)
            assert facts.statuses[at] == status
            assert facts.unresolved([at]) == (status == "unresolved")
        outcome = evaluate_rules(spec, inputs)
        for result, (bucket, status) in zip(outcome.results, expected, strict=True):
            assert result.count == (0 if bucket in PSEUDO_BUCKETS else 1)
            assert result.n == (status != "unlabeled")
            assert result.unresolved_in_scope == (status == "unresolved")

        # The resolve queue: a disagreement is a case whose current labels differ.
        for seq, labels in zip(seqs, current_labels, strict=True):
            assert is_disagreement(store, ResolveSpec(), seq) == (len(set(labels)) > 1)
