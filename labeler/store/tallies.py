"""Counts kept as labels are written, so that ``labeler progress`` reads them instead of counting.

On a store of a million cases, counting each reviewer's labels, their disagreements and the
queue left means reading every label and every case (about 2 s). Instead, SQLite triggers keep:

* on each case, ``cases.bucket_count`` (how many different buckets its labels name) and
  ``cases.resolved`` (1 when it has a resolution, unclear included), beside the
  ``label_count`` the store always kept;
* ``case_tallies``: how many **current** cases have each ``(label_count, bucket_count,
  resolved)``;
* ``reviewer_tallies``: how many labels each reviewer has on current cases with each
  ``(label_count, bucket_count, resolved)``.

From those, with ``overlap`` chosen when reading: a reviewer's labels, the part of them on
cases below the overlap, their open and resolved disagreements (``bucket_count > 1``), and the
cases still below the overlap, each a sum over a few rows.

How the triggers keep them (one rule): when a label or a resolution of case X is written, the
case's labels *as they were* leave the tally of X's stored counts, X's counts are recomputed
from its labels and resolution, and its labels *as they are* join the tally of the new counts.
Recomputing (rather than adding one) keeps the counts right whatever the statement was. A case
that stops or starts being current (``import --update``) leaves or joins both tallies. The
triggers fire for every writer: labeler, ``sqlite3`` by hand, a script. Every statement is
plain SQL (no CTE: SQLite does not allow them in triggers).

The tables are small (a row per count seen, per reviewer) and readable: ``SELECT * FROM
reviewer_tallies`` shows each reviewer's labels by how far their cases have come.
:func:`recount` computes the same numbers from scratch; :func:`count_problems` compares the two
(``labeler check``), and :func:`rebuild` recomputes the kept ones (``labeler check --recount``,
after someone wrote with the triggers dropped).
"""

from __future__ import annotations

import sqlite3
from typing import Final, NamedTuple

from labeler.store import order_tallies
from labeler.store.order_tallies import cause_sql

__all__ = [
    "CaseTally",
    "ReviewerTally",
    "count_problems",
    "migration_statements",
    "read_case_tallies",
    "read_reviewer_tallies",
    "rebuild",
    "recount",
]

_KEY: Final = "label_count, bucket_count, resolved"


def _leave(case: str, reviewers: str) -> str:
    """The labels of ``reviewers`` (a SELECT of names) leave case ``case``'s stored tally."""
    return (
        "UPDATE reviewer_tallies SET labels = labels - 1"
        f" WHERE ({_KEY}) = (SELECT {_KEY} FROM cases WHERE seq = {case} AND is_current = 1)"
        f" AND reviewer IN ({reviewers});"
    )


_RECOUNT: Final = (
    "label_count = (SELECT count(*) FROM labels WHERE case_seq = {case}),"
    " bucket_count = (SELECT count(DISTINCT bucket) FROM labels WHERE case_seq = {case}),"
    " resolved = EXISTS (SELECT 1 FROM resolutions WHERE case_seq = {case})"
)
"""A case's kept counts, from its labels and resolution (``{case}``: the case number), as
schema 5 kept them; :data:`_RECOUNT_CAUSE` adds the ``sampling_cause`` of schema 7."""
_RECOUNT_CAUSE: Final = _RECOUNT + ", sampling_cause = " + cause_sql("{case}")
_TOUCHED: Final = "SELECT case_seq FROM labels UNION SELECT case_seq FROM resolutions"
"""The cases whose kept counts can differ from a case with nothing on it."""
_COUNTED: Final = (
    "SELECT c.seq, c.case_id, c.is_current, c.label_count, c.bucket_count, c.resolved,"
    " (SELECT count(*) FROM labels WHERE case_seq = c.seq) AS n,"
    " (SELECT count(DISTINCT bucket) FROM labels WHERE case_seq = c.seq) AS b,"
    " EXISTS (SELECT 1 FROM resolutions WHERE case_seq = c.seq) AS r,"
    f" c.sampling_cause, {cause_sql('c.seq')} AS k FROM cases c"
)
"""Every case with its kept counts and the counts recomputed (``n``, ``b``, ``r``, ``k``)."""
_FILL_REVIEWER_TALLIES: Final = (
    f"INSERT INTO reviewer_tallies (reviewer, {_KEY}, labels)"
    " SELECT l.reviewer, c.label_count, c.bucket_count, c.resolved, count(*)"
    " FROM labels l JOIN cases c ON c.seq = l.case_seq WHERE c.is_current = 1"
    " GROUP BY l.reviewer, c.label_count, c.bucket_count, c.resolved"
)
"""``reviewer_tallies`` filled from the cases' kept columns (migration and rebuild)."""


