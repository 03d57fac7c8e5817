"""Fixtures for driving the review app with Textual's Pilot (helpers: ``pilot_helpers``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pilot_helpers import MakeApp

from labeler.identity import Actor, os_account
from labeler.review.queue import QueueSpec
from labeler.slice_filter import SliceFilter
from labeler.store import Store
from labeler.tui.app import ReviewApp


@pytest.fixture
def make_app() -> Iterator[MakeApp]:
    """``make_app(store, "bob", overlap=2, slices=(), revisit=False)``: the review app, built
    the way ``labeler review`` builds it (the OS account is recorded beside the name)."""
    apps: list[ReviewApp] = []

    def build(
        store: Store,
        name: str = "bob",
        *,
        overlap: int = 2,
        slices: tuple[SliceFilter, ...] = (),
        revisit: bool = False,
    ) -> ReviewApp:
        account = os_account()
        actor = Actor(name=name, account=account, on_trust=name != account)
        app = ReviewApp(store, actor, QueueSpec(name, overlap, slices, revisit))
        apps.append(app)
        return app

    yield build
    for app in apps:  # a writer whose app never ran (or crashed) still has its thread
        app.writer.close(timeout=5)
