"""Integer tallies that every agreement metric is computed from.

Items are grouped by their number of labels ``m``. Within a group the labels of each item form a
``(k, m)`` block (rows of the matrix are sorted by item, then reviewer), and every reviewer pair
inside an item is one "pair record" ``(reviewer a < reviewer b, bucket of a, bucket of b)``.
Everything the metrics need is a count over labels or pair records:

* per group ``m``: items ``k_m``, labels per bucket, disagreeing pairs, and per bucket the
  disagreeing pairs in which exactly one side is that bucket (the one-vs-rest disagreements);
* per reviewer pair: shared items, agreeing items, and each side's bucket counts on them;
* the confusion matrix when exactly two reviewers are in play.

Counts are integers, so the results do not depend on item or row order, and the float
arithmetic in :mod:`labeler.stats.agreement.metrics` only ever combines a handful of group totals
in a fixed order.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from labeler.stats.agreement.bootstrap import PatternTable, group_patterns
from labeler.stats.agreement.matrix import IntArray, LabelMatrix

__all__ = ["Group", "Tally", "pair_slot", "tally"]

# Upper bound on pair records materialised at once (memory stays at a few tens of MB).
_CHUNK_RECORDS = 1 << 19


@dataclass(frozen=True)
class Group:
    """Totals over the items that have exactly ``m`` labels (``m >= 2``)."""

    m: int
    items: int
    disagreeing_pairs: int
    bucket_labels: IntArray  # (B,) labels per bucket
    bucket_disagreeing_pairs: IntArray  # (B,) pairs with exactly one side in the bucket

    @property
    def pairs_per_item(self) -> int:
        return self.m * (self.m - 1) // 2


@dataclass(frozen=True)
class Tally:
    reviewers: tuple[str, ...]
    buckets: tuple[str, ...]
    items_with_labels: int
    label_sizes: tuple[int, ...]  # distinct label counts m over items with labels, ascending
    bucket_labels: IntArray  # (B,) all labels per bucket, including single-label items
    groups: tuple[Group, ...]  # m >= 2, ascending m
    pair_cases: IntArray  # (S,) items labeled by both reviewers of the pair
    pair_agreeing: IntArray  # (S,) of those, items where both gave the same bucket
    pair_first: IntArray  # (S, B) buckets of the alphabetically first reviewer on shared items
    pair_second: IntArray  # (S, B) buckets of the second reviewer on shared items
    confusion: IntArray | None  # (B, B) when exactly two reviewers are in play
    patterns: PatternTable | None  # label multisets of pairable items, for the bootstrap

    @property
    def pairable_items(self) -> int:
        return sum(group.items for group in self.groups)


def pair_slot(first: int | IntArray, second: int | IntArray, reviewers: int) -> IntArray:
    """Index of reviewer pair ``first < second`` in the packed upper triangle."""
    a = np.asarray(first, dtype=np.int64)
    b = np.asarray(second, dtype=np.int64)
    return a * (2 * reviewers - a - 1) // 2 + (b - a - 1)


def _pair_records(
    reviewer_block: IntArray, bucket_block: IntArray
) -> Iterator[tuple[IntArray, IntArray, IntArray, IntArray]]:
    """Yield ``(reviewer a, reviewer b, bucket a, bucket b)`` for all column pairs, chunked."""
    k, m = reviewer_block.shape
    columns = [(i, j) for i in range(m) for j in range(i + 1, m)]
    step = max(1, _CHUNK_RECORDS // max(k, 1))
    for start in range(0, len(columns), step):
        batch = columns[start : start + step]
        left = [i for i, _ in batch]
        right = [j for _, j in batch]
        yield (
            reviewer_block[:, left].ravel(),
            reviewer_block[:, right].ravel(),
            bucket_block[:, left].ravel(),
            bucket_block[:, right].ravel(),
        )


def tally(matrix: LabelMatrix, with_patterns: bool = False) -> Tally:
    """Count everything the metrics need; ``with_patterns`` also builds the bootstrap table."""
    n_reviewers = len(matrix.reviewers)
    n_buckets = len(matrix.buckets)
    n_slots = n_reviewers * (n_reviewers - 1) // 2
    items = matrix.item_codes
    reviewer_codes = matrix.reviewer_codes
    bucket_codes = matrix.bucket_codes

    labels_per_item = np.bincount(items, minlength=len(matrix.items))
    size_histogram = np.bincount(labels_per_item) if len(labels_per_item) else np.zeros(1, np.int64)
    starts = np.zeros(len(labels_per_item), dtype=np.int64)
    if len(labels_per_item) > 1:
        np.cumsum(labels_per_item[:-1], out=starts[1:])

    pair_cases = np.zeros(n_slots, dtype=np.int64)
    pair_agreeing = np.zeros(n_slots, dtype=np.int64)
    pair_first = np.zeros(n_slots * n_buckets, dtype=np.int64)
    pair_second = np.zeros(n_slots * n_buckets, dtype=np.int64)
    confusion = np.zeros(n_buckets * n_buckets, dtype=np.int64) if n_reviewers == 2 else None
    groups: list[Group] = []
    pattern_parts = []

    for m in range(2, len(size_histogram)):
        k = int(size_histogram[m])
        if k == 0:
            continue
        block = starts[labels_per_item == m][:, None] + np.arange(m, dtype=np.int64)
        reviewer_block = reviewer_codes[block]
        bucket_block = bucket_codes[block]
        disagreeing = 0
        bucket_disagreeing = np.zeros(n_buckets, dtype=np.int64)
        for first, second, bucket_a, bucket_b in _pair_records(reviewer_block, bucket_block):
            slot = pair_slot(first, second, n_reviewers)
            same = bucket_a == bucket_b
            pair_cases += np.bincount(slot, minlength=n_slots)
            pair_agreeing += np.bincount(slot[same], minlength=n_slots)
            pair_first += np.bincount(slot * n_buckets + bucket_a, minlength=n_slots * n_buckets)
            pair_second += np.bincount(slot * n_buckets + bucket_b, minlength=n_slots * n_buckets)
            if confusion is not None:
                confusion += np.bincount(
                    bucket_a * n_buckets + bucket_b, minlength=n_buckets * n_buckets
                )
            differ = ~same
            disagreeing += int(np.count_nonzero(differ))
            bucket_disagreeing += np.bincount(bucket_a[differ], minlength=n_buckets)
            bucket_disagreeing += np.bincount(bucket_b[differ], minlength=n_buckets)
        groups.append(
            Group(
                m=m,
                items=k,
                disagreeing_pairs=disagreeing,
                bucket_labels=np.bincount(bucket_block.ravel(), minlength=n_buckets),
                bucket_disagreeing_pairs=bucket_disagreeing,
            )
        )
        if with_patterns:
            pattern_parts.append(group_patterns(bucket_block, n_buckets))

    return Tally(
        reviewers=matrix.reviewers,
        buckets=matrix.buckets,
        items_with_labels=int(len(labels_per_item) - size_histogram[0]),
        label_sizes=tuple(int(m) for m in np.flatnonzero(size_histogram) if m > 0),
        bucket_labels=np.bincount(bucket_codes, minlength=n_buckets),
        groups=tuple(groups),
        pair_cases=pair_cases,
        pair_agreeing=pair_agreeing,
        pair_first=pair_first.reshape(n_slots, n_buckets),
        pair_second=pair_second.reshape(n_slots, n_buckets),
        confusion=None if confusion is None else confusion.reshape(n_buckets, n_buckets),
        patterns=PatternTable.from_parts(pattern_parts, n_buckets) if with_patterns else None,
    )