def _recount_case(case: str, cause: bool) -> str:
    """Case ``case``'s counts, recomputed (fires ``cases_tally_update`` when they change);
    ``cause``: with its ``sampling_cause`` (schema 7 on)."""
    recount = _RECOUNT_CAUSE if cause else _RECOUNT
    return f"UPDATE cases SET {recount.format(case=case)} WHERE seq = {case};"


def _join(case: str) -> str:
    """Every label of case ``case`` joins the tally of its (new) stored counts."""
    return (
        f"INSERT INTO reviewer_tallies (reviewer, {_KEY}, labels)"
        " SELECT l.reviewer, c.label_count, c.bucket_count, c.resolved, 1"
        " FROM labels l JOIN cases c ON c.seq = l.case_seq"
        f" WHERE l.case_seq = {case} AND c.is_current = 1"
        f" ON CONFLICT (reviewer, {_KEY}) DO UPDATE SET labels = labels + 1;"
    )


def _refresh(case: str, reviewers_before: str, cause: bool) -> str:
    """The whole rule for one case whose labels were ``reviewers_before`` until this change."""
    return _leave(case, reviewers_before) + "\n" + _recount_case(case, cause) + "\n" + _join(case)


def _labels_of(
    case: str,
    *,
    but: str | None = None,
    plus: str | None = None,
    replaced: tuple[str, int] | None = None,
) -> str:
    """The reviewers whose labels were on ``case`` before the change: its labels now, ``but``
    one, ``plus`` one.

    ``replaced=(reviewer, k)``: that reviewer too when a label of theirs was replaced by the
    change (``INSERT OR REPLACE``, ``UPDATE OR REPLACE``: SQLite deletes the old row without
    firing the delete trigger, unless ``recursive_triggers`` is on). It shows in the counts:
    the case's stored label count is then ``k`` more than its labels now.
    """
    sql = f"SELECT reviewer FROM labels WHERE case_seq = {case}"
    if but is not None:
        sql += f" AND reviewer <> {but}"
    if plus is not None:
        sql += f" UNION SELECT {plus}"
    if replaced is not None:
        reviewer, k = replaced
        sql += (
            f" UNION SELECT {reviewer} WHERE (SELECT label_count FROM cases WHERE seq = {case})"
            f" = (SELECT count(*) FROM labels WHERE case_seq = {case}) + {k}"
        )
    return sql


def _trigger(name: str, when: str, body: str) -> str:
    return f"CREATE TRIGGER {name} {when} BEGIN\n{body}\nEND"


def _case_tally(sign: str, row: str) -> str:
    """``row`` (OLD or NEW) leaves (``-``) or joins (``+``) ``case_tallies`` if current."""
    if sign == "+":
        return (
            f"INSERT INTO case_tallies ({_KEY}, cases)"
            f" SELECT {row}.label_count, {row}.bucket_count, {row}.resolved, 1"
            f" WHERE {row}.is_current = 1"
            f" ON CONFLICT ({_KEY}) DO UPDATE SET cases = cases + 1;"
        )
    return (
        "UPDATE case_tallies SET cases = cases - 1"
        f" WHERE ({_KEY}) = ({row}.label_count, {row}.bucket_count, {row}.resolved)"
        f" AND {row}.is_current = 1;"
    )


def _reviewers_of_case(sign: str, row: str) -> str:
    """Every label of case ``row`` leaves or joins ``reviewer_tallies`` at ``row``'s counts."""
    if sign == "+":
        return (
            f"INSERT INTO reviewer_tallies (reviewer, {_KEY}, labels)"
            f" SELECT reviewer, {row}.label_count, {row}.bucket_count, {row}.resolved, 1"
            f" FROM labels WHERE case_seq = {row}.seq AND {row}.is_current = 1"
            f" ON CONFLICT (reviewer, {_KEY}) DO UPDATE SET labels = labels + 1;"
        )
    return (
        "UPDATE reviewer_tallies SET labels = labels - 1"
        f" WHERE ({_KEY}) = ({row}.label_count, {row}.bucket_count, {row}.resolved)"
        f" AND {row}.is_current = 1"
        f" AND reviewer IN (SELECT reviewer FROM labels WHERE case_seq = {row}.seq);"
    )


