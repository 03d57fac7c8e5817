"""A busy store never freezes the resolve screen and never drops a resolution."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest
from pilot_helpers import settle
from resolve_helpers import (
    current_seq,
    demo_store,
    expected_queue,
    header,
    resolution_rows,
    resolve_app,
    status,
)

from labeler.resolve.session import STILL_SAVING, Decision, WriteOutcome
from labeler.tui.resolve_screen import SAVE_WAIT_S


def _hold_write_lock(path: Path) -> sqlite3.Connection:
    blocker = sqlite3.connect(path, isolation_level=None, timeout=1)
    blocker.execute("BEGIN IMMEDIATE")
    return blocker


async def test_busy_store_keeps_the_decision_pending_then_saves_it(tmp_path: Path) -> None:
    store = demo_store(tmp_path)
    app = resolve_app(store)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        first = current_seq(app)
        assert first is not None
        blocker = _hold_write_lock(store.path)
        try:
            await pilot.press("a")
            await pilot.pause(0.6)
            assert "not saved yet" in status(app)
            assert current_seq(app) == first  # the screen stays on the case until it is saved
            assert first not in resolution_rows(store)
            await pilot.press("b")  # another decision waits for the pending one
            assert "not saved yet" in status(app)
            await pilot.press("q")  # quitting asks first
            assert app.is_running
            assert "Press q again" in status(app)
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        for _ in range(40):
            await asyncio.sleep(0.1)
            await pilot.pause()
            if first in resolution_rows(store):
                break
        rows = resolution_rows(store)
        assert rows[first]["method"] == "took_a"
        assert status(app).startswith("saved: ")
        assert current_seq(app) != first


async def test_an_undo_on_a_busy_store_fails_fast_and_can_be_tried_again(tmp_path: Path) -> None:
    store = demo_store(tmp_path)
    app = resolve_app(store)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        first = current_seq(app)
        await pilot.press("a")
        await settle(pilot)
        assert first in resolution_rows(store)
        blocker = _hold_write_lock(store.path)
        try:
            started = asyncio.get_running_loop().time()
            await pilot.press("u")
            waited = asyncio.get_running_loop().time() - started
            assert "undo failed" in status(app)
            assert waited < 5  # the store's own busy timeout is 10 s: the screen did not wait it
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert first in resolution_rows(store)
        await pilot.press("u")  # the step was kept: undo works once the store is free
        await settle(pilot)
        assert status(app) == "undone"
    assert first not in resolution_rows(store)


async def test_a_slow_commit_does_not_hold_the_screen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the screen's own wait (a frame), a write that takes longer lets the screen move on
    at once; it says "saving…", then "saved" when the store answers, and undo waits for it."""
    store = demo_store(tmp_path)
    first, second = expected_queue(store)[:2]
    app = resolve_app(store, save_wait_s=SAVE_WAIT_S)
    release = threading.Event()
    real = app.session.store_decision

    def slow(decision: Decision) -> WriteOutcome:
        assert release.wait(10)
        return real(decision)

    monkeypatch.setattr(app.session, "store_decision", slow)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        assert current_seq(app) == first
        await pilot.press("a")
        assert current_seq(app) == second  # moved on before the store answered
        assert status(app).startswith("saving: sup-0001 → ")
        assert first not in resolution_rows(store)
        await pilot.press("u")
        assert status(app) == f"undo failed: {STILL_SAVING}"
        await pilot.press("k")  # back to the case being saved: shown as the store has it
        assert current_seq(app) == first
        await pilot.press("j")
        release.set()
        for _ in range(100):
            await pilot.pause(0.02)
            if status(app).startswith("saved: "):
                break
        assert status(app).startswith("saved: sup-0001 → ")
        assert current_seq(app) == second
        assert resolution_rows(store)[first]["method"] == "took_a"
        await settle(pilot)
        assert "resolved 1 / 34" in header(app)
        await pilot.press("u")
        assert status(app) == "undone"
        assert current_seq(app) == first
    assert resolution_rows(store) == {}


async def test_quitting_waits_for_a_write_in_flight(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = demo_store(tmp_path)
    first = expected_queue(store)[0]
    app = resolve_app(store, save_wait_s=SAVE_WAIT_S)
    release = threading.Event()
    real = app.session.store_decision

    def slow(decision: Decision) -> WriteOutcome:
        assert release.wait(10)
        return real(decision)

    monkeypatch.setattr(app.session, "store_decision", slow)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("x")
        assert status(app).startswith("saving: ")
        threading.Timer(0.2, release.set).start()  # lands while q waits for it
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
    assert app.return_code == 0
    assert resolution_rows(store)[first]["method"] == "unclear"
