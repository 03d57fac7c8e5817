"""The counts kept by triggers (schema 5, :mod:`labeler.store.tallies`) equal a count from scratch.

* a state machine applies random writes to a small store, through labeler (labels, undos,
  resolutions, ``import --update``, a taxonomy merge) and by hand through a plain ``sqlite3``
  connection (several rows a statement, renames, labels and resolutions moved to other cases,
  cases retired and restored, statements that fail on a constraint), and after each step
  compares the kept tallies and the kept ``cases`` columns with :func:`recount`;
* a store of schema version 4 (labels, resolutions, old case versions; a label moved by hand,
  which left its first case counting it) migrates to kept counts equal to a recount;
* :func:`labeler.stats.walked_prefix.walked_prefix` (the sampling read from indexes) is None or
  the full numpy measure, and is not None whenever the labeled cases are exactly a prefix of
  the random order; ``compute_progress`` reports what the counting queries count; keys tied
  by hand are taken in the queue's order (by case number) by both measures;
* ``INSERT OR REPLACE`` / ``UPDATE OR REPLACE`` by hand: SQLite deletes the replaced row
  without firing delete triggers (unless ``PRAGMA recursive_triggers``).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from labeler.identity import Actor
from labeler.importing import import_files
from labeler.labels import delete_label, get_label, set_label
from labeler.resolve.resolutions import (
    delete_resolution,
    method_for,
    resolve,
    undo_resolution,
)
from labeler.review.progress import compute_progress
from labeler.stats.block_sampling import block_sampling
from labeler.stats.compute import slice_sampling
from labeler.stats.sampling_result import Sampling
from labeler.stats.walked_prefix import walked_prefix
from labeler.store import Store, create_store, open_store
from labeler.store.disagreements import read_case_labels
from labeler.store.order_tallies import BLOCK_SHIFT
from labeler.store.progress_queries import (
    open_case_count,
    reviewer_disagreements,
    reviewer_label_counts,
)
from labeler.store.resolutions import read_resolution
from labeler.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from labeler.store.tallies import (
    count_problems,
    migration_statements,
    read_case_tallies,
    read_reviewer_tallies,
    recount,
)
from labeler.taxonomy import Taxonomy, read_taxonomy, replace_taxonomy

REVIEWERS = ("alice", "bob", "carol")
RENAMED = "dave"
"""A name only hand edits give (a reviewer renamed, labels inserted by a script)."""
HAND_NAMES = (*REVIEWERS, RENAMED)
BUCKETS = ("wrong_intent", "too_slow", "broken_format", "other")
"""Default buckets the tests label with (a merge takes one of them away)."""
IMPORTER = Actor(name="importer", account="importer", on_trust=True)
LEAD = Actor(name="lead", account="lead", on_trust=True)
MAX_CASES = 8
TALLIES_VERSION = MIGRATIONS.index(migration_statements()) + 1
"""The schema version that added the kept counts (5)."""
BEFORE_TALLIES = TALLIES_VERSION - 1


def _actor(name: str) -> Actor:
    return Actor(name=name, account=name, on_trust=True)


def _write_cases(path: Path, ids: Sequence[str], answer: str) -> None:
    with path.open("w", encoding="utf-8") as f:
        for case_id in ids:
            record = {"id": case_id, "input": f"Question {case_id}?", "output": f"{answer}."}
            f.write(json.dumps(record) + "\n")


def _import(store: Store, folder: Path, ids: Sequence[str], answer: str, *, update: bool) -> None:
    source = folder / "cases.jsonl"
    _write_cases(source, ids, answer)
    result = import_files(store, [source], IMPORTER, update=update)
    assert result.ok, result.describe_problems()


def _marks(n: int) -> str:
    return ", ".join("?" * n)


# --- the check made after every step ----------------------------------------------------------


def check_kept_counts(conn: sqlite3.Connection) -> None:
    """The kept tallies and the kept columns of every case equal a count from scratch."""
    cases, reviewers = recount(conn)
    assert read_case_tallies(conn) == cases
    assert read_reviewer_tallies(conn) == reviewers
    wrong = conn.execute(
        "SELECT seq, label_count, bucket_count, resolved, n, b, r FROM (SELECT c.*,"
        " (SELECT count(*) FROM labels WHERE case_seq = c.seq) AS n,"
        " (SELECT count(DISTINCT bucket) FROM labels WHERE case_seq = c.seq) AS b,"
        " EXISTS (SELECT 1 FROM resolutions WHERE case_seq = c.seq) AS r FROM cases c)"
        " WHERE label_count IS NOT n OR bucket_count IS NOT b OR resolved IS NOT r"
    ).fetchall()
    assert [tuple(row) for row in wrong] == []
    assert count_problems(conn) == []  # what labeler check reports: nothing here
    negative = conn.execute(
        "SELECT (SELECT count(*) FROM case_tallies WHERE cases < 0)"
        " + (SELECT count(*) FROM reviewer_tallies WHERE labels < 0)"
        " + (SELECT count(*) FROM order_blocks WHERE min(cases, labeled, unrecorded, jump) < 0)"
    ).fetchone()[0]
    assert negative == 0


def check_store(store: Store) -> None:
    with store.snapshot() as conn:
        check_kept_counts(conn)
        fast = walked_prefix(conn)
        counts = sorted({t.label_count for t in read_case_tallies(conn)})
        by_blocks = block_sampling(conn, counts)
    full = slice_sampling(store, ())
    assert by_blocks == full
    if fast is not None:
        assert fast == full
        assert fast.causes == {}


def check_progress(store: Store, overlap: int, sampling: Sampling) -> None:
    """``compute_progress`` (kept counts, sampling from the index when it can) reports what the
    counting queries count, and the full measure's sampling."""
    report = compute_progress(store, (), overlap)
    assert report.sampling == sampling
    counts = reviewer_label_counts(store, (), overlap)
    split = reviewer_disagreements(store, ())
    still = open_case_count(store, (), overlap)
    got = {
        r.reviewer: (
            r.labels,
            r.full_overlap,
            r.left_in_queue,
            r.disagreements_open,
            r.disagreements_resolved,
        )
        for r in report.reviewers
    }
    want = {
        name: (labels, full, still - below, *split.get(name, (0, 0)))
        for name, (labels, full, below) in counts.items()
    }
    assert got == want
    assert [r.reviewer for r in report.reviewers] == sorted(want)


