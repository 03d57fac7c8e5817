"""``labeler stats``: agreement and bucket counts from one consistent read of the store.

The same function feeds the CLI (plain and ``--json``), the TUI stats screen, and the gates,
so every number a user sees comes from here. Labels are read once, as three columns, and
everything after that is numpy.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from labeler.agreement import LabelMatrix, compute_agreement
from labeler.counts import UNCLEAR, UNLABELED, UNRESOLVED, BucketCounts, final_codes
from labeler.store.connection import Store

NONE_GROUP = "(none)"
UNCLEAR_LISTED = 1000
"""At most this many unclear cases are listed (their count is in ``status``)."""
STATUSES = ("agreed", "single", "resolved", UNCLEAR, UNRESOLVED, UNLABELED)


@dataclass(frozen=True)
class StatsRequest:
    """What to compute."""

    by: tuple[str, ...] = ()
    """Slice names, or ``meta.<field>``, to split the counts by."""
    reviewers: tuple[str, ...] | None = None
    """Reviewers in play for agreement (default: all)."""
    bootstrap: int = 0
    seed: int | None = None


def group_sql(key: str) -> tuple[str, list[str]]:
    """The SQL for one ``--by`` key (a slice name or ``meta.<field>``) and its parameter."""
    column, name = ("meta", key[5:]) if key.startswith("meta.") else ("slices", key)
    if not name:
        raise ValueError(f"--by {key!r}: give a slice name or meta.<field>")
    return f"(SELECT value FROM json_each(c.{column}) WHERE key = ?)", [name]


def _group_values(conn: sqlite3.Connection, key: str) -> list[str]:
    expr, params = group_sql(key)
    rows = conn.execute(
        f"SELECT {expr} FROM cases c WHERE c.is_current = 1 ORDER BY c.seq", params
    ).fetchall()
    return [NONE_GROUP if r[0] is None else str(r[0]) for r in rows]


def _int_list(conn: sqlite3.Connection, sql: str, params: Sequence[object] = ()) -> np.ndarray:
    """Integers from a query that returns one comma-separated ``group_concat`` string.

    One string crosses from SQLite to Python instead of a million row tuples: about 3x faster
    and a quarter of the memory on a million labels (benchmarks/RESULTS.md).
    """
    return _parse_ints(conn.execute(sql, list(params)).fetchone()[0])


def _parse_ints(text: str | None) -> np.ndarray:
    """The integers of a comma-separated string (an empty array for NULL or "")."""
    if not text:
        return np.empty(0, dtype=np.int64)
    return np.fromstring(text, dtype=np.int64, sep=",")


def _case_when(column: str, names: Sequence[str]) -> tuple[str, list[object]]:
    if not names:
        return "-1", []
    whens = " ".join(f"WHEN ? THEN {code}" for code in range(len(names)))
    return f"(CASE {column} {whens} ELSE -1 END)", list(names)


def _read_matrix(
    conn: sqlite3.Connection, buckets: list[str], resolution_buckets: set[str]
) -> tuple[LabelMatrix, np.ndarray, list[str]]:
    """The label matrix of current cases, the case number of each item, and the bucket order."""
    reviewers = sorted(str(r[0]) for r in conn.execute("SELECT DISTINCT reviewer FROM labels"))
    used = {str(r[0]) for r in conn.execute("SELECT DISTINCT bucket FROM labels")}
    bucket_order = buckets + sorted((used | resolution_buckets) - set(buckets))
    reviewer_expr, reviewer_params = _case_when("l.reviewer", reviewers)
    bucket_expr, bucket_params = _case_when("l.bucket", bucket_order)
    old_versions = conn.execute("SELECT count(*) FROM cases WHERE is_current = 0").fetchone()[0]
    join = " JOIN cases c ON c.seq = l.case_seq WHERE c.is_current = 1" if old_versions else ""
    # Three strings in one pass (one row, so the three lists are in the same order): about
    # twice as fast as one string of "seq,reviewer,bucket" triples, whose || concatenation
    # dominates the query (benchmarks/RESULTS.md).
    texts = conn.execute(
        f"SELECT group_concat(l.case_seq, ','), group_concat({reviewer_expr}, ','),"
        f" group_concat({bucket_expr}, ',') FROM labels l{join}",
        [*reviewer_params, *bucket_params],
    ).fetchone()
    seqs, reviewer_codes, bucket_codes = (_parse_ints(text) for text in texts)
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


def compute_stats(store: Store, request: StatsRequest = StatsRequest()) -> dict[str, Any]:
    """Agreement, per-bucket agreement, pairwise kappa, confusion and counts, as one dict."""
    with store.snapshot() as conn:
        buckets = [r[0] for r in conn.execute("SELECT key FROM buckets ORDER BY position")]
        case_seqs = np.sort(
            _int_list(conn, "SELECT group_concat(seq, ',') FROM cases WHERE is_current = 1")
        )
        resolutions = conn.execute(
            "SELECT r.case_seq, r.bucket FROM resolutions r JOIN cases c ON c.seq = r.case_seq"
            " WHERE c.is_current = 1"
        ).fetchall()
        matrix, item_seqs, bucket_order = _read_matrix(
            conn, buckets, {r[1] for r in resolutions if r[1] is not None}
        )
        groups = {key: _group_values(conn, key) for key in request.by}
        unclear = conn.execute(
            "SELECT c.case_id, r.reason, r.resolver FROM resolutions r"
            " JOIN cases c ON c.seq = r.case_seq WHERE r.method = 'unclear' AND c.is_current = 1"
            " ORDER BY c.seq LIMIT ?",
            (UNCLEAR_LISTED,),
        ).fetchall()
    reviewers = list(request.reviewers) if request.reviewers else None
    agreement = compute_agreement(
        matrix, reviewers=reviewers, bootstrap=request.bootstrap, seed=request.seed
    ).to_json()

    finals, statuses = _finals(matrix, item_seqs, case_seqs, resolutions, bucket_order)
    names = np.array([*bucket_order, UNRESOLVED, UNLABELED, UNCLEAR], dtype=object)
    reviewed = statuses != STATUSES.index(UNLABELED)
    overall = _bucket_counts(finals, reviewed, names)
    by: dict[str, dict[str, Any]] = {}
    for key, values in groups.items():
        by[key] = {}
        group_array = np.array(values, dtype=object)
        for value in sorted(set(values)):
            mask = group_array == value
            by[key][value] = _bucket_counts(finals[mask], reviewed[mask], names).to_json(
                bucket_order
            )
    status_counts = np.bincount(statuses, minlength=len(STATUSES))
    return {
        "cases": len(case_seqs),
        "labels": matrix.labels,
        "reviewers": list(matrix.reviewers),
        "reviewers_in_play": reviewers or list(matrix.reviewers),
        "buckets": bucket_order,
        "agreement": {
            key: agreement[key]
            for key in (
                "percent_agreement",
                "cohen_kappa",
                "fleiss_kappa",
                "krippendorff_alpha",
                "krippendorff_alpha_ci95",
                "undefined",
                "items_with_labels",
                "pairable_items",
            )
            if key in agreement
        },
        "per_bucket": agreement["per_bucket"],
        "pairwise": agreement["pairwise"],
        "confusion": agreement["confusion"],
        "status": {name: int(n) for name, n in zip(STATUSES, status_counts, strict=True)},
        "counts": {**overall.to_json(bucket_order), "by": by},
        "bootstrap": {"replicates": request.bootstrap, "seed": request.seed},
        "unclear_cases": [{"case_id": r[0], "reason": r[1], "resolver": r[2]} for r in unclear],
    }


def _finals(
    matrix: LabelMatrix,
    item_seqs: np.ndarray,
    case_seqs: np.ndarray,
    resolutions: Sequence[tuple[int, str | None]],
    bucket_order: list[str],
) -> tuple[np.ndarray, np.ndarray]:
    """Final bucket code and status code per case (aligned with ``case_seqs``).

    Bucket codes index ``bucket_order``; then unresolved, unlabeled, unclear follow.
    """
    n_buckets = len(bucket_order)
    code_unresolved, code_unlabeled, code_unclear = n_buckets, n_buckets + 1, n_buckets + 2
    per_item, label_counts = final_codes(
        np.asarray(matrix.item_codes), np.asarray(matrix.bucket_codes), len(matrix.items)
    )
    finals = np.full(len(case_seqs), code_unlabeled, dtype=np.int64)
    statuses = np.full(len(case_seqs), STATUSES.index(UNLABELED), dtype=np.int64)
    if matrix.items:
        where = np.searchsorted(case_seqs, item_seqs)
        agreed = per_item >= 0
        finals[where] = np.where(agreed, per_item, code_unresolved)
        statuses[where] = np.where(
            agreed,
            np.where(label_counts == 1, STATUSES.index("single"), STATUSES.index("agreed")),
            STATUSES.index(UNRESOLVED),
        )
    index = {name: i for i, name in enumerate(bucket_order)}
    for seq, bucket in resolutions:
        at = int(np.searchsorted(case_seqs, seq))
        if at < len(case_seqs) and case_seqs[at] == seq:
            finals[at] = code_unclear if bucket is None else index[bucket]
            statuses[at] = STATUSES.index(UNCLEAR if bucket is None else "resolved")
    return finals, statuses


def _bucket_counts(finals: np.ndarray, reviewed: np.ndarray, names: np.ndarray) -> BucketCounts:
    counts = BucketCounts(cases=len(finals), reviewed=int(reviewed.sum()))
    tally = np.bincount(finals, minlength=len(names))
    counts.by_bucket = Counter({str(names[i]): int(n) for i, n in enumerate(tally) if n})
    return counts


def reviewer_has_open_overlap(store: Store, reviewer: str, overlap: int) -> bool:
    """True when the reviewer still has cases to label in their queue (blind mode applies)."""
    row = store.query(
        "SELECT 1 FROM cases c WHERE c.is_current = 1 AND c.label_count < ?"
        " AND NOT EXISTS (SELECT 1 FROM labels l WHERE l.case_seq = c.seq AND l.reviewer = ?)"
        " LIMIT 1",
        (overlap, reviewer),
    )
    return bool(row)
