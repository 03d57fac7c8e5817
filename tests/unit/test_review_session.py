"""ReviewSession: where a reviewer is in the queue, paging, wrap-around, history and undo.

The path rules (issue 12): history is linear; a case reached with ``g`` or ``/`` is a detour
that a label, ``j`` or ``k`` leaves for the case left; undo shows the undone case in its place;
a session starts at the first case of the queue. :class:`PathMachine` checks them over
random walks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from labeler.identity import Actor
from labeler.labels import get_label, set_label
from labeler.review.label_writer import LabelWriter
from labeler.review.queue import PAGE_SIZE, QueueSpec, first_page, next_page
from labeler.review.session import QueueStart, ReviewSession, look_up_queue_start
from labeler.store import Store
from labeler.store.errors import StoreError

MakeSession = Callable[..., ReviewSession]


@pytest.fixture
def make_session(actor: Actor) -> Iterator[MakeSession]:
    """``make_session(store, overlap=2, slices=(), revisit=False, page_size=None)`` for the
    ``alice`` actor (``page_size``: pages that small, the first one too)."""
    writers: list[LabelWriter] = []

    def build(
        store: Store,
        *,
        overlap: int = 2,
        slices: tuple[tuple[str, str], ...] = (),
        revisit: bool = False,
        page_size: int | None = None,
    ) -> ReviewSession:
        writer = LabelWriter(store.path, actor)
        writers.append(writer)
        spec = QueueSpec(actor.name, overlap, slices, revisit)
        if page_size is None:
            return ReviewSession(store, writer, spec)
        start = QueueStart(first_page(store, spec, page_size))
        session = ReviewSession(store, writer, spec, start)
        session.page_size = page_size
        return session

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


def give(session: ReviewSession, seq: int, bucket: str = "other") -> None:
    """Label ``seq`` through the session's writer, as the screen does."""
    assert session.current() == seq
    session.record_outcome(session.writer.submit_label(seq, bucket).result(timeout=10))


def undo(session: ReviewSession) -> int:
    """Undo the last label as the screen does; the case shown then."""
    entry = session.pop_undo()
    assert entry is not None
    seq, previous = entry
    session.record_outcome(session.writer.submit_restore(seq, previous).result(timeout=10))
    session.show_undone(seq)
    shown = session.current()
    assert shown is not None
    return shown


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


def test_go_to_is_a_detour_that_j_leaves_for_the_case_left(
    store: Store, make_session: MakeSession
) -> None:
    session = make_session(store)
    session.go_to(7)
    assert session.current() == 7
    assert session.left_for_detour() == 1
    assert session.peek_next() == 1
    # Back on the case left; the queue goes on from there, case 7 (not labeled) in its place.
    assert walk(session, 10)[1:] == list(range(1, 11))
    assert session.history == list(range(1, 11))


def test_go_to_then_back_returns_to_where_we_were(store: Store, make_session: MakeSession) -> None:
    session = make_session(store)
    session.next()
    session.go_to(9)
    assert session.can_go_back()
    assert session.previous() == 2
    assert session.previous() == 1
    assert session.next() == 2
    assert session.next() == 3


def test_go_to_the_case_on_screen_is_no_detour(store: Store, make_session: MakeSession) -> None:
    session = make_session(store)
    session.go_to(1)
    assert session.detour is None
    session.go_to(5)
    session.go_to(1)  # back to the case left, by its id
    assert session.detour is None
    assert session.next() == 2


def test_a_label_on_a_detour_returns_to_the_case_left(
    store: Store, make_session: MakeSession
) -> None:
    session = make_session(store)
    walk(session, 2)
    session.go_to(7)
    give(session, 7)
    assert session.next() == 3  # the case left, not the one after it
    # The queue goes on in order; the labeled case 7 is not handed out again.
    assert walk(session, 5)[1:] == [4, 5, 6, 8, 9]
    assert session.history == [1, 2, 3, 4, 5, 6, 8, 9]


def test_a_detour_at_the_end_of_the_queue_returns_to_the_end(
    store: Store, make_session: MakeSession, actor: Actor
) -> None:
    session = make_session(store)
    for seq in range(1, 11):
        label(store, actor, seq)
    assert session.next() is None
    session.go_to(4)
    assert session.current() == 4
    assert session.next() is None
    session.go_to(4)
    assert session.previous() == 1  # the last case shown in the queue


