"""The SQL behind ``labeler stats`` and the gates: label columns, resolutions, case facts.

Functions that take a connection expect one from ``store.snapshot()``, so the caller reads one
state of the store across several calls. Results are plain Python values, numpy arrays of
integers (the stats path parses ``group_concat`` strings, see :func:`parse_ints`) and frozen
dataclasses, so a second backend can implement the same set.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from labeler.store.case_filters import group_sql
from labeler.store.connection import Store


def parse_ints(text: str | None) -> np.ndarray:
    """The integers of a comma-separated string (an empty array for NULL or "")."""
    if not text:
        return np.empty(0, dtype=np.int64)
    return np.fromstring(text, dtype=np.int64, sep=",")


def group_values(conn: sqlite3.Connection, key: str) -> list[str | None]:
    """Each current case's value of one ``--by`` key, in ``seq`` order (None: it has none)."""
    expr, params = group_sql(key)
    rows = conn.execute(
        f"SELECT {expr} FROM cases c WHERE c.is_current = 1 ORDER BY c.seq", params
    ).fetchall()
    return [None if r[0] is None else str(r[0]) for r in rows]


def bucket_keys(conn: sqlite3.Connection) -> list[str]:
    """The taxonomy's bucket keys in order."""
    return [str(r[0]) for r in conn.execute("SELECT key FROM buckets ORDER BY position")]


def label_reviewers(conn: sqlite3.Connection) -> list[str]:
    """Every reviewer with a label, sorted."""
    return sorted(str(r[0]) for r in conn.execute("SELECT DISTINCT reviewer FROM labels"))


def label_buckets(conn: sqlite3.Connection) -> set[str]:
    """Every bucket some label names."""
    return {str(r[0]) for r in conn.execute("SELECT DISTINCT bucket FROM labels")}


@dataclass(frozen=True)
class LabelColumns:
    """The labels of current cases as three aligned integer arrays."""

    case_seqs: np.ndarray
    reviewer_codes: np.ndarray
    """Index into the reviewers asked for (-1: not among them)."""
    bucket_codes: np.ndarray
    """Index into the bucket order asked for (-1: not in it)."""


def _case_when(column: str, names: Sequence[str]) -> tuple[str, list[object]]:
    if not names:
        return "-1", []
    whens = " ".join(f"WHEN ? THEN {code}" for code in range(len(names)))
    return f"(CASE {column} {whens} ELSE -1 END)", list(names)


def label_columns(
    conn: sqlite3.Connection, reviewers: Sequence[str], bucket_order: Sequence[str]
) -> LabelColumns:
    """Every label of a current case: its case number, reviewer code and bucket code."""
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
    seqs, reviewer_codes, bucket_codes = (parse_ints(text) for text in texts)
    return LabelColumns(seqs, reviewer_codes, bucket_codes)


def current_resolutions(conn: sqlite3.Connection) -> list[tuple[int, str | None]]:
    """(case number, bucket or None) of every resolution of a current case."""
    return [
        (int(r[0]), None if r[1] is None else str(r[1]))
        for r in conn.execute(
            "SELECT r.case_seq, r.bucket FROM resolutions r JOIN cases c ON c.seq = r.case_seq"
            " WHERE c.is_current = 1"
        )
    ]


@dataclass(frozen=True)
class UnclearRow:
    """A current case resolved as unclear."""

    case_id: str
    reason: str | None
    resolver: str


def unclear_cases(conn: sqlite3.Connection, limit: int) -> list[UnclearRow]:
    """The first ``limit`` current cases resolved as unclear, in ``seq`` order."""
    rows = conn.execute(
        "SELECT c.case_id, r.reason, r.resolver FROM resolutions r"
        " JOIN cases c ON c.seq = r.case_seq WHERE r.method = 'unclear' AND c.is_current = 1"
        " ORDER BY c.seq LIMIT ?",
        (limit,),
    ).fetchall()
    return [UnclearRow(str(r[0]), r[1], str(r[2])) for r in rows]


def reviewer_has_open_overlap(store: Store, reviewer: str, overlap: int) -> bool:
    """True when a current case has fewer than ``overlap`` labels and none by ``reviewer``."""
    row = store.query(
        "SELECT 1 FROM cases c WHERE c.is_current = 1 AND c.label_count < ?"
        " AND NOT EXISTS (SELECT 1 FROM labels l WHERE l.case_seq = c.seq AND l.reviewer = ?)"
        " LIMIT 1",
        (overlap, reviewer),
    )
    return bool(row)


# The gates' reads.

_IS_JSON = (
    "(json_valid(c.meta) AND json_type(c.meta, '$.output_format') = 'text'"
    " AND lower(json_extract(c.meta, '$.output_format')) = 'json')"
)


@dataclass(frozen=True)
class CaseFactRow:
    """One current case as the gates read it (raw values)."""

    seq: int
    status: str
    output_is_json_format: bool
    """The meta's ``output_format`` is ``json``."""
    output: str | None
    """The output, read only when ``output_is_json_format``."""
    latency_kind: str | None
    """SQLite's JSON type of ``meta.latency_ms`` (None: no valid meta)."""
    latency_value: object
    groups: tuple[str | None, ...]
    """The case's value of each key asked for."""


def case_fact_rows(conn: sqlite3.Connection, keys: Sequence[str]) -> list[CaseFactRow]:
    """Every current case's status, output-format facts, latency and ``keys`` values."""
    exprs = [group_sql(k) for k in keys]  # grouped as labeler.stats.compute groups them
    group_columns = "".join(f", {sql}" for sql, _ in exprs)
    sql = (
        f"SELECT c.seq, s.status, {_IS_JSON} AS is_json,"
        f" CASE WHEN {_IS_JSON} THEN t.output END AS output,"
        " CASE WHEN json_valid(c.meta) THEN json_type(c.meta, '$.latency_ms') END,"
        " CASE WHEN json_valid(c.meta) THEN json_extract(c.meta, '$.latency_ms') END"
        f"{group_columns}"
        " FROM cases c JOIN case_status s ON s.case_seq = c.seq"
        " LEFT JOIN case_texts t ON t.case_seq = c.seq"
        " WHERE c.is_current = 1 ORDER BY c.seq"
    )
    params = [param for _, names in exprs for param in names]
    return [
        CaseFactRow(
            seq=int(row[0]),
            status=str(row[1]),
            output_is_json_format=bool(row[2]),
            output=row[3],
            latency_kind=row[4],
            latency_value=row[5],
            groups=tuple(row[6:]),
        )
        for row in conn.execute(sql, params).fetchall()
    ]


def labels_with_status(conn: sqlite3.Connection, status: str) -> list[tuple[int, str]]:
    """(case number, bucket) of every label on a case whose ``case_status`` is ``status``."""
    rows = conn.execute(
        "SELECT l.case_seq, l.bucket FROM labels l"
        " JOIN case_status s ON s.case_seq = l.case_seq WHERE s.status = ?",
        (status,),
    ).fetchall()
    return [(int(r[0]), str(r[1])) for r in rows]


def current_label_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Reviewer -> labels on current cases, in reviewer order."""
    rows = conn.execute(
        "SELECT l.reviewer, count(*) FROM labels l JOIN cases c ON c.seq = l.case_seq"
        " WHERE c.is_current = 1 GROUP BY l.reviewer ORDER BY l.reviewer"
    ).fetchall()
    return {str(r[0]): int(r[1]) for r in rows}


def schema_version(conn: sqlite3.Connection) -> int:
    """The store's ``PRAGMA user_version``."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])
