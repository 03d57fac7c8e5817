"""Are the labeled cases a prefix of the store's random order, that is, a uniform random sample?

The review queue walks the cases in the store's seeded random order (:mod:`labeler.store.order`),
so as long as cases are labeled in that order the labeled ("reviewed") cases are its first
cases: a uniform random sample of the store, and of every slice. Rates and their intervals mean
what they say only then.

How it is measured, from the store alone: sort the current cases by their key and cut the order
where the fewest changes would make the labeled cases exactly the part before the cut. The cut
is at the prefix length ``P`` that minimises ``holes + strays``:

* ``holes``: unlabeled cases before the cut (skipped cases; a new version of a labeled case);
* ``strays``: labeled cases after it (labeled out of order).

``holes == strays == 0`` means the labeled cases are exactly a random-order prefix. One case
skipped on the way is one hole (label it and the prefix is whole again); one case labeled far
ahead after a ``g`` jump is one stray, whatever the distance.

Why the strays are there is read from ``labels.reached_by`` (set when each label was created)
and from the setting the migration wrote:

* ``before_order``: given before the store had a random order (an old store, migrated after
  labels existed: the migration marks those labels and records how many cases were labeled);
* ``file``: labels imported with ``labeler import-labels``;
* ``import_order``: labeled in ``labeler review --order import``;
* ``jump``: labeled on a case opened with ``g`` or ``/`` (``--revisit`` sessions included: a
  revisit only changes labels of cases already labeled, so on its own it never changes which
  cases are labeled; a label it creates comes from a jump);
* ``unrecorded``: written by a tool that does not say how it chose the case (a script; also a
  case with a resolution and no label);
* ``after_skips``: labeled in the random-order queue, but after cases that are still unlabeled.

A case's cause is the first of these, in this order, among its labels.

This module is part of the pure core: numpy only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt

from labeler.stats.sampling_result import CAUSE_TEXT, CAUSES, Sampling
from labeler.store.order import (
    REACHED_BEFORE_ORDER,
    REACHED_FROM_FILE,
    REACHED_IMPORT_ORDER,
    REACHED_JUMP,
    REACHED_RANDOM_ORDER,
)
from labeler.store.order_tallies import CAUSE_OF_REACHED

__all__ = [
    "CAUSES",
    "CAUSE_TEXT",
    "Sampling",
    "attribute_strays",
    "key_order",
    "measure",
    "measure_groups",
    "queue_order",
]

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

REACHED_CODES: Final = (
    REACHED_BEFORE_ORDER,
    REACHED_FROM_FILE,
    REACHED_IMPORT_ORDER,
    REACHED_JUMP,
    REACHED_RANDOM_ORDER,
)
"""The ``reached_by`` values, in the order of the codes :func:`attribute_strays` reads."""


def _cut(labeled_in_order: BoolArray) -> tuple[int, int, int]:
    """``(prefix, holes, strays)`` of the best cut of one scope's labeled flags, in order."""
    n = len(labeled_in_order)
    total = int(labeled_in_order.sum())
    if total == 0 or total == n:
        return total, 0, 0
    cumulative = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(labeled_in_order, out=cumulative[1:])
    cost = np.arange(n + 1, dtype=np.int64) - 2 * cumulative  # + total, the same for every cut
    best = n - int(np.argmin(cost[::-1]))  # the longest prefix among the best cuts
    inside = int(cumulative[best])
    return best, best - inside, total - inside


def key_order(keys: IntArray, placed: BoolArray) -> IntArray:
    """Indices of the placed cases, ordered by key, then by index (the queue's order when the
    inputs are in case-number order)."""
    index = np.flatnonzero(placed)
    order: IntArray = index[np.argsort(keys[index], kind="stable")]
    return order


def queue_order(keys: IntArray, placed: BoolArray, seqs: IntArray) -> IntArray:
    """Indices of the placed cases in the queue's order, by key, then by case number
    (``seqs``), whatever order the inputs come in (an index's, say). Keys tie only after a
    hand edit, so the ties are looked for (one pass) before sorting on both."""
    order = key_order(keys, placed)
    in_order = keys[order]
    if len(order) > 1 and bool(np.any(in_order[1:] == in_order[:-1])):
        index = np.flatnonzero(placed)
        order = index[np.lexsort((seqs[index], keys[index]))]
    return order


