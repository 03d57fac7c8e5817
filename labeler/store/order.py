"""The store's random review order: a seeded shuffle of the cases, kept in ``cases.review_order``.

Every case has an integer key; the review queue walks the cases by ``(review_order, seq)``, the
same order for every reviewer, so any labeled prefix of it is a uniform random sample of the
cases (and of every slice: a prefix restricted to a slice is a prefix of the slice's order).

How the keys are drawn
----------------------
* The store keeps a seed (``settings['review_order.seed']``, 62 bits, drawn with SQLite's
  ``random()`` when the migration ran or the store was made).
* The key of case ``seq`` is ``mix(seed, seq)``: a 4-round Feistel network over two halves
  modulo the prime ``P = 2^31 - 1`` with a quadratic round function ``F_i(x) = (x + k_i)(a_i x +
  b_i) mod P`` (round keys ``k_i`` from the seed). A Feistel network is a bijection whatever its
  round function, so distinct cases get distinct keys in ``[0, P^2)`` (for ``seq < P``). It is
  written in plain SQL (:func:`mix_sql`), so the schema migration can draw the order of an old
  store without Python, and twinned in Python (:func:`mix`) for the tests.
* Cases imported later are placed at random among the cases **not yet reached**:
  ``key = base + mix(seed, seq) mod (KEY_LIMIT - base)`` where ``base`` is just after the last
  labeled case before the first unlabeled one (0 while nothing is labeled, so a store whose
  labeling has not started is reshuffled as a whole). The labeled prefix is never disturbed.
  When little room is left above ``base`` (a store labeled to the end, then imported into
  again, several times), the keys are first renumbered in order (``compact``), which changes no
  case's place.
* A new version of a case (``import --update``) keeps the place of the version it replaces: the
  sample stays the same cases, and the queue offers the new text where the old one was.

This module holds the order's SQL; the migration in :mod:`labeler.store.schema` uses
:func:`migration_statements`; the importer calls :func:`place_new_cases` inside its write
transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Final, NamedTuple

__all__ = [
    "KEY_LIMIT",
    "LABELED_WHEN_DRAWN_SETTING",
    "SEED_SETTING",
    "OrderPlaces",
    "P",
    "migration_statements",
    "mix",
    "mix_sql",
    "place_new_cases",
    "read_order_places",
    "read_seed",
    "round_keys",
    "set_seed",
]

P: Final = 2_147_483_647
"""The Mersenne prime 2^31 - 1: products of two numbers below it fit SQLite's 64-bit integers."""
KEY_LIMIT: Final = P * P
"""Keys are in ``[0, KEY_LIMIT)`` (just under 2^62)."""
SEED_LIMIT: Final = 1 << 62
SEED_SETTING: Final = "review_order.seed"
LABELED_WHEN_DRAWN_SETTING: Final = "review_order.labeled_when_drawn"
"""How many current cases had labels when the order was drawn (an old store, migrated)."""

# How a label's case was reached (``labels.reached_by``, set when the label is created). NULL:
# written by a path that does not say (a script, a test).
REACHED_BEFORE_ORDER: Final = "before_order"
"""Labeled before the store had a random order (set on every label by the migration)."""
REACHED_RANDOM_ORDER: Final = "random_order"
"""The review queue in the random order (the default)."""
REACHED_IMPORT_ORDER: Final = "import_order"
"""The review queue in import order (``review --order import``)."""
REACHED_JUMP: Final = "jump"
"""A case opened with ``g`` or ``/`` (a detour out of the queue's order)."""
REACHED_FROM_FILE: Final = "file"
"""``labeler import-labels``."""
REACHED_BY: Final = (
    REACHED_BEFORE_ORDER,
    REACHED_RANDOM_ORDER,
    REACHED_IMPORT_ORDER,
    REACHED_JUMP,
    REACHED_FROM_FILE,
)

ROUNDS: Final = 4
# Per round: (multiplier of the first seed half, of the second, constant) for the round key k_i,
# and (a_i, b_i) of the round function. Fixed odd constants below P, chosen arbitrarily.
_KEY_PARTS: Final = (
    (1_103_515_245, 1_664_525_911, 12_345),
    (2_017_176_091, 1_212_394_331, 907_633_385),
    (1_588_635_695, 1_977_727_843, 1_013_904_223),
    (1_426_492_157, 2_054_236_361, 362_436_069),
)
_ROUND_FN: Final = (
    (48_271, 1_772_362_681),
    (69_621, 1_029_170_293),
    (1_583_458_089, 521_288_629),
    (1_180_031_141, 88_675_123),
)