def test_undo_then_a_label_goes_on_to_the_case_after_the_undone_one(
    store: Store, make_session: MakeSession
) -> None:
    session = make_session(store)
    give(session, 1)
    assert session.next() == 2
    assert undo(session) == 1
    assert session.current() == 1 and session.detour is None
    give(session, 1, "too_slow")
    assert session.next() == 2
    assert session.history == [1, 2]
    # Again and again: nothing is skipped, and k walks back one case at a time.
    for _ in range(3):
        give(session, 2)
        assert session.next() == 3
        assert undo(session) == 2
    give(session, 2)
    assert session.next() == 3
    assert [session.previous(), session.previous(), session.previous()] == [2, 1, None]
    assert session.history == [1, 2, 3]


def test_undo_from_further_on_shows_the_case_in_its_place(
    store: Store, make_session: MakeSession
) -> None:
    session = make_session(store)
    give(session, 1)
    walk(session, 4)
    assert session.current() == 5
    assert undo(session) == 1
    give(session, 1)
    assert session.next() == 2
    assert walk(session, 4)[1:] == [3, 4, 5, 6]
    assert session.history == [1, 2, 3, 4, 5, 6]


def test_undo_of_a_label_given_on_a_detour_is_a_detour_again(
    store: Store, make_session: MakeSession
) -> None:
    session = make_session(store)
    walk(session, 2)
    session.go_to(8)
    give(session, 8)
    assert session.next() == 3
    assert undo(session) == 8
    assert session.detour == 8 and session.left_for_detour() == 3
    assert session.next() == 3  # left without a label: 8 is back in the queue, in its place
    assert walk(session, 5)[1:] == [4, 5, 6, 7, 8]


def test_undo_puts_a_case_back_in_a_page_fetched_while_it_was_labeled(
    store: Store, make_session: MakeSession
) -> None:
    session = make_session(store, page_size=3)
    session.go_to(9)
    give(session, 9)
    assert session.next() == 1
    assert walk(session, 6)[1:] == [2, 3, 4, 5, 6, 7]  # page 7, 8, 10: case 9 was labeled
    assert undo(session) == 9
    assert session.next() == 7
    assert walk(session, 3)[1:] == [8, 9, 10]


def test_skip_and_wrap_count_the_passes(
    make_store: Callable[..., Store], make_session: MakeSession
) -> None:
    store = make_store(n=3)
    session = make_session(store)
    assert walk(session, 2) == [1, 2, 3]
    assert session.wraps == 0
    give(session, 3)
    assert session.next() == 1  # the end: back to the cases skipped on the way
    assert session.wraps == 1
    assert session.next() == 2
    assert session.history == [1, 2, 3, 1, 2]
    assert session.previous() == 1  # back through history, across the wrap
    assert session.previous() == 3


def test_last_labeled_is_what_undo_would_undo(store: Store, make_session: MakeSession) -> None:
    session = make_session(store)
    assert session.last_labeled() is None
    give(session, 1)
    walk(session, 3)
    give(session, 4)
    assert session.last_labeled() == 4
    undo(session)
    assert session.last_labeled() == 1


def test_resumes_at_the_first_case_not_labeled(
    store: Store, make_session: MakeSession, actor: Actor
) -> None:
    for seq in (1, 2, 4, 8):
        label(store, actor, seq)
    session = make_session(store)
    assert session.current() == 3  # left behind last time: comes first
    assert walk(session, 6)[1:] == [5, 6, 7, 9, 10, 3]


def test_resume_passes_cases_filled_by_others(
    store: Store, make_session: MakeSession, actor: Actor, make_actor: Callable[[str], Actor]
) -> None:
    label(store, actor, 1)
    for other in ("bob", "carol"):
        label(store, make_actor(other), 2)
    label(store, make_actor("bob"), 3)
    session = make_session(store)
    assert session.current() == 3  # one label from someone else: still needed
    assert make_session(store, overlap=1).current() == 4


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
    for seq in range(12, 21):
        label(store, actor, seq)  # alice left case 11 behind
    spec = QueueSpec(actor.name, 2, (), False)
    start = look_up_queue_start(store.path, spec).result(timeout=10)
    assert start.first_page[:3] == [11, 21, 22]
    assert len(start.first_page) == PAGE_SIZE
    writers = [LabelWriter(store.path, actor) for _ in range(2)]
    try:
        given = ReviewSession(store, writers[0], spec, start)
        found = ReviewSession(store, writers[1], spec)
        # both walk to the end, then wrap round to case 11
        assert walk(given, n) == walk(found, n)
        assert given.history[: n - 19] == [11, *range(21, n + 1)]
        assert given.history[n - 19] == 11
    finally:
        for writer in writers:
            writer.close(timeout=5)


