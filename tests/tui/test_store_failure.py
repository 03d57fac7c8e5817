"""A store that fails under an open screen ends it with a message and exit status 1, never a
traceback; a label refused by the store is reported when the screen closes."""

from __future__ import annotations

import pytest
from pilot_helpers import MakeApp, settle
from textual.events import Key

from labeler.cli.common import finish_app
from labeler.review.session import ReviewSession
from labeler.store import Store, StoreDamaged


async def test_a_store_error_ends_the_review_screen_with_its_message(
    store: Store, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(store)

    def broken_next(self: ReviewSession) -> int | None:
        raise StoreDamaged("s.db is damaged (database disk image is malformed)")

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        monkeypatch.setattr(ReviewSession, "next", broken_next)
        # A key as the terminal sends it (Pilot's press() waits for a screen that is gone).
        app.post_message(Key("j", "j"))
        for _ in range(50):
            if app.return_code is not None:
                break
            await pilot.pause(0.05)
    assert app.return_code == 1
    assert app.store_failure is not None and "malformed" in app.store_failure
    assert app._exit_renderables == [], "a traceback was queued for the terminal"


def test_a_failure_after_the_screen_is_an_error_and_exit_1() -> None:
    import click

    with pytest.raises(click.ClickException, match="refused"):
        finish_app("2 write(s) were refused by the store", 0)
    with pytest.raises(SystemExit) as done:
        finish_app(None, 3)
    assert done.value.code == 3
    finish_app(None, 0)  # a clean end raises nothing
