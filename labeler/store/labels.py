"""The ``labels`` table: one reviewer's label on one case.

Every INSERT and UPDATE of a label goes through :func:`insert_label` and :func:`update_label`
(the review screen, the CSV label import and taxonomy merges), inside the caller's write
transaction (the connection given by ``Store.write()``).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from labeler.store.connection import Store


@dataclass(frozen=True)
class LabelRecord:
    """The current label of one reviewer on one case."""

    bucket: str
    note: str | None
    version: int


@dataclass(frozen=True)
class BucketLabel:
    """A label found by its bucket: where it is and who gave it."""

    case_seq: int
    case_id: str
    reviewer: str
    note: str | None


_SELECT_ONE = "SELECT bucket, note, version FROM labels WHERE case_seq = ? AND reviewer = ?"


def read_label(store: Store, case_seq: int, reviewer: str) -> LabelRecord | None:
    """This reviewer's current label on the case, or None."""
    rows = store.query(_SELECT_ONE, (case_seq, reviewer))
    return LabelRecord(rows[0][0], rows[0][1], rows[0][2]) if rows else None


def current_label(conn: sqlite3.Connection, case_seq: int, reviewer: str) -> LabelRecord | None:
    """:func:`read_label` inside the caller's transaction."""
    row = conn.execute(_SELECT_ONE, (case_seq, reviewer)).fetchone()
    return LabelRecord(row[0], row[1], row[2]) if row else None


def insert_label(
    conn: sqlite3.Connection,
    *,
    case_seq: int,
    reviewer: str,
    account: str,
    bucket: str,
    note: str | None,
    labeled_at: str,
    reached_by: str | None,
) -> None:
    """Add a first label (version 1), remembering the case's review order at that moment."""
    conn.execute(
        "INSERT INTO labels (case_seq, reviewer, account, bucket, note, version,"
        " labeled_at, reached_by, case_order) VALUES (?, ?, ?, ?, ?, 1, ?, ?,"
        " (SELECT review_order FROM cases WHERE seq = ?))",
        (case_seq, reviewer, account, bucket, note, labeled_at, reached_by, case_seq),
    )


def update_label(
    conn: sqlite3.Connection,
    *,
    case_seq: int,
    reviewer: str,
    account: str,
    bucket: str,
    note: str | None,
    labeled_at: str,
) -> None:
    """Change a label's bucket and note (its version goes up by one)."""
    conn.execute(
        "UPDATE labels SET bucket = ?, note = ?, account = ?, version = version + 1,"
        " labeled_at = ? WHERE case_seq = ? AND reviewer = ?",
        (bucket, note, account, labeled_at, case_seq, reviewer),
    )


def move_label(conn: sqlite3.Connection, *, case_seq: int, reviewer: str, bucket: str) -> None:
    """Move a label to another bucket keeping its note, account and time (a taxonomy merge)."""
    conn.execute(
        "UPDATE labels SET bucket = ?, version = version + 1 WHERE case_seq = ? AND reviewer = ?",
        (bucket, case_seq, reviewer),
    )


def remove_label(conn: sqlite3.Connection, case_seq: int, reviewer: str) -> None:
    """Delete this reviewer's label on the case."""
    conn.execute("DELETE FROM labels WHERE case_seq = ? AND reviewer = ?", (case_seq, reviewer))


def labels_in_bucket(conn: sqlite3.Connection, bucket: str) -> list[BucketLabel]:
    """Every label in this bucket, with its case id."""
    rows = conn.execute(
        "SELECT l.case_seq, c.case_id, l.reviewer, l.note FROM labels l"
        " JOIN cases c ON c.seq = l.case_seq WHERE l.bucket = ?",
        (bucket,),
    ).fetchall()
    return [BucketLabel(int(r[0]), str(r[1]), str(r[2]), r[3]) for r in rows]