def test_a_failed_queue_start_lookup_reports_its_error(tmp_path: Path, actor: Actor) -> None:
    future = look_up_queue_start(tmp_path / "missing.db", QueueSpec(actor.name))
    with pytest.raises(StoreError):
        future.result(timeout=10)


# -- the queue query against a model -------------------------------------------------------

QUERY_CASES = 12
REVIEWERS = ("alice", "bob", "carol")


@pytest.fixture
def query_store(make_store: Callable[..., Store]) -> Store:
    """12 cases, shared by the examples of one test (each example resets the labels)."""
    return make_store(n=QUERY_CASES, name="query.db")


@given(
    labels=st.sets(st.tuples(st.integers(1, QUERY_CASES), st.sampled_from(REVIEWERS)), max_size=24),
    retired=st.sets(st.integers(1, QUERY_CASES), max_size=2),
    overlap=st.integers(1, 3),
    after=st.integers(0, QUERY_CASES),
    limit=st.integers(1, 5),
    long_only=st.booleans(),
)
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_next_page_is_the_queue_in_order(
    query_store: Store,
    labels: set[tuple[int, str]],
    retired: set[int],
    overlap: int,
    after: int,
    limit: int,
    long_only: bool,
) -> None:
    store = query_store
    with store.write() as conn:
        conn.execute("DELETE FROM labels")
        conn.execute("UPDATE cases SET is_current = 1")
        conn.executemany(
            "INSERT INTO labels (case_seq, reviewer, account, bucket, labeled_at)"
            " VALUES (?, ?, ?, 'other', '2026-01-01T00:00:00Z')",
            [(seq, who, who) for seq, who in labels],
        )
        conn.executemany("UPDATE cases SET is_current = 0 WHERE seq = ?", [(s,) for s in retired])
    slices = (("length", "long"),) if long_only else ()
    spec = QueueSpec("alice", overlap, slices, False)
    expected = [
        seq
        for seq in range(after + 1, QUERY_CASES + 1)
        if seq not in retired
        and (seq, "alice") not in labels
        and sum(1 for s, _ in labels if s == seq) < overlap
        and (not long_only or seq % 2 == 0)  # make_case: even cases are long
    ][:limit]
    assert next_page(store, spec, after, limit) == expected
    assert first_page(store, spec, limit) == next_page(store, spec, 0, limit)


# -- random walks: the path rules hold whatever the keys ------------------------------------

CASES = 8
OTHERS = ("bob", "carol")


