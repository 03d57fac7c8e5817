"""The final bucket and status of a case (the one rule), and bucket counts overall and per slice.

The rule: the final bucket of a case is its resolution if there is one (``unclear`` when the
resolvers said so); else the bucket all its reviewers agree on; else ``unresolved`` (counted
apart, never guessed). Cases without labels are ``unlabeled``. The status says which of these
applied: agreed, single (one label), resolved, unclear, unresolved or unlabeled.

In Python the rule lives in :func:`final_codes` (vectorised, used by ``labeler stats`` and so
by the gate); :func:`final_of` is the same function on one case. Its SQL twin is the
``case_status`` view in :mod:`labeler.store.schema` (read by the export, the gate's per-case
statuses and people querying the store). ``tests/unit/test_final_rule.py`` checks on random
stores that the two, ``compute_stats`` and the gate give every case the same bucket and status.

Rates are per 1,000 *reviewed* cases: every case that is not ``unlabeled`` (it has a label,
or a resolution).

This module is part of the pure core: no textual, rich or click.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]

UNRESOLVED = "unresolved"
UNLABELED = "unlabeled"
UNCLEAR = "unclear"
PSEUDO_BUCKETS = (UNRESOLVED, UNCLEAR, UNLABELED)
"""Final buckets that are not bucket keys, in the order counts list them (after the real ones)."""

AGREED = "agreed"
SINGLE = "single"
RESOLVED = "resolved"
STATUSES = (AGREED, SINGLE, RESOLVED, UNCLEAR, UNRESOLVED, UNLABELED)
"""Every status, in the order reports list them."""

_STATUS = {name: code for code, name in enumerate(STATUSES)}


def final_names(buckets: Sequence[str]) -> list[str]:
    """The names of the final codes of :func:`final_codes`: the buckets, then the pseudo-buckets."""
    return [*buckets, *PSEUDO_BUCKETS]


def final_codes(
    case_seqs: IntArray,
    item_seqs: IntArray,
    item_codes: IntArray,
    bucket_codes: IntArray,
    resolutions: Iterable[tuple[int, int | None]],
    n_buckets: int,
) -> tuple[IntArray, IntArray]:
    """The rule, for many cases at once: ``(final code, status code)`` per case.

    ``case_seqs`` are the case numbers, sorted. The labels are given as in
    :class:`labeler.stats.agreement.LabelMatrix`: ``item_codes`` (sorted ascending) index
    ``item_seqs``, the sorted case numbers that have labels; ``bucket_codes`` are bucket codes
    in ``range(n_buckets)``. ``resolutions`` are ``(case number, bucket code)`` with None for
    unclear; case numbers not in ``case_seqs`` are ignored.

    Final codes index :func:`final_names` (the buckets, then the pseudo-buckets); status codes
    index :data:`STATUSES`. Both arrays are aligned with ``case_seqs``.
    """
    pseudo = {name: n_buckets + i for i, name in enumerate(PSEUDO_BUCKETS)}
    finals = np.full(len(case_seqs), pseudo[UNLABELED], dtype=np.int64)
    statuses = np.full(len(case_seqs), _STATUS[UNLABELED], dtype=np.int64)
    if len(item_codes):
        n_items = len(item_seqs)
        label_counts = np.bincount(item_codes, minlength=n_items)
        starts = np.concatenate(([0], np.flatnonzero(np.diff(item_codes)) + 1))
        present = item_codes[starts]
        low = np.minimum.reduceat(bucket_codes, starts)
        high = np.maximum.reduceat(bucket_codes, starts)
        agreed = low == high
        where = np.searchsorted(case_seqs, item_seqs[present])
        finals[where] = np.where(agreed, low, pseudo[UNRESOLVED])
        statuses[where] = np.where(
            agreed,
            np.where(label_counts[present] == 1, _STATUS[SINGLE], _STATUS[AGREED]),
            _STATUS[UNRESOLVED],
        )
    pairs = list(resolutions)
    if pairs and len(case_seqs):
        seqs = np.fromiter((seq for seq, _ in pairs), dtype=np.int64, count=len(pairs))
        codes = np.fromiter(
            (pseudo[UNCLEAR] if code is None else code for _, code in pairs),
            dtype=np.int64,
            count=len(pairs),
        )
        at = np.minimum(np.searchsorted(case_seqs, seqs), len(case_seqs) - 1)
        known = case_seqs[at] == seqs
        at, codes = at[known], codes[known]
        finals[at] = codes
        statuses[at] = np.where(codes == pseudo[UNCLEAR], _STATUS[UNCLEAR], _STATUS[RESOLVED])
    return finals, statuses


class CaseFinal(NamedTuple):
    """The final bucket and status of one case."""

    bucket: str
    status: str


def final_of(buckets: Sequence[str], resolved: bool, resolution: str | None) -> CaseFinal:
    """The rule for one case (:func:`final_codes` on it): ``(final bucket, status)``.

    ``buckets`` are its reviewers' buckets; ``resolution`` None with ``resolved`` True means the
    resolvers marked the case unclear.
    """
    names = sorted({*buckets, *([resolution] if resolved and resolution is not None else [])})
    code = {name: i for i, name in enumerate(names)}
    labeled = np.array([0] if buckets else [], dtype=np.int64)
    finals, statuses = final_codes(
        np.array([0], dtype=np.int64),
        labeled,
        np.zeros(len(buckets), dtype=np.int64),
        np.array([code[b] for b in buckets], dtype=np.int64),
        [(0, None if resolution is None else code[resolution])] if resolved else [],
        len(names),
    )
    return CaseFinal(final_names(names)[int(finals[0])], STATUSES[int(statuses[0])])


@dataclass(frozen=True)
class BucketCount:
    """Cases whose final bucket is one bucket, and their rate per 1,000 reviewed cases."""

    cases: int
    rate_per_1000: float | None
    """None when no case was reviewed, and always for ``unlabeled``."""

    def to_json(self) -> dict[str, Any]:
        return {"cases": self.cases, "rate_per_1000": self.rate_per_1000}


@dataclass(frozen=True)
class BucketCounts:
    """Cases per final bucket in one group of cases: every bucket listed, zeros included."""

    cases: int
    reviewed: int
    """Cases with at least one label: the denominator of the rates."""
    buckets: Mapping[str, BucketCount]
    """The taxonomy's buckets in order, then the pseudo-buckets."""

    @classmethod
    def tally(
        cls, cases: int, reviewed: int, by_bucket: Mapping[str, int], buckets: Sequence[str]
    ) -> BucketCounts:
        """Counts from cases per final bucket (a name missing from ``by_bucket`` has none)."""
        names = list(buckets) + [b for b in PSEUDO_BUCKETS if b not in buckets]
        entries = {}
        for name in names:
            n = by_bucket.get(name, 0)
            rate = None if reviewed == 0 or name == UNLABELED else n * 1000 / reviewed
            entries[name] = BucketCount(n, rate)
        return cls(cases=cases, reviewed=reviewed, buckets=entries)

    def cases_in(self, bucket: str) -> int:
        """Cases whose final bucket is ``bucket`` (0 for a name that is not listed)."""
        entry = self.buckets.get(bucket)
        return 0 if entry is None else entry.cases

    def to_json(self) -> dict[str, Any]:
        """Counts and rates per 1,000 reviewed cases for every bucket (zeros included)."""
        return {
            "cases": self.cases,
            "reviewed": self.reviewed,
            "buckets": {name: entry.to_json() for name, entry in self.buckets.items()},
        }


