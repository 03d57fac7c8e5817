"""The store's buckets as plain records, for screens that only show them.

:mod:`labeler.taxonomy` validates taxonomy files with pydantic; the review and resolve screens
only read the buckets, so they use these records and start without importing pydantic.
"""

from __future__ import annotations

from labeler.store.taxonomy import BucketInfo, read_buckets

__all__ = ["BucketInfo", "read_buckets"]
