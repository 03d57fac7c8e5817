"""How the labeled cases of a scope sit in the store's random order: the result and its text.

The measuring is in :mod:`labeler.stats.sampling` (numpy); this module holds only what a
command prints, so that ``labeler progress`` can report a random-order prefix read from the
store's indexes (:func:`labeler.stats.walked_prefix.walked_prefix`) without importing numpy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from labeler.store.order_tallies import CAUSE_COLUMNS

__all__ = ["CAUSES", "CAUSE_TEXT", "Sampling"]

CAUSES: Final = CAUSE_COLUMNS
"""Why labeled cases lie beyond the random-order prefix, most telling first."""
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
            **self.brief_json(),
            "unplaced": self.unplaced,
            "strays_by_cause": {c: int(self.causes.get(c, 0)) for c in CAUSES},
            "labeled_when_drawn": self.labeled_when_drawn,
            "text": self.summary(),
        }
