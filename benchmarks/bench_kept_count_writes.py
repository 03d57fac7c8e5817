"""What the kept counts' triggers cost each write: cases inserted and placed, labels inserted.

Run by hand (not part of ``benchmarks/run``), against this checkout or another one::

    .venv/bin/python benchmarks/bench_kept_count_writes.py --n 40000 --rounds 2
    git worktree add /tmp/before REV
    PYTHONPATH=/tmp/before .venv/bin/python benchmarks/bench_kept_count_writes.py

Each round makes a new store with ``create_store`` (the schema of the ``labeler`` imported), and
in one transaction each: inserts ``--n`` cases by SQL (``INSERT ... SELECT`` over a counter: the
per-row trigger work and little else), gives them keys in the random order (one ``UPDATE``),
then inserts a first label on every case and a second one by another reviewer, one ``INSERT``
statement a label (as ``set_label`` writes it, without its event and its COMMIT). Every trigger
on ``cases`` and ``labels`` fires as it does for any writer. Printed: µs a row, per round.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from labeler.identity import Actor
from labeler.store import create_store
from labeler.store.schema import SCHEMA_VERSION

_LABEL = (
    "INSERT INTO labels (case_seq, reviewer, account, bucket, labeled_at, reached_by)"
    " VALUES (?, ?, ?, 'other', '2026-12-04T00:00:00Z', ?)"
)


def one_round(n: int, folder: Path) -> dict[str, float]:
    store = create_store(folder / "s.db", Actor(name="bench", account="bench", on_trust=True))
    timings: dict[str, float] = {}
    try:
        with store.write() as conn:
            start = time.perf_counter()
            conn.execute(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
                " INSERT INTO cases (seq, case_id, content_hash, imported_at)"
                " SELECT i, 'c' || i, 'h', 't' FROM n",
                (n,),
            )
            placed = time.perf_counter()
            conn.execute("UPDATE cases SET review_order = seq * 2654435761 % 4611686014132420609")
            timings["case insert"] = placed - start
            timings["case placed in the order"] = time.perf_counter() - placed
        for name, reviewer, reached in (
            ("first label on a case", "alice", "random_order"),
            ("second label on a case", "bob", "jump"),
        ):
            with store.write() as conn:
                start = time.perf_counter()
                for seq in range(1, n + 1):
                    conn.execute(_LABEL, (seq, reviewer, reviewer, reached))
                timings[name] = time.perf_counter() - start
    finally:
        store.close()
    return {name: seconds * 1e6 / n for name, seconds in timings.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=40_000, help="cases (and labels per reviewer)")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    print(f"schema {SCHEMA_VERSION}, {args.n:,} rows a step; µs a row, round by round")
    rows: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory() as folder:
            for name, micros in one_round(args.n, Path(folder)).items():
                rows.setdefault(name, []).append(micros)
    for name, values in rows.items():
        print(f"  {name:<26} " + "  ".join(f"{v:6.1f}" for v in values))
    return 0


if __name__ == "__main__":
    sys.exit(main())
