"""ResolveSession: the path through the disagreements, decisions, undo, reasons, a busy store,
and counts; and the in-memory tally the counts come from.

The scenario store (tests/resolve_fixtures.py) has the open disagreements 3, 4, 5, 10, 11 (in
case order), 6 resolved took_a and 7 unclear. Most tests run twice: before the first count
arrived (the next open case found with SQL) and after (found in the tally).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from resolve_fixtures import (
    AGREED,
    DIS_LONG,
    DIS_OTHER,
    DIS_SHORT,
    RESOLVED,
    THREE,
    THREE_TWO_AGREE,
    UNCLEAR,
    actor,
    label,
    scenario,
)

from labeler.resolve.counts import DisagreementTally, count_disagreements
from labeler.resolve.disagreements import ResolveSpec, progress
from labeler.resolve.resolutions import (
    OPEN,
    Resolution,
    get_resolution,
    read_tally,
    resolve,
    summary,
)
from labeler.resolve.session import (
    STILL_SAVING,
    Decision,
    ResolveSession,
    find_resolve_start,
    look_up_resolve_start,
)
from labeler.store import Store

QUEUE = [DIS_LONG, DIS_SHORT, DIS_OTHER, THREE, THREE_TWO_AGREE]
JUDY = actor("judy")
OTTO = actor("otto")
PAIR = ("bad_extraction", "wrong_intent")

MakeSession = Callable[..., ResolveSession]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = scenario(tmp_path)
    yield store
    store.close()


@pytest.fixture(params=["sql", "tally"])
def make_session(request: pytest.FixtureRequest) -> Iterator[MakeSession]:
    """``make_session(store, spec=ResolveSpec())`` for judy; in the ``tally`` run the first
    count has arrived before the test starts."""
    sessions: list[ResolveSession] = []

    def build(store: Store, spec: ResolveSpec | None = None) -> ResolveSession:
        session = ResolveSession(store, JUDY, spec or ResolveSpec())
        sessions.append(session)
        if request.param == "tally":
            count(session)
        return session

    yield build
    for session in sessions:
        session.close()


def count(session: ResolveSession) -> None:
    """Run a count now, as the screen's worker does, and hand it to the session."""
    ask = session.count_request()
    assert session.count_arrived(ask, count_disagreements(session.store, ask))


def settle(store: Store, seq: int, who: str = "otto", method: str = "unclear") -> None:
    """Resolve a case from elsewhere (another resolver's screen)."""
    resolve(
        store,
        seq,
        actor(who),
        bucket=None if method == "unclear" else "other",
        method=method,
        reason=None,
        expected_version=None,
    )


def resolution_of(store: Store, seq: int) -> Resolution:
    """The case's resolution, which must exist."""
    found = get_resolution(store, seq)
    assert found is not None, f"case {seq} is not resolved"
    return found


def decide(session: ResolveSession, bucket: str | None = None) -> int | None:
    """Decide the current case (unclear by default) and go on; the case shown next."""
    result = session.decide(bucket)
    assert result is not None and result.outcome == "saved", result
    return session.after_decision()


def walk(session: ResolveSession) -> list[int | None]:
    """The current case, then each case ``next`` shows until one comes again (or None)."""
    seen = [session.current()]
    while (seq := session.next()) not in seen:
        seen.append(seq)
    return [*seen, seq]


# -- the path through the queue ------------------------------------------------------------------


def test_j_walks_the_open_disagreements_then_wraps_to_the_first(
    store: Store, make_session: MakeSession
) -> None:
    session = make_session(store)
    assert walk(session) == [*QUEUE, DIS_LONG]  # past the last one: the first open one again
    assert session.current() == DIS_LONG
    assert session.history == [*QUEUE, DIS_LONG]


def test_finished_only_when_none_is_open(store: Store, make_session: MakeSession) -> None:
    session = make_session(store)
    assert session.next() == DIS_SHORT  # c-3 skipped
    assert [decide(session) for _ in range(4)] == [DIS_OTHER, THREE, THREE_TWO_AGREE, DIS_LONG]
    assert decide(session) is None  # the skipped one came back first; now none is open
    assert session.current() is None
    assert session.next() is None
    assert session.previous() == DIS_LONG  # k goes back from the end


