"""SQL for importing cases: the import rows, the store's fingerprint, the bulk case writes.

Reads take the :class:`Store`; writes that must join the importer's transaction take the
``sqlite3.Connection`` from ``store.write()``. Values in and out are plain Python values (the
case rows are the tuples the importer's spool already holds, written a hundred to a statement in
the caller's batches), so a second backend can implement the same set.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from labeler.store.connection import Store

Fingerprint = tuple[int, int]
"""The store's highest case ``seq`` (0 when empty) and its number of case rows."""

CurrentCase = tuple[int, int, str]
"""A current case's (seq, version, content_hash)."""

_FINGERPRINT_SQL = "SELECT coalesce(max(seq), 0), count(*) FROM cases"

_INSERT_CASE = (
    "INSERT INTO cases (seq, case_id, version, is_current, content_hash, slices, meta, "
    "label_count, import_id, imported_at) VALUES ",
    "(?, ?, ?, 1, ?, ?, ?, 0, ?, ?)",
)
_INSERT_TEXT = (
    "INSERT INTO case_texts (case_seq, input_kind, input, context, output, expected) VALUES ",
    "(?, ?, CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT))",
)
"""The texts arrive as UTF-8 bytes (valid: they were encoded from Python strings); casting a
BLOB to TEXT keeps its bytes as they are and stores a TEXT value, so nothing is decoded or
encoded again while the lock is held (``CAST(NULL AS TEXT)`` stays NULL)."""

ROWS_PER_STATEMENT = 100
"""Rows written by one INSERT. A statement on a table with triggers (``cases``: the kept
counts, :mod:`labeler.store.tallies`) opens a statement journal; one per row cost 16 µs a case
on a file store (``executemany``), one per hundred rows about 1 µs."""


def _insert_rows(
    conn: sqlite3.Connection, statement: tuple[str, str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """``rows`` inserted ``ROWS_PER_STATEMENT`` to a statement (the same two statements, so
    SQLite's statement cache keeps them prepared)."""
    head, row = statement
    full = len(rows) - len(rows) % ROWS_PER_STATEMENT
    if full:
        sql = head + ", ".join([row] * ROWS_PER_STATEMENT)
        for start in range(0, full, ROWS_PER_STATEMENT):
            conn.execute(sql, [v for r in rows[start : start + ROWS_PER_STATEMENT] for v in r])
    if full < len(rows):
        rest = rows[full:]
        conn.execute(head + ", ".join([row] * len(rest)), [v for r in rest for v in r])


@dataclass(frozen=True)
class StoredImport:
    """One row of the ``imports`` table, as an earlier import of the same file left it."""

    import_id: int
    imported_at: str
    file_name: str


def fingerprint(store: Store) -> Fingerprint:
    """The store's fingerprint, read outside a transaction (before checking a run)."""
    row = store.query(_FINGERPRINT_SQL)[0]
    return int(row[0]), int(row[1])


def fingerprint_in(conn: sqlite3.Connection) -> Fingerprint:
    """The store's fingerprint inside the caller's write transaction."""
    row = conn.execute(_FINGERPRINT_SQL).fetchone()
    return int(row[0]), int(row[1])


def _current_sql(count: int) -> str:
    marks = ",".join("?" * count)
    return (
        "SELECT case_id, seq, version, content_hash FROM cases "
        f"WHERE is_current = 1 AND case_id IN ({marks})"
    )


def current_cases(store: Store, case_ids: Sequence[str]) -> dict[str, CurrentCase]:
    """Case id -> (seq, version, content_hash) of the current cases among ``case_ids``."""
    if not case_ids:
        return {}
    rows = store.query(_current_sql(len(case_ids)), list(case_ids))
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def current_cases_in(conn: sqlite3.Connection, case_ids: Sequence[str]) -> dict[str, CurrentCase]:
    """:func:`current_cases` inside the caller's write transaction."""
    if not case_ids:
        return {}
    rows = conn.execute(_current_sql(len(case_ids)), list(case_ids))
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def file_name_imported(store: Store, file_name: str) -> bool:
    """Whether a file of this (absolute) name was imported before."""
    return bool(store.query("SELECT 1 FROM imports WHERE file_name = ? LIMIT 1", (file_name,)))


def first_import_of(store: Store, sha256: str) -> StoredImport | None:
    """The first import of a file with this content, if any."""
    rows = store.query(
        "SELECT id, imported_at, file_name FROM imports WHERE sha256 = ? ORDER BY id LIMIT 1",
        (sha256,),
    )
    if not rows:
        return None
    return StoredImport(import_id=rows[0][0], imported_at=rows[0][1], file_name=rows[0][2])


def start_import(
    conn: sqlite3.Connection,
    *,
    file_name: str,
    sha256: str | None,
    file_format: str | None,
    at: str,
    actor: str,
    account: str,
) -> int:
    """Add an ``imports`` row with zero counts (in the caller's transaction); its id."""
    cursor = conn.execute(
        "INSERT INTO imports (file_name, sha256, format, imported_at, actor, account, "
        "records, inserted, updated, unchanged, skipped) "
        "VALUES (?, ?, ?, ?, ?, ?, 0, 0, 0, 0, 0)",
        (file_name, sha256, file_format, at, actor, account),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def write_cases(
    conn: sqlite3.Connection,
    retire: Sequence[tuple[int]],
    cases: Sequence[tuple[Any, ...]],
    texts: Sequence[tuple[Any, ...]],
) -> None:
    """One batch of the import, in the caller's transaction: retire the replaced versions
    (``(seq,)``), then insert the cases ``(seq, case_id, version, content_hash, slices, meta,
    import_id, imported_at)`` and their texts ``(seq, input_kind, input, context, output,
    expected)``, a hundred rows to a statement."""
    for start in range(0, len(retire), ROWS_PER_STATEMENT):
        part = [seq for (seq,) in retire[start : start + ROWS_PER_STATEMENT]]
        marks = ", ".join("?" * len(part))
        conn.execute(f"UPDATE cases SET is_current = 0 WHERE seq IN ({marks})", part)
    if cases:
        _insert_rows(conn, _INSERT_CASE, cases)
        _insert_rows(conn, _INSERT_TEXT, texts)


def finish_import(
    conn: sqlite3.Connection,
    import_id: int,
    *,
    records: int,
    inserted: int,
    updated: int,
    unchanged: int,
    skipped: int,
) -> None:
    """Set an ``imports`` row's counts (in the caller's transaction)."""
    conn.execute(
        "UPDATE imports SET records = ?, inserted = ?, updated = ?, unchanged = ?, "
        "skipped = ? WHERE id = ?",
        (records, inserted, updated, unchanged, skipped, import_id),
    )
