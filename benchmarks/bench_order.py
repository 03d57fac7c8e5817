"""The random review order on a million cases (issue 13): migration, queue pages, stats.

Run by hand, not a test. Needs a store made before the order existed (schema 3), e.g. built
with the make_big_store.py of commit 09b3cce (the last one before the order) or any old store::

    .venv/bin/python benchmarks/bench_order.py /work/bench-data/order13/v-old-1m.db

It copies the store twice (never touches the original), then prints:

* ``open_store`` of the copy: the migration (keys drawn for every case, the labels' keys, two
  indexes), as a user's first command after upgrading would run it;
* the first page and the page after it of the random-order queue, for a reviewer with no
  labels, for one of the store's reviewers, and for a reviewer who labeled the first 300,000
  cases of the order alone (the merge walks past their own labels), with import order beside;
* ``compute_stats`` on the migrated copy, whose labels (given in import order before the
  migration) are strays of the random order: the worst case of the sampling line.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from labeler.review.queue import QueueSpec, first_page, next_page
from labeler.stats.compute import compute_stats
from labeler.store import open_store


def _copy(source: Path, name: str) -> Path:
    target = source.with_name(name)
    for path in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        path.unlink(missing_ok=True)
    shutil.copyfile(source, target)
    with open(target, "rb") as handle:  # warm the page cache, as right after a copy
        while handle.read(1 << 24):
            pass
    return target


def _timed(run: Callable[[], Any], times: int = 7) -> tuple[float, Any]:
    took = []
    out = None
    for _ in range(times):
        start = time.perf_counter()
        out = run()
        took.append(time.perf_counter() - start)
    return statistics.median(took), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path, help="a store of schema version 3 (not changed)")
    args = parser.parse_args()

    migrated = _copy(args.store, "bench-order-migrated.db")
    start = time.perf_counter()
    store = open_store(migrated)
    print(f"migration (open_store of a copy): {time.perf_counter() - start:.2f} s")

    alone = _copy(migrated, "bench-order-alone.db")
    with open_store(alone) as other, other.write() as conn:
        seqs = [
            r[0]
            for r in conn.execute(
                "SELECT seq FROM cases WHERE is_current = 1 AND label_count = 0"
                " ORDER BY review_order, seq LIMIT 300000"
            )
        ]
        conn.executemany(
            "INSERT INTO labels (case_seq, reviewer, account, bucket, labeled_at)"
            " VALUES (?, 'dora', 'dora', 'other', 'now')",
            [(seq,) for seq in seqs],
        )
    with open_store(alone) as other:
        for who in ("carol", "alice", "dora"):
            for order in ("random", "import"):
                spec = QueueSpec(who, 2, (), False, order)  # type: ignore[arg-type]
                first, page = _timed(lambda s=spec: first_page(other, s))
                after, _ = _timed(lambda s=spec, p=page: next_page(other, s, p[-1]))
                print(
                    f"queue {who:5} {order:6}: first page {first * 1e3:8.2f} ms, "
                    f"next page {after * 1e3:6.2f} ms"
                )
    took, report = _timed(lambda: compute_stats(store), 5)
    print(f"compute_stats: {took:.2f} s median of 5; {report.sampling.summary()}")
    store.close()


if __name__ == "__main__":
    main()