# --- 1. random writes, by labeler and by hand ---------------------------------------------------

index = st.integers(0, 63)
"""An index into whatever list a rule picks from (taken modulo its length)."""


class TallyMachine(RuleBasedStateMachine):
    """A small store written by labeler and by hand; the kept counts checked after each step."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="tallies-"))
        self.path = self.folder / "s.db"
        self.store = create_store(self.path, IMPORTER)
        # The store is meant to be edited with sqlite3: a second, plain connection.
        self.raw = sqlite3.connect(self.path, isolation_level=None, timeout=10)
        self.raw.execute("PRAGMA foreign_keys = ON")
        self.pool = list(BUCKETS)
        self.next_id = 1
        self.answers = 0

    def teardown(self) -> None:
        self.raw.close()
        self.store.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    # helpers

    def _seqs(self, *, current_only: bool = False) -> list[int]:
        where = " WHERE is_current = 1" if current_only else ""
        return [int(r[0]) for r in self.raw.execute(f"SELECT seq FROM cases{where} ORDER BY seq")]

    def _pick(self, i: int, *, current_only: bool = False) -> int:
        seqs = self._seqs(current_only=current_only) or self._seqs()
        return seqs[i % len(seqs)]

    def _picks(self, picks: Sequence[int]) -> list[int]:
        return sorted({self._pick(i) for i in picks})

    def _bucket(self, i: int) -> str:
        return self.pool[i % len(self.pool)]

    def _raw(self, sql: str, params: Sequence[object] = (), *, may_fail: bool = False) -> None:
        """One statement by hand; with ``may_fail`` a constraint may refuse it (then SQLite
        undoes the whole statement, trigger writes included)."""
        try:
            self.raw.execute(sql, list(params))
        except sqlite3.IntegrityError:
            if not may_fail:
                raise

    def _new_ids(self, n: int) -> list[str]:
        ids = [f"case-{self.next_id + k:02d}" for k in range(n)]
        self.next_id += n
        return ids

    # labeler's own writes

    @initialize(n=st.integers(1, 6))
    def import_cases(self, n: int) -> None:
        _import(self.store, self.folder, self._new_ids(n), "An answer", update=False)

    @rule(case=index, who=st.integers(0, 2), bucket=index, old=st.booleans())
    def label(self, case: int, who: int, bucket: int, old: bool) -> None:
        seq = self._pick(case, current_only=not old)
        actor = _actor(REVIEWERS[who])
        current = get_label(self.store, seq, actor.name)
        set_label(
            self.store,
            seq,
            actor,
            self._bucket(bucket),
            expected_version=None if current is None else current.version,
        )

    @rule(case=index, who=st.integers(0, 2))
    def undo_label(self, case: int, who: int) -> None:
        seq = self._pick(case)
        actor = _actor(REVIEWERS[who])
        current = get_label(self.store, seq, actor.name)
        if current is not None:
            delete_label(self.store, seq, actor, expected_version=current.version)

    @rule(case=index, bucket=index, unclear=st.booleans())
    def resolve_case(self, case: int, bucket: int, unclear: bool) -> None:
        seq = self._pick(case)
        with self.store.snapshot() as conn:
            labels = read_case_labels(conn, seq)
            current = read_resolution(conn, seq)
        chosen = None if unclear else self._bucket(bucket)
        resolve(
            self.store,
            seq,
            LEAD,
            bucket=chosen,
            method=method_for(labels, chosen),
            reason=None,
            expected_version=None if current is None else current.version,
        )

    @rule(case=index, undo=st.booleans())
    def unresolve(self, case: int, undo: bool) -> None:
        seq = self._pick(case)
        with self.store.snapshot() as conn:
            current = read_resolution(conn, seq)
        if current is None:
            return
        if undo:
            undo_resolution(self.store, seq, LEAD, None, current.version)
        else:
            delete_resolution(self.store, seq, LEAD, expected_version=current.version)

    @rule(cases=st.lists(index, min_size=1, max_size=3), new=st.integers(0, 2))
    def import_update(self, cases: list[int], new: int) -> None:
        """``import --update``: new versions of some current cases (their labels stay on the
        old version), and maybe new cases."""
        current = {
            str(r[0]): int(r[1])
            for r in self.raw.execute("SELECT case_id, seq FROM cases WHERE is_current = 1")
        }
        ids = sorted(current)
        chosen = sorted({ids[i % len(ids)] for i in cases}) if ids else []
        total = int(self.raw.execute("SELECT count(*) FROM cases").fetchone()[0])
        room = max(0, MAX_CASES + 4 - total - len(chosen))
        chosen += self._new_ids(min(new, room))
        if not chosen:
            return
        self.answers += 1
        _import(self.store, self.folder, chosen, f"Answer {self.answers}", update=True)

    @precondition(lambda self: len(self.pool) > 2)
    @rule(old=index, new=index)
    def merge_buckets(self, old: int, new: int) -> None:
        """A taxonomy without bucket OLD, its labels and resolutions merged into NEW."""
        gone = self._bucket(old)
        kept = [b for b in self.pool if b != gone]
        into = kept[new % len(kept)]
        taxonomy = read_taxonomy(self.store)
        smaller = Taxonomy(bucket=[b for b in taxonomy.bucket if b.key != gone])
        replace_taxonomy(self.store, smaller, LEAD, {gone: into})
        self.pool = kept

    # by hand, through sqlite3

    @rule(cases=st.lists(index, min_size=1, max_size=4), bucket=index, by_reviewer=index)
    def hand_set_bucket(self, cases: list[int], bucket: int, by_reviewer: int) -> None:
        if by_reviewer % 3 == 0:
            name = HAND_NAMES[by_reviewer % len(HAND_NAMES)]
            self._raw(
                "UPDATE labels SET bucket = ? WHERE reviewer = ?", [self._bucket(bucket), name]
            )
            return
        seqs = self._picks(cases)
        self._raw(
            f"UPDATE labels SET bucket = ? WHERE case_seq IN ({_marks(len(seqs))})",
            [self._bucket(bucket), *seqs],
        )

    @rule(cases=st.lists(index, min_size=1, max_size=4), how=st.integers(0, 3), which=index)
    def hand_delete_labels(self, cases: list[int], how: int, which: int) -> None:
        if how == 0:
            name = HAND_NAMES[which % len(HAND_NAMES)]
            self._raw("DELETE FROM labels WHERE reviewer = ?", [name])
        elif how == 1:
            self._raw("DELETE FROM labels WHERE bucket = ?", [self._bucket(which)])
        elif how == 2:
            self._raw("DELETE FROM labels WHERE case_seq % 2 = ?", [which % 2])
        else:
            seqs = self._picks(cases)
            self._raw(f"DELETE FROM labels WHERE case_seq IN ({_marks(len(seqs))})", seqs)

    @rule(
        rows=st.lists(st.tuples(index, st.integers(0, 3), index), min_size=1, max_size=5),
        or_ignore=st.booleans(),
    )
    def hand_insert_labels(self, rows: list[tuple[int, int, int]], or_ignore: bool) -> None:
        """Several labels in one ``INSERT`` (a script); with ``OR IGNORE`` some may collide."""
        have = {
            (int(r[0]), str(r[1]))
            for r in self.raw.execute("SELECT case_seq, reviewer FROM labels")
        }
        values: dict[tuple[int, str], str] = {}
        for case, who, bucket in rows:
            key = (self._pick(case), HAND_NAMES[who])
            if or_ignore or (key not in have and key not in values):
                values.setdefault(key, self._bucket(bucket))
        if not values:
            return
        params: list[object] = []
        for (seq, name), bucket_key in values.items():
            params += [seq, name, name, bucket_key]
        rows_sql = ", ".join(["(?, ?, ?, ?, '2026-01-01T00:00:00Z')"] * len(values))
        verb = "INSERT OR IGNORE" if or_ignore else "INSERT"
        self._raw(
            f"{verb} INTO labels (case_seq, reviewer, account, bucket, labeled_at)"
            f" VALUES {rows_sql}",
            params,
        )

    @rule(source=st.integers(0, 3), onto=st.integers(0, 3), mode=st.integers(0, 2))
    def hand_rename_reviewer(self, source: int, onto: int, mode: int) -> None:
        """``UPDATE labels SET reviewer``: a collision aborts the statement (plain) or skips
        the row (``OR IGNORE``)."""
        verb = ("UPDATE", "UPDATE OR IGNORE", "UPDATE OR ABORT")[mode]
        self._raw(
            f"{verb} labels SET reviewer = ? WHERE reviewer = ?",
            [HAND_NAMES[onto], HAND_NAMES[source]],
            may_fail=True,
        )

    @rule(
        source=index,
        onto=index,
        who=st.integers(0, 4),
        rename=st.integers(0, 4),
        old=st.booleans(),
    )
    def hand_move_labels(self, source: int, onto: int, who: int, rename: int, old: bool) -> None:
        """``UPDATE labels SET case_seq``: one reviewer's label, or every label of a case, moved
        to another case (maybe an old version; maybe renamed at once). A collision aborts."""
        src = self._pick(source)
        dst = self._pick(onto, current_only=not old)
        if who == len(HAND_NAMES):
            self._raw(
                "UPDATE labels SET case_seq = ? WHERE case_seq = ?", [dst, src], may_fail=True
            )
        elif rename < len(HAND_NAMES):
            self._raw(
                "UPDATE labels SET case_seq = ?, reviewer = ? WHERE case_seq = ? AND reviewer = ?",
                [dst, HAND_NAMES[rename], src, HAND_NAMES[who]],
                may_fail=True,
            )
        else:
            self._raw(
                "UPDATE labels SET case_seq = ? WHERE case_seq = ? AND reviewer = ?",
                [dst, src, HAND_NAMES[who]],
                may_fail=True,
            )

    @rule(cases=st.lists(index, min_size=1, max_size=3), bucket=index, unclear=st.booleans())
    def hand_insert_resolutions(self, cases: list[int], bucket: int, unclear: bool) -> None:
        resolved = {int(r[0]) for r in self.raw.execute("SELECT case_seq FROM resolutions")}
        seqs = [s for s in self._picks(cases) if s not in resolved]
        if not seqs:
            return
        chosen = None if unclear else self._bucket(bucket)
        method = "unclear" if unclear else "other"
        params: list[object] = []
        for seq in seqs:
            params += [seq, chosen, method]
        rows_sql = ", ".join(["(?, ?, ?, 'lead', 'lead', '2026-01-01T00:00:00Z')"] * len(seqs))
        self._raw(
            "INSERT INTO resolutions (case_seq, bucket, method, resolver, account, resolved_at)"
            f" VALUES {rows_sql}",
            params,
        )

    @rule(cases=st.lists(index, min_size=1, max_size=3), every=st.booleans())
    def hand_delete_resolutions(self, cases: list[int], every: bool) -> None:
        if every:
            self._raw("DELETE FROM resolutions WHERE method = 'unclear'")
            return
        seqs = self._picks(cases)
        self._raw(f"DELETE FROM resolutions WHERE case_seq IN ({_marks(len(seqs))})", seqs)

    @rule(source=index, onto=index)
    def hand_move_resolution(self, source: int, onto: int) -> None:
        self._raw(
            "UPDATE resolutions SET case_seq = ? WHERE case_seq = ?",
            [self._pick(onto), self._pick(source)],
            may_fail=True,
        )

    @rule(cases=st.lists(index, min_size=1, max_size=2))
    def hand_retire_cases(self, cases: list[int]) -> None:
        """``UPDATE cases SET is_current = 0``: cases leave the store's current cases."""
        current = self._seqs(current_only=True)
        if not current:
            return
        seqs = sorted({current[i % len(current)] for i in cases})
        self._raw(f"UPDATE cases SET is_current = 0 WHERE seq IN ({_marks(len(seqs))})", seqs)

    @rule(case=index)
    def hand_restore_case(self, case: int) -> None:
        """``UPDATE cases SET is_current = 1`` on the newest version of a case without one."""
        retired = [
            int(r[0])
            for r in self.raw.execute(
                "SELECT max(seq) FROM cases GROUP BY case_id HAVING max(is_current) = 0"
            )
        ]
        if retired:
            self._raw(
                "UPDATE cases SET is_current = 1 WHERE seq = ?", [retired[case % len(retired)]]
            )

    @invariant()
    def counts_are_right(self) -> None:
        check_store(self.store)
        check_progress(self.store, 2, slice_sampling(self.store, ()))