#: Room (keys) left above the reached point under which the keys are renumbered before placing
#: new cases, so that new keys rarely tie (ties are harmless: the order breaks them by ``seq``).
COMPACT_BELOW: Final = 1 << 50
COMPACT_STEP: Final = 1 << 20


def round_keys(seed: int) -> tuple[int, ...]:
    """The four round keys ``k_i`` derived from ``seed`` (0 <= seed < 2^62)."""
    s1, s2 = seed % P, (seed // P) % P
    return tuple((s1 * a % P + s2 * b % P + c) % P for a, b, c in _KEY_PARTS)


def mix(seed: int, seq: int) -> int:
    """The key of case ``seq`` under ``seed``: the Python twin of :func:`mix_sql`."""
    keys = round_keys(seed)
    left, right = 0, seq % P
    for k, (a, b) in zip(keys, _ROUND_FN, strict=True):
        f = ((right + k) % P) * ((right * a + b) % P) % P
        left, right = right, (left + f) % P
    return left * P + right


def _round_key_sql(seed_sql: str, index: int) -> str:
    a, b, c = _KEY_PARTS[index]
    return f"(({seed_sql}) % {P} * {a} % {P} + ({seed_sql}) / {P} % {P} * {b} % {P} + {c}) % {P}"


def _f_sql(x: str, k: str, index: int) -> str:
    a, b = _ROUND_FN[index]
    return f"((({x}) + {k}) % {P}) * ((({x}) * {a} + {b}) % {P}) % {P}"


def _two_rounds_sql(left: str, right: str, keys: tuple[str, ...], first: int) -> tuple[str, str]:
    after_one = f"(({left}) + {_f_sql(right, keys[first], first)}) % {P}"
    after_two = f"(({right}) + {_f_sql(after_one, keys[first + 1], first + 1)}) % {P}"
    return after_one, after_two


_NOT_FLATTENED: Final = " LIMIT -1 OFFSET 0"
_SEED_VALUE: Final = f"(SELECT CAST(value AS INTEGER) FROM settings WHERE key = '{SEED_SETTING}')"


def mix_sql(seq_sql: str, seed: int | None = None) -> str:
    """SQL for :func:`mix` of the integer expression ``seq_sql``, as a scalar subquery.

    With ``seed`` None the seed is read from the store's settings (the migration's form: it has
    no parameters); else the round keys are written in as numbers.

    Every product stays below 2^63, so SQLite never turns it into a float. SQLite does not
    share repeated subexpressions and a Feistel round uses its input twice: the four rounds
    written as one expression repeat the input 41 times (5 s for a million cases). Here each
    pair of rounds reads the columns of a subquery that is not flattened (``LIMIT -1 OFFSET
    0``): about 1.2 µs a case with the keys written in, 2.2 µs reading the seed (measured on
    an in-memory table of a million rows).
    """
    if seed is not None:
        keys = tuple(str(k) for k in round_keys(seed))
        left, right = _two_rounds_sql("0", f"({seq_sql}) % {P}", keys, 0)
        inner = f"SELECT {left} AS l, {right} AS r"
    else:
        keys = ("k0", "k1", "k2", "k3")
        columns = ", ".join(f"{_round_key_sql('s', i)} AS k{i}" for i in range(ROUNDS))
        start = f"SELECT 0 AS l, ({seq_sql}) % {P} AS r, {_SEED_VALUE} AS s{_NOT_FLATTENED}"
        with_keys = f"SELECT l, r, {columns} FROM ({start}){_NOT_FLATTENED}"
        left, right = _two_rounds_sql("l", "r", keys, 0)
        inner = f"SELECT {left} AS l, {right} AS r, k2, k3 FROM ({with_keys})"
    last_left, last_right = _two_rounds_sql("l", "r", keys, 2)
    return f"(SELECT ({last_left}) * {P} + ({last_right}) FROM ({inner}{_NOT_FLATTENED}))"


def migration_statements() -> list[str]:
    """The schema migration that adds the random order (plain SQL, no parameters).

    It draws the seed with SQLite's ``random()``, records how many cases were labeled at that
    moment, gives every case (old versions too) its key, and adds the queue's index.
    ``labels.reached_by`` records how each label's case was reached (see
    :mod:`labeler.stats.sampling`); labels given before the migration get "before_order" there.
    """
    return [
        "ALTER TABLE cases ADD COLUMN review_order INTEGER",
        "ALTER TABLE labels ADD COLUMN reached_by TEXT",
        "ALTER TABLE labels ADD COLUMN case_order INTEGER",
        f"INSERT OR REPLACE INTO settings (key, value) VALUES ('{SEED_SETTING}',"
        f" CAST((random() & {SEED_LIMIT - 1}) AS TEXT))",
        f"INSERT OR REPLACE INTO settings (key, value) SELECT '{LABELED_WHEN_DRAWN_SETTING}',"
        " CAST(count(*) AS TEXT) FROM cases WHERE is_current = 1 AND label_count > 0",
        f"UPDATE cases SET review_order = {mix_sql('cases.seq')}",
        "UPDATE labels SET case_order ="
        " (SELECT review_order FROM cases WHERE seq = labels.case_seq),"
        f" reached_by = '{REACHED_BEFORE_ORDER}'",
        "CREATE INDEX cases_order ON cases(is_current, label_count, review_order)",
        "CREATE INDEX labels_order ON labels(reviewer, case_order, case_seq)",
        # A label keeps its case's key beside it, so that a reviewer's labels can be walked in
        # the order (the queue's merge); writers that do not set it get it here.
        """CREATE TRIGGER labels_order_insert AFTER INSERT ON labels
        WHEN NEW.case_order IS NULL BEGIN
            UPDATE labels SET case_order = (SELECT review_order FROM cases WHERE seq = NEW.case_seq)
            WHERE case_seq = NEW.case_seq AND reviewer = NEW.reviewer;
        END""",
        """CREATE TRIGGER cases_order_change AFTER UPDATE OF review_order ON cases
        WHEN NEW.label_count > 0 BEGIN
            UPDATE labels SET case_order = NEW.review_order WHERE case_seq = NEW.seq;
        END""",
    ]


def read_seed(conn: sqlite3.Connection) -> int:
    """The store's seed (0 when the setting is missing or damaged)."""
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (SEED_SETTING,)).fetchone()
    try:
        seed = int(row[0]) if row else 0
    except (TypeError, ValueError):
        seed = 0
    return seed if 0 <= seed < SEED_LIMIT else seed % SEED_LIMIT


