"""Stores with two versions of a product, built the product's way.

Cases are imported with :func:`labeler.importing.import_files` (``make_store`` of the shared
conftest); labels come in through :func:`labeler.importing.labels.import_labels`, the path of
``labeler import-labels``; a disagreement is two reviewers' labels that differ.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labeler.identity import Actor
from labeler.importing.labels import import_labels
from labeler.store import Store

IMPORTER = Actor(name="importer", account="importer", on_trust=False)


@dataclass
class Group:
    """``total`` cases of one version in one slice, and how many final buckets of each kind.

    Cases not counted in ``buckets`` are ``not_a_failure``. ``unresolved`` cases get two
    labels that differ: alice's bucket, then bob's.
    """

    version: str
    slices: Mapping[str, str]
    total: int
    buckets: Mapping[str, int] = field(default_factory=dict)
    unresolved: Sequence[tuple[str, str]] = ()
    meta: Mapping[str, Any] = field(default_factory=dict)
    pair_ids: Sequence[str] | None = None
    """``meta.input_id`` of each case (paired designs)."""


def build(make_store: Callable[..., Store], tmp_path: Path, groups: Sequence[Group]) -> Store:
    """Import every group's cases, then their labels (alice, and bob on the disagreements)."""
    records: list[dict[str, Any]] = []
    labels: list[tuple[str, str, str]] = []
    counter = 0
    for group in groups:
        plan: list[tuple[str, str | None]] = []
        for bucket, n in group.buckets.items():
            plan += [(bucket, None)] * n
        plan += [(a, b) for a, b in group.unresolved]
        plan += [("not_a_failure", None)] * (group.total - len(plan))
        assert len(plan) == group.total, group
        for i, (first, second) in enumerate(plan):
            counter += 1
            case_id = f"{group.version}-{counter:05d}"
            meta: dict[str, Any] = {
                "prompt_version": group.version,
                "latency_ms": 800 + (i * 37) % 400,
                **group.meta,
            }
            if group.pair_ids is not None:
                meta["input_id"] = group.pair_ids[i]
            records.append(
                {
                    "id": case_id,
                    "input": f"question {counter}",
                    "output": f"answer {counter}",
                    "slices": dict(group.slices),
                    "meta": meta,
                }
            )
            labels.append((case_id, "alice", first))
            if second is not None:
                labels.append((case_id, "bob", second))
    store: Store = make_store(records, name="versions.db", owner=IMPORTER)
    if labels:
        path = tmp_path / "labels.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["case_id", "reviewer", "bucket", "note"])
            writer.writerows([case_id, who, bucket, ""] for case_id, who, bucket in labels)
        import_labels(store, path, IMPORTER)
    return store


def one_bucket_regresses_in_one_slice() -> list[Group]:
    """v8 improves overall and in most slices, but invented_policy on policy_edge=yes goes
    from 2 to 12 in 100 reviewed cases (+100 per 1,000); overall that bucket stays flat (it
    falls where policy_edge=no), and all failures together on policy_edge=yes do not rise."""
    groups = []
    counts = {
        ("v7", "no"): {"wrong_intent": 30, "bad_extraction": 20, "invented_policy": 10},
        ("v8", "no"): {"wrong_intent": 10, "bad_extraction": 6, "invented_policy": 2},
        ("v7", "yes"): {"wrong_intent": 20, "bad_extraction": 6, "invented_policy": 2},
        ("v8", "yes"): {"wrong_intent": 6, "bad_extraction": 6, "invented_policy": 12},
    }
    for (version, edge), buckets in counts.items():
        total = 200 if edge == "no" else 100
        for length in ("short", "long"):
            half = {bucket: n // 2 for bucket, n in buckets.items()}
            groups.append(
                Group(
                    version,
                    {"policy_edge": edge, "length": length},
                    total // 2,
                    half,
                )
            )
    return groups
