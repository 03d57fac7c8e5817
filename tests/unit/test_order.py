"""The store's random review order (labeler.store.order): keys, placement, the queue's page,
and the migration of a store made before the order existed."""

from __future__ import annotations

import functools
import json
import random
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labeler.identity import Actor
from labeler.importing import import_files
from labeler.labels import set_label
from labeler.review.queue import QueueSpec, first_page, next_page
from labeler.store import Store, create_store, open_store, order
from labeler.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

MakeStore = Callable[..., Store]
MakeCases = Callable[..., list[dict[str, object]]]
AddCases = Callable[..., None]
OWNER = Actor(name="owner", account="owner", on_trust=False)


def _who(name: str) -> Actor:
    return Actor(name=name, account=name, on_trust=True)


# --- the keys ----------------------------------------------------------------------------------


@given(seed=st.integers(0, (1 << 62) - 1), seq=st.integers(0, order.P - 1))
@settings(max_examples=300)
def test_the_sql_keys_are_the_python_keys(seed: int, seq: int) -> None:
    conn = sqlite3.connect(":memory:")
    got = conn.execute(f"SELECT {order.mix_sql(str(seq), seed)}").fetchone()[0]
    assert got == order.mix(seed, seq)
    assert 0 <= got < order.KEY_LIMIT


def test_the_migration_form_reads_the_seed_from_the_settings() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT)")
    seed = 987_654_321_987_654_321
    conn.execute("INSERT INTO settings VALUES (?, ?)", (order.SEED_SETTING, str(seed)))
    for seq in (1, 2, 77, 10**6, order.P - 1):
        got = conn.execute(f"SELECT {order.mix_sql(str(seq))}").fetchone()[0]
        assert got == order.mix(seed, seq)


def test_keys_are_distinct_and_the_order_changes_with_the_seed() -> None:
    keys = [order.mix(5, seq) for seq in range(1, 20_001)]
    assert len(set(keys)) == len(keys)  # a Feistel network is a bijection
    other = [order.mix(6, seq) for seq in range(1, 20_001)]
    by_five = sorted(range(20_000), key=keys.__getitem__)
    by_six = sorted(range(20_000), key=other.__getitem__)
    assert by_five != by_six
    # Not import order, nor close to it: the rank correlation with seq is about 0.
    n = len(by_five)
    rank = [0] * n
    for r, i in enumerate(by_five):
        rank[i] = r
    mean = (n - 1) / 2
    cov = sum((i - mean) * (rank[i] - mean) for i in range(n)) / n
    var = sum((i - mean) ** 2 for i in range(n)) / n
    assert abs(cov / var) < 0.03


def test_prefixes_are_uniform_over_import_order_on_average() -> None:
    """Over 400 seeds, the first 100 of 1,000 cases hold on average 25 of the first 250 (a block
    imported together, e.g. one day of logs) with the hypergeometric spread (variance 14.1)."""
    counts = []
    for seed in range(400):
        keys = sorted(range(1, 1001), key=functools.partial(order.mix, seed))
        counts.append(sum(1 for seq in keys[:100] if seq <= 250))
    mean = sum(counts) / len(counts)
    variance = sum((c - mean) ** 2 for c in counts) / (len(counts) - 1)
    assert 24 < mean < 26  # standard error 0.19
    assert 10 < variance < 19


# --- placement ---------------------------------------------------------------------------------


def _keys(store: Store) -> dict[int, int | None]:
    return {
        int(r[0]): r[1]
        for r in store.query("SELECT seq, review_order FROM cases WHERE is_current = 1")
    }


def _walk(store: Store) -> list[int]:
    """Current cases in the random order."""
    rows = store.query("SELECT seq FROM cases WHERE is_current = 1 ORDER BY review_order, seq")
    return [int(r[0]) for r in rows]


def test_import_gives_every_case_a_key(make_store: MakeStore) -> None:
    store = make_store(n=30)
    keys = _keys(store)
    assert len(keys) == 30 and all(k is not None for k in keys.values())
    assert _walk(store) != sorted(keys)  # not import order


