"""Where the labeled cases lie in the random order, kept by block, so ``labeler progress`` need
not sort a million keys to say how far the labels are from a random-order prefix.

The key range of the order (:mod:`labeler.store.order`, keys in ``[0, 2^62)``) is cut into
1,024 blocks of equal width: block ``review_order >> 52`` (-1 for a case without a key). Keys
are drawn at random, so a store of a million cases has about 980 cases a block. (Fewer blocks
are fewer rows to read for every ``progress``; larger blocks, more cases to read in the one or
two blocks that hold the cut. At 4,096 blocks reading them took 3 ms on a million cases.)
SQLite triggers keep, for the **current** cases:

* ``cases.sampling_cause``: for a case with labels, why it would lie beyond the prefix if it
  did, as an index into :data:`labeler.stats.sampling_result.CAUSES` (the most telling
  ``labels.reached_by`` of its labels, :data:`CAUSE_OF_REACHED`); NULL for a case without labels.
  It is recomputed with the case's other kept counts (:mod:`labeler.store.tallies`);
* ``order_blocks``: a row per block: how many current cases it holds, how many of them have
  labels, and those by ``sampling_cause`` (a column per cause, :data:`CAUSE_COLUMNS`).
  ``SELECT * FROM order_blocks`` shows where the labels lie in the order.

From those, :mod:`labeler.stats.block_sampling` finds the best cut of the order by reading a
row per block and the cases of the few blocks that can hold it. :func:`count_problems` compares
the table with a recount (``labeler check``) and :func:`rebuild` refills it (``check
--recount``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Final, NamedTuple

from labeler.store.order import (
    REACHED_BEFORE_ORDER,
    REACHED_FROM_FILE,
    REACHED_IMPORT_ORDER,
    REACHED_JUMP,
)

__all__ = [
    "BLOCK_SHIFT",
    "CAUSE_COLUMNS",
    "CAUSE_OF_REACHED",
    "BlockTally",
    "cause_sql",
    "count_problems",
    "migration_statements",
    "read_block_causes",
    "read_block_flags",
    "read_blocks",
    "read_causes_after",
    "rebuild",
    "triggers",
]

BLOCK_SHIFT: Final = 52
"""A case's block is ``review_order >> BLOCK_SHIFT``: 1,024 blocks over keys below 2^62."""
NO_KEY: Final = -1
"""The block of the cases without a key."""
CAUSE_COLUMNS: Final = (
    "before_order",
    "file",
    "import_order",
    "jump",
    "unrecorded",
    "after_skips",
)
"""Why a labeled case lies beyond the random-order prefix, most telling first
(:data:`labeler.stats.sampling_result.CAUSES` is this): ``sampling_cause`` is an index into it,
and ``order_blocks`` has a column for each."""
CAUSE_OF_REACHED: Final = {
    REACHED_BEFORE_ORDER: "before_order",
    REACHED_FROM_FILE: "file",
    REACHED_IMPORT_ORDER: "import_order",
    REACHED_JUMP: "jump",
}
"""``labels.reached_by`` -> its cause. NULL is ``unrecorded``; any other value
(``random_order``, or something a script wrote) is ``after_skips``. A case's cause is the most
telling one among its labels."""
UNRECORDED: Final = CAUSE_COLUMNS.index("unrecorded")
AFTER_SKIPS: Final = CAUSE_COLUMNS.index("after_skips")

_RANK: Final = (
    f"CASE WHEN reached_by IS NULL THEN {UNRECORDED}"
    + "".join(
        f" WHEN reached_by = '{value}' THEN {CAUSE_COLUMNS.index(cause)}"
        for value, cause in CAUSE_OF_REACHED.items()
    )
    + f" ELSE {AFTER_SKIPS} END"
)


def cause_sql(case: str) -> str:
    """SQL for case ``case``'s ``sampling_cause`` from its labels (NULL with none)."""
    return f"(SELECT min({_RANK}) FROM labels WHERE case_seq = {case})"


_COUNTS: Final = ("cases", "labeled", *CAUSE_COLUMNS)
_BLOCK: Final = (
    "CASE WHEN {row}.review_order >= 0 THEN {row}.review_order >> "
    + str(BLOCK_SHIFT)
    + f" ELSE {NO_KEY} END"
)
"""A case's block; a case without a key, or with a negative one (by hand), is in block -1, as
the full measure counts it without a place (:func:`labeler.store.order.read_scope_texts`)."""


