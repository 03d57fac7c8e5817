"""labeler.stats.sampling: the labeled cases against the random order (pure numpy, no store)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from labeler.stats.sampling import (
    CAUSES,
    REACHED_CODES,
    Sampling,
    attribute_strays,
    key_order,
    measure,
    measure_groups,
)


def _flags(text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Keys 0..n-1 in order, all placed; ``x`` labeled, ``.`` not."""
    labeled = np.array([c == "x" for c in text], dtype=bool)
    keys = np.arange(len(text), dtype=np.int64)
    return keys, np.ones(len(text), dtype=bool), labeled


@pytest.mark.parametrize(
    ("pattern", "prefix", "holes", "strays"),
    [
        ("", 0, 0, 0),
        ("....", 0, 0, 0),
        ("xxxx", 4, 0, 0),
        ("xxx.....", 3, 0, 0),
        ("xx.xx....", 5, 1, 0),  # one skipped case: a hole
        ("xxxx......x...", 4, 0, 1),  # one case labeled far ahead: a stray
        ("x.x.x.x.x.", 9, 4, 0),  # ties: the longest best prefix
        (".....xxxxx", 10, 5, 0),  # a tie: the longer prefix, whose holes can be labeled
    ],
)
def test_the_best_cut(pattern: str, prefix: int, holes: int, strays: int) -> None:
    result, stray_index = measure(*_flags(pattern))
    assert (result.prefix, result.holes, result.strays) == (prefix, holes, strays)
    assert len(stray_index) == strays
    assert result.random_prefix == (holes == 0 and strays == 0)


@given(st.lists(st.booleans(), max_size=60))
def test_the_cut_is_the_fewest_changes(labeled: list[bool]) -> None:
    flags = np.array(labeled, dtype=bool)
    n = len(flags)
    result, _ = measure(np.arange(n, dtype=np.int64), np.ones(n, dtype=bool), flags)
    brute = min(int((~flags[:c]).sum()) + int(flags[c:].sum()) for c in range(n + 1))
    assert result.holes + result.strays == brute
    assert result.labeled == int(flags.sum())
    assert result.prefix - result.holes + result.strays == result.labeled


def test_order_is_by_key_not_by_position() -> None:
    keys = np.array([50, 10, 40, 20, 30], dtype=np.int64)
    labeled = np.array([False, True, False, True, False])
    result, _ = measure(keys, np.ones(5, dtype=bool), labeled)
    assert result.random_prefix and result.prefix == 2


def test_a_labeled_case_without_a_key_is_a_stray() -> None:
    keys = np.array([0, 1, -1, 2], dtype=np.int64)
    placed = keys >= 0
    labeled = np.array([True, False, True, False])
    result, strays = measure(keys, placed, labeled)
    assert (result.unplaced, result.strays) == (1, 1)
    assert strays.tolist() == [2]


def test_groups_are_measured_apart() -> None:
    keys = np.arange(6, dtype=np.int64)
    labeled = np.array([True, True, True, False, False, True])
    groups = ["a", "b", "a", "b", "a", "b"]
    out = measure_groups(keys, np.ones(6, dtype=bool), labeled, groups)
    assert out["a"].random_prefix  # a: x x .
    assert not out["b"].random_prefix  # b: x . x


def test_causes_take_the_most_telling_label_of_a_case() -> None:
    reached = [
        (1, "before_order"),
        (1, None),
        (1, "random_order"),
        (2, "jump"),
        (2, "random_order"),
        (3, "file"),
        (4, "import_order"),
        (4, "jump"),
        (5, "random_order"),
        (7, None),
        (9, "jump"),  # not a stray
    ]
    seqs = np.array([seq for seq, _ in reached], dtype=np.int64)
    codes = np.array(
        [-1 if how is None else REACHED_CODES.index(how) for _, how in reached], dtype=np.int64
    )
    counts = attribute_strays(np.array([7, 6, 5, 4, 3, 2, 1]), seqs, codes)
    assert counts == {
        "before_order": 1,
        "file": 1,
        "import_order": 1,
        "jump": 1,
        "unrecorded": 2,  # 7, and 6 with no label (a resolution only)
        "after_skips": 1,  # 5 by the queue
    }
    assert tuple(counts) == CAUSES


def test_the_words() -> None:
    good = Sampling(cases=9870, labeled=412, prefix=412, holes=0, strays=0)
    assert good.summary() == "sampling: random order, 412 of 9,870 cases labeled"
    assert good.details() == []
    bad = Sampling(
        cases=9870, labeled=412, prefix=380, holes=3, strays=35,
        causes={"before_order": 30, "jump": 5},
    )  # fmt: skip
    assert bad.summary() == "sampling: NOT A RANDOM-ORDER PREFIX, 412 of 9,870 cases labeled"
    details = " ".join(bad.details())
    assert "35 labeled case(s) lie beyond the first 380" in details
    assert "30 labeled before the store had a random order" in details
    assert "5 labeled after a g or / jump" in details
    assert "3 case(s) among the first 380" in details
    assert bad.to_json()["strays_by_cause"]["jump"] == 5


@given(
    st.lists(st.tuples(st.integers(0, 3), st.integers(-1, 40)), min_size=0, max_size=80),
    st.randoms(use_true_random=False),
)
def test_the_fast_walk_is_the_sorted_walk(rows: list[tuple[int, int]], rng: object) -> None:
    """stats reads the keys in index order (runs sorted by key, one per label count) and merges
    them; ties (rare: keys are 62 bits) fall back to sorting by key, then case number."""
    from random import Random

    from labeler.stats.compute import _walk_order

    assert isinstance(rng, Random)
    n = len(rows)
    seqs = np.array(rng.sample(range(1, 10 * n + 2), n), dtype=np.int64)
    counts = np.array([r[0] for r in rows], dtype=np.int64)
    keys_by_row = np.array([r[1] for r in rows], dtype=np.int64)
    raw = np.lexsort((seqs, keys_by_row, counts))  # the index: label count, key, seq
    raw_seqs, raw_keys = seqs[raw], keys_by_row[raw]
    by_seq = np.argsort(raw_seqs, kind="stable")
    keys = raw_keys[by_seq]
    got = _walk_order(raw_keys, by_seq, keys)
    assert got.tolist() == key_order(keys, keys >= 0).tolist()
    labeled = np.array([r[0] > 0 for r in rows], dtype=bool)[raw][by_seq]
    groups = [str(k % 3) for k in keys.tolist()]
    slow = measure_groups(keys, keys >= 0, labeled, groups)
    assert measure_groups(keys, keys >= 0, labeled, groups, got) == slow