def triggers(cause: bool = True) -> list[str]:
    """The triggers that keep the counts (see the module's docstring); ``cause=False``: as
    schema 5 made them, without ``sampling_cause``."""
    same_case = "OLD.case_seq = NEW.case_seq"

    def refresh(case: str, reviewers_before: str) -> str:
        return _refresh(case, reviewers_before, cause)

    return [
        # Labels: the case's stored counts are recomputed around every change.
        _trigger(
            "labels_tally_insert",
            "AFTER INSERT ON labels",
            refresh(
                "NEW.case_seq",
                _labels_of("NEW.case_seq", but="NEW.reviewer", replaced=("NEW.reviewer", 0)),
            ),
        ),
        _trigger(
            "labels_tally_delete",
            "AFTER DELETE ON labels",
            refresh("OLD.case_seq", _labels_of("OLD.case_seq", plus="OLD.reviewer")),
        ),
        _trigger(
            "labels_tally_update",
            f"AFTER UPDATE OF case_seq, reviewer, bucket ON labels WHEN {same_case}"
            " AND (OLD.reviewer IS NOT NEW.reviewer OR OLD.bucket IS NOT NEW.bucket)",
            refresh(
                "NEW.case_seq",
                _labels_of(
                    "NEW.case_seq",
                    but="NEW.reviewer",
                    plus="OLD.reviewer",
                    replaced=("NEW.reviewer", 1),
                ),
            ),
        ),
        # A label moved to another case (by hand): it left one case and joined another.
        _trigger(
            "labels_tally_move",
            f"AFTER UPDATE OF case_seq ON labels WHEN NOT ({same_case})",
            refresh("OLD.case_seq", _labels_of("OLD.case_seq", plus="OLD.reviewer"))
            + "\n"
            + refresh(
                "NEW.case_seq",
                _labels_of("NEW.case_seq", but="NEW.reviewer", replaced=("NEW.reviewer", 0)),
            ),
        ),
        # Resolutions: the case's labels are the same before and after.
        _trigger(
            "resolutions_tally_insert",
            "AFTER INSERT ON resolutions",
            refresh("NEW.case_seq", _labels_of("NEW.case_seq")),
        ),
        _trigger(
            "resolutions_tally_delete",
            "AFTER DELETE ON resolutions",
            refresh("OLD.case_seq", _labels_of("OLD.case_seq")),
        ),
        _trigger(
            "resolutions_tally_move",
            "AFTER UPDATE OF case_seq ON resolutions WHEN OLD.case_seq IS NOT NEW.case_seq",
            refresh("OLD.case_seq", _labels_of("OLD.case_seq"))
            + "\n"
            + refresh("NEW.case_seq", _labels_of("NEW.case_seq")),
        ),
        # Cases: the case tally follows the stored counts; the reviewers' labels follow a case
        # that stops or starts being current (their counts moved with the label triggers).
        _trigger(
            "cases_tally_insert",
            "AFTER INSERT ON cases",
            _case_tally("+", "NEW") + "\n" + _reviewers_of_case("+", "NEW"),
        ),
        _trigger(
            "cases_tally_delete",
            "AFTER DELETE ON cases",
            _case_tally("-", "OLD") + "\n" + _reviewers_of_case("-", "OLD"),
        ),
        _trigger(
            "cases_tally_update",
            "AFTER UPDATE OF is_current, label_count, bucket_count, resolved ON cases"
            " WHEN OLD.is_current IS NOT NEW.is_current"
            " OR OLD.label_count IS NOT NEW.label_count"
            " OR OLD.bucket_count IS NOT NEW.bucket_count"
            " OR OLD.resolved IS NOT NEW.resolved",
            _case_tally("-", "OLD") + "\n" + _case_tally("+", "NEW"),
        ),
        _trigger(
            "cases_tally_current",
            "AFTER UPDATE OF is_current ON cases WHEN OLD.is_current IS NOT NEW.is_current",
            _reviewers_of_case("-", "OLD") + "\n" + _reviewers_of_case("+", "NEW"),
        ),
    ]


