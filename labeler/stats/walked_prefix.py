"""The sampling line of a store whose labeled cases are a random-order prefix, read at once.

Reviewers who walk the queue label the store's random order from its start, so their labeled
cases are a prefix of it: the case :mod:`labeler.stats.sampling` measures by sorting every case's
key (0.6 s and numpy on a million cases). Whether the labeled cases are exactly a prefix can be
read instead from the kept counts (:mod:`labeler.store.tallies`) and a few index seeks
(:func:`labeler.store.order.read_order_places`): then nothing is left to measure. When they are
not a prefix, :func:`walked_prefix` says so with None and the caller measures the holes and
strays the usual way (:func:`labeler.stats.compute.slice_sampling`).

This module is part of the pure core, and imports no numpy.
"""

from __future__ import annotations

import sqlite3

from labeler.stats.sampling_result import Sampling
from labeler.store.order import read_labeled_when_drawn, read_order_places
from labeler.store.tallies import CaseTally, read_case_tallies


def walked_prefix(
    conn: sqlite3.Connection, tallies: list[CaseTally] | None = None
) -> Sampling | None:
    """The whole store's sampling when its labeled cases are exactly a prefix of the random
    order; None when they are not. ``tallies``: the case tallies, when the caller read them
    in the same snapshot."""
    if tallies is None:
        tallies = read_case_tallies(conn)
    cases = sum(t.cases for t in tallies)
    labeled = sum(t.cases for t in tallies if t.label_count > 0)
    places = read_order_places(conn, [t.label_count for t in tallies])
    if places.labeled_unplaced or not places.labeled_first:
        return None
    return Sampling(
        cases=cases,
        labeled=labeled,
        prefix=labeled,
        holes=0,
        strays=0,
        unplaced=places.unplaced,
        labeled_when_drawn=read_labeled_when_drawn(conn),
    )