def _deltas(cause: str) -> list[str]:
    """What one current case with ``sampling_cause`` ``cause`` adds to each of :data:`_COUNTS`."""
    return ["1", f"{cause} IS NOT NULL", *(f"{cause} IS {i}" for i in range(len(CAUSE_COLUMNS)))]


def _tally(sign: str, row: str) -> str:
    """Case ``row`` (OLD or NEW) leaves (``-``) or joins (``+``) ``order_blocks`` if current."""
    block, deltas = _BLOCK.format(row=row), _deltas(f"{row}.sampling_cause")
    if sign == "+":
        added = ", ".join(f"{c} = {c} + excluded.{c}" for c in _COUNTS)
        return (
            f"INSERT INTO order_blocks (block, {', '.join(_COUNTS)})"
            f" SELECT {block}, {', '.join(deltas)} WHERE {row}.is_current = 1"
            f" ON CONFLICT (block) DO UPDATE SET {added};"
        )
    taken = ", ".join(f"{c} = {c} - ({d})" for c, d in zip(_COUNTS, deltas, strict=True))
    return f"UPDATE order_blocks SET {taken} WHERE block = {block} AND {row}.is_current = 1;"


def triggers() -> list[str]:
    """The triggers that keep ``order_blocks`` (``sampling_cause`` is kept with the counts of
    :mod:`labeler.store.tallies`)."""
    moved = " OR ".join(
        f"OLD.{column} IS NOT NEW.{column}"
        for column in ("is_current", "review_order", "sampling_cause")
    )
    return [
        f"CREATE TRIGGER order_tally_insert AFTER INSERT ON cases BEGIN\n{_tally('+', 'NEW')}\nEND",
        f"CREATE TRIGGER order_tally_delete AFTER DELETE ON cases BEGIN\n{_tally('-', 'OLD')}\nEND",
        "CREATE TRIGGER order_tally_update"
        " AFTER UPDATE OF is_current, review_order, sampling_cause ON cases"
        f" WHEN {moved} BEGIN\n{_tally('-', 'OLD')}\n{_tally('+', 'NEW')}\nEND",
    ]


def trigger_names() -> list[str]:
    return [statement.split()[2] for statement in triggers()]


_CREATE: Final = (
    "CREATE TABLE order_blocks (\n        block INTEGER PRIMARY KEY,\n"
    + ",\n".join(f"        {c} INTEGER NOT NULL" for c in _COUNTS)
    + "\n    )"
)
_SUMS: Final = "count(*), " + ", ".join(f"sum({d})" for d in _deltas("cause")[1:])
_FILL: Final = (
    f"INSERT INTO order_blocks (block, {', '.join(_COUNTS)})"
    f" SELECT block, {_SUMS} FROM (SELECT {_BLOCK.format(row='cases')} AS block,"
    " sampling_cause AS cause FROM cases WHERE is_current = 1) GROUP BY block"
)
"""``order_blocks`` filled from the cases' kept column (migration and rebuild)."""


def migration_statements() -> list[str]:
    """Schema migration 7: the column (for the cases with labels), the table, its triggers.
    The tally triggers of :mod:`labeler.store.tallies` are made again by the caller: they now
    keep ``sampling_cause`` too."""
    return [
        "ALTER TABLE cases ADD COLUMN sampling_cause INTEGER",
        f"UPDATE cases SET sampling_cause = {cause_sql('cases.seq')}"
        " WHERE seq IN (SELECT case_seq FROM labels)",
        _CREATE,
        _FILL,
        *triggers(),
    ]


class BlockTally(NamedTuple):
    """The current cases of one block of the order."""

    block: int
    cases: int
    labeled: int


def _ints(text: str | None) -> list[int]:
    return [int(x) for x in text.split(",")] if text else []


def read_blocks(conn: sqlite3.Connection) -> list[BlockTally]:
    """Every block that holds a current case, in order; the cases without a key first (block
    -1). One scan of a row per block, read as three strings (row tuples cost 3 ms here)."""
    blocks, cases, labeled = conn.execute(
        "SELECT group_concat(block), group_concat(cases), group_concat(labeled)"
        " FROM (SELECT block, cases, labeled FROM order_blocks WHERE cases <> 0 ORDER BY block)"
    ).fetchone()
    return [
        BlockTally(*row) for row in zip(_ints(blocks), _ints(cases), _ints(labeled), strict=True)
    ]


