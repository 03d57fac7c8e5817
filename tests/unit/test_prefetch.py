"""The prefetcher prepares work on its own thread and connection and hands it over once."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from labeler.cases import find_case_seq, load_case, read_label_count
from labeler.identity import Actor
from labeler.labels import set_label
from labeler.review.prefetch import KEEP, Prefetcher
from labeler.store import Store


def case_id_and_thread(store: Store, seq: int) -> tuple[str, str]:
    case = load_case(store, seq)
    assert case is not None
    return case.case_id, threading.current_thread().name


def test_a_requested_case_is_prepared_on_the_prefetch_thread(store: Store) -> None:
    prefetcher = Prefetcher(store.path, case_id_and_thread)
    try:
        seq = find_case_seq(store, "case-003")
        assert seq is not None
        prefetcher.request(seq)
        assert prefetcher.wait(seq, 10)
        case_id, thread = prefetcher.take(seq) or ("", "")
        assert case_id == "case-003"
        assert thread.startswith("labeler-prefetch")
        assert thread != threading.current_thread().name
        assert prefetcher.take(seq) is None  # handed over once
    finally:
        prefetcher.close()


def test_a_case_never_asked_for_is_not_there(store: Store) -> None:
    prefetcher = Prefetcher(store.path, case_id_and_thread)
    try:
        assert not prefetcher.wait(1, 0.01)
        assert prefetcher.take(1) is None
    finally:
        prefetcher.close()


def test_a_failing_preparation_gives_none_and_the_next_one_still_works(store: Store) -> None:
    def prepare(store: Store, seq: int) -> str:
        if seq == 1:
            raise RuntimeError("boom")
        return f"case {seq}"

    prefetcher = Prefetcher(store.path, prepare)
    try:
        prefetcher.request(1)
        assert prefetcher.wait(1, 10)
        assert prefetcher.take(1) is None
        prefetcher.request(2)
        assert prefetcher.wait(2, 10)
        assert prefetcher.take(2) == "case 2"
    finally:
        prefetcher.close()


def test_take_waits_for_a_preparation_that_is_running(store: Store) -> None:
    started = threading.Event()
    release = threading.Event()

    def prepare(store: Store, seq: int) -> int:
        started.set()
        assert release.wait(10)
        return seq * 10

    prefetcher = Prefetcher(store.path, prepare)
    try:
        prefetcher.request(4)
        assert started.wait(10)
        threading.Timer(0.05, release.set).start()
        assert prefetcher.take(4) == 40
    finally:
        release.set()
        prefetcher.close()


class HeldPreparation:
    """A preparation that waits for ``release`` and records what it prepared."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.prepared: list[int] = []

    def prepare(self, store: Store, seq: int) -> int:
        assert self.release.wait(10)
        self.prepared.append(seq)
        return seq


def test_only_the_newest_requests_are_kept(store: Store) -> None:
    gate = HeldPreparation()
    release, prepared = gate.release, gate.prepared
    prefetcher = Prefetcher(store.path, gate.prepare)
    try:
        for seq in range(1, KEEP + 3):
            prefetcher.request(seq)
        release.set()
        newest = KEEP + 2
        assert prefetcher.wait(newest, 10)
        assert prefetcher.take(newest) == newest
        assert prefetcher.take(1) is None  # dropped: the reviewer went elsewhere
        assert prefetcher.take(2) is None
        assert 2 not in prepared  # dropped before it started, so never prepared
    finally:
        release.set()
        prefetcher.close()


def test_a_closed_prefetcher_takes_no_more_requests(store: Store) -> None:
    prefetcher = Prefetcher(store.path, case_id_and_thread)
    prefetcher.close()
    prefetcher.request(1)
    assert not prefetcher.wait(1, 0.01)
    assert prefetcher.take(1) is None


def test_a_request_still_waiting_its_turn_is_dropped_when_taken(store: Store) -> None:
    """The screen then loads the case itself rather than wait behind another preparation."""
    gate = HeldPreparation()
    release, prepared = gate.release, gate.prepared
    prefetcher = Prefetcher(store.path, gate.prepare)
    try:
        prefetcher.request(1)
        prefetcher.request(2)
        assert prefetcher.take(2) is None
        release.set()
        assert prefetcher.wait(1, 10)
        assert prefetcher.take(1) == 1
        assert prepared == [1]
    finally:
        release.set()
        prefetcher.close()


def test_a_prepared_case_keeps_the_count_of_its_time_and_the_store_has_the_new_one(
    store: Store, make_actor: Callable[[str], Actor]
) -> None:
    """What a prefetch loads keeps the count of its time: the screen reads it again."""
    seq = find_case_seq(store, "case-002")
    assert seq is not None
    prefetcher = Prefetcher(store.path, load_case)
    try:
        prefetcher.request(seq)
        assert prefetcher.wait(seq, 10)
        prepared = prefetcher.take(seq)
        assert prepared is not None and prepared.label_count == 0
        set_label(store, seq, make_actor("carol"), "other", expected_version=None)
        assert read_label_count(store, seq) == 1
    finally:
        prefetcher.close()


@pytest.mark.parametrize("seq", [0, 10_000])
def test_no_such_case_has_no_label_count(store: Store, seq: int) -> None:
    assert read_label_count(store, seq) == 0
