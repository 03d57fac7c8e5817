"""Blind to version on the resolve screen: the meta fields named by ``hidden_meta`` are not in
the header of any disagreement, nor anywhere on the screen or in what reaches the terminal."""

from __future__ import annotations

from pathlib import Path

from pilot_helpers import screen_text, settle, terminal_output
from resolve_helpers import current_id, demo_store, header, person, resolve_app

from labeler.settings import set_setting

SIZE = (200, 50)
HIDDEN = ("prompt_version", "support-llm-2026", "model")


async def test_hidden_meta_never_appears_on_the_resolve_screen(tmp_path: Path) -> None:
    store = demo_store(tmp_path)
    set_setting(store, person("owner"), "hidden_meta", "model,prompt_version")
    app = resolve_app(store)
    seen: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for _ in range(5):
            assert current_id(app) is not None
            assert "ticket" in header(app) or "latency_ms" in header(app)  # other meta shown
            seen += [header(app), screen_text(app), terminal_output(app)]
            await pilot.press("j")
            await settle(pilot)
    for text in seen:
        for hidden in HIDDEN:
            assert hidden not in text, hidden