def _block_arms(block: int, label_counts: Sequence[int], column: str) -> tuple[str, list[int]]:
    """The current cases of ``block`` (not -1) with ``column``, one range of the ``cases_order``
    index for each of ``label_counts`` (every label count a current case has)."""
    low = block << BLOCK_SHIFT
    last = low + (1 << BLOCK_SHIFT) - 1  # the last block ends at 2^63 - 1
    arms = " UNION ALL ".join(
        f"SELECT review_order, seq, {column} AS v FROM cases WHERE is_current = 1"
        " AND label_count = ? AND review_order >= ? AND review_order <= ?"
        for _ in label_counts
    )
    return arms, [arg for count in label_counts for arg in (count, low, last)]


def read_block_flags(
    conn: sqlite3.Connection, block: int, label_counts: Sequence[int]
) -> list[bool]:
    """Whether each current case of ``block`` (not -1) has a label, in the queue's order (key,
    then case number): from the ``cases_order`` index alone. ``label_counts``: every label count
    a current case has (from the case tallies)."""
    if not label_counts:
        return []
    arms, args = _block_arms(block, label_counts, "label_count > 0")
    return [bool(row[0]) for row in conn.execute(f"SELECT v FROM ({arms} ORDER BY 1, 2)", args)]


def read_block_causes(
    conn: sqlite3.Connection, block: int, label_counts: Sequence[int], skip: int
) -> dict[int, int]:
    """The labeled current cases of ``block`` after its first ``skip`` cases (queue order), by
    ``sampling_cause``."""
    if not label_counts:
        return {}
    # The table row is read only for cases with labels (CASE stops before the column).
    arms, args = _block_arms(
        block, label_counts, "CASE WHEN label_count > 0 THEN sampling_cause END"
    )
    rows = conn.execute(
        f"SELECT v, count(*) FROM (SELECT v FROM ({arms} ORDER BY 1, 2) LIMIT -1 OFFSET ?)"
        " WHERE v IS NOT NULL GROUP BY v",
        [*args, skip],
    ).fetchall()
    return {int(cause): int(n) for cause, n in rows}


def read_causes_after(conn: sqlite3.Connection, block: int) -> dict[int, int]:
    """Labeled current cases by ``sampling_cause``, in the blocks after ``block`` and in
    none (no key)."""
    row = conn.execute(
        f"SELECT {', '.join(f'sum({c})' for c in CAUSE_COLUMNS)} FROM order_blocks"
        " WHERE block > ? OR block = ?",
        (block, NO_KEY),
    ).fetchone()
    return {cause: int(n) for cause, n in enumerate(row) if n}


_KEPT: Final = (
    f"SELECT block, {', '.join(_COUNTS)} FROM order_blocks"
    f" WHERE {' OR '.join(f'{c} <> 0' for c in _COUNTS)} ORDER BY block"
)
_RECOUNTED: Final = (
    f"SELECT block, {_SUMS} FROM (SELECT {_BLOCK.format(row='c')} AS block,"
    f" {cause_sql('c.seq')} AS cause FROM cases c WHERE c.is_current = 1)"
    " GROUP BY block ORDER BY block"
)


def count_problems(conn: sqlite3.Connection) -> list[str]:
    """Where ``order_blocks`` differs from a recount (empty when they agree). Its triggers
    (:func:`trigger_names`) and the cases' own ``sampling_cause`` are checked with the other
    kept counts (:func:`labeler.store.tallies.count_problems`)."""
    kept = [tuple(row) for row in conn.execute(_KEPT)]
    if kept != [tuple(row) for row in conn.execute(_RECOUNTED)]:
        return ["kept counts: order_blocks differs from a recount of the cases"]
    return []


def rebuild(conn: sqlite3.Connection) -> None:
    """Put back the triggers and refill ``order_blocks`` from the cases' kept column (the
    caller has just recomputed it), inside the caller's write transaction."""
    for name, statement in zip(trigger_names(), triggers(), strict=True):
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")
        conn.execute(statement)
    conn.execute("DELETE FROM order_blocks")
    conn.execute(_FILL)
