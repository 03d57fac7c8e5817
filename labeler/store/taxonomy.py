"""The ``buckets`` table: the store's taxonomy as plain records."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from labeler.identity import Actor
from labeler.store.connection import Store
from labeler.store.events import record_event


@dataclass(frozen=True)
class BucketInfo:
    """One bucket of the store's taxonomy."""

    key: str
    name: str
    shortcut: str
    description: str
    must_pass: bool


BucketRow = BucketInfo
"""A bucket to write (the same fields as a bucket read)."""


def read_buckets(store: Store) -> list[BucketInfo]:
    """The store's buckets in bar order."""
    rows = store.query(
        "SELECT key, name, shortcut, description, must_pass FROM buckets ORDER BY position"
    )
    return [BucketInfo(r[0], r[1], r[2], r[3], bool(r[4])) for r in rows]


def bucket_exists(conn: sqlite3.Connection, key: str) -> bool:
    """True if the taxonomy has a bucket with this key."""
    return conn.execute("SELECT 1 FROM buckets WHERE key = ?", (key,)).fetchone() is not None


def bucket_keys_and_names(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(key, name) of every bucket, in table order."""
    return [(str(k), str(n)) for k, n in conn.execute("SELECT key, name FROM buckets")]


def used_shortcuts(conn: sqlite3.Connection) -> set[str]:
    """The shortcut keys the buckets use."""
    return {str(r[0]) for r in conn.execute("SELECT shortcut FROM buckets")}


def last_position(conn: sqlite3.Connection) -> int:
    """The highest bar position in use (-1 without buckets)."""
    return int(conn.execute("SELECT coalesce(max(position), -1) FROM buckets").fetchone()[0])


def add_bucket(
    conn: sqlite3.Connection, *, key: str, name: str, shortcut: str, position: int
) -> None:
    """Add a bucket with no description that is not must-pass."""
    conn.execute(
        "INSERT INTO buckets (key, name, shortcut, description, must_pass, position)"
        " VALUES (?, ?, ?, '', 0, ?)",
        (key, name, shortcut, position),
    )


def add_placeholder_bucket(conn: sqlite3.Connection, key: str) -> None:
    """Make sure a bucket ``key`` exists (name = key, shortcut ``#key``, last), for a merge
    target that a full taxonomy write completes later."""
    conn.execute(
        "INSERT OR IGNORE INTO buckets (key, name, shortcut, description, must_pass, position)"
        " VALUES (?, ?, ?, '', 0, 10000)",
        (key, key, f"#{key}"),
    )


def bucket_rows(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every bucket row as a dict of its columns, in bar order (for the audit log)."""
    return [dict(r) for r in conn.execute("SELECT * FROM buckets ORDER BY position")]


def replace_bucket_rows(conn: sqlite3.Connection, rows: list[BucketRow]) -> None:
    """Make the bucket table hold exactly these buckets, in this bar order.

    Shortcuts are unique: they are cleared first so that swapping two shortcuts works.
    """
    keep = {r.key for r in rows}
    stored = [str(r[0]) for r in conn.execute("SELECT key FROM buckets ORDER BY position")]
    conn.execute("UPDATE buckets SET shortcut = '#' || key")
    for key in stored:
        if key not in keep:
            conn.execute("DELETE FROM buckets WHERE key = ?", (key,))
    for position, b in enumerate(rows):
        conn.execute(
            "INSERT INTO buckets (key, name, shortcut, description, must_pass, position)"
            " VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(key) DO UPDATE SET name = excluded.name, shortcut = excluded.shortcut,"
            " description = excluded.description, must_pass = excluded.must_pass,"
            " position = excluded.position",
            (b.key, b.name, b.shortcut, b.description, int(b.must_pass), position),
        )


def bucket_use_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """How many labels and resolutions each bucket in use has."""
    return {
        str(r[0]): int(r[1])
        for r in conn.execute(
            "SELECT bucket, count(*) FROM (SELECT bucket FROM labels UNION ALL "
            "SELECT bucket FROM resolutions WHERE bucket IS NOT NULL) GROUP BY bucket"
        )
    }


def resolutions_in_bucket(conn: sqlite3.Connection, bucket: str) -> list[tuple[int, str]]:
    """(case seq, case id) of every resolution to this bucket."""
    rows = conn.execute(
        "SELECT r.case_seq, c.case_id FROM resolutions r JOIN cases c ON c.seq = r.case_seq"
        " WHERE r.bucket = ?",
        (bucket,),
    ).fetchall()
    return [(int(r[0]), str(r[1])) for r in rows]


def move_resolution(conn: sqlite3.Connection, case_seq: int, bucket: str) -> None:
    """Move a case's resolution to another bucket (a taxonomy merge)."""
    conn.execute(
        "UPDATE resolutions SET bucket = ?, version = version + 1 WHERE case_seq = ?",
        (bucket, case_seq),
    )


# The buckets a new store starts with, drawn from the failure kinds teams see most often
# (key, name, shortcut, description, must_pass). `labeler taxonomy --set` replaces them.
DEFAULT_BUCKETS: list[tuple[str, str, str, str, bool]] = [
    (
        "wrong_intent",
        "Wrong intent",
        "1",
        "The answer addresses a different request than the one the user made (e.g. a refund "
        "request answered with the return status). Not for a right request with wrong details.",
        False,
    ),
    (
        "bad_extraction",
        "Bad extraction",
        "2",
        "The right request, but a detail was pulled wrongly from the input or context: a date, an "
        "amount, an order number, a name.",
        False,
    ),
    (
        "invented_policy",
        "Invented policy or fact",
        "3",
        "States a policy, price, deadline or fact that the context does not support.",
        False,
    ),
    (
        "unsafe_pii",
        "Unsafe or PII",
        "4",
        "Unsafe content, or personal data shown that the user should not see (another customer's "
        "email, a full card number).",
        True,
    ),
    (
        "broken_format",
        "Broken format (JSON)",
        "5",
        "The output had to be machine-readable (JSON, a tool call) and is not: extra prose, wrong "
        "quotes, missing fields.",
        True,
    ),
    (
        "wrong_refusal",
        "Wrong refusal",
        "6",
        "Refuses or deflects a valid request (e.g. an angry customer asking to cancel).",
        False,
    ),
    ("too_slow", "Too slow", "7", "A usable answer that arrived too late for the channel.", False),
    (
        "other",
        "Other",
        "8",
        "A failure none of the other buckets describes. Add a note saying what it is.",
        False,
    ),
    ("not_a_failure", "Not a failure", "9", "The answer is acceptable for the user's job.", False),
]


def write_default_buckets(conn: sqlite3.Connection, actor: Actor) -> None:
    """Give a new store its default buckets, logged as ``taxonomy.default``."""
    replace_bucket_rows(conn, [BucketRow(*row) for row in DEFAULT_BUCKETS])
    record_event(conn, actor, "taxonomy.default", before=[], after=bucket_rows(conn))