def test_cases_imported_later_go_among_the_cases_not_reached(
    make_store: MakeStore, make_cases: MakeCases, add_cases: AddCases
) -> None:
    store = make_store(n=200)
    walk = _walk(store)
    reviewer = _who("alice")
    for seq in walk[:50]:
        set_label(store, seq, reviewer, "other", expected_version=None)
    before = _keys(store)
    add_cases(store, make_cases(200, start=201), OWNER)
    after = _keys(store)
    assert {seq: after[seq] for seq in before} == before  # nobody moves
    new = [seq for seq in after if seq not in before]
    assert len(new) == 200
    reached = max(before[seq] or 0 for seq in walk[:50])
    assert all((after[seq] or 0) > reached for seq in new)
    # ... spread over the rest, not appended: some land before the last old case.
    last_old = max(v or 0 for v in before.values())
    assert sum(1 for seq in new if (after[seq] or 0) < last_old) > 100
    # The first 50 of the order are still exactly the labeled ones.
    assert set(_walk(store)[:50]) == set(walk[:50])


def test_before_labeling_starts_a_later_import_is_shuffled_in_everywhere(
    make_store: MakeStore, make_cases: MakeCases, add_cases: AddCases
) -> None:
    store = make_store(n=100)
    add_cases(store, make_cases(100, start=101), OWNER)
    first_half = _walk(store)[:100]
    late = sum(1 for seq in first_half if seq > 100)
    assert 30 < late < 70


def test_a_new_version_keeps_the_place_of_the_old(
    make_store: MakeStore, make_cases: MakeCases, tmp_path: Path
) -> None:
    store = make_store(n=20)
    keys = _keys(store)
    [changed] = make_cases(1, start=7, output="A different answer.")
    path = tmp_path / "update.jsonl"
    path.write_text(json.dumps(changed) + "\n", encoding="utf-8")
    import_files(store, [path], OWNER, update=True)
    rows = store.query(
        "SELECT seq, review_order FROM cases WHERE case_id = 'case-007' AND is_current = 1"
    )
    assert rows[0][0] != 7 and rows[0][1] == keys[7]


def test_compaction_keeps_the_order_and_the_labels_keys(
    make_store: MakeStore, make_cases: MakeCases, add_cases: AddCases
) -> None:
    store = make_store(n=40)
    walk = _walk(store)
    reviewer = _who("alice")
    with store.write() as conn:  # push every key to the top of the range: no room above
        for rank, seq in enumerate(walk):
            conn.execute(
                "UPDATE cases SET review_order = ? WHERE seq = ?",
                (order.KEY_LIMIT - 1000 + rank, seq),
            )
    for seq in walk:
        set_label(store, seq, reviewer, "other", expected_version=None)
    add_cases(store, make_cases(20, start=41), OWNER)
    new_walk = _walk(store)
    assert new_walk[:40] == walk  # renumbered in order, the new cases after every labeled one
    assert max(v or 0 for v in _keys(store).values()) < order.KEY_LIMIT - 1000
    stale = store.query(
        "SELECT count(*) FROM labels l JOIN cases c ON c.seq = l.case_seq"
        " WHERE l.case_order IS NOT c.review_order"
    )[0][0]
    assert stale == 0


def test_set_seed_draws_the_same_order_everywhere(
    tmp_path: Path, make_cases: MakeCases, add_cases: AddCases
) -> None:
    walks = []
    for name in ("a.db", "b.db"):
        store = create_store(tmp_path / name, OWNER)
        with store.write() as conn:
            order.set_seed(conn, 4242)
        add_cases(store, make_cases(50), OWNER)
        walks.append(_walk(store))
        store.close()
    assert walks[0] == walks[1]


# --- the queue's page --------------------------------------------------------------------------


def _expected_queue(store: Store, reviewer: str, overlap: int) -> list[int]:
    rows = store.query(
        "SELECT c.seq FROM cases c WHERE c.is_current = 1 AND c.label_count < ?"
        " AND NOT EXISTS (SELECT 1 FROM labels l WHERE l.case_seq = c.seq AND l.reviewer = ?)"
        " ORDER BY c.review_order, c.seq",
        (overlap, reviewer),
    )
    return [int(r[0]) for r in rows]


@pytest.mark.parametrize("overlap", [1, 2, 3])
def test_pages_walk_the_random_queue(make_store: MakeStore, overlap: int) -> None:
    store = make_store(n=120)
    rng = random.Random(overlap)
    people = [_who(name) for name in ("alice", "bob", "carol")]
    for seq in range(1, 121):
        for who in people:
            if rng.random() < 0.4:
                set_label(store, seq, who, "other", expected_version=None)
    spec = QueueSpec("alice", overlap, (), False, "random")
    expected = _expected_queue(store, "alice", overlap)
    got: list[int] = []
    page = first_page(store, spec, 7)
    while page:
        got += page
        page = next_page(store, spec, page[-1], 7)
    assert got == expected


