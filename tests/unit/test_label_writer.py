"""LabelWriter: one reviewer's writes applied in order, retried while the store is busy, never
dropped, and refused (not overwritten) when another window changed the label."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future

import pytest

from labeler.identity import Actor
from labeler.labels import get_label
from labeler.review.label_writer import LabelWriter, WriteOutcome
from labeler.store import Store

MakeWriter = Callable[..., LabelWriter]


@pytest.fixture
def make_writer(store: Store, actor: Actor) -> Iterator[MakeWriter]:
    """``make_writer(who=actor, **options)``: a writer on the test store, closed afterwards."""
    writers: list[LabelWriter] = []

    def build(who: Actor | None = None, **options: object) -> LabelWriter:
        writer = LabelWriter(store.path, who or actor, **options)  # type: ignore[arg-type]
        writers.append(writer)
        return writer

    yield build
    for writer in writers:
        writer.close(timeout=10)


def events(store: Store, reviewer: str) -> list[tuple[str, int, object, object]]:
    rows = store.query(
        "SELECT kind, case_seq, before, after FROM events WHERE actor = ? AND kind LIKE 'label.%'"
        " ORDER BY id",
        (reviewer,),
    )
    return [
        (
            r["kind"],
            r["case_seq"],
            json.loads(r["before"]) if r["before"] else None,
            json.loads(r["after"]) if r["after"] else None,
        )
        for r in rows
    ]


def hold_write_lock(store: Store) -> sqlite3.Connection:
    """Another process's long write: a connection holding ``BEGIN IMMEDIATE``."""
    other = sqlite3.connect(store.path, isolation_level=None, timeout=0)
    other.execute("BEGIN IMMEDIATE")
    return other


def test_writes_are_applied_in_the_order_given(
    store: Store, actor: Actor, make_writer: MakeWriter
) -> None:
    writer = make_writer()
    buckets = ["other", "too_slow", "wrong_intent", "bad_extraction"] * 10
    futures = [writer.submit_label(1 + i % 3, b) for i, b in enumerate(buckets)]
    outcomes = [f.result(timeout=10) for f in futures]
    assert all(o.error is None for o in outcomes)
    for seq in (1, 2, 3):
        mine = [b for i, b in enumerate(buckets) if 1 + i % 3 == seq]
        stored = get_label(store, seq, actor.name)
        assert stored is not None
        assert stored.bucket == mine[-1]
        assert stored.version == len(mine)
        logged = [after["bucket"] for _, s, _, after in events(store, actor.name) if s == seq]  # type: ignore[index]
        assert logged == mine
    assert writer.pending == 0


def test_outcome_names_the_label_before_and_after(make_writer: MakeWriter) -> None:
    writer = make_writer()
    first = writer.submit_label(4, "other", "why").result(timeout=5)
    assert first.previous is None
    assert first.label is not None and (first.label.bucket, first.label.note) == ("other", "why")
    second = writer.submit_label(4, "too_slow").result(timeout=5)
    assert second.previous == first.label
    assert second.label is not None
    assert (second.label.bucket, second.label.note, second.label.version) == ("too_slow", "why", 2)
    assert not second.is_undo


def test_same_label_again_writes_nothing(
    store: Store, actor: Actor, make_writer: MakeWriter
) -> None:
    writer = make_writer()
    writer.submit_label(2, "other").result(timeout=5)
    again = writer.submit_label(2, "other").result(timeout=5)
    assert again.label == again.previous
    assert [e[0] for e in events(store, actor.name)] == ["label.create"]


def test_restore_undoes_a_new_and_a_changed_label(
    store: Store, actor: Actor, make_writer: MakeWriter
) -> None:
    writer = make_writer()
    first = writer.submit_label(1, "other").result(timeout=5)
    writer.submit_label(1, "too_slow", "late").result(timeout=5)
    back = writer.submit_restore(1, first.label).result(timeout=5)
    assert back.is_undo and back.error is None
    stored = get_label(store, 1, actor.name)
    assert stored is not None and (stored.bucket, stored.note) == ("other", None)
    gone = writer.submit_restore(1, None).result(timeout=5)
    assert gone.is_undo and gone.label is None
    assert get_label(store, 1, actor.name) is None
    assert [e[0] for e in events(store, actor.name)] == [
        "label.create",
        "label.change",
        "label.undo",
        "label.undo",
    ]
    assert events(store, actor.name)[-1][3] is None  # the last undo removed the label