def test_a_decision_goes_to_the_next_open_case_not_through_history(
    store: Store, make_session: MakeSession
) -> None:
    session = make_session(store)
    session.next()
    session.next()
    settle(store, DIS_SHORT)  # c-4 is settled by another resolver meanwhile
    assert session.previous() == DIS_SHORT
    assert session.previous() == DIS_LONG
    assert decide(session) == DIS_OTHER  # not c-4, the next case of the history
    assert session.previous() == DIS_SHORT  # the history stays linear
    assert session.previous() == DIS_LONG
    assert session.next() == DIS_SHORT  # j replays the history, resolved cases included


def test_a_decision_on_an_earlier_case_goes_to_the_next_open_one_after_it(
    store: Store, make_session: MakeSession
) -> None:
    session = make_session(store)
    assert decide(session) == DIS_SHORT
    assert decide(session) == DIS_OTHER
    session.previous()
    session.previous()
    assert session.current() == DIS_LONG
    assert decide(session, "bad_extraction") == DIS_OTHER  # c-4 is resolved: on to c-5
    assert session.history == [DIS_LONG, DIS_SHORT, DIS_OTHER]


def test_a_decision_at_the_end_wraps_to_a_case_skipped_before(
    store: Store, make_session: MakeSession
) -> None:
    session = make_session(store)
    for _ in range(4):
        session.next()
    assert session.current() == THREE_TWO_AGREE
    assert decide(session) == DIS_LONG  # wraps
    assert session.history == [*QUEUE, DIS_LONG]
    assert session.previous() == THREE_TWO_AGREE


def test_k_steps_back_into_cases_resolved_before_the_session(
    store: Store, make_session: MakeSession
) -> None:
    settle(store, DIS_LONG)
    session = make_session(store)
    assert session.current() == DIS_SHORT
    assert session.previous() == DIS_LONG
    assert session.previous() is None  # no disagreement before c-3
    assert session.current() == DIS_LONG
    assert session.next() == DIS_SHORT


def test_a_case_settled_elsewhere_is_not_shown(store: Store, make_session: MakeSession) -> None:
    session = make_session(store)
    settle(store, DIS_SHORT)
    settle(store, DIS_OTHER)
    assert session.next() == THREE
    if session.tally is not None:  # the tally learnt it on the way
        assert session.progress() == (4, 7)


def test_a_case_that_stopped_being_a_disagreement_is_not_shown(
    store: Store, make_session: MakeSession
) -> None:
    session = make_session(store)
    label(store, DIS_SHORT, "bob", "bad_extraction")  # bob now agrees with alice
    assert session.next() == DIS_OTHER
    if session.tally is not None:
        assert session.progress() == (2, 6)


def test_an_empty_queue(store: Store, make_session: MakeSession) -> None:
    for seq in QUEUE:
        settle(store, seq)
    session = make_session(store)
    assert session.current() is None
    assert session.state() is None
    assert session.next() is None
    assert session.decide("other") is None
    assert session.previous() is None


def test_peek_tells_what_the_next_move_shows(store: Store, make_session: MakeSession) -> None:
    session = make_session(store)
    if session.tally is None:
        assert session.peek_next() is None  # not known without SQL yet
        return
    for _ in range(6):
        expected = session.peek_next()
        assert session.next() == expected
    assert session.current() == DIS_SHORT  # the second pass
    assert session.peek_after_decision() == DIS_OTHER
    session.previous()
    assert session.peek_after_decision() == DIS_SHORT
    assert decide(session) == DIS_SHORT


def test_pair_filter_walks_only_that_pair_and_back(store: Store, make_session: MakeSession) -> None:
    session = make_session(store)
    assert session.set_filter(PAIR) == DIS_LONG
    assert walk(session) == [DIS_LONG, DIS_SHORT, THREE, THREE_TWO_AGREE, DIS_LONG]
    assert session.tally is None  # the other filter's counts are gone until the next count
    count(session)
    assert session.progress() == (0, 4)
    assert session.set_filter(None) == DIS_LONG
    assert session.spec == session.base_spec


