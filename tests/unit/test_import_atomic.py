"""A killed import leaves none or all of its rows, and a sound store."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from labeler.identity import Actor
from labeler.importing import import_files
from labeler.store import create_store, open_store

ACTOR = Actor(name="tester", account="tester", on_trust=False)
N = 20_000

CHILD = """
import os, sys
from labeler.identity import Actor
from labeler.importing import import_files
from labeler.store import open_store

store_path, cases, marker, phase = sys.argv[1:5]
actor = Actor(name="tester", account="tester", on_trust=False)

def progress(done: int, total: int) -> None:
    in_write = done > total // 2
    if (phase == "write") == in_write and done < total and not os.path.exists(marker):
        open(marker, "w").close()

store = open_store(store_path)
result = import_files(store, [cases], actor, progress=progress)
print(result.summary(), flush=True)
"""


def make_cases(path: Path) -> None:
    with path.open("w") as f:
        for i in range(N):
            text = f"case {i} " + "lorem ipsum dolor " * 100
            f.write(json.dumps({"id": f"c{i}", "input": text, "output": text[::-1]}) + "\n")


def run_and_kill(tmp_path: Path, phase: str, delay: float) -> tuple[int, bool]:
    """Start an import in a child, SIGKILL it in `phase`; return (cases, child finished)."""
    store_path = tmp_path / "s.db"
    create_store(store_path, ACTOR).close()
    cases = tmp_path / "cases.jsonl"
    make_cases(cases)
    marker = tmp_path / "marker"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(store_path), str(cases), str(marker), phase],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while not marker.exists() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    assert marker.exists() or child.poll() is not None, "the child never reached the phase"
    time.sleep(delay)
    finished = child.poll() is not None
    if not finished:
        child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    stderr = child.stderr.read() if child.stderr else b""
    if child.stdout:
        child.stdout.close()
    if child.stderr:
        child.stderr.close()
    assert b"Traceback" not in stderr, stderr.decode(errors="replace")
    with open_store(store_path) as store:
        assert store.query("PRAGMA integrity_check")[0][0] == "ok"
        assert store.query("PRAGMA foreign_key_check") == []
        cases_n = int(store.query("SELECT count(*) FROM cases")[0][0])
        texts_n = int(store.query("SELECT count(*) FROM case_texts")[0][0])
        imports_n = int(store.query("SELECT count(*) FROM imports")[0][0])
        events_n = int(store.query("SELECT count(*) FROM events WHERE kind = 'import'")[0][0])
        assert cases_n == texts_n
        assert (cases_n, imports_n, events_n) in ((0, 0, 0), (N, 1, 1))
        leftovers = {p.name for p in tmp_path.iterdir()} - {
            "s.db",
            "s.db-wal",
            "s.db-shm",
            "cases.jsonl",
            "marker",
        }
        assert leftovers == set()  # the spool is an unnamed file: nothing left behind
        if cases_n == 0:  # the store still takes the whole import afterwards
            result = import_files(store, [cases], ACTOR)
            assert result.inserted == N
    return cases_n, finished


def test_sigkill_early_in_the_write_leaves_nothing(tmp_path: Path) -> None:
    """Killed milliseconds into the write of 20,000 rows: inside the one transaction."""
    cases_n, finished = run_and_kill(tmp_path, "write", 0.0)
    assert not finished
    assert cases_n == 0


def test_sigkill_later_in_the_write_leaves_none_or_all(tmp_path: Path) -> None:
    """0.3 s later the kill may land before or just after the commit (run_and_kill checks that
    the store holds none or all of the rows, and is sound, either way)."""
    run_and_kill(tmp_path, "write", 0.3)


def test_sigkill_during_the_check_writes_nothing(tmp_path: Path) -> None:
    """Killed 50 ms into checking 20,000 cases (seconds of work): before the write began."""
    cases_n, finished = run_and_kill(tmp_path, "check", 0.05)
    assert not finished
    assert cases_n == 0