def migration_statements() -> list[str]:
    """Schema migration 5: the columns, the two tables filled from the store, the triggers.

    The store's own ``labels_count_*`` triggers go: ``label_count`` is now recomputed by the
    tally triggers (the same number, also right after a label is moved by hand).
    """
    return [
        "ALTER TABLE cases ADD COLUMN bucket_count INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE cases ADD COLUMN resolved INTEGER NOT NULL DEFAULT 0",
        "DROP TRIGGER IF EXISTS labels_count_insert",
        "DROP TRIGGER IF EXISTS labels_count_delete",
        # Only cases with labels or a resolution can differ from the defaults (and a case
        # whose labels were moved away by hand can have kept a label count).
        "UPDATE cases SET label_count = 0 WHERE is_current IN (0, 1) AND label_count > 0"
        " AND seq NOT IN (SELECT case_seq FROM labels)",
        f"UPDATE cases SET {_RECOUNT.format(case='cases.seq')} WHERE seq IN ({_TOUCHED})",
        f"""CREATE TABLE case_tallies (
        label_count INTEGER NOT NULL,
        bucket_count INTEGER NOT NULL,
        resolved INTEGER NOT NULL,
        cases INTEGER NOT NULL,
        PRIMARY KEY ({_KEY})
    ) WITHOUT ROWID""",
        f"""CREATE TABLE reviewer_tallies (
        reviewer TEXT NOT NULL,
        label_count INTEGER NOT NULL,
        bucket_count INTEGER NOT NULL,
        resolved INTEGER NOT NULL,
        labels INTEGER NOT NULL,
        PRIMARY KEY (reviewer, {_KEY})
    ) WITHOUT ROWID""",
        # Counted without reading every case row (22 s on a million cases): the cases with
        # labels or a resolution, then the others from the queue's index.
        f"INSERT INTO case_tallies ({_KEY}, cases) SELECT {_KEY}, count(*) FROM cases"
        f" WHERE is_current = 1 AND seq IN ({_TOUCHED}) GROUP BY {_KEY}",
        f"INSERT INTO case_tallies ({_KEY}, cases) SELECT 0, 0, 0, count(*)"
        " - (SELECT coalesce(sum(cases), 0) FROM case_tallies WHERE label_count = 0)"
        " FROM cases WHERE is_current = 1 AND label_count = 0",
        _FILL_REVIEWER_TALLIES,
        *triggers(cause=False),
    ]


def cause_migration_statements() -> list[str]:
    """Schema migration 7: ``sampling_cause`` and ``order_blocks``
    (:mod:`labeler.store.order_tallies`), and the tally triggers made again to keep it."""
    return [
        *order_tallies.migration_statements(),
        *(f"DROP TRIGGER IF EXISTS {name}" for name in _trigger_names()),
        *triggers(),
    ]


class CaseTally(NamedTuple):
    """Current cases with these counts."""

    label_count: int
    bucket_count: int
    resolved: bool
    cases: int


class ReviewerTally(NamedTuple):
    """A reviewer's labels on current cases with these counts."""

    reviewer: str
    label_count: int
    bucket_count: int
    resolved: bool
    labels: int


def read_case_tallies(conn: sqlite3.Connection) -> list[CaseTally]:
    """The kept case tally (rows with no case left out)."""
    rows = conn.execute(
        f"SELECT {_KEY}, cases FROM case_tallies WHERE cases <> 0 ORDER BY {_KEY}"
    ).fetchall()
    return [CaseTally(int(a), int(b), bool(c), int(n)) for a, b, c, n in rows]


def read_reviewer_tallies(conn: sqlite3.Connection) -> list[ReviewerTally]:
    """The kept reviewer tally (rows with no label left out)."""
    rows = conn.execute(
        f"SELECT reviewer, {_KEY}, labels FROM reviewer_tallies WHERE labels <> 0"
        f" ORDER BY reviewer, {_KEY}"
    ).fetchall()
    return [ReviewerTally(str(r), int(a), int(b), bool(c), int(n)) for r, a, b, c, n in rows]