@dataclass(frozen=True)
class StatusCounts:
    """Cases per status (see :data:`STATUSES`)."""

    agreed: int = 0
    single: int = 0
    resolved: int = 0
    unclear: int = 0
    unresolved: int = 0
    unlabeled: int = 0

    @classmethod
    def from_codes(cls, statuses: IntArray) -> StatusCounts:
        """Counts from status codes (indices into :data:`STATUSES`)."""
        tally = np.bincount(statuses, minlength=len(STATUSES))
        return cls(*(int(n) for n in tally))

    def items(self) -> list[tuple[str, int]]:
        """``(status, cases)`` in the order of :data:`STATUSES`."""
        return [(name, int(getattr(self, name))) for name in STATUSES]

    def to_json(self) -> dict[str, int]:
        return dict(self.items())


@dataclass(frozen=True)
class SliceCounts:
    """Bucket counts over all cases, and per value of each ``--by`` key."""

    overall: BucketCounts
    by: Mapping[str, Mapping[str, BucketCounts]]
    """``--by`` key (slice name or ``meta.<field>``) -> value -> counts, values sorted."""

    def scope(self, scope: tuple[str, str] | None) -> BucketCounts | None:
        """The counts of a scope ``(key, value)`` (None: all cases); None if no case has it."""
        if scope is None:
            return self.overall
        return self.by.get(scope[0], {}).get(scope[1])

    def to_json(self) -> dict[str, Any]:
        by = {
            key: {value: counts.to_json() for value, counts in groups.items()}
            for key, groups in self.by.items()
        }
        return {**self.overall.to_json(), "by": by}
