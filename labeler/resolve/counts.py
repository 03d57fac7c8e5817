"""The counts of a resolve session: every disagreement and its state, kept in memory.

One pass over the store (:func:`labeler.resolve.resolutions.read_tally`, about a second on a million
cases, in a worker) gives the disagreements of a filter and how each is resolved. From then on
the session answers "the next open disagreement", "the one before", "resolved N / M" and the
summary by method from memory (a binary search, no SQL), and keeps the tally current with its
own decisions. Decisions made elsewhere reach it when a case is checked before it is shown, or
with the next pass.

Memory: 8 bytes per disagreement for the case numbers, 8 per open one, 1 for the state; a
million disagreements take about 17 MB.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from typing import NamedTuple

from labeler.resolve.disagreements import ResolveProgress, ResolveSpec, confused_pairs
from labeler.resolve.resolutions import METHODS, OPEN, read_tally
from labeler.store.connection import Store

Pair = tuple[str, str, int]
"""A confused bucket pair and its number of cases (see ``confused_pairs``)."""


class DisagreementTally:
    """The disagreements of one filter: case numbers in order, each open or resolved by a method.

    Not thread-safe: build it anywhere, then use it from one thread.
    """

    def __init__(self, seqs: array[int], states: bytearray) -> None:
        """``seqs`` in increasing order; ``states[i]`` is 0 when open, else 1 + the index of
        the method in :data:`~labeler.resolve.resolutions.METHODS` (as ``read_tally`` returns
        them)."""
        if len(seqs) != len(states):
            raise ValueError("a tally needs one state per case")
        self._seqs = seqs
        self._states = states
        self._open: array[int] = array(
            "q", (s for s, st in zip(seqs, states, strict=True) if not st)
        )

    @property
    def total(self) -> int:
        """Disagreements in the filter, resolved or not."""
        return len(self._seqs)

    @property
    def open_count(self) -> int:
        """Disagreements without a resolution."""
        return len(self._open)

    def progress(self) -> ResolveProgress:
        """``resolved`` of ``total``, as :func:`labeler.resolve.disagreements.progress` counts
        them."""
        return ResolveProgress(resolved=self.total - self.open_count, total=self.total)

    def by_method(self) -> dict[str, int]:
        """Resolved disagreements by method, every method listed (as ``resolutions.summary``)."""
        return {method: self._states.count(index + 1) for index, method in enumerate(METHODS)}

    def _index(self, seq: int) -> int | None:
        i = bisect_left(self._seqs, seq)
        return i if i < len(self._seqs) and self._seqs[i] == seq else None

    def state(self, seq: int) -> str | None:
        """:data:`~labeler.resolve.resolutions.OPEN`, the method of the case's resolution, or
        None if
        the case is not one of these disagreements."""
        i = self._index(seq)
        if i is None:
            return None
        code = self._states[i]
        return OPEN if code == 0 else METHODS[code - 1]

    def record(self, seq: int, state: str) -> None:
        """The case is now ``state`` (OPEN or a method); a case not in the tally is ignored
        (the next pass over the store brings it if it became a disagreement)."""
        i = self._index(seq)
        if i is None:
            return
        code = 0 if state == OPEN else METHODS.index(state) + 1
        was_open = self._states[i] == 0
        self._states[i] = code
        if was_open and code:
            del self._open[bisect_left(self._open, seq)]
        elif not was_open and not code:
            self._open.insert(bisect_left(self._open, seq), seq)

    def forget(self, seq: int) -> None:
        """The case is no longer a disagreement of the filter (its labels changed)."""
        i = self._index(seq)
        if i is None:
            return
        if self._states[i] == 0:
            del self._open[bisect_left(self._open, seq)]
        del self._seqs[i]
        del self._states[i]

    def next_open(self, after: int) -> int | None:
        """The first open disagreement after case ``after`` (no wrap), or None."""
        i = bisect_right(self._open, after)
        return self._open[i] if i < len(self._open) else None

    def previous(self, before: int) -> int | None:
        """The last disagreement, resolved or not, before case ``before``, or None."""
        i = bisect_left(self._seqs, before)
        return self._seqs[i - 1] if i > 0 else None


class CountRequest(NamedTuple):
    """A count to run in a worker (:func:`count_disagreements`), and where the session was."""

    number: int
    spec: ResolveSpec
    base_spec: ResolveSpec
    mark: int
    """How many of the session's own changes existed when it was asked for."""


class Counted(NamedTuple):
    """What a count found: every disagreement and its state, and the most confused pairs."""

    tally: DisagreementTally
    pairs: list[Pair]


def count_disagreements(store: Store, request: CountRequest) -> Counted:
    """Run a count (a pass over the store: use a worker and a connection of its own)."""
    seqs, states = read_tally(store, request.spec)
    pairs = confused_pairs(store, request.base_spec, limit=10)
    return Counted(DisagreementTally(seqs, states), pairs)