TestTallyMachine = TallyMachine.TestCase
TestTallyMachine.settings = settings(
    max_examples=50,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


# --- REPLACE by hand: the replaced row is deleted without the delete triggers ---------------


def _small_store(folder: Path, n: int) -> Store:
    store = create_store(folder / "s.db", IMPORTER)
    _import(store, folder, [f"case-{i:02d}" for i in range(1, n + 1)], "An answer", update=False)
    return store


@pytest.mark.parametrize(
    "statement",
    [
        # A label changed by hand the short way.
        "INSERT OR REPLACE INTO labels (case_seq, reviewer, account, bucket, labeled_at)"
        " VALUES (1, 'alice', 'alice', 'too_slow', 't')",
        "REPLACE INTO labels (case_seq, reviewer, account, bucket, labeled_at)"
        " VALUES (1, 'alice', 'alice', 'other', 't')",
        # A reviewer renamed onto one who labeled the same case.
        "UPDATE OR REPLACE labels SET reviewer = 'bob' WHERE reviewer = 'alice'",
        # A label moved onto a case the same reviewer labeled.
        "UPDATE OR REPLACE labels SET case_seq = 2 WHERE case_seq = 1 AND reviewer = 'alice'",
        "REPLACE INTO resolutions (case_seq, bucket, method, resolver, account, resolved_at)"
        " VALUES (1, NULL, 'unclear', 'lead', 'lead', 't')",
    ],
)
def test_replace_by_hand_keeps_the_counts(tmp_path: Path, statement: str) -> None:
    store = _small_store(tmp_path, 3)
    try:
        raw = sqlite3.connect(store.path, isolation_level=None)
        try:
            raw.execute(
                "INSERT INTO labels (case_seq, reviewer, account, bucket, labeled_at) VALUES"
                " (1, 'alice', 'alice', 'wrong_intent', 't'),"
                " (1, 'bob', 'bob', 'wrong_intent', 't'),"
                " (2, 'alice', 'alice', 'too_slow', 't'), (2, 'carol', 'carol', 'too_slow', 't')"
            )
            raw.execute(
                "INSERT INTO resolutions (case_seq, bucket, method, resolver, account,"
                " resolved_at) VALUES (1, 'other', 'other', 'lead', 'lead', 't')"
            )
            check_store(store)
            raw.execute(statement)
        finally:
            raw.close()
        check_store(store)
    finally:
        store.close()


# --- 2. a store of schema version 4 migrates to right counts -------------------------------


def _v4_store(path: Path) -> sqlite3.Connection:
    """A store made by hand at schema version 4 (the migrations before the kept counts), with
    some default buckets; an open connection inside a transaction (COMMIT it)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("BEGIN")
    for migration in MIGRATIONS[:BEFORE_TALLIES]:
        for statement in migration:
            conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {BEFORE_TALLIES}")
    conn.executemany(
        "INSERT INTO buckets (key, name, shortcut, position) VALUES (?, ?, ?, ?)",
        [(key, key, str(i), i) for i, key in enumerate(BUCKETS)],
    )
    return conn


V4Plan = tuple[
    int, list[int], list[tuple[int, int, int]], list[tuple[int, bool]], list[tuple[int, int, int]]
]
"""Cases; cases with an old version; labels (row, reviewer, bucket); resolutions (row,
unclear); labels given after the migration (row, reviewer, bucket or -1 to delete)."""


@st.composite
def v4_plans(draw: st.DrawFn) -> V4Plan:
    n = draw(st.integers(1, 6))
    old = draw(st.lists(st.integers(1, n), max_size=3, unique=True))
    rows = n + len(old)
    row = st.integers(1, rows)
    labels = draw(
        st.lists(
            st.tuples(row, st.integers(0, 2), st.integers(0, 3)),
            max_size=14,
            unique_by=lambda t: (t[0], t[1]),
        )
    )
    resolutions = draw(
        st.lists(st.tuples(row, st.booleans()), max_size=4, unique_by=lambda t: t[0])
    )
    later = draw(st.lists(st.tuples(row, st.integers(0, 2), st.integers(-1, 3)), max_size=6))
    return n, old, labels, resolutions, later


def _fill_v4(conn: sqlite3.Connection, n: int, old: Sequence[int]) -> None:
    """Cases ``c1..cN`` (seq 1..N), then for each case in ``old`` a newer version: the first
    version stops being current, as ``import --update`` left it."""
    conn.executemany(
        "INSERT INTO cases (seq, case_id, content_hash, imported_at) VALUES (?, ?, 'h', 't')",
        [(seq, f"c{seq}") for seq in range(1, n + 1)],
    )
    for k, case in enumerate(old):
        conn.execute("UPDATE cases SET is_current = 0 WHERE seq = ?", (case,))
        conn.execute(
            "INSERT INTO cases (seq, case_id, version, content_hash, imported_at)"
            " VALUES (?, ?, 2, 'h2', 't')",
            (n + k + 1, f"c{case}"),
        )
    conn.execute(
        "INSERT INTO case_texts (case_seq, input_kind, input) SELECT seq, 'text', 'x' FROM cases"
    )
    conn.execute("UPDATE cases SET review_order = seq * 7919 % 10007")


def _triggers(store: Store) -> set[str]:
    return {str(r[0]) for r in store.query("SELECT name FROM sqlite_master WHERE type = 'trigger'")}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=v4_plans())
def test_a_version_4_store_migrates_to_right_counts(plan: V4Plan) -> None:
    n, old, labels, resolutions, later = plan
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "old.db"
        conn = _v4_store(path)
        _fill_v4(conn, n, old)
        conn.executemany(
            "INSERT INTO labels (case_seq, reviewer, account, bucket, labeled_at)"
            " VALUES (?, ?, ?, ?, 't')",
            [(seq, REVIEWERS[who], REVIEWERS[who], BUCKETS[b]) for seq, who, b in labels],
        )
        conn.executemany(
            "INSERT INTO resolutions (case_seq, bucket, method, resolver, account, resolved_at)"
            " VALUES (?, ?, ?, 'lead', 'lead', 't')",
            [(seq, None if u else "other", "unclear" if u else "other") for seq, u in resolutions],
        )
        conn.execute("COMMIT")
        assert conn.execute("PRAGMA user_version").fetchone()[0] == BEFORE_TALLIES == 4
        conn.close()
        store = open_store(path)  # a writing open migrates
        try:
            assert TALLIES_VERSION == 5
            assert store.query("PRAGMA user_version")[0][0] == SCHEMA_VERSION
            names = _triggers(store)
            assert "labels_count_insert" not in names
            assert "labels_count_delete" not in names
            assert {"labels_tally_insert", "labels_tally_delete", "cases_tally_current"} <= names
            check_store(store)
            for seq, who, bucket in later:
                actor = _actor(REVIEWERS[who])
                current = get_label(store, seq, actor.name)
                version = None if current is None else current.version
                if bucket < 0:
                    if current is not None:
                        delete_label(store, seq, actor, expected_version=current.version)
                else:
                    set_label(store, seq, actor, BUCKETS[bucket], expected_version=version)
                check_store(store)
        finally:
            store.close()


def test_a_version_4_store_with_a_label_moved_by_hand_migrates_to_right_counts(
    tmp_path: Path,
) -> None:
    """At version 4 only inserts and deletes of labels kept ``label_count``: a label moved to
    another case by hand left its first case counting it. The migration must count again."""
    path = tmp_path / "old.db"
    conn = _v4_store(path)
    _fill_v4(conn, 3, [])
    conn.execute(
        "INSERT INTO labels (case_seq, reviewer, account, bucket, labeled_at)"
        " VALUES (1, 'alice', 'alice', 'other', 't')"
    )
    conn.execute("UPDATE labels SET case_seq = 2 WHERE case_seq = 1")
    conn.execute("COMMIT")
    conn.close()
    with open_store(path) as store:
        check_store(store)


# --- 3. the sampling read from indexes, and progress with and without the fast paths ---------

Walk = tuple[int, list[int], bool, list[tuple[int, int, int]], list[int], int, list[int], bool]
"""Cases; updated before labeling; prefix?; labels (case or rank, reviewer, bucket); updated
after labeling (holes); case whose key is cleared by hand (-1: none); resolved cases; keys
crowded by hand into two blocks of :mod:`labeler.store.order_tallies`?"""


@st.composite
def walks(draw: st.DrawFn) -> Walk:
    n = draw(st.integers(1, MAX_CASES))
    case = st.integers(0, n - 1)
    before = draw(st.lists(case, max_size=2, unique=True))
    prefix = draw(st.booleans())
    if prefix:
        k = draw(st.integers(1, n))
        labels = [
            (rank, who, draw(st.integers(0, 2)))
            for rank in range(k)
            for who in draw(st.lists(st.integers(0, 2), min_size=1, max_size=3, unique=True))
        ]
    else:
        labels = draw(
            st.lists(
                st.tuples(case, st.integers(0, 2), st.integers(0, 2)),
                max_size=12,
                unique_by=lambda t: (t[0], t[1]),
            )
        )
    after = draw(st.lists(case, max_size=2, unique=True))
    cleared = draw(st.one_of(st.just(-1), case))
    resolved = draw(st.lists(case, max_size=3, unique=True))
    return n, before, prefix, labels, after, cleared, resolved, draw(st.booleans())


def _order(store: Store) -> list[int]:
    """The current cases with a key, in the queue's order."""
    rows = store.query(
        "SELECT seq FROM cases WHERE is_current = 1 AND review_order IS NOT NULL"
        " ORDER BY review_order, seq"
    )
    return [int(r[0]) for r in rows]


def _current_seqs(store: Store) -> dict[str, int]:
    rows = store.query("SELECT case_id, seq FROM cases WHERE is_current = 1")
    return {str(r[0]): int(r[1]) for r in rows}


def _labeled_cases_are_a_prefix(store: Store) -> bool:
    """Counted from the labels: every labeled current case has a key, and in the queue's order
    no labeled case comes after an unlabeled one."""
    rows = store.query(
        "SELECT review_order IS NULL, EXISTS (SELECT 1 FROM labels WHERE case_seq = c.seq)"
        " FROM cases c WHERE is_current = 1 ORDER BY review_order, seq"
    )
    flags = [(bool(r[0]), bool(r[1])) for r in rows]
    if any(unplaced and labeled for unplaced, labeled in flags):
        return False
    placed = [labeled for unplaced, labeled in flags if not unplaced]
    return placed == sorted(placed, reverse=True)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=walks())
