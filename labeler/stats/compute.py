"""``labeler stats``: agreement and bucket counts from one consistent read of the store.

The same function feeds the CLI (plain and ``--json``), the TUI stats screen, and the gates,
so every number a user sees comes from here. Labels are read once, as three columns, and
everything after that is numpy.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from labeler.stats.agreement import AgreementReport, Confusion, LabelMatrix, compute_agreement
from labeler.stats.confusion import shown_confusion
from labeler.stats.counts import (
    STATUSES,
    UNLABELED,
    BucketCounts,
    CaseFinal,
    SliceCounts,
    StatusCounts,
    final_codes,
    final_names,
)
from labeler.stats.sampling import (
    REACHED_CODES,
    Sampling,
    attribute_strays,
    key_order,
    measure,
    measure_groups,
    queue_order,
)
from labeler.store import reports
from labeler.store.case_filters import NONE_GROUP, SliceFilter, slice_sql
from labeler.store.connection import Store
from labeler.store.order import (
    read_key_texts,
    read_labeled_when_drawn,
    read_reached_texts,
    read_scope_texts,
)
from labeler.store.reports import parse_ints as _parse_ints

UNCLEAR_LISTED = 1000
"""At most this many unclear cases are listed (their count is in ``status``)."""


@dataclass(frozen=True)
class StatsRequest:
    """What to compute."""

    by: tuple[str, ...] = ()
    """Slice names, or ``meta.<field>``, to split the counts by."""
    reviewers: tuple[str, ...] | None = None
    """Reviewers in play for agreement (default: all)."""
    bootstrap: int = 0
    seed: int | None = None
    split_agreement: bool = True
    """Compute agreement within each value of the ``by`` keys too (the gate does not need it)."""


def _group_values(conn: sqlite3.Connection, key: str) -> list[str]:
    return [NONE_GROUP if v is None else v for v in reports.group_values(conn, key)]


def _read_matrix(
    conn: sqlite3.Connection, buckets: list[str], resolution_buckets: set[str]
) -> tuple[LabelMatrix, np.ndarray, list[str]]:
    """The label matrix of current cases, the case number of each item, and the bucket order."""
    reviewers = reports.label_reviewers(conn)
    used = reports.label_buckets(conn)
    bucket_order = buckets + sorted((used | resolution_buckets) - set(buckets))
    columns = reports.label_columns(conn, reviewers, bucket_order)
    seqs, reviewer_codes, bucket_codes = (
        columns.case_seqs,
        columns.reviewer_codes,
        columns.bucket_codes,
    )
    item_seqs, item_codes = np.unique(seqs, return_inverse=True)
    matrix = LabelMatrix.from_codes(
        [str(seq) for seq in item_seqs.tolist()],
        reviewers,
        bucket_order,
        item_codes.astype(np.int64),
        reviewer_codes,
        bucket_codes,
    )
    return matrix, item_seqs, bucket_order


@dataclass(frozen=True)
class UnclearEntry:
    """A case the resolvers marked unclear, for the guideline owner (raw, untrusted text)."""

    case_id: str
    reason: str | None
    resolver: str

    def to_json(self) -> dict[str, Any]:
        return {"case_id": self.case_id, "reason": self.reason, "resolver": self.resolver}


@dataclass(frozen=True)
class StatsReport:
    """Everything ``labeler stats`` reports, from one consistent read of the store.

    :meth:`to_json` is the ``--json`` object; its keys are a contract that scripts rely on.
    """

    cases: int
    """Current cases."""
    labels: int
    """Labels on current cases."""
    reviewers: tuple[str, ...]
    """Every reviewer with a label, sorted."""
    reviewers_in_play: tuple[str, ...]
    """The reviewers agreement is computed over (``--reviewers``, default all)."""
    buckets: tuple[str, ...]
    """The taxonomy's buckets in order, then buckets used but no longer in it, sorted."""
    agreement: AgreementReport
    status: StatusCounts
    counts: SliceCounts
    bootstrap_replicates: int
    bootstrap_seed: int | None
    unclear_cases: tuple[UnclearEntry, ...]
    """The first :data:`UNCLEAR_LISTED` unclear cases (``status.unclear`` counts them all)."""
    sampling: Sampling
    """Whether the reviewed cases are a prefix of the store's random order."""
    sampling_by: Mapping[str, Mapping[str, Sampling]]
    """The same within each value of each ``by`` key."""
    agreement_by: Mapping[str, Mapping[str, AgreementReport]]
    """Agreement within each value of each ``by`` key (the first
    :data:`AGREEMENT_GROUPS_LIMIT` values, sorted)."""
    shown_confusion: Confusion | None = None
    """The confusion matrix the text prints: the two reviewers' in play, else the pair sharing
    the most cases (``--json`` keeps ``confusion`` for exactly two reviewers only)."""

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` object: plain dicts, lists, strings and finite numbers."""
        confusion = self.agreement.confusion
        return {
            "cases": self.cases,
            "labels": self.labels,
            "reviewers": list(self.reviewers),
            "reviewers_in_play": list(self.reviewers_in_play),
            "buckets": list(self.buckets),
            "agreement": self.agreement.summary_json(),
            "per_bucket": self.agreement.per_bucket_json(),
            "pairwise": self.agreement.pairwise_json(),
            "confusion": None if confusion is None else confusion.to_json(),
            "status": self.status.to_json(),
            "counts": self.counts.to_json(),
            "bootstrap": {"replicates": self.bootstrap_replicates, "seed": self.bootstrap_seed},
            "unclear_cases": [entry.to_json() for entry in self.unclear_cases],
            "agreement_by": {
                key: {
                    value: {
                        "agreement": entry.summary_json(),
                        "per_bucket": entry.per_bucket_json(),
                    }
                    for value, entry in groups.items()
                }
                for key, groups in self.agreement_by.items()
            },
            "sampling": {
                **self.sampling.to_json(),
                "by": {
                    key: {value: entry.brief_json() for value, entry in groups.items()}
                    for key, groups in self.sampling_by.items()
                },
            },
        }


@dataclass(frozen=True)
class _FinalsInput:
    """What the final-bucket rule needs, read from one snapshot of the store."""

    case_seqs: np.ndarray
    """Current case numbers, sorted."""
    order_keys: np.ndarray
    """Each case's key in the random review order (-1: none yet), aligned with ``case_seqs``."""
    walk: np.ndarray
    """Positions (in ``case_seqs``) of the cases with a key, in the random order."""
    matrix: LabelMatrix
    """Labels on current cases; its items are ``item_seqs``."""
    item_seqs: np.ndarray
    bucket_order: list[str]
    resolutions: list[tuple[int, str | None]]
    """Resolutions of current cases (bucket None: unclear)."""

    def codes(self) -> tuple[np.ndarray, np.ndarray]:
        """Final code and status code per case (see :func:`labeler.stats.counts.final_codes`)."""
        index = {name: i for i, name in enumerate(self.bucket_order)}
        return final_codes(
            self.case_seqs,
            self.item_seqs,
            np.asarray(self.matrix.item_codes),
            np.asarray(self.matrix.bucket_codes),
            [(seq, None if bucket is None else index[bucket]) for seq, bucket in self.resolutions],
            len(self.bucket_order),
        )


def _read_finals_input(conn: sqlite3.Connection) -> _FinalsInput:
    buckets = reports.bucket_keys(conn)
    seq_text, key_text = read_key_texts(conn)
    unsorted_seqs, unsorted_keys = _parse_ints(seq_text), _parse_ints(key_text)
    by_seq = np.argsort(unsorted_seqs, kind="stable")
    case_seqs, order_keys = unsorted_seqs[by_seq], unsorted_keys[by_seq]
    walk = _walk_order(unsorted_keys, by_seq, order_keys)
    resolutions = reports.current_resolutions(conn)
    matrix, item_seqs, bucket_order = _read_matrix(
        conn, buckets, {bucket for _, bucket in resolutions if bucket is not None}
    )
    return _FinalsInput(case_seqs, order_keys, walk, matrix, item_seqs, bucket_order, resolutions)


def _walk_order(raw_keys: np.ndarray, by_seq: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """:func:`labeler.stats.sampling.key_order` of ``keys`` (in case-number order), from the keys as
    the index gave them (``raw_keys``: runs already sorted by key, one per label count, so the
    stable sort merges them in milliseconds instead of sorting a million keys at random)."""
    placed = np.flatnonzero(raw_keys >= 0)
    raw_sorted = placed[np.argsort(raw_keys[placed], kind="stable")]
    if len(raw_sorted) > 1 and bool(np.any(np.diff(raw_keys[raw_sorted]) == 0)):
        return key_order(keys, keys >= 0)  # equal keys: break the tie by case number
    position = np.empty(len(by_seq), dtype=np.int64)
    position[by_seq] = np.arange(len(by_seq), dtype=np.int64)
    walk: np.ndarray = position[raw_sorted]
    return walk


def case_finals(store: Store) -> dict[int, CaseFinal]:
    """The final bucket and status of every current case, by case number, as stats counts them.

    The same read and the same :func:`labeler.stats.counts.final_codes` as :func:`compute_stats`;
    for checks and debugging (``compute_stats`` itself never builds a per-case dict).
    """
    with store.snapshot() as conn:
        data = _read_finals_input(conn)
    finals, statuses = data.codes()
    names = final_names(data.bucket_order)
    return {
        int(seq): CaseFinal(names[final], STATUSES[status])
        for seq, final, status in zip(
            data.case_seqs.tolist(), finals.tolist(), statuses.tolist(), strict=True
        )
    }


AGREEMENT_GROUPS_LIMIT = 200
"""``--by`` splits agreement for at most this many values of a key (the counts, for all)."""


def compute_stats(store: Store, request: StatsRequest = StatsRequest()) -> StatsReport:
    """Agreement, per-bucket agreement, pairwise kappa, confusion and counts, in one report."""
    with store.snapshot() as conn:
        data = _read_finals_input(conn)
        groups = {key: _group_values(conn, key) for key in request.by}
        unclear = reports.unclear_cases(conn, UNCLEAR_LISTED)
        finals, statuses = data.codes()
        reviewed = statuses != STATUSES.index(UNLABELED)
        sampling = _sampling(conn, data, reviewed)
    matrix, bucket_order = data.matrix, data.bucket_order
    reviewers = list(request.reviewers) if request.reviewers else None
    agreement = compute_agreement(
        matrix, reviewers=reviewers, bootstrap=request.bootstrap, seed=request.seed
    )

    names = np.array(final_names(bucket_order), dtype=object)
    keys, placed = data.order_keys, data.order_keys >= 0
    by: dict[str, dict[str, BucketCounts]] = {}
    agreement_by: dict[str, dict[str, AgreementReport]] = {}
    sampling_by: dict[str, dict[str, Sampling]] = {}
    label_seqs = data.item_seqs[np.asarray(matrix.item_codes)]
    for key, values in groups.items():
        by[key] = {}
        agreement_by[key] = {}
        group_array = np.array(values, dtype=object)
        for rank, value in enumerate(sorted(set(values))):
            mask = group_array == value
            by[key][value] = _bucket_counts(finals[mask], reviewed[mask], names, bucket_order)
            if request.split_agreement and rank < AGREEMENT_GROUPS_LIMIT:
                in_group = np.isin(label_seqs, data.case_seqs[mask])
                agreement_by[key][value] = compute_agreement(
                    matrix.select(in_group),
                    reviewers=reviewers,
                    bootstrap=request.bootstrap,
                    seed=request.seed,
                )
        sampling_by[key] = measure_groups(keys, placed, reviewed, values, data.walk)
    return StatsReport(
        cases=len(data.case_seqs),
        labels=matrix.labels,
        reviewers=tuple(matrix.reviewers),
        reviewers_in_play=tuple(reviewers or matrix.reviewers),
        buckets=tuple(bucket_order),
        agreement=agreement,
        status=StatusCounts.from_codes(statuses),
        counts=SliceCounts(_bucket_counts(finals, reviewed, names, bucket_order), by),
        bootstrap_replicates=request.bootstrap,
        bootstrap_seed=request.seed,
        unclear_cases=tuple(UnclearEntry(r.case_id, r.reason, r.resolver) for r in unclear),
        sampling=sampling,
        sampling_by=sampling_by,
        agreement_by=agreement_by,
        shown_confusion=shown_confusion(matrix, agreement),
    )


def slice_sampling(store: Store, slices: Sequence[SliceFilter] = ()) -> Sampling:
    """Whether the labeled cases matching ``slices`` (all of them) are a prefix of the random
    order, with the causes of any strays (for ``labeler progress``)."""
    condition, params = slice_sql(slices)
    with store.snapshot() as conn:
        seq_text, key_text, labeled_text = read_scope_texts(conn, condition, params)
        seqs, keys = _parse_ints(seq_text), _parse_ints(key_text)
        labeled = _parse_ints(labeled_text).astype(bool)
        result, strays = measure(keys, keys >= 0, labeled, queue_order(keys, keys >= 0, seqs))
        causes: dict[str, int] = {}
        if len(strays):
            stray_seqs = seqs[strays]
            causes = _causes(conn, stray_seqs)
        return replace(result, causes=causes, labeled_when_drawn=read_labeled_when_drawn(conn))


def _sampling(conn: sqlite3.Connection, data: _FinalsInput, reviewed: np.ndarray) -> Sampling:
    """The store's sampling, with the causes of its strays (read only when there are some)."""
    keys = data.order_keys
    result, strays = measure(keys, keys >= 0, reviewed, data.walk)
    causes: dict[str, int] = {}
    if len(strays):
        stray_seqs = data.case_seqs[strays]
        causes = _causes(conn, stray_seqs)
    return replace(result, causes=causes, labeled_when_drawn=read_labeled_when_drawn(conn))


def _causes(conn: sqlite3.Connection, stray_seqs: np.ndarray) -> dict[str, int]:
    seq_text, how_text = read_reached_texts(conn, REACHED_CODES)
    return attribute_strays(stray_seqs, _parse_ints(seq_text), _parse_ints(how_text))


def _bucket_counts(
    finals: np.ndarray, reviewed: np.ndarray, names: np.ndarray, buckets: Sequence[str]
) -> BucketCounts:
    tally = np.bincount(finals, minlength=len(names))
    by_bucket = {str(names[i]): int(n) for i, n in enumerate(tally) if n}
    return BucketCounts.tally(len(finals), int(reviewed.sum()), by_bucket, buckets)


def reviewer_has_open_overlap(store: Store, reviewer: str, overlap: int) -> bool:
    """True when the reviewer still has cases to label in their queue (blind mode applies)."""
    return reports.reviewer_has_open_overlap(store, reviewer, overlap)
