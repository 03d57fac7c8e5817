"""The SQL behind ``labeler compare`` and the gate's regression rule.

Every function takes a connection inside one snapshot (``store.snapshot()``), so the caller
reads one state of the store. Meta values that name a version, a pair or a ``meta.<field>``
slice are read as ``labeler stats --by`` and the gate's ``slice`` read them
(:func:`labeler.store.case_filters.group_sql`: the value as text). Slices are read from their
JSON in Python: the importer stores them as an object of strings, so the values are the same.

One pass over the current cases; SQLite parses each case's meta once per value asked for, and
Python parses the slices and the meta once (for ``output_format`` and ``latency_ms``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from labeler.store.case_filters import group_sql


@dataclass(frozen=True)
class CaseRow:
    """One current case, as read (raw, untrusted values)."""

    seq: int
    versions: tuple[str | None, ...]
    """The case's value of each version field asked for (None: it has none)."""
    pair: str | None
    """The pair key's value, None when the case has none."""
    meta_groups: tuple[str | None, ...]
    """The case's value of each ``meta.<field>`` slice key asked for."""
    slices: dict[str, str]
    meta: dict[str, Any]
    output: str | None
    """The output, read only when the meta names an output format."""


def _loads(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def read_current_cases(
    conn: sqlite3.Connection,
    version_keys: Sequence[str],
    pair_key: str | None,
    meta_keys: Sequence[str],
) -> list[CaseRow]:
    """Every current case in ``seq`` order, with its value of each version field (a slice name
    or ``meta.<field>``), of the pair key and of each ``meta.<field>`` slice key."""
    columns: list[str] = []
    params: list[object] = []
    for key in [*version_keys, *([pair_key] if pair_key else []), *meta_keys]:
        expr, names = group_sql(key)
        columns.append(f"CAST({expr} AS TEXT)")
        params += names
    selected = "".join(f", {column}" for column in columns)
    rows = conn.execute(
        f"SELECT c.seq, c.slices, c.meta{selected},"
        " CASE WHEN instr(c.meta, '\"output_format\"') > 0 THEN t.output END"
        " FROM cases c LEFT JOIN case_texts t ON t.case_seq = c.seq"
        " WHERE c.is_current = 1 ORDER BY c.seq",
        params,
    ).fetchall()
    n_versions = len(version_keys)
    first_meta = 3 + n_versions + (1 if pair_key else 0)
    found = []
    for row in rows:
        slices = _loads(row[1])
        found.append(
            CaseRow(
                seq=int(row[0]),
                versions=tuple(row[3 : 3 + n_versions]),
                pair=row[3 + n_versions] if pair_key else None,
                meta_groups=tuple(row[first_meta : first_meta + len(meta_keys)]),
                slices={str(k): str(v) for k, v in slices.items()},
                meta=_loads(row[2]),
                output=row[-1],
            )
        )
    return found


def version_values(conn: sqlite3.Connection, key: str) -> list[tuple[str, int]]:
    """Every value of ``key`` among current cases with how many cases have it, most first."""
    expr, params = group_sql(key)
    rows = conn.execute(
        f"SELECT v, count(*) FROM (SELECT CAST({expr} AS TEXT) AS v FROM cases c"
        " WHERE c.is_current = 1) WHERE v IS NOT NULL GROUP BY v ORDER BY count(*) DESC, v",
        params,
    ).fetchall()
    return [(str(r[0]), int(r[1])) for r in rows]


def disputed_labels(conn: sqlite3.Connection) -> dict[int, frozenset[str]]:
    """For each current case whose reviewers gave different buckets: the buckets they gave.

    The final rule (:func:`labeler.stats.compute.case_finals`) says which of them are still
    unresolved.
    """
    rows = conn.execute(
        "SELECT l.case_seq, l.bucket FROM labels l JOIN cases c ON c.seq = l.case_seq"
        " WHERE c.is_current = 1 AND c.label_count > 1 AND l.case_seq IN"
        " (SELECT case_seq FROM labels GROUP BY case_seq HAVING count(DISTINCT bucket) > 1)"
    ).fetchall()
    named: dict[int, set[str]] = {}
    for seq, bucket in rows:
        named.setdefault(int(seq), set()).add(str(bucket))
    return {seq: frozenset(buckets) for seq, buckets in named.items()}


def bucket_keys(conn: sqlite3.Connection) -> list[str]:
    """The taxonomy's bucket keys in order."""
    return [str(r[0]) for r in conn.execute("SELECT key FROM buckets ORDER BY position")]