def test_pages_with_a_slice_filter(make_store: MakeStore) -> None:
    store = make_store(n=60)
    spec = QueueSpec("alice", 2, (("length", "long"),), False, "random")
    got = first_page(store, spec, 100)
    longs = {
        int(r[0])
        for r in store.query(
            "SELECT seq FROM cases WHERE json_extract(slices, '$.length') = 'long'"
        )
    }
    assert set(got) == longs
    assert got == [seq for seq in _walk(store) if seq in longs]


def test_a_label_written_without_its_key_gets_it(make_store: MakeStore) -> None:
    store = make_store(n=5)
    with store.write() as conn:
        conn.execute(
            "INSERT INTO labels (case_seq, reviewer, account, bucket, labeled_at)"
            " VALUES (3, 'zed', 'zed', 'other', 'now')"
        )
    row = store.query(
        "SELECT l.case_order, c.review_order FROM labels l"
        " JOIN cases c ON c.seq = l.case_seq WHERE l.reviewer = 'zed'"
    )
    assert row[0][0] == row[0][1] is not None


# --- the migration of an old store -------------------------------------------------------------


def _old_store(path: Path, cases: int, labeled: int) -> None:
    """A store at the schema before the random order, with ``labeled`` cases labeled by two
    reviewers in import order (what an older labeler left)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("BEGIN")
    before_order = next(
        i for i, m in enumerate(MIGRATIONS) if m == order.migration_statements()
    )  # later migrations (of other features) run at the open, as for a user
    for migration in MIGRATIONS[:before_order]:
        for statement in migration:
            conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {before_order}")
    conn.execute(
        "INSERT INTO buckets (key, name, shortcut, position) VALUES ('other', 'Other', 'o', 0),"
        " ('fine', 'Fine', 'f', 1)"
    )
    conn.executemany(
        "INSERT INTO cases (seq, case_id, content_hash, slices, imported_at)"
        " VALUES (?, ?, 'h', ?, 'then')",
        [
            (seq, f"c{seq}", '{"day": "%s"}' % ("mon" if seq <= cases // 2 else "tue"))
            for seq in range(1, cases + 1)
        ],
    )
    conn.executemany(
        "INSERT INTO case_texts (case_seq, input_kind, input) VALUES (?, 'text', 'x')",
        [(seq,) for seq in range(1, cases + 1)],
    )
    conn.executemany(
        "INSERT INTO labels (case_seq, reviewer, account, bucket, labeled_at)"
        " VALUES (?, ?, ?, 'other', 'then')",
        [(seq, who, who) for seq in range(1, labeled + 1) for who in ("ann", "bo")],
    )
    conn.execute("COMMIT")
    conn.close()


def test_an_old_store_migrates_and_says_its_labels_are_not_a_random_sample(
    tmp_path: Path,
) -> None:
    from labeler.stats.compute import compute_stats

    path = tmp_path / "old.db"
    _old_store(path, cases=400, labeled=120)
    with open_store(path) as store:
        version = store.query("PRAGMA user_version")[0][0]
        assert version == SCHEMA_VERSION
        assert all(k is not None for k in _keys(store).values())
        assert store.setting(order.SEED_SETTING) is not None
        assert store.setting(order.LABELED_WHEN_DRAWN_SETTING) == "120"
        stale = store.query(
            "SELECT count(*) FROM labels l JOIN cases c ON c.seq = l.case_seq"
            " WHERE l.case_order IS NOT c.review_order"
        )[0][0]
        assert stale == 0
        report = compute_stats(store)
    sampling = report.sampling
    assert not sampling.random_prefix
    assert sampling.labeled == 120 and sampling.labeled_when_drawn == 120
    assert sampling.strays == sampling.causes["before_order"] > 0
    assert "NOT A RANDOM-ORDER PREFIX" in sampling.summary()
    assert any("before the store had a random order" in line for line in sampling.details())


def test_the_queue_of_a_migrated_store_walks_its_random_order(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _old_store(path, cases=300, labeled=100)
    with open_store(path) as store:
        spec = QueueSpec("carol", 2, (), False, "random")
        page = first_page(store, spec, 500)
        assert page == [seq for seq in _walk(store) if seq > 100]
