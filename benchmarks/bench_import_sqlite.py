"""Why the import's insert-only floor costs what it does: SQLite settings, one at a time.

Run by hand (not part of ``benchmarks/run``)::

    .venv/bin/python benchmarks/bench_import_sqlite.py --n 30000 --rounds 3 --dir /var/tmp/isq
    .venv/bin/python benchmarks/bench_import_sqlite.py --only base,page65536 --n 100000
    .venv/bin/python benchmarks/bench_import_sqlite.py --list         # the variants

The cases are the 9 KB cases of ``bench_import.py`` (the same JSONL file, written once into
``--dir``). Their rows (``cases`` and ``case_texts``, as the same-schema ceiling makes them) are
built in memory ONCE; then each variant, in interleaved rounds, makes a new empty store with the
store's schema (``labeler.store.schema.MIGRATIONS``, as ``create_store`` runs them) and times
only ``BEGIN IMMEDIATE`` + ``executemany`` in batches + the review order
(``place_new_cases``) + ``COMMIT`` (which runs SQLite's automatic checkpoint, as in ``labeler
import``). Printed per variant: median wall and process CPU time (user + system: the syscalls
count) per case, the ratio to ``base`` measured in the same rounds, the time of the COMMIT
alone, the biggest ``-wal`` and the store's bytes per case, and the load average.

A variant changes ONE thing from ``base`` (the settings of a store made by ``create_store``:
page_size 4096, cache_size -2000, WAL, synchronous=FULL,
wal_autocheckpoint 1000, foreign_keys on, every index, batches of 500), except the ones named
``best...`` which combine. ``ckpt0`` sets ``wal_autocheckpoint = 0`` and runs
``wal_checkpoint(TRUNCATE)`` after the COMMIT, timed apart and included in the total.

``--side 4096,65536`` measures what a page size costs elsewhere: ``set_label`` (p50/p95/p99/max of
1000 labels on random cases) and ``read_case``, and the WAL left after them.

``--perf VARIANT`` runs ``perf record -g`` on one variant's inserts and COMMIT and prints the
top symbols (``PERF_SORT=dso`` for libraries only: kernel, libsqlite3, libpython, libc).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import bench_import

BASE: dict[str, Any] = {
    "page_size": 4096,
    "cache_kib": 2000,
    "journal": "wal",
    "sync": "FULL",
    "autockpt": 1000,
    "ckpt_after": False,
    "fk": True,
    "drop": (),
    "place": True,
    "batch": 500,
    "text_bytes": False,
}

VARIANTS: dict[str, dict[str, Any]] = {
    "base": {},
    "page8192": {"page_size": 8192},
    "page16384": {"page_size": 16384},
    "page32768": {"page_size": 32768},
    "page65536": {"page_size": 65536},
    "cache256m": {"cache_kib": 262144},
    "ckpt0": {"autockpt": 0, "ckpt_after": True},
    "sync_normal": {"sync": "NORMAL"},
    "rollback": {"journal": "delete"},
    "no_fk": {"fk": False},
    "no_current_id": {"drop": ("cases_current_id",)},
    "no_queue": {"drop": ("cases_queue",)},
    "no_order_idx": {"drop": ("cases_order",)},
    "no_indexes": {"drop": ("cases_current_id", "cases_queue", "cases_order")},
    "no_place": {"place": False},
    "batch100": {"batch": 100},
    "batch5000": {"batch": 5000},
    "text_bytes": {"text_bytes": True},
    "best16k": {"page_size": 16384, "cache_kib": 65536},
    "best64k": {"page_size": 65536, "cache_kib": 65536},
}

_CASE_SQL = (
    "INSERT INTO cases (seq, case_id, version, is_current, content_hash, slices, meta,"
    " label_count, import_id, imported_at) VALUES (?, ?, 1, 1, ?, ?, ?, 0, {import_id},"
    " '2026-01-01T00:00:00.000Z')"
)
_TEXT_SQL = (
    "INSERT INTO case_texts (case_seq, input_kind, input, context, output, expected)"
    " VALUES (?, ?, ?, ?, ?, ?)"
)
_TEXT_BYTES_SQL = (
    "INSERT INTO case_texts (case_seq, input_kind, input, context, output, expected) "
    "VALUES (?, ?, CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT))"
)


def make_store(path: Path, settings: dict[str, Any]) -> None:
    """An empty store with the real schema, made as ``create_store`` makes it."""
    from labeler.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        p.unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA page_size = {settings['page_size']}")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("BEGIN IMMEDIATE")
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    for migration in MIGRATIONS:
        for statement in migration:
            conn.execute(statement)
    for name in settings["drop"]:
        conn.execute(f"DROP INDEX {name}")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    conn.execute("COMMIT")
    if settings["journal"] == "wal":
        conn.execute("PRAGMA journal_mode = WAL")
    conn.close()


def insert(
    path: Path, settings: dict[str, Any], cases: list[tuple[Any, ...]], texts: list[Any]
) -> dict[str, float]:
    """Open the store as labeler does, insert every row in one transaction, commit."""
    from labeler.store.order import place_new_cases

    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 10000")
    conn.execute(f"PRAGMA foreign_keys = {'ON' if settings['fk'] else 'OFF'}")
    conn.execute(f"PRAGMA synchronous = {settings['sync']}")
    conn.execute(f"PRAGMA cache_size = -{settings['cache_kib']}")
    conn.execute(f"PRAGMA wal_autocheckpoint = {settings['autockpt']}")
    batch = settings["batch"]
    text_sql = _TEXT_BYTES_SQL if settings["text_bytes"] else _TEXT_SQL
    wall0, cpu0 = time.perf_counter(), time.process_time()
    conn.execute("BEGIN IMMEDIATE")
    import_id = conn.execute(
        "INSERT INTO imports (file_name, sha256, format, imported_at, actor, account, records,"
        " inserted, updated, unchanged, skipped) VALUES ('x', ?, 'jsonl', 'now', 'b', 'b', 0,"
        " 0, 0, 0, 0)",
        ("0" * 64,),
    ).lastrowid
    case_sql = _CASE_SQL.format(import_id=import_id)
    for start in range(0, len(cases), batch):
        conn.executemany(case_sql, cases[start : start + batch])
        conn.executemany(text_sql, texts[start : start + batch])
    if settings["place"]:
        place_new_cases(conn)
    commit0 = time.perf_counter()
    conn.execute("COMMIT")
    wall1 = time.perf_counter()
    commit = wall1 - commit0
    wal = Path(f"{path}-wal")
    wal_bytes = wal.stat().st_size if wal.exists() else 0
    ckpt = 0.0
    if settings["ckpt_after"]:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        ckpt = time.perf_counter() - wall1
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    conn.close()
    return {
        "wall": wall,
        "cpu": cpu,
        "commit": commit,
        "ckpt": ckpt,
        "wal_mb": wal_bytes / 1e6,
        "store_kb": path.stat().st_size / len(cases) / 1000,
    }


def build_rows(source: Path, text_bytes: bool) -> tuple[list[Any], list[Any], list[Any]]:
    cases, texts, texts_b = [], [], []
    for seq, line in enumerate(source.open("rb"), 1):
        case, txt = bench_import._rows(line)
        cases.append((seq, *case))
        texts.append((seq, *txt))
        if text_bytes:
            texts_b.append((seq, txt[0], *(None if v is None else v.encode() for v in txt[1:])))
    return cases, texts, texts_b


def side_effects(folder: Path, cases: list[Any], texts: list[Any], sizes: list[int]) -> None:
    """What a page size costs elsewhere: a label write (``set_label``, WAL, synchronous=FULL)
    and a case read (``read_case``) on a store holding the cases, and the WAL they leave."""
    import random

    from labeler.identity import Actor
    from labeler.labels import set_label
    from labeler.store import create_store, open_store
    from labeler.store.cases import read_case

    actor = Actor(name="side", account="side", on_trust=False)
    print("| page_size | set_label p50 ms | p95 ms | p99 ms | max ms | read_case p50 µs | p95 µs "
          "| WAL after 1000 labels MB |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for size in sizes:
        path = folder / "side.db"
        for p in folder.glob("side.db*"):
            p.unlink()
        create_store(path, actor).close()
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute(f"PRAGMA page_size = {size}")
        conn.execute("VACUUM")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.close()
        insert(path, {**BASE, "page_size": size}, cases, texts)
        store = open_store(path)
        bucket = store.query("SELECT key FROM buckets ORDER BY position LIMIT 1")[0][0]
        rng = random.Random(1)
        writes, reads = [], []
        for seq in rng.sample(range(1, len(cases) + 1), 1000):
            t0 = time.perf_counter()
            read_case(store, seq)
            t1 = time.perf_counter()
            set_label(store, seq, actor, bucket, expected_version=None)
            t2 = time.perf_counter()
            reads.append((t1 - t0) * 1e6)
            writes.append((t2 - t1) * 1e3)
        wal = Path(f"{path}-wal").stat().st_size / 1e6
        store.close()
        q = statistics.quantiles
        w50, w95, w99 = statistics.median(writes), q(writes, n=20)[18], q(writes, n=100)[98]
        r50, r95 = statistics.median(reads), q(reads, n=20)[18]
        print(
            f"| {size} | {w50:.2f} | {w95:.2f} | {w99:.1f} | {max(writes):.1f} | {r50:.0f} "
            f"| {r95:.0f} | {wal:.1f} |"
        )
        for p in folder.glob("side.db*"):
            p.unlink()


def perf_top(folder: Path, n: int, variant: str) -> None:
    """``perf record -g`` of one variant's inserts and COMMIT (attached to a child once its rows
    are built) and the top of ``perf report``."""
    data = folder / "perf.data"
    ready = folder / "perf.ready"
    ready.unlink(missing_ok=True)
    me = str(Path(__file__).resolve())
    cmd = [sys.executable, me, "--n", str(n), "--rounds", "1", "--dir", str(folder),
           "--only", variant, "--quiet", "--ready", str(ready)]  # fmt: skip
    child = subprocess.Popen(cmd)
    while not ready.exists():
        time.sleep(0.05)
    rec = subprocess.Popen(["perf", "record", "-g", "-o", str(data), "-p", str(child.pid)])
    child.wait()
    rec.wait()
    ready.unlink(missing_ok=True)
    sort = os.environ.get("PERF_SORT", "dso,symbol")  # PERF_SORT=dso: by library only
    report = subprocess.run(
        ["perf", "report", "-i", str(data), "--no-children", "--sort", sort, "--stdio",
         "--percent-limit", "1", "-g", "none"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    print(report.stdout)
    data.unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=30_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dir", default="/var/tmp/isq")
    parser.add_argument("--only", default=None, help="comma-separated variants (base first)")
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--perf", default=None, metavar="VARIANT")
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--ready", default=None, help=argparse.SUPPRESS)
    parser.add_argument(
        "--side",
        default=None,
        metavar="SIZES",
        help="label write / case read cost at these page sizes (4096,65536)",
    )
    args = parser.parse_args()
    if args.list:
        for name, change in VARIANTS.items():
            print(f"{name:16} {change}")
        return
    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    if args.perf:
        perf_top(folder, args.n, args.perf)
        return
    names = args.only.split(",") if args.only else list(VARIANTS)
    settings = {name: {**BASE, **VARIANTS[name]} for name in names}
    source = bench_import.cases_file(folder, args.n)
    need_bytes = any(s["text_bytes"] for s in settings.values())
    cases, texts, texts_b = build_rows(source, need_bytes)
    if args.side:
        side_effects(folder, cases, texts, [int(x) for x in args.side.split(",")])
        return
    gc.collect()
    gc.freeze()
    if args.ready:  # --perf attaches now (the rows are built), then the stores are made
        Path(args.ready).touch()
        time.sleep(1.0)
    store = folder / "floor.db"
    results: dict[str, list[dict[str, float]]] = {name: [] for name in names}
    loads = []
    for r in range(args.rounds):
        for name in names:
            s = settings[name]
            make_store(store, s)
            os.sync()
            loads.append(os.getloadavg()[0])
            out = insert(store, s, cases, texts_b if s["text_bytes"] else texts)
            results[name].append(out)
            if not args.quiet:
                shown = json.dumps({k: round(v, 3) for k, v in out.items()})
                print(f"round {r + 1} {name}: {shown}", flush=True)
    for p in folder.glob("floor.db*"):
        p.unlink()
    if args.quiet:
        return
    n = len(cases)
    med = {name: {k: statistics.median(o[k] for o in outs) for k in outs[0]}
           for name, outs in results.items()}  # fmt: skip
    base = med.get("base")
    print(f"\n{n:,} cases, {args.rounds} rounds, load average during the runs "
          f"{min(loads):.2f}-{max(loads):.2f}")  # fmt: skip
    print(
        "| variant | wall µs/case | CPU µs/case | cases/s | vs base (wall) | COMMIT s "
        "| checkpoint s | max WAL MB | store KB/case |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, m in med.items():
        ratio = f"{base['wall'] / m['wall']:.2f}x" if base else "-"
        print(f"| {name} | {m['wall'] / n * 1e6:,.0f} | {m['cpu'] / n * 1e6:,.0f} "
              f"| {n / m['wall']:,.0f} | {ratio} | {m['commit']:.2f} | {m['ckpt']:.2f} "
              f"| {m['wal_mb']:,.0f} | {m['store_kb']:.1f} |")  # fmt: skip


if __name__ == "__main__":
    main()
