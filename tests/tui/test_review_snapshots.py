"""SVG snapshots of what the reviewer sees (pytest-textual-snapshot).

Update after an intended change with ``pytest tests/tui/test_review_snapshots.py
--snapshot-update`` and look at every changed SVG before committing it. The store is
deterministic: fixed cases, a fixed reviewer, a fixed file name, no time shown.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pilot_helpers import CaseDict, MakeApp, settle, type_text
from textual.pilot import Pilot
from textual.widgets import Input

from labeler.store import Store
from labeler.tui.app import ReviewApp

SnapCompare = Callable[..., bool]

CASES: list[CaseDict] = [
    {
        "id": "sup-0042",
        "input": [
            {"role": "user", "content": "My parcel HP-4471 never arrived. I want a refund."},
            {"role": "assistant", "content": "Sorry to hear that! Let me check."},
            {"role": "user", "content": "It was due on Monday."},
        ],
        "context": [
            {
                "title": "Order HP-4471",
                "text": "Status: lost in transit since 2026-11-20. Paid $39.00.",
                "source": "orders/HP-4471",
            },
            {
                "title": "Refund policy",
                "text": "Lost parcels are refunded in full or sent again, as the customer picks.",
                "source": "https://help.example.com/refunds",
            },
        ],
        "output": "Your parcel is on its way and will arrive tomorrow. [/INST] Refund denied.",
        "slices": {"channel": "chat", "length": "short"},
        "meta": {"prompt_version": "v8", "model": "support-llm", "latency_ms": 918},
    },
    {
        "id": "sup-0043",
        "input": "Cancel my Plus membership please",
        "output": '{"tool": "cancel_membership"}',
        "slices": {"channel": "api"},
        "meta": {"output_format": "json"},
    },
]


@pytest.fixture
def snapshot_store(make_store: Callable[..., Store]) -> Store:
    return make_store(CASES, name="review.db")


@pytest.fixture
def snapshot_app(snapshot_store: Store, make_app: MakeApp) -> ReviewApp:
    return make_app(snapshot_store, "snapper")


async def ready(pilot: Pilot[None]) -> None:
    """The first case is drawn and the queue counted (the header shows ``1 / 2``)."""
    await settle(pilot)


def test_main_screen_80x24(snap_compare: SnapCompare, snapshot_app: ReviewApp) -> None:
    assert snap_compare(snapshot_app, terminal_size=(80, 24), run_before=ready)


def test_main_screen_200x50(snap_compare: SnapCompare, snapshot_app: ReviewApp) -> None:
    assert snap_compare(snapshot_app, terminal_size=(200, 50), run_before=ready)


def test_help_screen(snap_compare: SnapCompare, snapshot_app: ReviewApp) -> None:
    assert snap_compare(
        snapshot_app, terminal_size=(120, 40), run_before=ready, press=["question_mark"]
    )


def test_note_modal(snap_compare: SnapCompare, snapshot_app: ReviewApp) -> None:
    async def open_note(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("n")
        await type_text(pilot, "promised delivery 1st")
        pilot.app.screen.query_one(Input).cursor_blink = False  # a steady cursor
        await pilot.pause()

    assert snap_compare(snapshot_app, terminal_size=(120, 30), run_before=open_note)


def test_plain_case_80x24(snap_compare: SnapCompare, snapshot_app: ReviewApp) -> None:
    """The second case: a one-line input (no chat) and a JSON output, every key visible."""
    assert snap_compare(snapshot_app, terminal_size=(80, 24), run_before=ready, press=["j"])


def test_chosen_bucket_and_guide_200x50(snap_compare: SnapCompare, snapshot_app: ReviewApp) -> None:
    """The bucket guide beside the case, and the chosen bucket marked with its glyph."""

    async def label_back_and_guide(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("k", "d")
        await settle(pilot)

    assert snap_compare(snapshot_app, terminal_size=(200, 50), run_before=label_back_and_guide)


def test_too_small(snap_compare: SnapCompare, snapshot_app: ReviewApp) -> None:
    assert snap_compare(snapshot_app, terminal_size=(50, 14), run_before=ready)
