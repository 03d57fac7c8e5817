"""Hand-run benchmark of ``import_files`` end to end (not part of the test suite).

    .venv/bin/python benchmarks/bench_import.py              # 100,000 cases of about 9 KB
    .venv/bin/python benchmarks/bench_import.py --n 20000 --dir /var/tmp

Writes N synthetic cases (medians: input 1.5 KB, context 4 KB in two documents, output 1 KB;
log-normal lengths, so about 9 KB per case on average; a few slices and metadata; some
non-ASCII words) to a temporary JSONL
file, creates a fresh store beside it, and times ``import_files`` on it: the check phase
(read, parse, validate, hash, spool) and the write phase (one transaction) separately, from
the progress callback. Reports rows/s, µs/row, MB/s, peak RSS and the RSS sampled along the
way (it must stay flat: records are not kept). Then imports the same file again (a no-op by
sha256). File generation is not timed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from labeler.identity import Actor
from labeler.importing import import_files
from labeler.store import create_store

WORDS = [
    "the", "refund", "order", "account", "policy", "delivered", "tracking", "invoice",
    "customer", "agent", "please", "cannot", "update", "payment", "return", "window", "days",
    "shipping", "label", "warehouse", "café", "naïve", "注文", "support", "ticket",
    "escalation", "priority", "attachment", "screenshot", "password", "reset", "login", "error",
]  # fmt: skip


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20


def current_rss_mb() -> float:
    """Resident memory now, in MB (Linux only; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
    except OSError:
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def make_pool(rng: random.Random, size: int = 2_000_000) -> str:
    """A long text of random words to slice case texts from."""
    out: list[str] = []
    length = 0
    while length < size:
        word = rng.choice(WORDS)
        out.append(word)
        length += len(word) + 1
    return " ".join(out)


def text(rng: random.Random, pool: str, median: int) -> str:
    """A slice of the pool of ``median`` characters in the median (log-normal, mean 1.3x)."""
    n = min(int(median * rng.lognormvariate(0.0, 0.75)), 20 * median)
    start = rng.randrange(0, len(pool) - n)
    return pool[start : start + n]


def write_cases(path: Path, n: int, seed: int = 7) -> int:
    """Write ``n`` synthetic cases as JSON lines; return the file size."""
    rng = random.Random(seed)
    pool = make_pool(rng)
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            case = {
                "id": f"case-{i:08d}",
                "input": text(rng, pool, 1500),
                "context": [
                    {"title": f"doc {i}-1", "text": text(rng, pool, 2000), "source": "kb"},
                    {"title": f"doc {i}-2", "text": text(rng, pool, 2000), "source": "kb"},
                ],
                "output": text(rng, pool, 1000),
                "slices": {
                    "length": rng.choice(["short", "long"]),
                    "attachment": rng.choice(["yes", "no"]),
                },
                "meta": {"model": "m-2026-01", "latency_ms": rng.randrange(200, 9000)},
            }
            f.write(json.dumps(case, ensure_ascii=False))
            f.write("\n")
    return path.stat().st_size


def breakdown(path: Path, n: int) -> list[tuple[str, float]]:
    """Time the costly stages alone, each over the whole file, for ratios within one run."""
    from labeler.models import CaseRecord

    out: list[tuple[str, float]] = []
    for label, stage in (
        ("read + json.loads", 0),
        ("read + json.loads + CaseRecord.model_validate", 1),
        ("... + the model's content_hash()", 2),
    ):
        start = time.perf_counter()
        with path.open("rb") as f:
            for line in f:
                data = json.loads(line.decode("utf-8"))
                if stage >= 1:
                    record = CaseRecord.model_validate(data)
                    if stage >= 2:
                        record.content_hash()
        out.append((label, time.perf_counter() - start))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="number of cases")
    parser.add_argument("--dir", default=None, help="folder for the file and store")
    parser.add_argument(
        "--breakdown",
        action="store_true",
        help="also time the stages alone on the same file (parse; + validate; + hash)",
    )
    args = parser.parse_args()

    actor = Actor(name="bench", account="bench", on_trust=False)
    with tempfile.TemporaryDirectory(prefix="bench-import-", dir=args.dir) as folder:
        cases = Path(folder) / "cases.jsonl"
        t0 = time.perf_counter()
        size = write_cases(cases, args.n)
        print(
            f"generated {args.n:,} cases, {size / 1e6:,.0f} MB in "
            f"{time.perf_counter() - t0:.1f} s ({size / args.n / 1000:.1f} KB/case)"
        )
        store = create_store(Path(folder) / "store.db", actor)
        stages = breakdown(cases, args.n) if args.breakdown else []

        marks: dict[str, float] = {}
        samples: list[tuple[float, float]] = []
        next_sample = [0.0]

        def progress(done: int, total: int) -> None:
            now = time.perf_counter()
            if done >= total // 2 and "write" not in marks and done < total:
                marks["write"] = now
            fraction = done / total if total else 1.0
            if fraction >= next_sample[0]:
                samples.append((fraction, current_rss_mb()))
                next_sample[0] += 0.1

        rss_before = current_rss_mb()
        start = time.perf_counter()
        result = import_files(store, [cases], actor, progress=progress)
        end = time.perf_counter()
        assert result.committed and result.inserted == args.n, result.summary()
        total_s = end - start
        write_start = marks.get("write", end)
        check_s = write_start - start
        write_s = end - write_start

        again_start = time.perf_counter()
        again = import_files(store, [cases], actor)
        again_s = time.perf_counter() - again_start
        assert again.status == "nothing_to_do"
        store.close()
        db_size = sum(
            p.stat().st_size for p in Path(folder).iterdir() if p.name.startswith("store.db")
        )

    print(
        f"python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"nproc {os.cpu_count()}"
    )
    print(
        f"import_files: {total_s:.1f} s = {args.n / total_s:,.0f} rows/s, "
        f"{total_s / args.n * 1e6:.1f} µs/row, {size / total_s / 1e6:.0f} MB/s"
    )
    print(
        f"  check phase (read, parse, validate, hash, compare, spool): {check_s:.1f} s = "
        f"{check_s / args.n * 1e6:.1f} µs/row"
    )
    print(
        f"  write phase (one transaction, executemany): {write_s:.1f} s = "
        f"{write_s / args.n * 1e6:.1f} µs/row, {args.n / write_s:,.0f} rows/s"
    )
    for label, seconds in stages:
        print(f"  alone, for comparison: {label}: {seconds / args.n * 1e6:.1f} µs/row")
    print(f"same file again (a no-op: hashed, not parsed): {again_s:.1f} s")
    print(f"store + WAL on disk: {db_size / 1e6:,.0f} MB")
    print(
        f"RSS before import {rss_before:.0f} MB, peak {peak_rss_mb():.0f} MB; along the way: "
        + ", ".join(f"{f:.0%} {r:.0f} MB" for f, r in samples)
    )


if __name__ == "__main__":
    main()