def test_a_busy_store_delays_a_label_but_never_drops_it(
    store: Store, actor: Actor, make_writer: MakeWriter
) -> None:
    reports: list[tuple[int, str | None]] = []
    writer = make_writer(
        retry_delay=0.02,
        busy_timeout_ms=50,
        listener=lambda pending, error: reports.append((pending, error)),
    )
    other = hold_write_lock(store)
    try:
        first = writer.submit_label(1, "other")
        second = writer.submit_label(2, "too_slow")
        time.sleep(0.4)
        assert not first.done() and not second.done()
        assert writer.pending == 2
        assert any(error and "busy" in error for _, error in reports), reports
        assert store.query("SELECT count(*) FROM labels")[0][0] == 0
    finally:
        other.execute("COMMIT")
        other.close()
    assert first.result(timeout=10).error is None
    assert second.result(timeout=10).error is None
    assert writer.pending == 0
    assert reports[-1] == (0, None)
    rows = store.query("SELECT case_seq, bucket FROM labels ORDER BY case_seq")
    assert [tuple(r) for r in rows] == [(1, "other"), (2, "too_slow")]


def test_two_windows_of_one_reviewer_never_overwrite_each_other(
    store: Store, actor: Actor, make_writer: MakeWriter
) -> None:
    left = make_writer()
    right = make_writer()
    assert right.submit_label(5, "other").result(timeout=5).error is None  # right saw version 1
    changed = left.submit_label(5, "too_slow", "left note").result(timeout=5)
    assert changed.error is None and changed.label is not None and changed.label.version == 2
    stale: WriteOutcome = right.submit_label(5, "wrong_intent").result(timeout=5)
    assert stale.error is not None and "changed elsewhere" in stale.error
    # Nothing was overwritten: the stored label is the left window's, and the outcome shows it.
    stored = get_label(store, 5, actor.name)
    assert stored is not None
    assert (stored.bucket, stored.note, stored.version) == ("too_slow", "left note", 2)
    assert stale.label == stored
    assert [e[0] for e in events(store, actor.name)] == ["label.create", "label.change"]
    # Having been told, the right window can now change it knowingly.
    assert right.submit_label(5, "wrong_intent").result(timeout=5).error is None
    assert get_label(store, 5, actor.name) == type(stored)("wrong_intent", "left note", 3)


def test_one_reviewer_never_touches_another_reviewers_label(
    store: Store, make_actor: Callable[[str], Actor], make_writer: MakeWriter
) -> None:
    alice = make_writer(make_actor("alice"))
    bob = make_writer(make_actor("bob"))
    alice.submit_label(3, "other", "alice's").result(timeout=5)
    bob.submit_label(3, "too_slow").result(timeout=5)
    bob.submit_restore(3, None).result(timeout=5)
    a = get_label(store, 3, "alice")
    assert a is not None and (a.bucket, a.note, a.version) == ("other", "alice's", 1)
    assert get_label(store, 3, "bob") is None


def test_a_refused_write_is_reported_and_the_queue_goes_on(
    store: Store, actor: Actor, make_writer: MakeWriter
) -> None:
    writer = make_writer(retry_delay=5.0)
    bad: Future[WriteOutcome] = writer.submit_label(1, "no_such_bucket")
    good = writer.submit_label(2, "other")
    assert bad.result(timeout=5).error is not None
    assert "no_such_bucket" in str(bad.result().error)
    assert good.result(timeout=5).error is None  # not stuck behind a retry of the bad one
    assert get_label(store, 1, actor.name) is None


def test_close_stores_everything_queued(store: Store, actor: Actor) -> None:
    writer = LabelWriter(store.path, actor)
    for seq in range(1, 11):
        writer.submit_label(seq, "other", f"note {seq}")
    assert writer.close(timeout=10)
    assert store.query("SELECT count(*) FROM labels WHERE reviewer = ?", (actor.name,))[0][0] == 10


def test_threads_of_two_reviewers_lose_nothing(
    store: Store, make_actor: Callable[[str], Actor], make_writer: MakeWriter
) -> None:
    writers = [make_writer(make_actor(name)) for name in ("alice", "bob")]
    outcomes: list[WriteOutcome] = []

    def run(writer: LabelWriter) -> None:
        futures = [writer.submit_label(seq, "other") for seq in range(1, 11) for _ in range(5)]
        outcomes.extend(f.result(timeout=30) for f in futures)

    threads = [threading.Thread(target=run, args=(w,)) for w in writers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(outcomes) == 100 and all(o.error is None for o in outcomes)
    assert store.query("SELECT count(*) FROM labels")[0][0] == 20


def test_a_failing_listener_does_not_stop_the_writes(store: Store, make_writer: MakeWriter) -> None:
    def broken(pending: int, error: str | None) -> None:
        raise RuntimeError("the screen is gone")

    writer = make_writer(listener=broken)
    outcomes = [writer.submit_label(seq, "other").result(timeout=5) for seq in (1, 2, 3)]
    assert all(o.error is None for o in outcomes)
    assert store.query("SELECT count(*) FROM labels")[0][0] == 3