def _placement_base(conn: sqlite3.Connection) -> int:
    """Where not-yet-reached cases start: just after the last labeled case before the first
    unlabeled one (0 when nothing is labeled; after the last case when everything is).

    Index seeks only (``cases_order``): one per label count.
    """
    top = conn.execute("SELECT max(label_count) FROM cases WHERE is_current = 1").fetchone()[0]
    if not top:
        return 0
    first_open = conn.execute(
        "SELECT min(review_order) FROM cases WHERE is_current = 1 AND label_count = 0"
        " AND review_order IS NOT NULL"
    ).fetchone()[0]
    last_labeled: int | None = None
    for count in range(1, int(top) + 1):
        sql = "SELECT max(review_order) FROM cases WHERE is_current = 1 AND label_count = ?" + (
            "" if first_open is None else " AND review_order < ?"
        )
        args = (count,) if first_open is None else (count, first_open)
        value = conn.execute(sql, args).fetchone()[0]
        if value is not None and (last_labeled is None or value > last_labeled):
            last_labeled = int(value)
    return 0 if last_labeled is None else last_labeled + 1


def _compact(conn: sqlite3.Connection) -> None:
    """Renumber the keys ``STEP, 2 STEP, ...`` in their order (no case moves). Old versions
    too: a new version takes the key of the version it replaces."""
    seqs = [
        int(r[0])
        for r in conn.execute(
            "SELECT seq FROM cases WHERE review_order IS NOT NULL ORDER BY review_order, seq"
        )
    ]
    conn.executemany(
        "UPDATE cases SET review_order = ? WHERE seq = ?",
        ((COMPACT_STEP * (rank + 1), seq) for rank, seq in enumerate(seqs)),
    )


def has_unplaced(conn: sqlite3.Connection) -> bool:
    """Whether some current unlabeled case has no key yet (one index seek, no write)."""
    row = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM cases WHERE is_current = 1 AND label_count = 0"
        " AND review_order IS NULL)"
    ).fetchone()
    return bool(row[0])


