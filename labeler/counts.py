"""Final bucket of every case, and bucket counts overall and per slice.

The final bucket of a case is its resolution if there is one (``unclear`` when the resolvers
said so); else the bucket all its reviewers agree on; else ``unresolved`` (counted apart, never
guessed). Cases without labels are ``unlabeled``. The ``case_status`` view in the store says the
same in SQL; a test checks that both agree.

Rates are per 1,000 *reviewed* cases: cases with at least one label.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

UNRESOLVED = "unresolved"
UNLABELED = "unlabeled"
UNCLEAR = "unclear"
SPECIAL = (UNRESOLVED, UNCLEAR, UNLABELED)


def final_of(buckets: Sequence[str], resolved: bool, resolution: str | None) -> tuple[str, str]:
    """The definition, for one case: ``(final bucket, status)``.

    ``resolution`` None with ``resolved`` True means the resolvers marked the case unclear.
    Status is agreed, single, resolved, unclear, unresolved or unlabeled.
    """
    if resolved:
        return (UNCLEAR, UNCLEAR) if resolution is None else (resolution, "resolved")
    if not buckets:
        return UNLABELED, UNLABELED
    if len(set(buckets)) == 1:
        return buckets[0], "single" if len(buckets) == 1 else "agreed"
    return UNRESOLVED, UNRESOLVED


def final_codes(
    item_codes: np.ndarray, bucket_codes: np.ndarray, n_items: int
) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised finals from label arrays sorted by item.

    Returns ``(bucket, labels)`` per item: ``bucket`` is the agreed bucket code, -1 where the
    labels disagree, -2 where there are none; ``labels`` the number of labels.
    """
    counts = np.bincount(item_codes, minlength=n_items)
    bucket = np.full(n_items, -2, dtype=np.int64)
    if len(item_codes):
        starts = np.concatenate(([0], np.flatnonzero(np.diff(item_codes)) + 1))
        present = item_codes[starts]
        low = np.minimum.reduceat(bucket_codes, starts)
        high = np.maximum.reduceat(bucket_codes, starts)
        bucket[present] = np.where(low == high, low, -1)
    return bucket, counts


@dataclass
class BucketCounts:
    """Cases per final bucket in one group of cases."""

    cases: int = 0
    reviewed: int = 0
    by_bucket: Counter[str] = field(default_factory=Counter)

    def to_json(self, buckets: Sequence[str]) -> dict[str, object]:
        """Counts and rates per 1,000 reviewed cases for every bucket (zeros included)."""
        names = list(buckets) + [b for b in SPECIAL if b not in buckets]
        per_bucket = {}
        for name in names:
            n = self.by_bucket.get(name, 0)
            rate = None if self.reviewed == 0 or name == UNLABELED else n * 1000 / self.reviewed
            per_bucket[name] = {"cases": n, "rate_per_1000": rate}
        return {"cases": self.cases, "reviewed": self.reviewed, "buckets": per_bucket}
