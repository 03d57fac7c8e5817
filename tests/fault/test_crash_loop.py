"""Issue 10, point 2: SIGKILL at random moments, over and over.

* ``labeler import`` killed at a random moment: the import is all or nothing (the case count is
  the count before or the count after, never between; the ``imports`` row agrees), nothing
  partial is left in the folder, ``check`` passes, and a review screen open meanwhile keeps
  saving labels.
* a review screen killed at a random moment while it labels: every label it showed as saved
  before the kill is in the store with its event, and ``check`` passes.

Iterations: ``LABELER_FAULT_LOOPS`` (default 5 for CI). For 200 of each, about 15 minutes:
``LABELER_FAULT_LOOPS=200 .venv/bin/python -m pytest tests/fault/test_crash_loop.py``.
A failure prints ``LABELER_FAULT_SEED=...``; set it to replay the same random moments.
"""

from __future__ import annotations

import random
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
from procs import (
    LABELER,
    LOOPS,
    NEEDS,
    ReviewScreen,
    TmuxServer,
    assert_check_passes,
    assert_visible,
    bucket_keys,
    build_store,
    case_count,
    count,
    finish,
    labeler,
    query,
    start,
    write_cases,
)
from tmux_terminal import ScreenEnded

pytestmark = pytest.mark.skipif(bool(NEEDS), reason=f"needs {', '.join(NEEDS)}")

IMPORT_CASES = 1500
"""Cases per killed import (about 1 KB each): enough for the write phase to take a while."""


MAX_LABELS_PER_SCREEN = 50
"""A screen that labeled this many waits for its kill (so a reviewer's queue never runs out)."""


def _folder_listing(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def test_import_killed_at_random_moments_is_all_or_nothing(
    tmp_path: Path, tmux: TmuxServer, rng: random.Random
) -> None:
    """Kill ``labeler import`` at a random moment of its run, LABELER_FAULT_LOOPS times."""
    folder = tmp_path / "store"
    store = build_store(folder, cases=300)
    sources = tmp_path / "sources"
    sources.mkdir()
    # How long one whole import of this size takes here: the kills are spread over it.
    timing = write_cases(
        sources / "timing.jsonl", [f"t-{n:05d}" for n in range(IMPORT_CASES)], 1000
    )
    ran = labeler("import", store, timing)
    assert ran.returncode == 0, ran.describe()
    whole = ran.seconds
    allowed = {"store.db", "store.db-wal", "store.db-shm", "cases.jsonl"}

    screen = ReviewScreen(tmux, store, "during-imports", buckets=bucket_keys(store)).start()
    screen.ready()
    outcomes: dict[str, int] = {}
    for n in range(LOOPS):
        ids = [f"k{n:03d}-{m:05d}" for m in range(IMPORT_CASES)]
        source = write_cases(sources / f"kill-{n}.jsonl", ids, text_chars=1000)
        before = case_count(store)
        wal = folder / "store.db-wal"
        wal_before = wal.stat().st_mtime_ns if wal.exists() else 0
        # Half of the kills anywhere in the run, half late in it, where the one write
        # transaction runs (parsing and checking come first and take most of the time).
        late = rng.random() < 0.5
        delay = rng.uniform(0.7 * whole, 1.05 * whole) if late else rng.uniform(0, 1.1 * whole)
        started = time.monotonic()
        proc = start([LABELER, "import", store, source])
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:  # still running: kill it now
            proc.send_signal(signal.SIGKILL)
        result = finish(proc, started)
        after = case_count(store)
        mine = count(store, "SELECT count(*) FROM cases WHERE case_id LIKE ?", (f"k{n:03d}-%",))
        recorded = query(
            store, "SELECT inserted FROM imports WHERE file_name LIKE ?", (f"%kill-{n}.jsonl",)
        )
        where = f"iteration {n}, kill at {delay:.2f} s:\n{result.describe()}"
        assert after in (before, before + IMPORT_CASES), f"{before} -> {after} cases; {where}"
        assert mine in (0, IMPORT_CASES) and after - before == mine, where
        assert [tuple(r) for r in recorded] == ([(IMPORT_CASES,)] if mine else []), where
        if result.returncode == 0:
            assert mine == IMPORT_CASES, where
        else:
            assert result.returncode == -signal.SIGKILL, where
        # Only for the summary: where did the kill land?
        # (The screen writes nothing meanwhile, so a newer WAL means the import wrote to it.)
        wrote = wal.exists() and wal.stat().st_mtime_ns != wal_before
        if result.returncode == 0:
            kind = "finished"
        elif mine:
            kind = "killed after its commit"
        else:
            kind = "killed mid-write, nothing kept" if wrote else "killed, nothing kept"
        outcomes[kind] = outcomes.get(kind, 0) + 1
        leftovers = _folder_listing(folder) - allowed
        assert not leftovers, f"left in the store's folder: {sorted(leftovers)}; {where}"
        assert_check_passes(store)
        # The screen open meanwhile still saves a label, seen by others at once.
        screen.label(screen.pick_key(rng))
        screen.settle()
        assert_visible(store, screen.saved)
    print(f"imports: {outcomes} (one whole import: {whole:.2f} s)")
    screen.quit()
    assert_check_passes(store)


def test_review_screen_killed_at_random_moments_loses_no_label_it_showed_saved(
    tmp_path: Path, tmux: TmuxServer, rng: random.Random
) -> None:
    """Start a screen, label as fast as it moves, SIGKILL it at a random moment; repeat
    LABELER_FAULT_LOOPS times with two reviewers who come back after each kill."""
    store = build_store(tmp_path / "store", cases=300)
    buckets = bucket_keys(store)
    shown = []
    kills = 0
    for n in range(LOOPS):
        # Reviewers come back after a kill: five screens each (at most 250 labels of 300).
        screen = ReviewScreen(tmux, store, f"kim{n // 5}", buckets=buckets).start()
        kill_at = rng.uniform(0.2, 4.0)
        killer = threading.Timer(kill_at, screen.kill)
        killer.start()
        try:
            screen.ready()
            while len(screen.saved) < MAX_LABELS_PER_SCREEN:
                for _ in range(rng.randint(1, 4)):
                    screen.label(screen.pick_key(rng))
                screen.settle()
                # Another process looks while the screen runs (and closes its connection).
                assert_visible(store, screen.saved)
            screen.exit_status(timeout=kill_at + 30)  # wait for the kill
        except ScreenEnded:
            pass
        finally:
            killer.join()
        status = screen.exit_status()
        text = screen.text()
        screen.close()
        assert "Traceback" not in text, f"iteration {n}: the screen crashed:\n{text}"
        assert status == "137", f"iteration {n}: exit status {status}, not killed:\n{text}"
        kills += 1
        shown += screen.saved
        assert_visible(store, shown)
        assert_check_passes(store)
    print(f"{kills} screens killed; {len(shown)} labels shown saved, all in the store")