def test_walked_prefix_agrees_with_the_full_measure(plan: Walk) -> None:
    n, before, prefix, labels, after, cleared, resolved, crowd = plan
    folder = Path(tempfile.mkdtemp(prefix="walked-"))
    ids = [f"case-{i:02d}" for i in range(1, n + 1)]
    store = _small_store(folder, n)
    try:
        if crowd:  # by hand: blocks of several cases, in a shuffled order, some keys tied
            with store.write() as conn:
                conn.execute(
                    f"UPDATE cases SET review_order = ((seq % 2) << {BLOCK_SHIFT})"
                    " + (seq * 5 % 7) / 2"
                )
        if before:
            _import(store, folder, [ids[i] for i in before], "A first change", update=True)
        by_id = _current_seqs(store)
        order = _order(store)
        for case, who, bucket in labels:
            seq = order[case] if prefix else by_id[ids[case]]
            set_label(store, seq, _actor(REVIEWERS[who]), BUCKETS[bucket], expected_version=None)
        for case in resolved:
            seq = by_id[ids[case]]
            resolve(
                store,
                seq,
                LEAD,
                bucket=None,
                method="unclear",
                reason=None,
                expected_version=None,
            )
        if after:
            _import(store, folder, [ids[i] for i in after], "A second change", update=True)
        current = _current_seqs(store)
        if cleared >= 0:
            with store.write() as conn:  # by hand
                conn.execute(
                    "UPDATE cases SET review_order = NULL WHERE seq = ?", (current[ids[cleared]],)
                )
        check_store(store)
        with store.snapshot() as conn:
            fast = walked_prefix(conn)
        full = slice_sampling(store, ())
        expected = _labeled_cases_are_a_prefix(store)
        event("labeled cases: a prefix" if expected else "labeled cases: not a prefix")
        share = "none" if not full.labeled else "all" if full.labeled == full.cases else "some"
        event(f"labeled: {share}")
        event("a case without a key" if full.unplaced else "every case has a key")
        event("keys crowded into two blocks" if crowd else "keys as drawn")
        assert (fast is not None) == expected
        assert full.random_prefix == expected
        if fast is not None:
            assert fast == full
        for overlap in (1, 2, 3):
            check_progress(store, overlap, full)
    finally:
        store.close()
        shutil.rmtree(folder, ignore_errors=True)


