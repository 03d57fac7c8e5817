"""SVG snapshots of the resolve screen (pytest-textual-snapshot; files in ``__snapshots__``).

The stores are deterministic: the demo store (its file is always ``demo.db``) and the scenario
store (``s.db``), and the resolver has a fixed name and account, so nothing on screen depends on
the machine or the clock. Update after a deliberate change with ``pytest --snapshot-update``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from pilot_helpers import settle
from resolve_fixtures import scenario
from resolve_helpers import demo_store, resolve_app
from textual.pilot import Pilot
from textual.widgets import Input

from labeler.store import Store
from labeler.tui.modals import TextPrompt

SnapCompare = Callable[..., bool]
Steps = Callable[[Pilot[None]], Awaitable[None]]


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Store]:
    store = demo_store(tmp_path / "demo")
    yield store
    store.close()


@pytest.fixture
def scen(tmp_path: Path) -> Iterator[Store]:
    store = scenario(tmp_path)
    yield store
    store.close()


def after(*keys: str, reason: str | None = None) -> Steps:
    """Wait for the counts, press ``keys``, optionally write a reason, and wait again."""

    async def steps(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press(*keys)
        if reason is not None:
            await pilot.press("n")
            prompt = pilot.app.screen
            assert isinstance(prompt, TextPrompt)
            prompt.query_one(Input).value = reason
            await pilot.press("enter")
        await settle(pilot)

    return steps


def test_first_disagreement_80x24(demo: Store, snap_compare: SnapCompare) -> None:
    app = resolve_app(demo, "rita", account="rita")
    assert snap_compare(app, terminal_size=(80, 24), run_before=after())


def test_first_disagreement_200x50(demo: Store, snap_compare: SnapCompare) -> None:
    app = resolve_app(demo, "rita", account="rita")
    assert snap_compare(app, terminal_size=(200, 50), run_before=after())


def test_resolved_case_with_reason_200x50(demo: Store, snap_compare: SnapCompare) -> None:
    app = resolve_app(demo, "rita", account="rita")
    steps = after("b", "k", reason="bob read the latency right")
    assert snap_compare(app, terminal_size=(200, 50), run_before=steps)


def test_end_of_queue_summary_80x24(scen: Store, snap_compare: SnapCompare) -> None:
    app = resolve_app(scen, "rita", account="rita")
    assert snap_compare(app, terminal_size=(80, 24), run_before=after("a", "b", "x", "c", "8"))


def test_labels_zoomed_with_every_note_80x24(demo: Store, snap_compare: SnapCompare) -> None:
    app = resolve_app(demo, "rita", account="rita")
    assert snap_compare(app, terminal_size=(80, 24), run_before=after("tab", "tab", "tab", "z"))
