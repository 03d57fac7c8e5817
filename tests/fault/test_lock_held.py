"""Issue 10, point 3: another process holds the store's write lock (``BEGIN IMMEDIATE``, then
sleeps) for 2 s, and for 30 s (that one only with ``LABELER_FAULT_SLOW=1``).

The review screen stays responsive (j and k move within a second), shows the label given
meanwhile as not saved yet (and it is not in the store), then saves it once the lock is
released: it is then in the store with its event, seen by another process within a second.
CLI commands that write during the lock either wait and succeed, or fail with exit status 1
and a message that names the cause (busy), without a traceback; commands that only read work.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
from procs import (
    LABELER,
    NEEDS,
    SLOW,
    LockHolder,
    Ran,
    ReviewScreen,
    TmuxServer,
    assert_check_passes,
    assert_visible,
    bucket_keys,
    build_store,
    count,
    finish,
    missing_labels,
    start,
    write_cases,
    write_label_csv,
)
from tmux_terminal import status_line

pytestmark = pytest.mark.skipif(bool(NEEDS), reason=f"needs {', '.join(NEEDS)}")

SLOW_ONLY = pytest.mark.skipif(not SLOW, reason="slow: set LABELER_FAULT_SLOW=1 to run it")


def _waited_or_failed_busy(ran: Ran, what: str) -> bool:
    """A writing command during the lock: True if it waited and succeeded, False if it failed
    naming the cause; anything else fails the test."""
    assert not ran.traceback, f"{what} printed a traceback:\n{ran.describe()}"
    if ran.returncode == 0:
        return True
    assert ran.returncode == 1, f"{what}: exit status {ran.returncode}:\n{ran.describe()}"
    assert "busy" in ran.stderr.lower() or "locked" in ran.stderr.lower(), (
        f"{what} failed without naming the lock:\n{ran.describe()}"
    )
    return False


@pytest.mark.parametrize("hold_s", [2.0, pytest.param(30.0, marks=SLOW_ONLY)], ids=["2s", "30s"])
def test_screen_and_commands_while_another_process_holds_the_write_lock(
    tmp_path: Path, tmux: TmuxServer, rng: random.Random, hold_s: float
) -> None:
    """Lock the store from another process while a screen labels and two CLI writers run."""
    store = build_store(tmp_path / "store", cases=300)
    buckets = bucket_keys(store)
    keys = [key for key, _ in buckets.values()]
    sheet = write_label_csv(
        tmp_path / "sheet.csv", [f"c-{n:04d}" for n in range(200, 220)], "sheet", keys
    )
    more = write_cases(tmp_path / "more.jsonl", [f"more-{n:02d}" for n in range(20)])
    screen = ReviewScreen(tmux, store, "lockie", buckets=buckets).start()
    screen.ready()
    # Before the lock: a label saved at once, as usual.
    assert screen.label(screen.pick_key(rng)) == "saved", screen.text()
    assert_visible(store, screen.saved)

    holder = LockHolder(store, hold_s)
    writers = {
        "import-labels": (time.monotonic(), start([LABELER, "import-labels", store, sheet])),
        "import": (time.monotonic(), start([LABELER, "import", store, more])),
    }
    outcome = screen.label(screen.pick_key(rng))
    assert holder.holding(), "the lock was released before the screen showed the label"
    waiting = screen.pending[-1] if screen.pending else screen.saved[-1]
    assert outcome == "pending", f"{waiting} shown saved while the lock is held:\n{screen.text()}"
    assert "not saved yet" in status_line(screen.text()), screen.text()
    assert missing_labels(store, [waiting]), f"{waiting} is in the store during the lock"
    # Responsive: j and k move at once, the label stays pending.
    screen.move("j")
    screen.move("k")
    if holder.holding():
        assert not status_line(screen.text()).startswith("saved"), screen.text()
    # Reading commands work during the lock.
    readers = []
    for command in ("info", "stats"):
        if holder.holding():
            ran = finish(start([LABELER, command, store]), time.monotonic(), timeout=60)
            assert ran.returncode == 0 and not ran.traceback, ran.describe()
            readers.append(command)
    # A long lock: every few seconds the screen still moves and the label is still pending
    # (after the screen's own busy timeout, it says it is retrying).
    checks = 0
    while time.monotonic() < holder.held_until - 3:
        time.sleep(2.0)
        screen.move("k" if checks % 2 else "j")
        assert "not saved yet" in status_line(screen.text()), screen.text()
        assert missing_labels(store, [waiting]), f"{waiting} is in the store during the lock"
        checks += 1

    holder.wait_released(timeout=hold_s + 30)
    saved = screen.settle()
    assert saved == [waiting]
    assert_visible(store, screen.saved)

    done = {}
    for what, (started, proc) in writers.items():
        ran = finish(proc, started, timeout=120)
        waited = _waited_or_failed_busy(ran, what)
        done[what] = "waited" if waited else "failed: busy"
        if waited:
            if what == "import-labels":
                sql = "SELECT count(*) FROM labels WHERE reviewer = 'sheet'"
            else:
                sql = "SELECT count(*) FROM cases WHERE case_id LIKE 'more-%'"
            assert count(store, sql) == 20, ran.describe()
    print(f"read during the lock: {readers}; checks during the lock: {checks}; writers: {done}")
    # The screen goes on as usual.
    assert screen.label(screen.pick_key(rng)) == "saved", screen.text()
    assert_visible(store, screen.saved)
    screen.quit()
    assert_visible(store, screen.saved)
    assert_check_passes(store)
