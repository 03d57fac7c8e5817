"""Two reviewers in two processes label the same store at full speed: every label of both is
there afterwards, and neither ever sees "database is locked"."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from labeler.store import Store

CASES = 500

# One reviewer: wait for the start file, then label every case as fast as possible. "writer"
# goes through the review screen's LabelWriter (retries hidden, so every error it reports is
# collected); "direct" calls set_label in a loop with no retry at all, so a single "database
# is locked" would surface as an exception.
REVIEWER_SCRIPT = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from labeler.identity import Actor, os_account
    from labeler.review.label_writer import LabelWriter
    from labeler.labels import set_label
    from labeler.store import open_store

    path, name, bucket, mode, start, n = sys.argv[1:7]
    n = int(n)
    actor = Actor(name, os_account(), True)
    reported = []
    writer = LabelWriter(
        Path(path), actor, listener=lambda pending, error: error and reported.append(error)
    )
    store = open_store(path)
    Path(start + "." + name).touch()  # ready
    while not Path(start).exists():
        time.sleep(0.001)
    began = time.monotonic()
    errors = []
    if mode == "writer":
        futures = [writer.submit_label(seq, bucket) for seq in range(1, n + 1)]
        errors = [o.error for o in (f.result(timeout=120) for f in futures) if o.error]
    else:
        for seq in range(1, n + 1):
            try:
                set_label(store, seq, actor, bucket, expected_version=None)
            except Exception as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
    writer.close()
    store.close()
    spans = [began, time.monotonic()]
    print(json.dumps({"errors": errors, "reported": reported, "spans": spans}))
    """
)


def run_two_reviewers(store: Store, tmp_path: Path, modes: tuple[str, str]) -> list[dict[str, Any]]:
    start = tmp_path / "start"
    script = tmp_path / "reviewer.py"
    script.write_text(REVIEWER_SCRIPT)
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                str(script),
                str(store.path),
                name,
                bucket,
                mode,
                str(start),
                str(CASES),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, bucket, mode in (("alice", "other", modes[0]), ("bob", "too_slow", modes[1]))
    ]
    deadline = time.monotonic() + 60
    while not all((tmp_path / f"start.{name}").exists() for name in ("alice", "bob")):
        assert time.monotonic() < deadline, "the reviewer processes did not start"
        for proc in procs:
            assert proc.poll() is None, proc.communicate()[1]
        time.sleep(0.01)
    start.touch()
    results: list[dict[str, Any]] = []
    for proc in procs:
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
        assert "locked" not in err.lower(), err
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


@pytest.mark.parametrize("modes", [("writer", "writer"), ("direct", "writer")])
def test_two_processes_label_one_store_and_lose_nothing(
    modes: tuple[str, str], tmp_path: Path, make_store: Callable[..., Store]
) -> None:
    store = make_store(n=CASES)
    results = run_two_reviewers(store, tmp_path, modes)
    (a_start, a_end), (b_start, b_end) = results[0]["spans"], results[1]["spans"]
    assert a_start < b_end and b_start < a_end, "the two reviewers did not write at the same time"
    for result in results:
        assert result["errors"] == []
        assert result["reported"] == []  # not even a retried "busy"
    rows = store.query("SELECT reviewer, bucket, count(*) FROM labels GROUP BY reviewer, bucket")
    assert sorted(tuple(r) for r in rows) == [("alice", "other", CASES), ("bob", "too_slow", CASES)]
    assert store.query("SELECT count(*) FROM cases WHERE label_count != 2")[0][0] == 0
    events = store.query(
        "SELECT actor, count(*) FROM events WHERE kind = 'label.create' GROUP BY actor"
    )
    assert sorted(tuple(r) for r in events) == [("alice", CASES), ("bob", CASES)]
    assert store.query("PRAGMA integrity_check")[0][0] == "ok"
