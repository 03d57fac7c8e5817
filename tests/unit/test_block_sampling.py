"""The best cut found from block counts (:func:`labeler.stats.block_sampling.best_cut`) is the
one the full measure finds (:func:`labeler.stats.sampling.measure`), on long orders cut into
blocks of every size, and it reads no block that cannot hold it.

The store-level comparison (kept tallies, causes, cases without a key) is in
``test_tallies.py``: after every step of its state machine and in its walks.
"""

from __future__ import annotations

import numpy as np
from hypothesis import event, given, settings
from hypothesis import strategies as st

from labeler.stats.block_sampling import best_cut
from labeler.stats.sampling import measure
from labeler.store.order_tallies import BlockTally


@st.composite
def orders(draw: st.DrawFn) -> tuple[list[bool], list[int]]:
    """Labeled flags in the order (a walked prefix with noise, or labeled at random), and the
    sizes of the blocks that cut it."""
    n = draw(st.integers(0, 400))
    shape = draw(st.sampled_from(["walked", "random", "half"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if shape == "walked":
        k = draw(st.integers(0, n))
        flags = [i < k for i in range(n)]
        for i in rng.choice(n, size=min(n, draw(st.integers(0, 6))), replace=False):
            flags[int(i)] = not flags[int(i)]  # holes and strays
    else:
        q = 0.5 if shape == "half" else draw(st.floats(0.0, 1.0))
        flags = [bool(x) for x in rng.random(n) < q]
    event(f"shape: {shape}")
    sizes: list[int] = []
    left = n
    while left:
        size = min(left, draw(st.integers(1, 60)))
        sizes.append(size)
        left -= size
    return flags, sizes


@settings(max_examples=300, deadline=None)
@given(plan=orders())
def test_the_cut_from_blocks_is_the_full_measures(plan: tuple[list[bool], list[int]]) -> None:
    flags, sizes = plan
    blocks: list[BlockTally] = []
    cases: list[list[bool]] = []
    start = 0
    for i, size in enumerate(sizes):
        part = flags[start : start + size]
        blocks.append(BlockTally(i, size, sum(part)))
        cases.append(part)
        start += size
    read: list[int] = []

    def reader(i: int) -> list[bool]:
        read.append(i)
        return cases[i]

    cut = best_cut(blocks, reader)
    n = len(flags)
    keys = np.arange(n, dtype=np.int64)
    full, _ = measure(keys, np.ones(n, dtype=bool), np.array(flags, dtype=bool))
    inside = (cut.value + cut.prefix) // 2
    assert (cut.prefix, cut.prefix - inside, sum(flags) - inside) == (
        full.prefix,
        full.holes,
        full.strays,
    )
    # Where it says the cut is.
    assert sum(sizes[: cut.block_index]) + cut.offset == cut.prefix
    assert len(read) == len(set(read))  # no block read twice
    event(f"blocks read: {min(len(read), 3)}{'+' if len(read) >= 3 else ''}")
    # The bound: a block is read only if it could hold a cut as good as the best boundary.
    for i in read:
        before = sum(2 * b.labeled - b.cases for b in blocks[:i])
        assert before + blocks[i].labeled >= max(
            0, *(sum(2 * b.labeled - b.cases for b in blocks[: j + 1]) for j in range(len(blocks)))
        )
