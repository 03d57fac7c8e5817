"""Helpers for the Pilot tests of the review app (imported by the test modules of this folder).

``screen_text(app)`` is every character on screen, ``terminal_output(app)`` the text a real
terminal would receive for a full redraw, and ``settle(pilot)`` waits for the app's workers
and message queues instead of sleeping.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual._compositor import LayoutUpdate
from textual.app import App
from textual.pilot import Pilot

from labeler.store import Store
from labeler.taxonomy import Bucket, read_taxonomy
from labeler.tui.app import ReviewApp
from labeler.tui.review_screen import ReviewScreen

MakeApp = Callable[..., ReviewApp]
"""The ``make_app`` fixture: ``make_app(store, "bob", overlap=2, slices=(), revisit=False)``."""
CaseDict = dict[str, Any]
"""One case record as written in a JSONL file."""


def screen_text(app: App[None]) -> str:
    """The plain text of every line of the current screen, as drawn."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


def terminal_output(app: App[None]) -> str:
    """What the app would write to a real terminal to redraw the whole screen."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    assert isinstance(update, LayoutUpdate)
    return update.render_segments(app.console)


def review_screen(app: App[None]) -> ReviewScreen:
    """The review screen (fails if a modal is on top)."""
    screen = app.screen
    assert isinstance(screen, ReviewScreen), f"expected the review screen, got {screen!r}"
    return screen


def current_id(app: App[None]) -> str | None:
    """The raw id of the case on screen (None at the end of the queue)."""
    case = review_screen(app).case
    return None if case is None else case.case_id


def header_text(app: App[None]) -> str:
    """The plain text of the case header."""
    return str(review_screen(app).query_one("#header").render())


async def settle(pilot: Pilot[None]) -> None:
    """Wait until workers are done and every pending message has been handled."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def wait_until_saved(pilot: Pilot[None], seconds: float = 10.0) -> None:
    """Wait until the app's label writer has stored everything (and the screen heard of it)."""
    app = pilot.app
    assert isinstance(app, ReviewApp)
    for _ in range(int(seconds / 0.02)):
        if app.writer.pending == 0:
            break
        await pilot.pause(0.02)
    await settle(pilot)
    assert app.writer.pending == 0, "labels still waiting for the store"


async def wait_until_ended(pilot: Pilot[None], seconds: float = 10.0) -> None:
    """Wait until the app has exited (it saves what is pending first: under load, one pause is
    not always enough)."""
    for _ in range(int(seconds / 0.02)):
        if not pilot.app.is_running:
            return
        await pilot.pause(0.02)
    assert not pilot.app.is_running, "the app is still running"


async def press_saved(pilot: Pilot[None], *keys: str) -> None:
    """Press keys one at a time, letting each label reach the store before the next key.

    The screen waits only 0.25 s for a save before moving on; on a loaded machine a save
    can take longer, which a test that reads the store or undoes must not trip over.
    """
    for key in keys:
        await pilot.press(key)
        await wait_until_saved(pilot)


async def type_text(pilot: Pilot[None], text: str) -> None:
    """Type ``text`` key by key (so that each character is a key event)."""
    names = {" ": "space", "/": "slash", "?": "question_mark", "-": "minus", ".": "full_stop"}
    await pilot.press(*(names.get(ch, ch) for ch in text))


def buckets(store: Store) -> dict[str, Bucket]:
    """The store's buckets by shortcut."""
    return {b.shortcut: b for b in read_taxonomy(store).buckets}


def label_rows(store: Store) -> list[dict[str, object]]:
    """Every label in the store, as dicts, in case order then reviewer."""
    rows = store.query(
        "SELECT c.case_id, l.reviewer, l.account, l.bucket, l.note, l.version FROM labels l"
        " JOIN cases c ON c.seq = l.case_seq ORDER BY l.case_seq, l.reviewer"
    )
    return [dict(r) for r in rows]


def label_events(store: Store, reviewer: str) -> list[tuple[str, str]]:
    """(kind, case id) of this reviewer's label events, oldest first."""
    rows = store.query(
        "SELECT kind, case_id FROM events WHERE actor = ? AND kind LIKE 'label.%' ORDER BY id",
        (reviewer,),
    )
    return [(r[0], r[1]) for r in rows]
