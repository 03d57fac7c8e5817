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
from textual.pilot import Pilot

import labeler.tui.resolve_screen as resolve_module
from labeler.identity import Actor
from labeler.resolve.counts import Counted, CountRequest, count_disagreements
from labeler.resolve.disagreements import ResolveSpec, next_page
from labeler.resolve.resolutions import resolve
from labeler.store import Store, open_store
from labeler.tui.resolve_app import ResolveApp

SIZE = (120, 40)


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Store]:
    """The demo store: 180 cases, 34 disagreements between alice and bob."""
    store = demo_store(tmp_path / "demo")
    yield store
    store.close()


async def header_shows(pilot: Pilot[None], app: ResolveApp, text: str, seconds: float = 5) -> bool:
    """Wait until the header holds ``text`` and a case is shown; False after ``seconds``."""
    for _ in range(int(seconds / 0.02)):
        if text in header(app) and screen(app).case is not None:
            return True
        await pilot.pause(0.02)
    return False


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
    """Until the first count arrives, the whole store's "resolved N / M" comes from the counts
    the store keeps (read with the first disagreement), moved by this session's decisions."""
    slow = SlowCount(monkeypatch)
    slow.hold.set()  # the first count (at start) reads the store, then hangs
    app = resolve_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        # (not settle: it would wait for the held count)
        assert await header_shows(pilot, app, "resolved 0 / 34")  # kept counts, before a count
        await pilot.press("a", "x")
        assert "resolved 2 / 34" in header(app)
        await pilot.press("u")
        assert "resolved 1 / 34" in header(app)
        await pilot.press("b")
        assert "resolved 2 / 34" in header(app)
        assert screen(app).session.tally is None  # still no count
        slow.release.set()
        await settle(pilot)
        assert "resolved 2 / 34" in header(app)
        assert screen(app).session.tally is not None


async def test_a_pair_filter_waits_for_its_count(
    demo: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kept counts are of the whole store: a --pair session shows its own count only."""
    slow = SlowCount(monkeypatch)
    slow.hold.set()
    pair = demo.query(
        "SELECT min(bucket), max(bucket) FROM labels GROUP BY case_seq"
        " HAVING min(bucket) <> max(bucket) LIMIT 1"
    )[0]
    app = resolve_app(demo, pair=(str(pair[0]), str(pair[1])))
    async with app.run_test(size=SIZE) as pilot:
        assert await header_shows(pilot, app, "resolved … / …")
        await pilot.pause(0.2)
        assert "resolved … / …" in header(app) and screen(app).case is not None
        slow.release.set()
        await settle(pilot)
        assert "resolved … / …" not in header(app)


async def test_the_periodic_recount_runs_only_after_a_commit_elsewhere(
    demo: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An idle screen does not count the store again and again (a pass over every case);
    a decision made by another resolver still reaches the header at the next period."""
    monkeypatch.setattr(resolve_module, "RECOUNT_S", 0.05)
    slow = SlowCount(monkeypatch)
    app = resolve_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "resolved 0 / 34" in header(app)
        await pilot.pause(0.5)  # ten periods with nothing committed
        await settle(pilot)
        idle_calls = slow.calls
        await pilot.pause(0.5)
        await settle(pilot)
        assert slow.calls == idle_calls  # no count while idle
        assert idle_calls <= 2  # the first count (and at most one period racing it)

        other = open_store(demo.path)  # another resolver's process
        try:
            seq = next_page(other, ResolveSpec(), 0, 1)[0]
            resolve(
                other,
                seq,
                Actor(name="olga", account="olga", on_trust=True),
                bucket=None,
                method="unclear",
                reason=None,
                expected_version=None,
            )
        finally:
            other.close()
        for _ in range(150):
            if "resolved 1 / 34" in header(app):
                break
            await pilot.pause(0.02)
        assert "resolved 1 / 34" in header(app)
        assert slow.calls > idle_calls
