"""Import of 9 KB cases: ``labeler import`` against a bare script into the same schema.

Part of ``benchmarks/run`` (``run(ctx)``), or by hand:

    .venv/bin/python benchmarks/bench_import.py              # 30,000 cases, 3 rounds
    .venv/bin/python benchmarks/bench_import.py --n 100000 --rounds 3 --dir /var/tmp
    .venv/bin/python benchmarks/bench_import.py --page-size 65536   # + stores with 64 KB pages

The cases (medians: input 1.5 KB, context 4 KB in two documents, output 1 KB; log-normal
lengths, so about 9.2 KB a case; a few slices and metadata; some non-ASCII words, CJK among
them) are written once to a JSONL file. Each round then imports that file into a new store,
timing whole processes, in turn:

* ``labeler import STORE FILE`` (the CLI as a user runs it: one transaction, WAL,
  synchronous=FULL; parse workers only if two CPUs are spare);
* the same with ``LABELER_IMPORT_WORKERS=2`` (JSON lines parsed in two worker processes);
* the **same-schema ceiling** (the reference): a bare script that reads the lines with
  ``json.loads``, makes the same stored fields (context, slices and meta as compact JSON with
  sorted keys, a sha256), and inserts them with ``executemany`` into ``cases`` and
  ``case_texts`` of a store made by ``create_store`` (same tables, indexes, triggers and
  pragmas), in one transaction: no validation, no duplicate or conflict checks, no spool;
* the **insert-only floor** (information): the same rows built in memory first, so that only
  SQLite and the disk are timed.

The disk's write speed is measured in the same run (a file written and fsynced, like ``dd
conv=fdatasync``): a WAL store writes every page twice (WAL, then the database at the
checkpoint), so the disk alone bounds the rate at speed / (2 x store bytes per case).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

import benchlib
from benchlib import Context, Figure

TITLE = "Import"

LABEL_STUDIO_RATE = 3_000
"""Tasks a second Label Studio imports on this kind of machine (issue 16): the target is 5x."""

WORDS = [
    "the", "refund", "order", "account", "policy", "delivered", "tracking", "invoice",
    "customer", "agent", "please", "cannot", "update", "payment", "return", "window", "days",
    "shipping", "label", "warehouse", "café", "naïve", "注文", "support", "ticket",
    "escalation", "priority", "attachment", "screenshot", "password", "reset", "login", "error",
]  # fmt: skip


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


def cases_file(folder: Path, n: int) -> Path:
    """The JSONL file of ``n`` cases, written once and kept (it is always the same)."""
    path = folder / f"import-cases-{n}.jsonl"
    stamp = folder / f"import-cases-{n}.done"
    if not stamp.exists():
        write_cases(path, n)
        stamp.write_text(str(path.stat().st_size))
    return path


def fresh_store(path: Path, page_size: int | None = None) -> Path:
    """An empty store at ``path`` (made by ``create_store``: the real schema and pragmas).

    ``page_size`` (e.g. 65536; ``create_store`` makes 4096) rewrites the empty store with
    ``VACUUM`` to that page size (``--page-size``, by hand: see bench_import_sqlite.py)."""
    from labeler.identity import Actor
    from labeler.store import create_store

    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        p.unlink(missing_ok=True)
    create_store(path, Actor(name="bench", account="bench", on_trust=False)).close()
    if page_size is not None:
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute(f"PRAGMA page_size = {page_size}")
        conn.execute("VACUUM")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.close()
    return path


def store_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


# -- the references (run as child processes: python bench_import.py --bare FILE STORE) ---------


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _rows(line: bytes) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    data = json.loads(line)
    value = data["input"]
    kind = "text"
    if not isinstance(value, str):
        kind, value = "chat", _dumps(value)
    context = data.get("context")
    case = (
        data["id"],
        hashlib.sha256(line).hexdigest(),
        _dumps(data.get("slices", {})),
        _dumps(data.get("meta", {})),
    )
    texts = (kind, value, None if context is None else _dumps(context), data.get("output"),
             data.get("expected"))  # fmt: skip
    return case, texts


def _values(insert: str, rows: int) -> str:
    """``insert`` (one ``VALUES (...)`` row) for ``rows`` rows."""
    head, row = insert.split(" VALUES ")
    return f"{head} VALUES " + ", ".join([row] * rows)


def bare_import(source: Path, store: Path, *, prebuilt: bool) -> None:
    """The same-schema ceiling (``prebuilt``: the insert-only floor)."""
    built = [_rows(line) for line in source.open("rb")] if prebuilt else None
    conn = sqlite3.connect(store, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 10000")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")
    started = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    import_id = conn.execute(
        "INSERT INTO imports (file_name, sha256, format, imported_at, actor, account, records,"
        " inserted, updated, unchanged, skipped) VALUES (?, ?, 'jsonl', ?, 'bench', 'bench', 0,"
        " 0, 0, 0, 0)",
        (str(source), "0" * 64, "2026-01-01T00:00:00.000Z"),
    ).lastrowid
    insert_case = (
        "INSERT INTO cases (seq, case_id, version, is_current, content_hash, slices, meta,"
        f" label_count, import_id, imported_at) VALUES (?, ?, 1, 1, ?, ?, ?, 0, {import_id},"
        " '2026-01-01T00:00:00.000Z')"
    )
    insert_text = (
        "INSERT INTO case_texts (case_seq, input_kind, input, context, output, expected)"
        " VALUES (?, ?, ?, ?, ?, ?)"
    )
    rows = iter(built) if built is not None else (_rows(line) for line in source.open("rb"))
    seq = 0
    while True:
        cases, texts = [], []
        for case, txt in rows:
            seq += 1
            cases.append((seq, *case))
            texts.append((seq, *txt))
            if len(cases) == 500:
                break
        if not cases:
            break
        # A hundred rows to a statement, as labeler writes them: on a table with triggers
        # (``cases``) each statement opens a statement journal, 16 µs a row with executemany.
        for start in range(0, len(cases), 100):
            part, part_texts = cases[start : start + 100], texts[start : start + 100]
            conn.execute(_values(insert_case, len(part)), [v for r in part for v in r])
            conn.execute(_values(insert_text, len(part)), [v for r in part_texts for v in r])
    try:  # the review order column, when the store has one (labeler import sets it too)
        from labeler.store.order import place_new_cases
    except ImportError:
        pass
    else:
        place_new_cases(conn)
    conn.execute("COMMIT")  # SQLite's automatic checkpoint runs here, as in labeler import
    conn.close()
    if prebuilt:
        print(json.dumps({"seconds": time.perf_counter() - started}))


# -- the benchmark -----------------------------------------------------------------------------


def measure(
    folder: Path, n: int, rounds: int, log: Any, *, floor: bool = True, page_size: int = 0
) -> tuple[dict[str, list[float]], dict[str, Any]]:
    """Interleaved rounds of the three imports (and the floor); seconds per import."""
    source = cases_file(folder, n)
    size = source.stat().st_size
    python = sys.executable
    labeler = str(Path(sys.executable).parent / "labeler")
    me = str(Path(__file__).resolve())
    facts: dict[str, Any] = {"cases": n, "file_bytes": size}
    store = folder / "import-store.db"
    env_workers = {**os.environ, "LABELER_IMPORT_WORKERS": "2"}
    cpu: dict[str, list[float]] = {}

    def timed(
        name: str, cmd: list[str], env: dict[str, str] | None = None, page_size: int | None = None
    ) -> float:
        fresh_store(store, page_size)
        out = folder / "import-out.txt"
        err = folder / "import-err.txt"
        result = benchlib.run_timed(cmd, env=env, stdout=out, stderr=err)
        if result.status != 0:
            said = err.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{name} failed ({result.status}): {' '.join(cmd)}\n{said}")
        count = sqlite3.connect(store).execute("SELECT count(*) FROM cases").fetchone()[0]
        if count != n:
            raise RuntimeError(f"{name} stored {count} cases, not {n}")
        facts["store_bytes"] = store_bytes(store)
        cpu.setdefault(name, []).append(result.cpu)
        if name.startswith("floor"):  # only the inserts and the commit: the child times them
            return float(json.loads(out.read_text())["seconds"])
        return result.wall

    steps = {
        "labeler": lambda: timed("labeler", [labeler, "import", str(store), str(source)]),
        "labeler, workers": lambda: timed(
            "labeler, workers", [labeler, "import", str(store), str(source)], env_workers
        ),
        "ceiling": lambda: timed("ceiling", [python, me, "--bare", str(source), str(store)]),
    }
    if floor:
        steps["floor"] = lambda: timed("floor", [python, me, "--floor", str(source), str(store)])
    if page_size:  # by hand only: the same imports into stores with other pages than 4 KB
        other = f", {page_size // 1024} KB pages"
        steps["labeler" + other] = lambda: timed(
            "labeler" + other, [labeler, "import", str(store), str(source)], page_size=page_size
        )
        steps["floor" + other] = lambda: timed(
            "floor" + other, [python, me, "--floor", str(source), str(store)], page_size=page_size
        )
    facts["disk_mb_s"] = [benchlib.disk_write_speed(folder)]
    times = benchlib.interleaved(rounds, steps, log)
    facts["disk_mb_s"].append(benchlib.disk_write_speed(folder))
    facts["cpu"] = cpu
    again = fresh_store(store)
    benchlib.run_timed([labeler, "import", str(again), str(source)])
    facts["reimport_s"] = benchlib.run_timed([labeler, "import", str(again), str(source)]).wall
    for p in folder.glob("import-store.db*"):
        p.unlink()
    return times, facts


def figures(times: dict[str, list[float]], facts: dict[str, Any]) -> list[Figure]:
    n = facts["cases"]
    per_case = facts["file_bytes"] / n / 1000
    stored = facts["store_bytes"] / n
    disk = benchlib.median(facts["disk_mb_s"])
    disk_bound = disk * 1e6 / (2 * stored)
    cpu = {k: benchlib.median(v) for k, v in facts["cpu"].items()}
    ceiling = "bare script, same schema, one transaction (the ceiling)"
    out = [
        benchlib.speed_vs(
            f"`labeler import` of {n:,} cases of {per_case:.1f} KB",
            times["labeler"],
            ceiling,
            times["ceiling"],
            at_least=0.8,
            note=f"CPU time (all processes): labeler {cpu['labeler']:.1f} s, ceiling "
            f"{cpu['ceiling']:.1f} s",
        ),
        benchlib.speed_vs(
            "`labeler import` with two parse workers (`LABELER_IMPORT_WORKERS=2`)",
            times["labeler, workers"],
            ceiling,
            times["ceiling"],
            at_least=None,
            note=f"CPU time (all processes) {cpu['labeler, workers']:.1f} s",
        ),
    ]
    rates = [n / t for t in times["labeler"]]
    rate = benchlib.median(rates)
    ceiling_rate = n / benchlib.median(times["ceiling"])
    target = 5 * LABEL_STUDIO_RATE
    cpu_per_case = cpu["ceiling"] / n * 1e6
    if rate >= target:
        met: bool | None = True
        why = ""
    elif disk_bound < target:
        met = False
        why = (
            f"not possible on this disk: it writes {disk:,.0f} MB/s (fsynced), and a WAL store "
            f"writes each case twice ({2 * stored / 1000:,.1f} KB), so the disk alone allows "
            f"at most {disk_bound:,.0f} cases/s"
        )
    else:
        met = False
        why = (
            f"the disk allows it ({disk:,.0f} MB/s fsynced: {disk_bound:,.0f} cases/s for "
            f"{2 * stored / 1000:,.1f} KB written per case), the CPU does not: the same-schema "
            f"ceiling itself, which only parses, serialises and inserts, imports "
            f"{ceiling_rate:,.0f} cases/s in this run ({cpu_per_case:,.0f} µs of CPU a case); "
            f"{target:,}/s would take about {target * cpu_per_case / 1e6:,.1f} CPUs doing "
            "nothing else"
        )
    out.append(
        benchlib.absolute(
            "`labeler import` rate",
            rates,
            "cases/s",
            target=f"≥ {target:,} cases/s (5 × Label Studio) where the disk allows",
            met=met,
            note=why,
        )
    )
    for name in [k for k in times if k.endswith("KB pages")]:
        other = benchlib.median(times[name])
        usual = benchlib.median(times[name.split(",")[0]])
        out.append(
            benchlib.absolute(
                f"{name} (the store rewritten to that page size while empty)",
                times[name],
                "s",
                note=f"information: {usual / other:.2f} × the speed with 4 KB pages "
                f"({n / other:,.0f} cases/s)",
            )
        )
    if "floor" in times:
        out.append(
            benchlib.absolute(
                "insert-only floor: the same rows prebuilt, inserted and committed",
                times["floor"],
                "s",
                note="information: what SQLite and the disk cost alone "
                f"({n / benchlib.median(times['floor']):,.0f} cases/s)",
            )
        )
    out.append(
        benchlib.absolute(
            "disk write speed (1 file, fsynced), before and after",
            facts["disk_mb_s"],
            "MB/s",
            note=f"information; the store takes {stored / 1000:,.1f} KB a case on disk",
        )
    )
    out.append(
        benchlib.absolute(
            "the same file imported again (a no-op, by sha256)",
            [facts["reimport_s"]],
            "s",
            note="information (includes starting the command)",
        )
    )
    return out


def run(ctx: Context) -> list[Figure]:
    n = 100_000 if ctx.million else 30_000
    n = int(ctx.options.get("import.cases", n))
    folder = ctx.data_dir / "import"
    folder.mkdir(parents=True, exist_ok=True)
    times, facts = measure(folder, n, ctx.rounds, ctx.log)
    return figures(times, facts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=30_000, help="number of cases")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dir", default=None, help="folder for the file and stores")
    parser.add_argument(
        "--page-size", type=int, default=0, help="also import into stores with this page size"
    )
    parser.add_argument("--bare", nargs=2, metavar=("FILE", "STORE"), help=argparse.SUPPRESS)
    parser.add_argument("--floor", nargs=2, metavar=("FILE", "STORE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare or args.floor:
        source, store = args.bare or args.floor
        bare_import(Path(source), Path(store), prebuilt=bool(args.floor))
        return
    folder = Path(args.dir or benchlib.DEFAULT_DATA / "import")
    folder.mkdir(parents=True, exist_ok=True)
    benchlib.print_machine()

    def log(message: str) -> None:
        print(message, flush=True)

    times, facts = measure(folder, args.n, args.rounds, log, page_size=args.page_size)
    for figure in figures(times, facts):
        med = benchlib.median(figure.samples)
        ratio = f", ratio {figure.ratio:.2f} {figure.ratio_means}" if figure.ratio else ""
        print(f"{figure.name}: median {med:,.4g} {figure.unit}{ratio} {figure.note}")
    shutil.rmtree(folder / "__pycache__", ignore_errors=True)


if __name__ == "__main__":
    main()
