"""The ``resolutions`` table: read, write and delete one case's resolution, and the queries
over resolutions of the disagreements in a :class:`~labeler.store.disagreements.ResolveSpec`.

Functions that take a ``sqlite3.Connection`` run inside the caller's transaction (the
connection from ``store.write()`` or ``store.snapshot()``); the others take the
:class:`~labeler.store.connection.Store`. Arguments and results are plain values and frozen
dataclasses, so another backend can implement the same set.
"""

from __future__ import annotations

import sqlite3
from array import array
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import NamedTuple

from labeler.store.connection import Store, open_store
from labeler.store.disagreements import ResolveSpec, disagreement_condition

METHODS = ("took_a", "took_b", "took_label", "other", "unclear")
"""Every resolution method, in the order summaries list them."""


@dataclass(frozen=True)
class Resolution:
    """The stored resolution of one case (``bucket`` is None when ``method`` is unclear)."""

    case_seq: int
    bucket: str | None
    method: str
    resolver: str
    account: str
    reason: str | None
    version: int
    resolved_at: str


class UnclearCase(NamedTuple):
    """A case the resolvers marked unclear, for the guideline owner (raw, untrusted text)."""

    case_id: str
    reason: str | None
    resolver: str


_COLUMNS = "case_seq, bucket, method, resolver, account, reason, version, resolved_at"


def _from_row(row: sqlite3.Row | tuple[object, ...]) -> Resolution:
    return Resolution(
        case_seq=int(str(row[0])),
        bucket=None if row[1] is None else str(row[1]),
        method=str(row[2]),
        resolver=str(row[3]),
        account=str(row[4]),
        reason=None if row[5] is None else str(row[5]),
        version=int(str(row[6])),
        resolved_at=str(row[7]),
    )


def read_resolution(conn: sqlite3.Connection, case_seq: int) -> Resolution | None:
    """The case's resolution, or None, on the caller's connection."""
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM resolutions WHERE case_seq = ?", (case_seq,)
    ).fetchone()
    return _from_row(row) if row else None


def get_resolution(store: Store, case_seq: int) -> Resolution | None:
    """The case's resolution, or None."""
    with store.snapshot() as conn:
        return read_resolution(conn, case_seq)


def case_id_of(conn: sqlite3.Connection, case_seq: int) -> str | None:
    """The id of the case with internal number ``case_seq``, or None if there is none."""
    row = conn.execute("SELECT case_id FROM cases WHERE seq = ?", (case_seq,)).fetchone()
    return None if row is None else str(row[0])


def bucket_exists(conn: sqlite3.Connection, bucket: str) -> bool:
    """True if ``bucket`` is a key of the store's taxonomy."""
    return conn.execute("SELECT 1 FROM buckets WHERE key = ?", (bucket,)).fetchone() is not None


def last_writer(conn: sqlite3.Connection, case_seq: int, case_id: str) -> str | None:
    """Who wrote the case's resolution last, from the log (indexed by case id)."""
    row = conn.execute(
        "SELECT actor FROM events WHERE case_id = ? AND case_seq = ?"
        " AND kind LIKE 'resolution.%' ORDER BY id DESC LIMIT 1",
        (case_id, case_seq),
    ).fetchone()
    return None if row is None else str(row[0])


def write_resolution(conn: sqlite3.Connection, resolution: Resolution) -> None:
    """Insert or replace the case's resolution, inside the caller's write transaction."""
    conn.execute(
        f"INSERT INTO resolutions ({_COLUMNS}) VALUES (:case_seq, :bucket, :method,"
        " :resolver, :account, :reason, :version, :resolved_at)"
        " ON CONFLICT (case_seq) DO UPDATE SET bucket = excluded.bucket,"
        " method = excluded.method, resolver = excluded.resolver,"
        " account = excluded.account, reason = excluded.reason,"
        " version = excluded.version, resolved_at = excluded.resolved_at",
        asdict(resolution),
    )


def remove_resolution(conn: sqlite3.Connection, case_seq: int) -> None:
    """Delete the case's resolution, inside the caller's write transaction."""
    conn.execute("DELETE FROM resolutions WHERE case_seq = ?", (case_seq,))


def unclear_cases(store: Store, spec: ResolveSpec | None = None) -> list[UnclearCase]:
    """Current cases resolved as unclear, in ``seq`` order, optionally within ``spec``."""
    sql = (
        "SELECT c.case_id, r.reason, r.resolver FROM resolutions r"
        " JOIN cases c ON c.seq = r.case_seq WHERE r.method = 'unclear' AND c.is_current = 1"
    )
    params: list[object] = []
    if spec is not None:
        cond, params = disagreement_condition(spec, include_resolved=True)
        sql += " AND" + cond
    rows = store.query(sql + " ORDER BY c.seq", params)
    return [UnclearCase(str(r[0]), r[1], str(r[2])) for r in rows]


def method_counts(store: Store, spec: ResolveSpec) -> dict[str, int]:
    """Resolutions by method over the disagreements in ``spec`` (only methods present)."""
    cond, params = disagreement_condition(spec, include_resolved=True)
    rows = store.query(
        "SELECT r.method, count(*) FROM resolutions r JOIN cases c ON c.seq = r.case_seq"
        " WHERE" + cond + " GROUP BY r.method",
        params,
    )
    return {str(method): int(count) for method, count in rows}


def disagreement_method(store: Store, spec: ResolveSpec, case_seq: int) -> tuple[bool, str | None]:
    """``(is a disagreement of spec, method of its resolution or None)``: two key lookups."""
    cond, params = disagreement_condition(spec, include_resolved=True)
    rows = store.query(
        "SELECT (SELECT r.method FROM resolutions r WHERE r.case_seq = c.seq) FROM cases c"
        " WHERE c.seq = ? AND" + cond,
        [case_seq, *params],
    )
    if not rows:
        return False, None
    return True, None if rows[0][0] is None else str(rows[0][0])


def read_tally(store: Store, spec: ResolveSpec) -> tuple[array[int], bytearray]:
    """Every disagreement of ``spec`` in ``seq`` order and its state: 0 when open, else
    1 + the index of its method in :data:`METHODS`. One pass over the current cases with two
    or more labels (about a second on a million cases): run it in a worker."""
    cond, params = disagreement_condition(spec, include_resolved=True)
    codes = {method: index + 1 for index, method in enumerate(METHODS)}
    other = codes["other"]
    seqs: array[int] = array("q")
    states = bytearray()
    with store.snapshot() as conn:
        rows = conn.execute(
            "SELECT c.seq, r.method FROM cases c NOT INDEXED"
            " LEFT JOIN resolutions r ON r.case_seq = c.seq WHERE" + cond + " ORDER BY c.seq",
            params,
        )
        for seq, method in rows:
            seqs.append(int(seq))
            states.append(0 if method is None else codes.get(str(method), other))
    return seqs, states


def open_writer(path: Path, wait_ms: int) -> Store:
    """A connection of its own for writing resolutions, waiting at most ``wait_ms`` for a busy
    store (the resolve screen then says so and retries, instead of freezing)."""
    store = open_store(path)
    store.conn.execute(f"PRAGMA busy_timeout = {int(wait_ms)}")
    return store
