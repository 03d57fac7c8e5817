"""ReviewSession: where a reviewer is in the queue, paging, wrap-around, history and undo."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from labeler.identity import Actor
from labeler.label_writer import LabelWriter
from labeler.labels import set_label
from labeler.queue import PAGE_SIZE, QueueSpec
from labeler.review_session import ReviewSession, look_up_queue_start
from labeler.store import Store
from labeler.store.errors import StoreError

MakeSession = Callable[..., ReviewSession]


@pytest.fixture
def make_session(actor: Actor) -> Iterator[MakeSession]:
    """``make_session(store, overlap=2, slices=(), revisit=False)`` for the ``alice`` actor."""
    writers: list[LabelWriter] = []

    def build(
        store: Store,
        *,
        overlap: int = 2,
        slices: tuple[tuple[str, str], ...] = (),
        revisit: bool = False,
    ) -> ReviewSession:
        writer = LabelWriter(store.path, actor)
        writers.append(writer)
        return ReviewSession(store, writer, QueueSpec(actor.name, overlap, slices, revisit))

    yield build
    for writer in writers:
        writer.close(timeout=5)


def walk(session: ReviewSession, steps: int) -> list[int | None]:
    """The current case, then the case after each of ``steps`` presses of 'next'."""
    seen = [session.current()]
    seen.extend(session.next() for _ in range(steps))
    return seen


def label(store: Store, who: Actor, seq: int, bucket: str = "other") -> None:
    set_label(store, seq, who, bucket, expected_version=None)


def test_pages_through_the_whole_queue_in_order(
    make_store: Callable[..., Store], make_session: MakeSession
) -> None:
    n = 2 * PAGE_SIZE + 22
    store = make_store(n=n)
    session = make_session(store)
    assert walk(session, n - 1) == list(range(1, n + 1))
    assert session.history[-1] == n


def test_wraps_around_to_cases_skipped_on_the_way(store: Store, make_session: MakeSession) -> None:
    session = make_session(store)
    assert walk(session, 9) == list(range(1, 11))
    # Nothing was labeled: pressing next on the last case starts again at the first.
    assert session.next() == 1
    assert session.next() == 2


def test_wrap_around_leaves_out_cases_labeled_meanwhile(
    store: Store, make_session: MakeSession, actor: Actor
) -> None:
    session = make_session(store)
    assert session.current() == 1
    for seq in range(1, 11):
        if seq not in (3, 8):
            label(store, actor, seq)  # e.g. in another window of the same reviewer
    # Prefetched cases labeled meanwhile are not handed out; skipped ones come back on a wrap.
    assert walk(session, 4) == [1, 3, 8, 3, 8]


def test_prefetched_case_that_reached_its_overlap_is_not_shown(
    store: Store, make_session: MakeSession, make_actor: Callable[[str], Actor]
) -> None:
    session = make_session(store)
    assert session.current() == 1
    for other in ("carol", "dave"):
        label(store, make_actor(other), 2)
    assert session.next() == 3


def test_queue_ends_when_every_case_is_labeled(
    store: Store, make_session: MakeSession, actor: Actor
) -> None:
    session = make_session(store)
    assert session.current() == 1
    for seq in range(1, 11):
        label(store, actor, seq)
    assert session.next() is None
    assert session.current() is None
    assert session.next() is None
    # Going back from the end shows the last case shown again.
    assert session.previous() == 1


def test_an_empty_queue_has_no_current_case(
    store: Store, make_session: MakeSession, actor: Actor
) -> None:
    for seq in range(1, 11):
        label(store, actor, seq)
    session = make_session(store)
    assert session.current() is None
    assert session.next() is None
    assert session.previous() is None


def test_previous_at_the_start_stays_put(store: Store, make_session: MakeSession) -> None:
    session = make_session(store)
    assert session.previous() is None
    assert session.current() == 1
    assert session.next() == 2


def test_previous_then_next_walks_the_history(store: Store, make_session: MakeSession) -> None:
    session = make_session(store)
    assert walk(session, 3) == [1, 2, 3, 4]
    assert [session.previous(), session.previous(), session.previous()] == [3, 2, 1]
    assert session.previous() is None
    assert [session.next(), session.next(), session.next(), session.next()] == [2, 3, 4, 5]


def test_go_to_shows_the_case_then_carries_on(store: Store, make_session: MakeSession) -> None:
    session = make_session(store)
    session.go_to(7)
    assert session.current() == 7
    # The queue goes on where it was, and does not hand out case 7 a second time in this pass.
    assert walk(session, 8)[1:] == [2, 3, 4, 5, 6, 8, 9, 10]
    assert session.previous() == 9


def test_go_to_then_back_returns_to_where_we_were(store: Store, make_session: MakeSession) -> None:
    session = make_session(store)
    session.next()
    session.go_to(9)
    assert session.previous() == 2
    assert session.next() == 9
    assert session.next() == 3


def test_resumes_after_the_last_labeled_case(
    store: Store, make_session: MakeSession, actor: Actor
) -> None:
    for seq in (1, 2, 4):
        label(store, actor, seq)
    session = make_session(store)
    assert session.current() == 5
    # Case 3 was left behind: it comes back when the queue wraps around.
    assert walk(session, 6)[1:] == [6, 7, 8, 9, 10, 3]


def test_revisit_walks_only_own_labels_and_ends(
    store: Store, make_session: MakeSession, actor: Actor, make_actor: Callable[[str], Actor]
) -> None:
    label(store, make_actor("bob"), 1)
    for seq in (2, 5, 9):
        label(store, actor, seq)
    session = make_session(store, revisit=True)
    assert walk(session, 2) == [2, 5, 9]
    assert session.next() is None
    assert session.position() == 4


def test_overlap_leaves_out_cases_with_enough_labels(
    store: Store, make_session: MakeSession, make_actor: Callable[[str], Actor]
) -> None:
    label(store, make_actor("bob"), 1)
    label(store, make_actor("carol"), 1)
    label(store, make_actor("bob"), 2)
    assert make_session(store, overlap=2).current() == 2
    assert make_session(store, overlap=3).current() == 1
    assert make_session(store, overlap=1).current() == 3


def test_slice_filter(store: Store, make_session: MakeSession) -> None:
    session = make_session(store, slices=(("length", "long"),))
    assert walk(session, 4) == [2, 4, 6, 8, 10]
    both = make_session(store, slices=(("length", "long"), ("channel", "email")))
    assert both.current() is None


def test_undo_entries_and_counter(store: Store, make_session: MakeSession) -> None:
    session = make_session(store)
    writer = session.writer
    first = writer.submit_label(1, "other").result(timeout=5)
    session.record_outcome(first)
    changed = writer.submit_label(1, "too_slow").result(timeout=5)
    session.record_outcome(changed)
    assert session.labeled_here == 1
    assert session.pop_undo() == (1, first.label)
    undo = writer.submit_restore(1, first.label).result(timeout=5)
    session.record_outcome(undo)  # an undo is not itself undoable
    assert session.pop_undo() == (1, None)
    assert session.pop_undo() is None
    assert session.labeled_here == 1
    session.record_outcome(writer.submit_restore(1, None).result(timeout=5))
    assert session.labeled_here == 0


def test_a_queue_start_looked_up_on_a_thread_gives_the_same_walk(
    make_store: Callable[..., Store], actor: Actor, make_actor: Callable[[str], Actor]
) -> None:
    n = PAGE_SIZE + 30
    store = make_store(n=n)
    for seq in range(1, 11):
        label(store, make_actor("bob"), seq)
        label(store, make_actor("carol"), seq)  # full: not in alice's queue
    label(store, actor, 20)  # alice resumes after her last label
    spec = QueueSpec(actor.name, 2, (), False)
    start = look_up_queue_start(store.path, spec).result(timeout=10)
    assert start.resume_at == 20
    assert start.first_page[0] == 21
    writers = [LabelWriter(store.path, actor) for _ in range(2)]
    try:
        given = ReviewSession(store, writers[0], spec, start)
        found = ReviewSession(store, writers[1], spec)
        # both walk to the end, then wrap round to the skipped cases 11..19
        assert walk(given, n) == walk(found, n)
        assert given.history[: n - 20] == list(range(21, n + 1))
    finally:
        for writer in writers:
            writer.close(timeout=5)


def test_a_failed_queue_start_lookup_reports_its_error(tmp_path: Path, actor: Actor) -> None:
    future = look_up_queue_start(tmp_path / "missing.db", QueueSpec(actor.name))
    with pytest.raises(StoreError):
        future.result(timeout=10)