class PathMachine(RuleBasedStateMachine):
    """Keys of the review screen in any order, on a store of 8 cases with pages of 3.

    After each step: history is linear (it only grows at its end, and within a pass it is in
    queue order); no case of the queue is passed over before the wrap (when a case is handed
    out, no open case lies between it and the one handed out before it in this pass); at the
    end of the queue nothing is open. Each key's own rule is checked where it is pressed.
    """

    store: Store
    actor: Actor

    def __init__(self) -> None:
        super().__init__()
        with self.store.write() as conn:
            conn.execute("DELETE FROM labels")
        self.writer = LabelWriter(self.store.path, self.actor)
        self.last_in_pass: dict[int, int] = {}

    @initialize(
        mine=st.sets(st.integers(1, CASES), max_size=4),
        full=st.sets(st.integers(1, CASES), max_size=2),
    )
    def earlier_sessions(self, mine: set[int], full: set[int]) -> None:
        """Labels given before this session: some of this reviewer's, some cases filled by
        others; then the session starts (where it resumes is checked like any case handed
        out: nothing open before it)."""
        for seq in mine:
            set_label(self.store, seq, self.actor, "other", expected_version=None)
        for seq in full - mine:
            for who in OTHERS:
                set_label(self.store, seq, make_reviewer(who), "other", expected_version=None)
        spec = QueueSpec(self.actor.name, 2, (), False)
        start = QueueStart(first_page(self.store, spec, 3))
        self.session = ReviewSession(self.store, self.writer, spec, start)
        self.session.page_size = 3
        self._record_appends([])

    def teardown(self) -> None:
        self.writer.close(timeout=10)

    # -- reference facts, read with plain SQL --------------------------------------------

    def open_cases(self) -> list[int]:
        rows = self.store.query(
            "SELECT seq FROM cases WHERE is_current = 1 AND label_count < 2 AND seq NOT IN"
            " (SELECT case_seq FROM labels WHERE reviewer = ?) ORDER BY seq",
            (self.actor.name,),
        )
        return [int(r[0]) for r in rows]

    def _record_appends(self, before: list[int]) -> None:
        history = self.session.history
        assert history[: len(before)] == before, "history changed other than at its end"
        for seq in history[len(before) :]:
            wraps = self.session.wraps
            previous = self.last_in_pass.get(wraps, 0)
            assert seq > previous, f"history out of queue order in pass {wraps}: {history}"
            passed = [c for c in self.open_cases() if previous < c < seq]
            assert not passed, f"cases {passed} passed over before the wrap; history {history}"
            self.last_in_pass[wraps] = seq

    def _moved(self, before: list[int]) -> None:
        self._record_appends(before)

    # -- keys ------------------------------------------------------------------------------

    def _next_expected(self) -> int | None:
        """What a label, j or s must show: the case left, or the next one in history (None:
        a new case from the queue)."""
        s = self.session
        if s.detour is not None:
            return s.left_for_detour()
        if s.index < len(s.history) - 1:
            return s.history[s.index + 1]
        return None

    def _forward(self) -> None:
        before, expected = list(self.session.history), self._next_expected()
        shown = self.session.next()
        self._moved(before)
        if expected is not None:
            assert shown == expected
        assert shown == self.session.current()

    @rule()
    def next(self) -> None:
        self._forward()

    @rule(bucket=st.sampled_from(["other", "too_slow"]))
    def label(self, bucket: str) -> None:
        seq = self.session.current()
        if seq is None:
            return
        outcome = self.writer.submit_label(seq, bucket).result(timeout=10)
        self.session.record_outcome(outcome)
        self._forward()

    @rule()
    def previous(self) -> None:
        s = self.session
        before, shown_before = list(s.history), s.current()
        expected: int | None = None  # None: nothing moves
        if s.detour is not None and s.history:
            at_end = s.index >= len(s.history)
            expected = s.history[-1] if at_end else s.history[s.index]
        elif s.detour is None and s.index > 0:
            expected = s.history[min(s.index, len(s.history)) - 1]
        shown = s.previous()
        self._moved(before)
        if expected is None:
            assert shown is None and s.current() == shown_before
        else:
            assert shown == expected == s.current()

    @rule(seq=st.integers(1, CASES))
    def go_to(self, seq: int) -> None:
        before = list(self.session.history)
        self.session.go_to(seq)
        self._moved(before)
        assert self.session.current() == seq

    @rule()
    def undo(self) -> None:
        entry = self.session.pop_undo()
        if entry is None:
            return
        seq, previous = entry
        before = list(self.session.history)
        self.session.record_outcome(self.writer.submit_restore(seq, previous).result(10))
        self.session.show_undone(seq)
        self._moved(before)
        assert self.session.current() == seq
        if seq in self.session.history:
            last = len(self.session.history) - 1 - self.session.history[::-1].index(seq)
            assert self.session.detour is None and self.session.index == last

    @rule(seq=st.integers(1, CASES), who=st.sampled_from(OTHERS))
    def someone_else_labels(self, seq: int, who: str) -> None:
        if get_label(self.store, seq, who) is None:
            set_label(self.store, seq, make_reviewer(who), "other", expected_version=None)

    # -- always ----------------------------------------------------------------------------

    @invariant()
    def where_we_are_is_known(self) -> None:
        s = self.session
        assert 0 <= s.index <= len(s.history)
        if s.detour is not None:
            assert s.current() == s.detour
        elif s.current() is None:
            assert not self.open_cases(), "the end of the queue with cases still open"


def make_reviewer(name: str) -> Actor:
    return Actor(name=name, account=name, on_trust=False)


def test_random_walks_keep_the_path_rules(make_store: Callable[..., Store], actor: Actor) -> None:
    store = make_store(n=CASES)
    machine = type("BoundPathMachine", (PathMachine,), {"store": store, "actor": actor})
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=150,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
