"""The resolve header's "resolved N / M" follows each decision at once, even when the
background recount is slow (it takes seconds on a million cases)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pilot_helpers import settle
from resolve_helpers import demo_store, header, resolve_app, screen

import labeler.tui.resolve_screen as resolve_module
from labeler.disagreements import ResolveProgress, ResolveSpec
from labeler.store import Store

SIZE = (120, 40)


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Store]:
    """The demo store: 180 cases, 34 disagreements between alice and bob."""
    store = demo_store(tmp_path / "demo")
    yield store
    store.close()


class SlowCount:
    """Makes every progress count wait until ``release`` is set (once ``hold`` is set)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.hold = threading.Event()
        self.release = threading.Event()
        self.calls = 0
        real = resolve_module.progress

        def slow(store: Store, spec: ResolveSpec) -> ResolveProgress:
            self.calls += 1
            if self.hold.is_set():
                assert self.release.wait(10)
            return real(store, spec)

        monkeypatch.setattr(resolve_module, "progress", slow)


async def test_the_count_follows_decisions_and_undo_while_the_recount_is_slow(
    demo: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow = SlowCount(monkeypatch)
    app = resolve_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "resolved 0 / 34" in header(app)
        before = slow.calls
        slow.hold.set()  # from now on every recount hangs until released
        await pilot.press("a")
        assert "resolved 1 / 34" in header(app)
        await pilot.press("b")
        assert "resolved 2 / 34" in header(app)
        await pilot.press("u")
        assert "resolved 1 / 34" in header(app)
        calls_while_held = slow.calls
        slow.release.set()
        for _ in range(250):  # the held count is dropped and one more count runs to the end
            if slow.calls == before + 2 and not screen(app)._counting:
                break
            await pilot.pause(0.02)
        await settle(pilot)
        assert "resolved 1 / 34" in header(app)  # the stale counts were not shown
        assert demo.query("SELECT count(*) FROM resolutions")[0][0] == 1
    # one count ran while held; the changes made meanwhile were folded into one more count
    assert calls_while_held == before + 1
    assert slow.calls == before + 2