def place_new_cases(conn: sqlite3.Connection) -> int:
    """Give every current unlabeled case without a key its place; returns how many got one.

    Call it inside the write transaction that inserted them (the importer does). A new version
    takes the place of the version it replaces; other cases go at random among the cases not
    yet reached. One index seek when there is nothing to place.
    """
    waiting = conn.execute(
        "SELECT count(*) FROM cases WHERE is_current = 1 AND label_count = 0"
        " AND review_order IS NULL"
    ).fetchone()[0]
    if not waiting:
        return 0
    base = _placement_base(conn)  # before the new versions take their places (holes)
    if KEY_LIMIT - base < COMPACT_BELOW:
        _compact(conn)
        base = _placement_base(conn)
    conn.execute(
        "UPDATE cases SET review_order = (SELECT o.review_order FROM cases o"
        " WHERE o.case_id = cases.case_id AND o.version = cases.version - 1)"
        " WHERE is_current = 1 AND label_count = 0 AND review_order IS NULL AND version > 1"
    )
    seed = read_seed(conn)
    conn.execute(
        f"UPDATE cases SET review_order = ? + ({mix_sql('cases.seq', seed)}) % ?"
        " WHERE is_current = 1 AND label_count = 0 AND review_order IS NULL",
        (base, KEY_LIMIT - base),
    )
    return int(waiting)


def set_seed(conn: sqlite3.Connection, seed: int) -> None:
    """Replace the seed and draw every case's key again from it (all cases, as at the
    migration). For stores whose labeling has not started, e.g. the demo store, made with a
    fixed seed so that its order is the same on every machine."""
    if not 0 <= seed < SEED_LIMIT:
        raise ValueError(f"the seed must be in [0, 2^62), got {seed}")
    conn.execute(
        "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (SEED_SETTING, str(seed))
    )
    conn.execute(f"UPDATE cases SET review_order = {mix_sql('cases.seq', seed)}")


def read_key_texts(conn: sqlite3.Connection) -> tuple[str | None, str | None]:
    """The current cases' numbers and keys (-1: no key yet) as two comma-separated strings in
    the same order (one scan; ``numpy.fromstring`` reads them much faster than row tuples)."""
    row = conn.execute(
        "SELECT group_concat(seq, ','), group_concat(coalesce(review_order, -1), ',')"
        " FROM cases WHERE is_current = 1"
    ).fetchone()
    return row[0], row[1]


def read_labeled_when_drawn(conn: sqlite3.Connection) -> int:
    """Cases that had labels when the order was drawn (0 for a store made with the order)."""
    row = conn.execute(
        "SELECT value FROM settings WHERE key = ?", (LABELED_WHEN_DRAWN_SETTING,)
    ).fetchone()
    try:
        return int(row[0]) if row else 0
    except (TypeError, ValueError):
        return 0


def read_reached_texts(
    conn: sqlite3.Connection, values: Sequence[str]
) -> tuple[str | None, str | None]:
    """Every label's case number and how it was reached, as two comma-separated strings in one
    order (one scan of the labels, no sort): ``reached_by`` as its index in ``values``, -1 for
    NULL, ``len(values)`` for anything else."""
    whens = "".join(f" WHEN reached_by = ? THEN {i}" for i in range(len(values)))
    code = f"CASE WHEN reached_by IS NULL THEN -1{whens} ELSE {len(values)} END"
    row = conn.execute(
        f"SELECT group_concat(case_seq, ','), group_concat({code}, ',') FROM labels",
        list(values),
    ).fetchone()
    return row[0], row[1]


def position(conn: sqlite3.Connection, seq: int) -> tuple[int, int]:
    """Where case ``seq`` is in the random order: ``(key, seq)``; ``(-1, seq)`` for no key (or
    no such case, e.g. the cursor 0: before every case)."""
    row = conn.execute("SELECT review_order FROM cases WHERE seq = ?", (seq,)).fetchone()
    key = -1 if row is None or row[0] is None else int(row[0])
    return key, seq