def recount(conn: sqlite3.Connection) -> tuple[list[CaseTally], list[ReviewerTally]]:
    """Both tallies counted from scratch from the labels and resolutions (not from the kept
    columns): what the kept tables must hold."""
    counts = _COUNTED
    cases = conn.execute(
        f"SELECT n, b, r, count(*) FROM ({counts}) WHERE is_current = 1"
        " GROUP BY n, b, r ORDER BY n, b, r"
    ).fetchall()
    reviewers = conn.execute(
        f"SELECT l.reviewer, k.n, k.b, k.r, count(*) FROM ({counts}) k"
        " JOIN labels l ON l.case_seq = k.seq WHERE k.is_current = 1"
        " GROUP BY l.reviewer, k.n, k.b, k.r ORDER BY l.reviewer, k.n, k.b, k.r"
    ).fetchall()
    return (
        [CaseTally(int(a), int(b), bool(c), int(n)) for a, b, c, n in cases],
        [ReviewerTally(str(r), int(a), int(b), bool(c), int(n)) for r, a, b, c, n in reviewers],
    )


_STALE: Final = (
    " WHERE label_count <> n OR bucket_count <> b OR resolved <> r OR sampling_cause IS NOT k"
)
"""Of :data:`_COUNTED`'s rows, the cases whose kept counts are wrong."""


def _trigger_names() -> list[str]:
    """The names of :func:`triggers`, in order."""
    return [statement.split()[2] for statement in triggers()]


def count_problems(conn: sqlite3.Connection, shown: int = 5) -> list[str]:
    """Where the kept counts differ from the labels and resolutions (empty when they agree):
    the first ``shown`` cases whose own counts are wrong, and each tally that differs from a
    recount. Reads every case and label: a few seconds on a million cases."""
    problems: list[str] = []
    present = {
        str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    }
    expected = [*_trigger_names(), *order_tallies.trigger_names()]
    missing = [name for name in expected if name not in present]
    if missing:
        problems.append(f"kept counts: trigger(s) missing: {', '.join(missing)}")
    stale = conn.execute(
        "SELECT case_id, label_count, n, bucket_count, b, resolved, r, sampling_cause, k"
        f" FROM ({_COUNTED}){_STALE} ORDER BY seq"
    ).fetchall()
    for case_id, kept_n, n, kept_b, b, kept_r, r, kept_k, k in stale[:shown]:
        problems.append(
            f"kept counts: case {case_id!r} has label_count {kept_n}, bucket_count {kept_b},"
            f" resolved {kept_r}, sampling_cause {_shown(kept_k)}; its labels and resolution"
            f" give {n}, {b}, {r}, {_shown(k)}"
        )
    if len(stale) > shown:
        problems.append(f"kept counts: {len(stale) - shown:,} more case(s) like these")
    case_tallies, reviewer_tallies = recount(conn)
    if read_case_tallies(conn) != case_tallies:
        problems.append("kept counts: case_tallies differs from a recount of the cases")
    if read_reviewer_tallies(conn) != reviewer_tallies:
        problems.append("kept counts: reviewer_tallies differs from a recount of the labels")
    return problems + order_tallies.count_problems(conn)


def _shown(cause: object) -> str:
    return "NULL" if cause is None else str(cause)


def rebuild(conn: sqlite3.Connection) -> int:
    """Put back any missing trigger, and recompute every case's kept counts and both tallies
    from the labels and resolutions (inside the caller's write transaction); returns how many
    cases had wrong counts."""
    for name, statement in zip(_trigger_names(), triggers(), strict=True):
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")
        conn.execute(statement)
    wrong = conn.execute(
        f"UPDATE cases SET {_RECOUNT_CAUSE.format(case='cases.seq')}"
        f" WHERE seq IN (SELECT seq FROM ({_COUNTED}){_STALE})"
    ).rowcount
    conn.execute("DELETE FROM case_tallies")
    conn.execute("DELETE FROM reviewer_tallies")
    conn.execute(
        f"INSERT INTO case_tallies ({_KEY}, cases) SELECT {_KEY}, count(*) FROM cases"
        f" WHERE is_current = 1 GROUP BY {_KEY}"
    )
    conn.execute(_FILL_REVIEWER_TALLIES)
    order_tallies.rebuild(conn)
    return wrong
