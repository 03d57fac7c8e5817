"""Blind to version: meta fields named by ``hidden_meta`` never reach the review screen, its
header or its hints, before or after labeling; the other meta fields are still shown."""

from __future__ import annotations

from collections.abc import Callable

from pilot_helpers import (
    CaseDict,
    MakeApp,
    current_id,
    header_text,
    press_saved,
    screen_text,
    settle,
    terminal_output,
)

from labeler.identity import Actor
from labeler.settings import LATENCY_SETTING, set_setting
from labeler.store import Store

SIZE = (160, 45)
SECRETS = ("PROMPT-V8-SECRET", "MODEL-NEW-SECRET", "prompt_version", "model=", "9,000", "9000")


def version_cases(make_cases: Callable[..., list[CaseDict]]) -> list[CaseDict]:
    cases = make_cases(4)
    for i, case in enumerate(cases):
        case["meta"] = {
            "prompt_version": "PROMPT-V8-SECRET" if i % 2 else "PROMPT-V7-SECRET",
            "model": "MODEL-NEW-SECRET" if i % 2 else "MODEL-OLD-SECRET",
            "latency_ms": 9000,
            "ticket": f"T-{i}",
        }
    return cases


async def test_hidden_meta_never_appears_on_the_review_screen(
    make_store: Callable[..., Store],
    make_cases: Callable[..., list[CaseDict]],
    make_app: MakeApp,
    make_actor: Callable[[str], Actor],
) -> None:
    store = make_store(version_cases(make_cases))
    owner = make_actor("owner")
    set_setting(store, owner, "hidden_meta", "model, meta.prompt_version,latency_ms")
    set_setting(store, owner, LATENCY_SETTING, "2000")
    app = make_app(store, "bob")
    seen: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for _ in range(4):
            seen += [screen_text(app), terminal_output(app), header_text(app)]
            assert "ticket" in header_text(app)  # the other meta fields are still shown
            await pilot.press("j")
        await pilot.press("k", "k", "k", "k")
        assert current_id(app) == "case-001"
        await press_saved(pilot, "8", "5", "7", "9")
        for _ in range(4):  # after labeling: the hints, which would name the latency
            await pilot.press("k")
            await settle(pilot)
            seen += [screen_text(app), terminal_output(app), header_text(app)]
    assert len(seen) == 24
    for text in seen:
        for secret in (*SECRETS, "PROMPT-V7-SECRET", "MODEL-OLD-SECRET", "latency"):
            assert secret not in text, secret
    # The store still holds every field, for stats, compare and exports.
    meta = store.query("SELECT meta FROM cases WHERE case_id = 'case-002'")[0][0]
    assert "PROMPT-V8-SECRET" in meta and "9000" in meta


async def test_without_the_setting_the_meta_is_shown(
    make_store: Callable[..., Store],
    make_cases: Callable[..., list[CaseDict]],
    make_app: MakeApp,
) -> None:
    store = make_store(version_cases(make_cases))
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        header = header_text(app)
    assert "PROMPT-V7-SECRET" in header and "MODEL-OLD-SECRET" in header