def open_page(
    conn: sqlite3.Connection,
    reviewer: str,
    overlap: int,
    after_seq: int,
    limit: int,
    condition: str = "",
    params: Sequence[object] = (),
) -> list[int]:
    """The next ``limit`` current cases after ``after_seq`` in the random order (0: from the
    start) with fewer than ``overlap`` labels and none from ``reviewer``.

    Two index-only walks merged in ``(key, seq)`` order and stopped at ``limit``: the open cases
    in ``cases_order`` (one walk per label count below the overlap) ``EXCEPT`` this reviewer's
    labels in ``labels_order`` (each label keeps its case's key). Testing each open case for a
    label of this reviewer instead (``NOT EXISTS``, a random probe each) took 2.2 s for the first
    page of a reviewer with 250,000 labels of their own on a 1M-case store; the merge, 3 ms.
    ``condition`` (``AND ...`` on ``c``) filters slices. Cases without a key are not in this
    order (:func:`place_new_cases` gives them one).
    """
    key, seq = position(conn, after_seq) if after_seq else (-1, 0)
    arms = " UNION ALL ".join(
        "SELECT c.review_order, c.seq FROM cases c WHERE c.is_current = 1 AND c.label_count = ?"
        " AND c.review_order >= ? AND (c.review_order > ? OR c.seq > ?)" + condition
        for _ in range(overlap)
    )
    args = [arg for count in range(overlap) for arg in (count, key, key, seq, *params)]
    sql = (
        arms + " EXCEPT SELECT l.case_order, l.case_seq FROM labels l"
        " WHERE l.reviewer = ? AND l.case_order >= ? ORDER BY 1, 2 LIMIT ?"
    )
    return [int(r[1]) for r in conn.execute(sql, [*args, reviewer, key, limit])]


class OrderPlaces(NamedTuple):
    """Where the current cases stand in the order, as far as ``cases_order`` tells at once."""

    unplaced: int
    """Current cases without a key."""
    labeled_unplaced: int
    """Of those, cases with a label."""
    labeled_first: bool
    """Every labeled case with a key comes before every unlabeled case with a key, in
    ``(key, seq)`` order: the labeled cases with a key are a prefix of the order."""


def read_order_places(conn: sqlite3.Connection, label_counts: Sequence[int]) -> OrderPlaces:
    """:class:`OrderPlaces` of the current cases, whose label counts are ``label_counts`` (each
    value that occurs; e.g. from :mod:`labeler.store.tallies`).

    Index seeks only (``cases_order`` ends with ``review_order`` and, implicitly, ``seq``): for
    each label count, its cases without a key are counted (NULL keys come first) and its last
    (labeled) or first (unlabeled) case in the order is read. A store of a million cases
    answers in well under a millisecond when few cases lack a key.
    """
    unplaced = labeled_unplaced = 0
    last_labeled: tuple[int, int] | None = None
    first_open: tuple[int, int] | None = None
    for count in sorted(set(label_counts)):
        missing = conn.execute(
            "SELECT count(*) FROM cases WHERE is_current = 1 AND label_count = ?"
            " AND review_order IS NULL",
            (count,),
        ).fetchone()[0]
        unplaced += int(missing)
        direction = "DESC" if count else "ASC"
        row = conn.execute(
            "SELECT review_order, seq FROM cases WHERE is_current = 1 AND label_count = ?"
            f" AND review_order IS NOT NULL ORDER BY review_order {direction}, seq {direction}"
            " LIMIT 1",
            (count,),
        ).fetchone()
        if count:
            labeled_unplaced += int(missing)
            if row is not None:
                place = (int(row[0]), int(row[1]))
                last_labeled = place if last_labeled is None else max(last_labeled, place)
        elif row is not None:
            first_open = (int(row[0]), int(row[1]))
    labeled_first = last_labeled is None or first_open is None or last_labeled < first_open
    return OrderPlaces(unplaced, labeled_unplaced, labeled_first)


def read_scope_texts(
    conn: sqlite3.Connection, condition: str = "", params: Sequence[object] = ()
) -> tuple[str | None, str | None, str | None]:
    """For the current cases matching ``condition`` (``AND ...`` on ``c``): numbers, keys (-1:
    none) and whether each has a label (1/0), as three comma-separated strings in one order."""
    row = conn.execute(
        "SELECT group_concat(c.seq, ','), group_concat(coalesce(c.review_order, -1), ','),"
        " group_concat(c.label_count > 0, ',') FROM cases c WHERE c.is_current = 1" + condition,
        list(params),
    ).fetchone()
    return row[0], row[1], row[2]