def _measure(order: IntArray, labeled: BoolArray, scope: BoolArray) -> tuple[Sampling, IntArray]:
    """``order``: the scope's placed cases in the order; ``scope``: the cases in the scope."""
    flags = labeled[order]
    prefix, holes, strays = _cut(flags)
    stray_index = order[prefix:][flags[prefix:]]
    loose = np.flatnonzero(scope & labeled) if len(order) < int(scope.sum()) else None
    if loose is not None:
        loose = np.setdiff1d(loose, order, assume_unique=True)
    n_loose = 0 if loose is None else len(loose)
    result = Sampling(
        cases=int(scope.sum()),
        labeled=int((labeled & scope).sum()),
        prefix=prefix,
        holes=holes,
        strays=strays + n_loose,
        unplaced=int(scope.sum()) - len(order),
    )
    parts = [stray_index] if loose is None else [stray_index, loose]
    return result, np.concatenate(parts).astype(np.int64)


def measure(
    keys: IntArray, placed: BoolArray, labeled: BoolArray, order: IntArray | None = None
) -> tuple[Sampling, IntArray]:
    """The sampling of one scope and the indices (into the inputs) of its stray cases.

    ``keys`` are the cases' order keys (any value where ``placed`` is False), ``labeled``
    whether each case counts as reviewed. Cases are ordered by key, then by position;
    ``order`` is :func:`key_order` when the caller has it already.
    """
    if order is None:
        order = key_order(keys, placed)
    return _measure(order, labeled, np.ones(len(keys), dtype=bool))


def measure_groups(
    keys: IntArray,
    placed: BoolArray,
    labeled: BoolArray,
    groups: Sequence[str],
    order: IntArray | None = None,
) -> dict[str, Sampling]:
    """:func:`measure` within each value of ``groups`` (one per case), by value, sorted.

    The order is sorted once; each group takes its cases from it (no sort per group).
    """
    if order is None:
        order = key_order(keys, placed)
    values = np.asarray(groups, dtype=object)
    out: dict[str, Sampling] = {}
    for value in sorted(set(groups)):
        mask = values == value
        out[value] = _measure(order[mask[order]], labeled, mask)[0]
    return out


def attribute_strays(stray_seqs: IntArray, label_seqs: IntArray, how: IntArray) -> dict[str, int]:
    """Strays by cause, from every label's case number and how its case was reached (an index
    into :data:`REACHED_CODES`; -1 for NULL; past the end for anything else)."""
    rank = {cause: i for i, cause in enumerate(CAUSES)}
    cause_of_code = np.array(
        [rank[CAUSE_OF_REACHED.get(value, "after_skips")] for value in REACHED_CODES]
        + [rank["after_skips"]],
        dtype=np.int64,
    )
    codes = np.where(
        how < 0, rank["unrecorded"], cause_of_code[np.clip(how, 0, len(REACHED_CODES))]
    )
    # The most telling cause among each stray's labels; a stray without labels: a script.
    best = np.full(len(stray_seqs), rank["unrecorded"], dtype=np.int64)
    order = np.argsort(stray_seqs)
    sorted_strays = stray_seqs[order]
    where = np.searchsorted(sorted_strays, label_seqs)
    inside = where < len(sorted_strays)
    hit = np.zeros(len(label_seqs), dtype=bool)
    hit[inside] = sorted_strays[where[inside]] == label_seqs[inside]
    lowest = np.full(len(stray_seqs), len(CAUSES), dtype=np.int64)
    np.minimum.at(lowest, where[hit], codes[hit])
    best[order] = np.where(lowest < len(CAUSES), lowest, best[order])
    counts = np.bincount(best, minlength=len(CAUSES))
    return {cause: int(counts[i]) for i, cause in enumerate(CAUSES)}
