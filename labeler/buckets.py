"""The store's buckets as plain records, for screens that only show them.

:mod:`labeler.taxonomy` validates taxonomy files with pydantic; the review and resolve screens
only read the buckets, so they use these records and start without importing pydantic.
"""

from __future__ import annotations

from dataclasses import dataclass

from labeler.store.connection import Store


@dataclass(frozen=True)
class BucketInfo:
    """One bucket of the store's taxonomy."""

    key: str
    name: str
    shortcut: str
    description: str
    must_pass: bool


def read_buckets(store: Store) -> list[BucketInfo]:
    """The store's buckets in bar order."""
    rows = store.query(
        "SELECT key, name, shortcut, description, must_pass FROM buckets ORDER BY position"
    )
    return [BucketInfo(r[0], r[1], r[2], r[3], bool(r[4])) for r in rows]
