"""The SQL behind ``labeler compare`` and the gate's regression rule.

Every function takes a connection inside one snapshot (``store.snapshot()``), so the caller
reads one state of the store. Values are grouped exactly as ``labeler stats --by`` and the
gate's ``slice`` group them (:func:`labeler.stats.group_sql`): a slice name or
``meta.<field>``, the value as text, :data:`labeler.stats.NONE_GROUP` when a case has none.

Which outputs must be JSON follows the gate (:mod:`labeler.gates.metrics`) and the review
hint (:func:`labeler.hints.hints_for`): ``meta.output_format`` is the text "json", in any case.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from labeler.stats import NONE_GROUP, group_sql

_IS_JSON = (
    "(json_valid(c.meta) AND json_type(c.meta, '$.output_format') = 'text'"
    " AND lower(json_extract(c.meta, '$.output_format')) = 'json')"
)


@dataclass(frozen=True)
class VersionCaseRow:
    """One current case of a compared version, as read (raw, untrusted values)."""

    seq: int
    version: str
    pair: str | None
    """The pair key's value, None when the case has none."""
    groups: tuple[str, ...]
    """The case's value for each slice key asked for (``NONE_GROUP`` when it has none)."""
    must_be_json: bool
    output: str | None
    """The output, only read when it must be JSON."""
    latency_type: str | None
    """SQLite's ``json_type`` of ``meta.latency_ms``."""
    latency_value: object


def version_values(conn: sqlite3.Connection, key: str) -> list[tuple[str, int]]:
    """Every value of ``key`` among current cases with how many cases have it, most first."""
    expr, params = group_sql(key)
    rows = conn.execute(
        f"SELECT v, count(*) FROM (SELECT {expr} AS v FROM cases c WHERE c.is_current = 1)"
        " WHERE v IS NOT NULL GROUP BY v ORDER BY count(*) DESC, v",
        params,
    ).fetchall()
    return [(str(r[0]), int(r[1])) for r in rows]


def _version_filter(key: str, values: Sequence[str]) -> tuple[str, list[object]]:
    expr, params = group_sql(key)
    marks = ", ".join("?" for _ in values)
    return f"CAST({expr} AS TEXT) IN ({marks})", [*params, *values]


def slice_names(conn: sqlite3.Connection, key: str, values: Sequence[str]) -> list[str]:
    """The slice names the current cases of these versions have, sorted."""
    where, params = _version_filter(key, values)
    rows = conn.execute(
        "SELECT DISTINCT j.key FROM cases c, json_each(CASE WHEN json_valid(c.slices)"
        " THEN c.slices ELSE '{}' END) j"
        f" WHERE c.is_current = 1 AND {where} ORDER BY j.key",
        params,
    ).fetchall()
    return [str(r[0]) for r in rows]


def read_version_cases(
    conn: sqlite3.Connection,
    key: str,
    values: Sequence[str],
    pair_key: str | None,
    group_keys: Sequence[str],
) -> list[VersionCaseRow]:
    """The current cases whose ``key`` is one of ``values``, in ``seq`` order."""
    version_expr, version_params = group_sql(key)
    where, where_params = _version_filter(key, values)
    columns = [f"CAST({version_expr} AS TEXT)"]
    params: list[object] = [*version_params]
    if pair_key is not None:
        pair_expr, pair_params = group_sql(pair_key)
        columns.append(f"CAST({pair_expr} AS TEXT)")
        params += pair_params
    else:
        columns.append("NULL")
    for group in group_keys:
        expr, group_params = group_sql(group)
        columns.append(f"CAST({expr} AS TEXT)")
        params += group_params
    sql = (
        f"SELECT c.seq, {', '.join(columns)}, {_IS_JSON},"
        f" CASE WHEN {_IS_JSON} THEN t.output END,"
        " CASE WHEN json_valid(c.meta) THEN json_type(c.meta, '$.latency_ms') END,"
        " CASE WHEN json_valid(c.meta) THEN json_extract(c.meta, '$.latency_ms') END"
        " FROM cases c LEFT JOIN case_texts t ON t.case_seq = c.seq"
        f" WHERE c.is_current = 1 AND {where} ORDER BY c.seq"
    )
    rows = conn.execute(sql, [*params, *where_params]).fetchall()
    first_group = 3
    after = first_group + len(group_keys)
    return [
        VersionCaseRow(
            seq=int(row[0]),
            version=str(row[1]),
            pair=None if row[2] is None else str(row[2]),
            groups=tuple(
                NONE_GROUP if value is None else str(value) for value in row[first_group:after]
            ),
            must_be_json=bool(row[after]),
            output=row[after + 1],
            latency_type=row[after + 2],
            latency_value=row[after + 3],
        )
        for row in rows
    ]


def disputed_labels(conn: sqlite3.Connection) -> dict[int, frozenset[str]]:
    """For each current case whose reviewers gave different buckets: the buckets they gave.

    The final rule (:func:`labeler.stats.case_finals`) says which of them are still unresolved.
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