def test_go_to_returns_to_the_last_place_of_a_case(store: Store, make_session: MakeSession) -> None:
    session = make_session(store)
    walk(session)  # 3, 4, 5, 10, 11, 3
    assert session.go_to(DIS_OTHER) == DIS_OTHER
    assert session.next() == THREE
    assert session.go_to(AGREED) == AGREED  # not in the history: placed after the current case
    assert session.previous() == THREE
    assert session.next() == AGREED
    assert session.next() == THREE_TWO_AGREE


def test_the_start_can_be_looked_up_on_a_thread(store: Store) -> None:
    settle(store, DIS_LONG)
    start = look_up_resolve_start(store.path, ResolveSpec()).result(timeout=10)
    assert start == find_resolve_start(store, ResolveSpec())
    assert start.first == DIS_SHORT
    session = ResolveSession(store, JUDY, ResolveSpec(), start)
    assert session.current() == DIS_SHORT
    session.close()


# -- deciding, reasons, undo -------------------------------------------------------------------


def test_a_decision_is_stored_with_the_method_and_does_not_move(
    store: Store, make_session: MakeSession
) -> None:
    session = make_session(store)
    result = session.decide("bad_extraction")  # bob's bucket on c-3
    assert result is not None and result.outcome == "saved"
    assert session.current() == DIS_LONG
    stored = get_resolution(store, DIS_LONG)
    assert stored == result.stored
    assert stored is not None and (stored.method, stored.resolver) == ("took_b", "judy")
    state = session.state()
    assert state is not None and state.resolution == stored
    again = session.decide("bad_extraction")  # the same again: no new version, no undo step
    assert again is not None and again.stored == stored
    assert session.undo().outcome == "done"
    assert session.undo().outcome == "nothing"


def test_undo_restores_what_was_there_and_repairs_versions(
    store: Store, make_session: MakeSession
) -> None:
    session = make_session(store)
    decide(session, "wrong_intent")
    session.previous()
    decide(session, "bad_extraction")  # a change of c-3: version 2
    assert resolution_of(store, DIS_LONG).method == "took_b"
    assert session.undo() == ("done", DIS_LONG, None)
    restored = get_resolution(store, DIS_LONG)
    assert restored is not None and (restored.method, restored.version) == ("took_a", 3)
    assert session.undo() == ("done", DIS_LONG, None)  # expects version 3, not 1
    assert get_resolution(store, DIS_LONG) is None


def test_undo_after_a_reason_written_on_the_case(store: Store, make_session: MakeSession) -> None:
    session = make_session(store)
    decide(session, "wrong_intent")
    session.previous()
    assert session.write_reason("policy 4.2").outcome == "done"  # version 2
    assert session.undo().outcome == "done"  # expects version 2
    assert get_resolution(store, DIS_LONG) is None
    assert session.drafts == {DIS_LONG: "policy 4.2"}  # the reason is not lost


def test_a_reason_survives_undo_and_a_new_decision(store: Store, make_session: MakeSession) -> None:
    session = make_session(store)
    assert session.write_reason("see the refund policy").outcome == "kept"
    assert session.reason_shown() == "see the refund policy"
    assert get_resolution(store, DIS_LONG) is None
    decide(session, "wrong_intent")
    assert resolution_of(store, DIS_LONG).reason == "see the refund policy"
    assert session.drafts == {}
    assert session.undo() == ("done", DIS_LONG, None)
    session.go_to(DIS_LONG)
    assert session.reason_shown() == "see the refund policy"
    decide(session, "bad_extraction")
    stored = get_resolution(store, DIS_LONG)
    assert stored is not None and (stored.method, stored.reason) == (
        "took_b",
        "see the refund policy",
    )


def test_a_reason_typed_before_the_decision_survives_moving_away(
    store: Store, make_session: MakeSession
) -> None:
    session = make_session(store)
    session.write_reason("later")
    session.next()
    assert session.reason_shown() == ""
    session.previous()
    assert session.reason_shown() == "later"
    session.write_reason("")  # an empty reason clears the draft
    assert session.drafts == {}


