"""The resolve header's "resolved N / M" follows each decision at once, even when the count
from the store is slow (it is a pass over every case: seconds on a million), and a count that
read the store before the latest decisions does not take them back."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pilot_helpers import settle
from resolve_helpers import demo_store, header, resolve_app, screen

import labeler.tui.resolve_screen as resolve_module
from labeler.resolve.counts import Counted, CountRequest, count_disagreements
from labeler.store import Store

SIZE = (120, 40)


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Store]:
    """The demo store: 180 cases, 34 disagreements between alice and bob."""
    store = demo_store(tmp_path / "demo")
    yield store
    store.close()


class SlowCount:
    """Once ``hold`` is set, every count reads the store at once, then waits for ``release``
    before it is handed to the screen (so what it read is older than what happens meanwhile)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.hold = threading.Event()
        self.release = threading.Event()
        self.calls = 0
        real = count_disagreements

        def slow(store: Store, request: CountRequest) -> Counted:
            self.calls += 1
            counted = real(store, request)
            if self.hold.is_set():
                assert self.release.wait(10)
            return counted

        monkeypatch.setattr(resolve_module, "count_disagreements", slow)


async def test_the_count_follows_decisions_and_undo_while_a_count_is_slow(
    demo: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow = SlowCount(monkeypatch)
    app = resolve_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "resolved 0 / 34" in header(app)
        before = slow.calls
        slow.hold.set()
        screen(app).count()  # e.g. the periodic recount: it reads 0 resolved, then hangs
        await pilot.press("a")
        assert "resolved 1 / 34" in header(app)
        await pilot.press("b")
        assert "resolved 2 / 34" in header(app)
        await pilot.press("u")
        assert "resolved 1 / 34" in header(app)
        screen(app).count()  # asked for while one runs: one more runs after it
        screen(app).count()
        slow.release.set()
        for _ in range(250):
            if slow.calls == before + 2 and not screen(app)._counting:
                break
            await pilot.pause(0.02)
        await settle(pilot)
        assert "resolved 1 / 34" in header(app)  # the old reading did not undo the decisions
        assert demo.query("SELECT count(*) FROM resolutions")[0][0] == 1
    assert slow.calls == before + 2


async def test_the_first_count_arrives_after_decisions_made_before_it(
    demo: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow = SlowCount(monkeypatch)
    slow.hold.set()  # the first count (at start) reads the store, then hangs
    app = resolve_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "resolved … / …" in header(app)
        await pilot.press("a", "x")
        assert "resolved … / …" in header(app)  # nothing to count from yet
        slow.release.set()
        await settle(pilot)
        assert "resolved 2 / 34" in header(app)
