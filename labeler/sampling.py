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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from labeler.store.order import (
    REACHED_BEFORE_ORDER,
    REACHED_FROM_FILE,
    REACHED_IMPORT_ORDER,
    REACHED_JUMP,
)

__all__ = ["CAUSES", "Sampling", "attribute_strays", "measure", "measure_groups"]

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

CAUSES: Final = ("before_order", "file", "import_order", "jump", "unrecorded", "after_skips")
"""Why labeled cases lie beyond the random-order prefix, most telling first."""
_CAUSE_OF_REACHED: Final = {
    None: "unrecorded",
    REACHED_BEFORE_ORDER: "before_order",
    REACHED_FROM_FILE: "file",
    REACHED_IMPORT_ORDER: "import_order",
    REACHED_JUMP: "jump",
}
CAUSE_TEXT: Final = {
    "before_order": "labeled before the store had a random order",
    "file": "labels imported from a file",
    "import_order": "labeled with review --order import",
    "jump": "labeled after a g or / jump",
    "unrecorded": "labeled by a tool that does not say how",
    "after_skips": "labeled after cases that are still unlabeled",
}


@dataclass(frozen=True)
class Sampling:
    """How the labeled cases of a scope sit in the store's random order."""

    cases: int
    """Current cases in the scope."""
    labeled: int
    """Of those, cases with a label or a resolution (what rates are counted on)."""
    prefix: int
    """Cases in the random-order prefix that best matches the labeled cases."""
    holes: int
    """Unlabeled cases inside that prefix."""
    strays: int
    """Labeled cases after it."""
    unplaced: int = 0
    """Cases without a place in the order (not written by ``labeler import``); labeled ones
    count as strays."""
    causes: Mapping[str, int] = field(default_factory=dict)
    """Strays by cause (:data:`CAUSES`), when they were looked up."""
    labeled_when_drawn: int = 0
    """Cases that were labeled when the store's order was drawn (a store migrated then)."""

    @property
    def random_prefix(self) -> bool:
        """True when the labeled cases are exactly a prefix of the random order."""
        return self.holes == 0 and self.strays == 0

    def summary(self) -> str:
        """One line: ``sampling: random order, 412 of 9,870 cases labeled`` or a loud NOT."""
        counted = f"{self.labeled:,} of {self.cases:,} cases labeled"
        if self.random_prefix:
            return f"sampling: random order, {counted}"
        return f"sampling: NOT A RANDOM-ORDER PREFIX, {counted}"

    def details(self) -> list[str]:
        """Why it is not a prefix, and what that means (empty when it is one)."""
        if self.random_prefix:
            return []
        lines: list[str] = []
        if self.strays:
            why = ", ".join(
                f"{self.causes[c]:,} {CAUSE_TEXT[c]}" for c in CAUSES if self.causes.get(c)
            )
            lines.append(
                f"{self.strays:,} labeled case(s) lie beyond the first {self.prefix:,} of the "
                "random order" + (f" ({why})" if why else "")
            )
        if self.holes:
            lines.append(
                f"{self.holes:,} case(s) among the first {self.prefix:,} of the random order are "
                "unlabeled (skipped, or a new version): label them"
            )
        lines.append(
            "rates and intervals assume the labeled cases are a random sample of the cases; "
            "these are not"
        )
        return lines

    def brief_json(self) -> dict[str, Any]:
        """The counts only (for each slice of ``--by``)."""
        return {
            "random_prefix": self.random_prefix,
            "cases": self.cases,
            "labeled": self.labeled,
            "prefix": self.prefix,
            "holes": self.holes,
            "strays": self.strays,
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "order": "random",
            "random_prefix": self.random_prefix,
            "cases": self.cases,
            "labeled": self.labeled,
            "prefix": self.prefix,
            "holes": self.holes,
            "strays": self.strays,
            "unplaced": self.unplaced,
            "strays_by_cause": {c: int(self.causes.get(c, 0)) for c in CAUSES},
            "labeled_when_drawn": self.labeled_when_drawn,
            "text": self.summary(),
        }


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


def measure(keys: IntArray, placed: BoolArray, labeled: BoolArray) -> tuple[Sampling, IntArray]:
    """The sampling of one scope and the indices (into the inputs) of its stray cases.

    ``keys`` are the cases' order keys (any value where ``placed`` is False), ``labeled``
    whether each case counts as reviewed. Cases are ordered by key, then by position.
    """
    index = np.flatnonzero(placed)
    order = index[np.argsort(keys[index], kind="stable")]
    flags = labeled[order]
    prefix, holes, strays = _cut(flags)
    stray_index = order[prefix:][flags[prefix:]]
    loose = np.flatnonzero(~placed & labeled)
    result = Sampling(
        cases=len(keys),
        labeled=int(labeled.sum()),
        prefix=prefix,
        holes=holes,
        strays=strays + len(loose),
        unplaced=int((~placed).sum()),
    )
    return result, np.concatenate([stray_index, loose]).astype(np.int64)


def measure_groups(
    keys: IntArray, placed: BoolArray, labeled: BoolArray, groups: Sequence[str]
) -> dict[str, Sampling]:
    """:func:`measure` within each value of ``groups`` (one per case), by value, sorted."""
    values = np.asarray(groups, dtype=object)
    out: dict[str, Sampling] = {}
    for value in sorted(set(groups)):
        mask = values == value
        out[value] = measure(keys[mask], placed[mask], labeled[mask])[0]
    return out


def attribute_strays(
    stray_seqs: IntArray, reached: Sequence[tuple[int, str | None]]
) -> dict[str, int]:
    """Strays by cause, from ``(case number, reached_by)`` of every label."""
    strays = set(stray_seqs.tolist())
    rank = {cause: i for i, cause in enumerate(CAUSES)}
    best: dict[int, int] = {}
    for seq, how in reached:
        if seq not in strays:
            continue
        cause = rank[_CAUSE_OF_REACHED.get(how, "after_skips")]
        if seq not in best or cause < best[seq]:
            best[seq] = cause
    counts = dict.fromkeys(CAUSES, 0)
    for seq in strays:  # no label at all: a resolution written by a script
        counts[CAUSES[best.get(seq, rank["unrecorded"])]] += 1
    return counts