def test_a_refused_reason_is_kept_as_a_draft(store: Store, make_session: MakeSession) -> None:
    session = make_session(store)
    decide(session, "wrong_intent")
    session.previous()
    other = get_resolution(store, DIS_LONG)
    resolve(
        store,
        DIS_LONG,
        OTTO,
        bucket=None,
        method="unclear",
        reason=None,
        expected_version=other.version if other else None,
    )
    result = session.write_reason("mine")
    assert result.outcome == "failed" and "otto" in (result.error or "")
    assert session.drafts == {DIS_LONG: "mine"}
    state = session.state()
    assert state is not None and state.resolution is not None
    assert state.resolution.resolver == "otto"  # what the store has now


def test_a_decision_over_another_resolvers_is_refused_and_names_them(
    store: Store, make_session: MakeSession
) -> None:
    session = make_session(store)
    assert session.state() is not None  # loaded before otto writes
    settle(store, DIS_LONG)
    result = session.decide("wrong_intent")
    assert result is not None and result.outcome == "refused"
    assert "otto" in (result.error or "")
    assert session.current() == DIS_LONG
    state = session.state()
    assert state is not None and state.resolution is not None
    assert state.resolution.resolver == "otto"
    assert session.undo().outcome == "nothing"


def test_a_busy_store_keeps_the_decision_pending_until_retried(
    store: Store, make_session: MakeSession
) -> None:
    session = make_session(store)
    blocker = sqlite3.connect(store.path, isolation_level=None, timeout=1)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        result = session.decide("wrong_intent")
        assert result is not None and result.outcome == "busy"
        assert session.pending == result.decision
        assert session.retry_pending() is not None  # still busy
        session.next()
        other = session.decide("wrong_intent")
        assert other is not None and other.outcome == "waiting"  # nothing else is written
        assert other.decision.seq == DIS_LONG
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    retried = session.retry_pending()
    assert retried is not None and retried.outcome == "saved"
    assert session.pending is None
    assert resolution_of(store, DIS_LONG).method == "took_a"
    assert get_resolution(store, DIS_SHORT) is None
    assert session.undo() == ("done", DIS_LONG, None)


def test_a_failed_undo_keeps_its_step(store: Store, make_session: MakeSession) -> None:
    session = make_session(store)
    decide(session, "wrong_intent")
    blocker = sqlite3.connect(store.path, isolation_level=None, timeout=1)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        assert session.undo().outcome == "failed"
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert session.undo() == ("done", DIS_LONG, None)


# -- counts ------------------------------------------------------------------------------------


def test_counts_follow_the_sessions_own_decisions(store: Store, make_session: MakeSession) -> None:
    session = make_session(store)
    if session.tally is None:  # before the first count: the store's kept counts
        assert session.progress() == (2, 7) and session.summary() is None
        decide(session, "wrong_intent")
        assert session.progress() == (3, 7) == progress(store, ResolveSpec())
        session.undo()
        assert session.progress() == (2, 7) == progress(store, ResolveSpec())
        count(session)
    assert session.progress() == (2, 7)
    decide(session, "wrong_intent")
    decide(session)
    assert session.progress() == (4, 7) == progress(store, ResolveSpec())
    assert session.summary() == summary(store, ResolveSpec())
    session.undo()
    assert session.progress() == (3, 7) == progress(store, ResolveSpec())
    assert session.summary() == summary(store, ResolveSpec())


def test_a_count_read_before_later_decisions_does_not_take_them_back(store: Store) -> None:
    session = ResolveSession(store, JUDY, ResolveSpec())
    ask = session.count_request()
    counted = count_disagreements(store, ask)  # read now, handed over after two decisions
    decide(session, "wrong_intent")
    decide(session)
    session.undo()
    assert session.progress() == (3, 7)  # the kept counts and the session's own moves
    assert session.count_arrived(ask, counted)
    assert session.progress() == (3, 7) == progress(store, ResolveSpec())
    assert session.summary() == summary(store, ResolveSpec())
    session.close()


