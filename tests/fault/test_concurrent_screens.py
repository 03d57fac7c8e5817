"""Issue 10, point 1: two to eight review screens on one store, labeling, quitting and coming
back, while other processes read and write the same store.

Invariant: every label a screen showed as saved is in the store with its audit event, visible
to another process within a second, and ``labeler check`` passes at the end.

Screens at once: ``LABELER_FAULT_SCREENS`` (default 2; by hand up to 8, e.g.
``LABELER_FAULT_SCREENS=8 .venv/bin/python -m pytest tests/fault/test_concurrent_screens.py``).
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from procs import (
    LABELER,
    NEEDS,
    SCREENS,
    Label,
    Loops,
    ReviewScreen,
    TmuxServer,
    assert_check_passes,
    assert_visible,
    bare_count,
    bucket_keys,
    build_store,
    missing_labels,
    run_together,
    write_cases,
    write_label_csv,
)

pytestmark = pytest.mark.skipif(bool(NEEDS), reason=f"needs {', '.join(NEEDS)}")

ROUNDS = 3
"""Times each reviewer opens a screen (labels, quits, comes back)."""
BATCHES = 3
"""Key batches per screen; after each, the screen must say saved and the store must agree."""
KEYS = 3
"""Bucket keys per batch."""


def test_screens_lose_no_saved_label_while_other_processes_use_the_store(
    tmp_path: Path, tmux: TmuxServer, rng: random.Random
) -> None:
    """N screens (distinct reviewers, overlap 8) label in batches, quit and come back, while
    loops run ``info``, ``stats``, ``export``, ``import-labels``, ``import`` and a bare SQLite
    connection. After every batch the screen says saved and this process (another one) finds
    each label and its event within 1 s; at the end every command of the loops succeeded
    without a traceback and ``check`` passes."""
    store = build_store(tmp_path / "store", cases=300)
    buckets = bucket_keys(store)
    keys = [key for key, _ in buckets.values()]
    extra = [
        write_cases(tmp_path / f"more-{n}.jsonl", [f"more-{n}-{m:02d}" for m in range(10)])
        for n in range(3)
    ]
    sheet = write_label_csv(
        tmp_path / "sheet.csv", [f"c-{n:04d}" for n in range(0, 300, 7)], "sheet", keys
    )
    reviewers = [f"rev{n}" for n in range(SCREENS)]
    shown: dict[str, list[Label]] = {name: [] for name in reviewers}
    seeds = {name: rng.randrange(1 << 30) for name in reviewers}

    loops = Loops()
    loops.add("info", lambda n: [LABELER, "info", store])
    loops.add("stats", lambda n: [LABELER, "stats", store])
    loops.add("export", lambda n: [LABELER, "export", store, tmp_path / "out.csv", "--force"])
    loops.add("import-labels", lambda n: [LABELER, "import-labels", store, sheet])
    loops.add("import", lambda n: [LABELER, "import", store, extra[n % len(extra)]])
    loops.add("sqlite3", lambda n: bare_count(store))

    def review(name: str) -> Callable[[threading.Event], None]:
        def work(stop: threading.Event) -> None:
            keys_rng = random.Random(seeds[name])
            for _ in range(ROUNDS):
                screen = ReviewScreen(tmux, store, name, buckets=buckets).start()
                screen.ready()
                for _ in range(BATCHES):
                    if stop.is_set():
                        screen.close()
                        return
                    first = len(screen.saved)
                    for _ in range(KEYS):
                        screen.label(screen.pick_key(keys_rng))
                    screen.settle()
                    batch = screen.saved[first:]
                    shown[name] += batch
                    assert_visible(store, batch)
                screen.quit()

        return work

    try:
        run_together([review(name) for name in reviewers], timeout=120 + 60 * SCREENS)
    finally:
        loops.stop()
    print(f"labels shown saved: {sum(map(len, shown.values()))}; commands run: {loops.summary()}")
    everything = [label for labels in shown.values() for label in labels]
    assert len(everything) == SCREENS * ROUNDS * BATCHES * KEYS
    assert missing_labels(store, everything) == []
    failures = loops.failures()
    assert not failures, f"{len(failures)} background command(s) failed:\n" + "\n".join(
        failures[:5]
    )
    assert all(loops.counts().get(name, 0) > 0 for name in ("info", "import-labels", "sqlite3"))
    assert_check_passes(store)
