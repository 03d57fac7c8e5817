"""The label matrix: one current bucket per (item, reviewer), encoded as numpy integer arrays.

Building it from a million ``(item, reviewer, bucket)`` rows is the hot path of ``labeler stats``,
so :meth:`LabelMatrix.from_rows` avoids per-row Python code: every column is encoded with one
C-level ``map`` over a dict and the duplicate check is a single integer sort.

Names are plain strings and stay strings. ``"NA"``, ``"None"``, ``"null"``, ``"nan"`` and ``""`` are
ordinary bucket, reviewer or item names; nothing here goes through pandas or float conversion.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]

__all__ = ["IntArray", "LabelMatrix"]


def _readonly(array: IntArray) -> IntArray:
    array.flags.writeable = False
    return array


def _check_names(names: Sequence[Any], what: str) -> tuple[str, ...]:
    """Return ``names`` as plain ``str`` (numpy ``str_`` is accepted); reject anything else."""
    kinds = set(map(type, names))
    if kinds <= {str}:
        return tuple(names)
    for kind in kinds:
        if not issubclass(kind, str):
            bad = next(name for name in names if type(name) is kind)
            raise TypeError(f"{what} names must be strings, got {bad!r} ({kind.__name__})")
    return tuple(map(str, names))


def _encode_column(
    rows: Sequence[tuple[str, str, str]], column: int, what: str
) -> tuple[tuple[str, ...], IntArray]:
    """Encode one column to dense codes in first-appearance order.

    ``dict.setdefault(name, row_index)`` maps every row to the index of the first row carrying
    the same name, in one C-level pass; a lookup table then turns those indexes into 0..k-1.
    """
    count = len(rows)
    first_seen: dict[Hashable, int] = {}
    raw = np.fromiter(
        map(first_seen.setdefault, map(operator.itemgetter(column), rows), itertools.count()),
        dtype=np.int64,
        count=count,
    )
    names = _check_names(list(first_seen), what)
    firsts = np.fromiter(first_seen.values(), dtype=np.int64, count=len(first_seen))
    dense = np.empty(count, dtype=np.int64)
    dense[firsts] = np.arange(len(firsts), dtype=np.int64)
    return names, dense[raw]


def _sorted_codes(
    names: tuple[str, ...], codes: IntArray, order: Sequence[str] | None, what: str
) -> tuple[tuple[str, ...], IntArray]:
    """Re-code ``codes`` (first-appearance order) to the order of ``order`` or sorted names."""
    if order is None:
        target = tuple(sorted(names))
    else:
        target = _check_names(list(order), what)
        if len(set(target)) != len(target):
            dupes = sorted({name for name in target if target.count(name) > 1})
            raise ValueError(f"duplicate {what} names given: {dupes!r}")
        unknown = sorted(set(names) - set(target))
        if unknown:
            raise ValueError(f"labels use unknown {what} names: {unknown!r}")
    position = {name: index for index, name in enumerate(target)}
    table = np.fromiter((position[name] for name in names), dtype=np.int64, count=len(names))
    return target, table[codes] if len(codes) else codes


@dataclass(frozen=True, eq=False)
class LabelMatrix:
    """Current labels as parallel integer arrays, sorted by (item code, reviewer code).

    ``items`` are in first-appearance order, ``reviewers`` sorted by name and ``buckets`` in the
    given taxonomy order (else sorted by name). ``item_codes[i]``, ``reviewer_codes[i]`` and
    ``bucket_codes[i]`` describe label ``i``; every (item, reviewer) appears at most once.
    Build it with :meth:`from_rows`; the arrays are read-only.
    """

    items: tuple[str, ...]
    reviewers: tuple[str, ...]
    buckets: tuple[str, ...]
    item_codes: IntArray
    reviewer_codes: IntArray
    bucket_codes: IntArray

    def __post_init__(self) -> None:
        size = len(self.item_codes)
        if len(self.reviewer_codes) != size or len(self.bucket_codes) != size:
            raise ValueError("item_codes, reviewer_codes and bucket_codes differ in length")

    @property
    def labels(self) -> int:
        """Number of labels (rows) in the matrix."""
        return len(self.item_codes)

    @classmethod
    def from_rows(
        cls,
        rows: Iterable[tuple[str, str, str]],
        buckets: Sequence[str] | None = None,
    ) -> LabelMatrix:
        """Build the matrix from ``(item, reviewer, bucket)`` rows.

        ``buckets`` fixes the taxonomy and its order (buckets nobody used still get a per-bucket
        entry); a row with a bucket outside it is a ``ValueError``. Without it the buckets are the
        ones used, sorted by name. Two rows for the same (item, reviewer) are a ``ValueError``
        even when they carry the same bucket; names that are not strings are a ``TypeError``.
        """
        data = rows if isinstance(rows, list | tuple) else list(rows)
        lengths = set(map(len, data))
        if lengths - {3}:
            bad = next(index for index, row in enumerate(data) if len(row) != 3)
            raise ValueError(f"row {bad} is not an (item, reviewer, bucket) triple: {data[bad]!r}")
        items, item_codes = _encode_column(data, 0, "item")
        reviewers, reviewer_codes = _encode_column(data, 1, "reviewer")
        bucket_names, bucket_codes = _encode_column(data, 2, "bucket")
        reviewers, reviewer_codes = _sorted_codes(reviewers, reviewer_codes, None, "reviewer")
        bucket_names, bucket_codes = _sorted_codes(bucket_names, bucket_codes, buckets, "bucket")

        keys = item_codes * max(len(reviewers), 1) + reviewer_codes
        order = np.argsort(keys)
        keys = keys[order]
        repeated = np.flatnonzero(keys[1:] == keys[:-1])
        if len(repeated):
            row = int(order[repeated[0]])
            item, reviewer = data[row][0], data[row][1]
            raise ValueError(
                f"{len(repeated)} duplicate label(s); one label per item and reviewer, "
                f"e.g. item {item!r} by reviewer {reviewer!r}"
            )
        return cls(
            items=items,
            reviewers=reviewers,
            buckets=bucket_names,
            item_codes=_readonly(item_codes[order]),
            reviewer_codes=_readonly(reviewer_codes[order]),
            bucket_codes=_readonly(bucket_codes[order]),
        )

    @classmethod
    def from_codes(
        cls,
        items: Sequence[str],
        reviewers: Sequence[str],
        buckets: Sequence[str],
        item_codes: IntArray,
        reviewer_codes: IntArray,
        bucket_codes: IntArray,
    ) -> LabelMatrix:
        """Build the matrix from codes already computed (e.g. by SQL), without per-row Python.

        ``reviewers`` must be sorted by name; codes index the three name lists. The arrays are
        sorted by (item, reviewer) here; a repeated (item, reviewer) is a ``ValueError``.
        """
        if list(reviewers) != sorted(reviewers):
            raise ValueError("reviewers must be sorted by name")
        for codes, names, what in (
            (item_codes, items, "item"),
            (reviewer_codes, reviewers, "reviewer"),
            (bucket_codes, buckets, "bucket"),
        ):
            if len(codes) and (codes.min() < 0 or codes.max() >= len(names)):
                raise ValueError(f"a {what} code is out of range")
        order = np.lexsort((reviewer_codes, item_codes))
        keys = item_codes[order] * max(len(reviewers), 1) + reviewer_codes[order]
        if len(keys) > 1 and bool(np.any(keys[1:] == keys[:-1])):
            raise ValueError("duplicate label(s); one label per item and reviewer")
        return cls(
            items=tuple(items),
            reviewers=tuple(reviewers),
            buckets=tuple(buckets),
            item_codes=_readonly(np.ascontiguousarray(item_codes[order], dtype=np.int64)),
            reviewer_codes=_readonly(np.ascontiguousarray(reviewer_codes[order], dtype=np.int64)),
            bucket_codes=_readonly(np.ascontiguousarray(bucket_codes[order], dtype=np.int64)),
        )

    def select(self, keep: npt.NDArray[np.bool_]) -> LabelMatrix:
        """Keep only the labels where ``keep`` (one flag per label) is True, e.g. the labels of
        the items in one slice. Items, reviewers and buckets all stay listed."""
        if len(keep) != self.labels:
            raise ValueError("give one flag per label")
        return LabelMatrix(
            items=self.items,
            reviewers=self.reviewers,
            buckets=self.buckets,
            item_codes=_readonly(self.item_codes[keep]),
            reviewer_codes=_readonly(self.reviewer_codes[keep]),
            bucket_codes=_readonly(self.bucket_codes[keep]),
        )

    def restrict(self, reviewers: Iterable[str]) -> LabelMatrix:
        """Keep only the labels of ``reviewers``; they become the reviewers in play.

        All items and buckets stay listed. A named reviewer without labels is kept as a reviewer
        in play with no labels (their pairs report 0 shared cases), so asking about someone who
        has not started yet gives "undefined" rather than an error; callers that want to catch
        typos should check names against their reviewer list. Repeated names are a
        ``ValueError``.
        """
        wanted = list(reviewers)
        if len(set(wanted)) != len(wanted):
            raise ValueError(f"reviewer names repeat: {wanted!r}")
        keep = _check_names(sorted(wanted), "reviewer")
        if keep == self.reviewers:
            return self
        # Old code -> new code (or -1); new codes keep the old relative order, so the
        # (item, reviewer) sort order of the arrays survives the filter.
        recode = np.full(len(self.reviewers) + 1, -1, dtype=np.int64)
        new_position = {name: index for index, name in enumerate(keep)}
        for old, name in enumerate(self.reviewers):
            recode[old] = new_position.get(name, -1)
        new_codes = recode[self.reviewer_codes]
        mask = new_codes >= 0
        return LabelMatrix(
            items=self.items,
            reviewers=keep,
            buckets=self.buckets,
            item_codes=_readonly(self.item_codes[mask]),
            reviewer_codes=_readonly(new_codes[mask]),
            bucket_codes=_readonly(self.bucket_codes[mask]),
        )