def test_an_old_count_or_one_of_another_filter_is_ignored(store: Store) -> None:
    session = ResolveSession(store, JUDY, ResolveSpec())
    old = session.count_request()
    old_count = count_disagreements(store, old)
    new = session.count_request()
    assert session.count_arrived(new, count_disagreements(store, new))
    assert not session.count_arrived(old, old_count)
    of_all = session.count_request()
    session.set_filter(PAIR)
    assert not session.count_arrived(of_all, count_disagreements(store, of_all))
    assert session.tally is None
    count(session)
    assert session.progress() == (0, 4)
    assert session.pairs[0] == ("bad_extraction", "wrong_intent", 4)  # pairs are of all cases
    session.close()


# -- the tally ---------------------------------------------------------------------------------


def test_the_start_reads_the_kept_counts_of_the_whole_store_only(store: Store) -> None:
    assert find_resolve_start(store, ResolveSpec()).kept == progress(store, ResolveSpec())
    assert find_resolve_start(store, ResolveSpec(pair=PAIR)).kept is None
    session = ResolveSession(store, JUDY, ResolveSpec(pair=PAIR))
    assert session.progress() is None  # a filter: only its own count says
    session.close()
    settle(store, DIS_LONG)
    assert find_resolve_start(store, ResolveSpec()).kept == progress(store, ResolveSpec())
    assert progress(store, ResolveSpec()) == (3, 7)


def test_the_tally_counts_what_the_sql_counts(store: Store) -> None:
    for spec in (ResolveSpec(), ResolveSpec(pair=PAIR)):
        tally = DisagreementTally(*read_tally(store, spec))
        assert tally.progress() == progress(store, spec)
        assert tally.by_method() == summary(store, spec)


def test_tally_moves() -> None:
    from array import array

    tally = DisagreementTally(array("q", [3, 5, 8, 13]), bytearray([0, 1, 0, 5]))
    assert (tally.total, tally.open_count) == (4, 2)
    assert [tally.state(s) for s in (3, 5, 8, 13, 4)] == [OPEN, "took_a", OPEN, "unclear", None]
    assert tally.next_open(0) == 3 and tally.next_open(3) == 8 and tally.next_open(8) is None
    assert tally.previous(8) == 5 and tally.previous(3) is None and tally.previous(100) == 13
    tally.record(3, "other")
    tally.record(13, OPEN)
    tally.record(4, "took_b")  # not a disagreement of the tally: ignored
    assert tally.next_open(0) == 8 and tally.next_open(8) == 13
    assert tally.by_method()["other"] == 1 and tally.by_method()["unclear"] == 0
    tally.forget(8)
    tally.forget(8)
    assert tally.next_open(0) == 13 and tally.total == 3
    with pytest.raises(ValueError):
        DisagreementTally(array("q", [1]), bytearray())


def test_resolutions_of_the_scenario_are_as_documented(store: Store) -> None:
    tally = DisagreementTally(*read_tally(store, ResolveSpec()))
    assert tally.state(RESOLVED) == "took_a"
    assert tally.state(UNCLEAR) == "unclear"
    assert tally.state(AGREED) is None


def test_a_submitted_decision_is_in_flight_until_finished(
    store: Store, make_session: MakeSession
) -> None:
    session = make_session(store)
    begun = session.begin_decision("wrong_intent")
    assert isinstance(begun, Decision)
    future = session.submit(begun)
    assert session.in_flight == {DIS_LONG: begun}
    assert session.after_decision() == DIS_SHORT  # not shown again while it is saved
    assert session.undo().error == STILL_SAVING  # undo waits for it
    again = session.go_to(DIS_LONG)
    assert again == DIS_LONG
    waiting = session.decide("bad_extraction")  # another decision on it waits too
    assert waiting is not None and waiting.outcome == "waiting"
    assert session.write_reason("why").outcome == "kept"  # a draft until it is saved
    result = session.finish_decision(begun, future.result(timeout=10))
    assert result.outcome == "saved" and session.in_flight == {}
    assert resolution_of(store, DIS_LONG).method == "took_a"
    assert session.undo() == ("done", DIS_LONG, None)


def test_close_lets_submitted_writes_land(store: Store) -> None:
    session = ResolveSession(store, JUDY, ResolveSpec())
    begun = session.begin_decision(None)
    assert isinstance(begun, Decision)
    session.submit(begun)
    session.close()
    assert resolution_of(store, DIS_LONG).method == "unclear"
