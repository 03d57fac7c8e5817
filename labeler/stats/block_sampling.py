"""The whole store's sampling line from the order's kept block tallies, without sorting every key.

:mod:`labeler.stats.sampling` finds the best cut of the random order by sorting every current
case's key: 0.5 s and numpy on a million cases. The same cut can be found from the per-block
counts that :mod:`labeler.store.order_tallies` keeps, reading the cases of only the blocks that
can hold it.

Walk the order and count ``+1`` for a labeled case, ``-1`` for an unlabeled one. After ``P``
cases the running total is ``f(P) = labeled - unlabeled = 2 * inside(P) - P``, and the cut that
makes the fewest changes (``holes + strays = P - 2 * inside(P) + labeled``) is the ``P`` with
the largest ``f``, the longest one among ties, as in :func:`labeler.stats.sampling._cut`.

* At block boundaries ``f`` is a sum of the kept counts: the best boundary is a lower bound.
* Inside block ``b`` (``n`` cases, ``k`` labeled) ``f`` is at most ``f(start of b) + k``.

Only the blocks whose bound beats the best value found so far are read, best bound first, and
each one read can raise that value. A store labeled by walking the queue, or at random, reads
a block or two. Strays are then counted by cause from the kept tallies of the blocks after the
cut, plus the cases after the cut inside its block.

This module is part of the pure core, and imports no numpy.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import NamedTuple

from labeler.stats.sampling_result import CAUSES, Sampling
from labeler.store.order import read_labeled_when_drawn
from labeler.store.order_tallies import (
    NO_KEY,
    BlockTally,
    read_block_causes,
    read_block_flags,
    read_blocks,
    read_causes_after,
)

__all__ = ["best_cut", "block_sampling"]


class Cut(NamedTuple):
    """Where the best cut is: after ``prefix`` placed cases, ``offset`` of them in block
    ``blocks[block_index]`` (``offset`` 0: at that block's start; ``block_index`` may then be
    ``len(blocks)``: after the last block)."""

    value: int
    """``f(prefix)``."""
    prefix: int
    block_index: int
    offset: int


def best_cut(blocks: Sequence[BlockTally], reader: Callable[[int], list[bool]]) -> Cut:
    """The best cut of the placed blocks (in order). ``reader(i)`` says whether each case of
    ``blocks[i]`` has a label, in the queue's order."""
    starts: list[int] = []  # f at each block's start
    places: list[int] = []  # cases before each block
    value = prefix = 0
    best = Cut(0, 0, 0, 0)
    for i, b in enumerate(blocks):
        starts.append(value)
        places.append(prefix)
        value += 2 * b.labeled - b.cases
        prefix += b.cases
        if value >= best.value:
            best = Cut(value, prefix, i + 1, 0)
    # A block can hold a better cut, or an equal one further on, than the best boundary.
    bounds = sorted(
        (
            (starts[i] + b.labeled, i)
            for i, b in enumerate(blocks)
            if b.labeled and b.cases > 1 and starts[i] + b.labeled >= best.value
        ),
        reverse=True,
    )
    for bound, i in bounds:
        last_inside = places[i] + blocks[i].cases - 1
        if bound < best.value or (bound == best.value and last_inside <= best.prefix):
            continue
        running = starts[i]
        for offset, labeled in enumerate(reader(i)[:-1], start=1):
            running += 1 if labeled else -1
            place = places[i] + offset
            if running > best.value or (running == best.value and place > best.prefix):
                best = Cut(running, place, i, offset)
    return best


def block_sampling(conn: sqlite3.Connection, label_counts: Sequence[int]) -> Sampling:
    """The whole store's :class:`Sampling`, causes included (as
    :func:`labeler.stats.compute.slice_sampling` gives it). ``label_counts``: every label count
    a current case has (from the case tallies)."""
    every = read_blocks(conn)
    unplaced = next((b for b in every if b.block == NO_KEY), BlockTally(NO_KEY, 0, 0))
    placed = [b for b in every if b.block != NO_KEY]
    cut = best_cut(placed, lambda i: read_block_flags(conn, placed[i].block, label_counts))
    labeled_placed = sum(b.labeled for b in placed)
    inside = (cut.value + cut.prefix) // 2
    strays = labeled_placed - inside + unplaced.labeled
    causes: dict[str, int] = {}
    if strays:
        # The cases after the cut: the blocks after its block, and the rest of its block.
        after = cut.block_index if cut.offset else cut.block_index - 1
        last = placed[after].block if 0 <= after < len(placed) else NO_KEY
        by_rank = read_causes_after(conn, last)
        if cut.offset:
            inside_block = read_block_causes(
                conn, placed[cut.block_index].block, label_counts, cut.offset
            )
            for rank, n in inside_block.items():
                by_rank[rank] = by_rank.get(rank, 0) + n
        causes = {cause: by_rank.get(rank, 0) for rank, cause in enumerate(CAUSES)}
    return Sampling(
        cases=sum(b.cases for b in every),
        labeled=labeled_placed + unplaced.labeled,
        prefix=cut.prefix,
        holes=cut.prefix - inside,
        strays=strays,
        unplaced=unplaced.cases,
        causes=causes,
        labeled_when_drawn=read_labeled_when_drawn(conn),
    )