def test_tied_keys_are_measured_in_the_queue_order(tmp_path: Path) -> None:
    """Keys tie only by hand (``UPDATE cases SET review_order``); the queue then goes by case
    number (``ORDER BY review_order, seq``), and so must both measures. Here case 1, first in
    the queue, is the only one labeled: a random-order prefix."""
    store = _small_store(tmp_path, 3)
    try:
        with store.write() as conn:
            conn.execute("UPDATE cases SET review_order = 100")
        assert _order(store) == [1, 2, 3]
        set_label(store, 1, _actor("alice"), "other", expected_version=None)
        assert _labeled_cases_are_a_prefix(store)
        with store.snapshot() as conn:
            fast = walked_prefix(conn)
        full = slice_sampling(store, ())
        assert fast is not None
        assert full == fast
        assert full.random_prefix
    finally:
        store.close()


def test_keys_set_by_hand_anywhere_in_the_integers_are_measured_alike(tmp_path: Path) -> None:
    """Keys written by hand: negative ones count as no place in both measures (block -1 of
    ``order_blocks``), the largest integer lands in the last block (whose range ends at 2^63 -
    1), a key above the drawn range is placed after every drawn one."""
    store = _small_store(tmp_path, 8)
    try:
        keys = [-5, -(1 << 60), (1 << 63) - 1, (1 << 62) + 7, None, 100, 1 << 52, (1 << 52) - 1]
        with store.write() as conn:
            for seq, key in enumerate(keys, start=1):
                conn.execute("UPDATE cases SET review_order = ? WHERE seq = ?", (key, seq))
        for seq in (1, 3, 6, 8):
            set_label(store, seq, _actor("alice"), "other", expected_version=None)
        check_store(store)
        full = slice_sampling(store, ())
        assert full.unplaced == 3  # -5, -2^60 and NULL
        assert not full.random_prefix
        with store.write() as conn:  # and moved again, by hand, after the labels
            conn.execute("UPDATE cases SET review_order = -review_order WHERE seq IN (3, 6)")
        check_store(store)
        with store.write() as conn:  # every case in the last block, the cut inside it
            conn.execute("UPDATE cases SET review_order = 9223372036854775807 - seq")
        check_store(store)
        assert slice_sampling(store, ()).prefix == 3  # seq 8 7 6 | 5 4 3 2 1 by key
    finally:
        store.close()
