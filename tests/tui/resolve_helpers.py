"""Helpers for the tests of the resolve screen (imported by the ``test_resolve_*`` modules).

The resolve app is built the way ``labeler resolve`` builds it. The store is checked with plain
SQL and an independent Python model of the queue (:func:`expected_queue`), never with the
functions the screen itself calls.
"""

from __future__ import annotations

import io
from collections import defaultdict
from pathlib import Path

from pilot_helpers import settle
from rich.console import Console, ConsoleRenderable
from textual.pilot import Pilot

from labeler.identity import Actor, os_account
from labeler.resolve.disagreements import ResolveSpec
from labeler.sample import make_demo_store
from labeler.store import Store
from labeler.tui.header import CaseHeader
from labeler.tui.resolve_app import ResolveApp
from labeler.tui.resolve_screen import ResolveScreen
from labeler.tui.reviewer_labels import ReviewerLabels

RESOLVER = "judy"
"""The name the resolve app runs under in these tests."""


def person(name: str, account: str | None = None) -> Actor:
    """A resolver or reviewer named ``name`` (the real OS account unless one is given)."""
    who = os_account() if account is None else account
    return Actor(name=name, account=who, on_trust=name != who)


def demo_store(folder: Path) -> Store:
    """The demo store (180 cases, alice and bob, 34 disagreements) at ``folder/demo.db``."""
    folder.mkdir(parents=True, exist_ok=True)
    return make_demo_store(Actor("owner", "owner", on_trust=False), folder)


SAVE_WAIT_S = 10.0
"""How long a decision key waits for the store in these tests: a commit on a loaded machine
can take longer than the screen's one frame, and the tests read the store right after a key.
Tests of the screen moving on before the store answers pass ``save_wait_s``."""


def resolve_app(
    store: Store,
    name: str = RESOLVER,
    *,
    pair: tuple[str, str] | None = None,
    account: str | None = None,
    save_wait_s: float = SAVE_WAIT_S,
) -> ResolveApp:
    """The resolve app as ``labeler resolve STORE --reviewer NAME [--pair A,B]`` builds it."""
    spec = ResolveSpec(pair=pair)
    return ResolveApp(store, person(name, account), spec, save_wait_s=save_wait_s)


def screen(app: ResolveApp) -> ResolveScreen:
    """The resolve screen (fails if a modal is on top)."""
    current = app.screen
    assert isinstance(current, ResolveScreen), f"expected the resolve screen, got {current!r}"
    return current


def current_seq(app: ResolveApp) -> int | None:
    """The internal number of the case on screen (None at the end of the queue)."""
    case = screen(app).case
    return None if case is None else case.seq


def current_id(app: ResolveApp) -> str | None:
    """The id of the case on screen (None at the end of the queue)."""
    case = screen(app).case
    return None if case is None else case.case_id


def header(app: ResolveApp) -> str:
    """The plain text of the case header."""
    return str(screen(app).query_one(CaseHeader).render())


def panel(app: ResolveApp) -> str:
    """The labels panel (each reviewer's bucket and note, and the resolution) as drawn."""
    region = screen(app).query_one(ReviewerLabels).region
    strips = app.screen._compositor.render_strips()
    rows = [strip.text[region.x : region.right] for strip in strips[region.y : region.bottom]]
    return "\n".join(rows)


def panel_text(app: ResolveApp) -> str:
    """The labels panel's text without wrapping: each reviewer's column on one line (every
    text in the panel is capped far below the 4,000 columns it is drawn on here)."""
    content = screen(app).query_one(ReviewerLabels).shown
    assert isinstance(content, ConsoleRenderable)
    console = Console(width=4_000, file=io.StringIO(), color_system=None)
    with console.capture() as capture:
        console.print(content)
    return "\n".join(line.rstrip() for line in capture.get().splitlines())


def status(app: ResolveApp) -> str:
    """The status line's message."""
    return screen(app).status_message


async def walk(pilot: Pilot[None], app: ResolveApp, limit: int = 500) -> list[int]:
    """Press ``j`` from the current case until the queue wraps to a case already shown (or
    ends); the cases shown before that, in order."""
    seen: list[int] = []
    seq = current_seq(app)
    while seq is not None and seq not in seen and len(seen) < limit:
        seen.append(seq)
        await pilot.press("j")
        seq = current_seq(app)
    await settle(pilot)
    return seen


def resolution_rows(store: Store) -> dict[int, dict[str, object]]:
    """Every stored resolution by case number, every column."""
    rows = store.query("SELECT * FROM resolutions ORDER BY case_seq")
    return {int(r["case_seq"]): dict(r) for r in rows}


def all_label_rows(store: Store) -> list[tuple[object, ...]]:
    """Every column of every label row, in a stable order."""
    return [tuple(r) for r in store.query("SELECT * FROM labels ORDER BY case_seq, reviewer")]


def events(store: Store, kind_prefix: str = "resolution.") -> list[tuple[str, str, int]]:
    """(kind, actor, case number) of the events of this kind, oldest first."""
    rows = store.query(
        "SELECT kind, actor, case_seq FROM events WHERE kind LIKE ? ORDER BY id",
        (kind_prefix + "%",),
    )
    return [(str(r[0]), str(r[1]), int(r[2])) for r in rows]


def labels_by_case(store: Store) -> dict[int, dict[str, str]]:
    """{case number: {reviewer: bucket}} over current cases."""
    rows = store.query(
        "SELECT l.case_seq, l.reviewer, l.bucket FROM labels l"
        " JOIN cases c ON c.seq = l.case_seq WHERE c.is_current = 1"
    )
    out: dict[int, dict[str, str]] = defaultdict(dict)
    for seq, reviewer, bucket in rows:
        out[int(seq)][str(reviewer)] = str(bucket)
    return dict(out)


def expected_queue(store: Store, pair: tuple[str, str] | None = None) -> list[int]:
    """The unresolved disagreements (of ``pair``), in case order, computed in Python."""
    resolved = {int(r[0]) for r in store.query("SELECT case_seq FROM resolutions")}
    queue = []
    for seq, given in sorted(labels_by_case(store).items()):
        buckets = set(given.values())
        if len(given) < 2 or len(buckets) < 2 or seq in resolved:
            continue
        if pair is not None and not set(pair) <= buckets:
            continue
        queue.append(seq)
    return queue


def reviewer_buckets(store: Store, seq: int) -> list[str]:
    """The buckets of a case's reviewers in reviewer-name order (A, B, C...)."""
    given = labels_by_case(store)[seq]
    return [given[name] for name in sorted(given)]
