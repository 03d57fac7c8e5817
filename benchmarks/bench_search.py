"""`/` search through the FTS5 indexes (trigrams and words), on a copy of the `main` store with
its index built: time to the first hits on screen and to the complete result, per kind of query;
the reference is the search before the index (a full rapidfuzz scan), in the same rounds.

Hand-run parts (``python benchmarks/bench_search.py STORE --parts ...``):

    .venv/bin/python benchmarks/bench_search.py /work/bench-data/search-100k.db --parts q,r,a
    .venv/bin/python benchmarks/bench_search.py /work/bench-data/search-100k.db --parts b,w
    .venv/bin/python benchmarks/bench_search.py --parts i --import-cases 100000
    .venv/bin/python benchmarks/bench_search.py /work/bench-data/search-1m.db --parts q,r --runs 5

The store is one that ``make_big_store.py`` made (ids ``case-0000001``...); opening it migrates
it. Parts:

- ``q``: each query (phrase, typo, typo in a phrase, non-ASCII, two CJK characters, case id,
  rare number, no match) ``--runs`` times through ``search_cases`` with a complete index: the
  time to the first hits (the first progress report that has any: what the screen draws
  first) and to the complete result. Builds the index first if it is not complete.
- ``r``: the reference, in the same run: the search before the index (the full rapidfuzz scan
  of 240 characters of each input and output, copied here from labeler 5ede3dd^), once per
  query (``--reference-queries`` limits how many: it takes about 45 s per query on 1M).
- ``a``: agreement: the top 20 through the index against the top 20 of the same ranking by
  scanning every case (``use_index=False``).
- ``b``: empty the index and build it again (``build_index``, as the search screen's thread
  does while nobody else writes); time and size.
- ``w``: label writes from a second connection every 20 ms, while the index is built in the
  same way as the screen's thread (pauses included) and with nothing else running: how long a
  label write waits.
- ``i``: ``import_files`` of ``--import-cases`` 9 KB cases (``bench_import.py``'s generator) into
  a new store with the index table and into one without it (the schema before the index),
  alternating, ``--import-runs`` each; then the time to index the imported cases (what the
  first search after the import pays, on a thread).
"""

from __future__ import annotations

import argparse
import heapq
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchlib import print_machine
from rapidfuzz import fuzz, process, utils

from labeler.identity import Actor
from labeler.review.search import Hit, SearchProgress, build_index, search_cases
from labeler.store import Store, create_store, open_store
from labeler.store import search_index as idx

ACTOR = Actor(name="bench", account="bench", on_trust=True)


def queries_for(last_seq: int) -> list[tuple[str, str]]:
    """(what, query) pairs; the case id and the rare number depend on the store's size."""
    case = max(1, min(last_seq, 543_210 if last_seq >= 543_210 else last_seq // 2 + 4321))
    return [
        ("phrase", "refund policy"),
        ("phrase, 3 words", "please verify your identity"),
        ("typo", "warrenty"),
        ("typo in a phrase", "chargeback dispuet"),
        ("non-ASCII", "Zürich"),
        ("2 CJK characters (no trigram: scan)", "注文"),
        ("case id", f"case-{case:07d}"),
        ("rare number", "48213"),
        ("no match", "xyzzy plugh"),
    ]


# -- the search before the index (labeler/review/search.py at 5ede3dd^), for the reference --------

OLD_SNIPPET = 240
OLD_CHUNK = 20_000


def old_search(store: Store, query: str, limit: int = 20) -> list[tuple[float, int]]:
    """The full scan that `/` did before the index: rapidfuzz ``partial_ratio`` over the id and
    the first 240 characters of input and output of every current case, in chunks."""
    query = query.strip()
    best: list[tuple[float, int]] = []
    exact = store.query(
        "SELECT c.seq FROM cases c WHERE c.case_id = ? AND c.is_current = 1", (query,)
    )
    exact_seq = exact[0][0] if exact else None
    after = 0
    while True:
        rows = store.query(
            "SELECT c.seq, c.case_id, substr(t.input, 1, ?), substr(t.output, 1, ?)"
            " FROM cases c JOIN case_texts t ON t.case_seq = c.seq"
            " WHERE c.seq > ? AND +c.is_current = 1 ORDER BY c.seq LIMIT ?",
            (OLD_SNIPPET, OLD_SNIPPET, after, OLD_CHUNK),
        )
        if not rows:
            break
        after = rows[-1][0]
        choices = [f"{r[1]} {r[2][:OLD_SNIPPET]} {(r[3] or '')[:OLD_SNIPPET]}" for r in rows]
        for _c, score, index in process.extract(
            query, choices, scorer=fuzz.partial_ratio, processor=utils.default_process, limit=limit
        ):
            if rows[index][0] == exact_seq:
                continue
            item = (score, rows[index][0])
            if len(best) < limit:
                heapq.heappush(best, item)
            else:
                heapq.heappushpop(best, item)
    return sorted(best, reverse=True)


# -- parts -----------------------------------------------------------------------------------


def timed_search(store: Store, query: str, **kwargs: Any) -> tuple[float, float, list[Hit]]:
    """(seconds to the first hits, seconds to the end, hits)."""
    start = time.perf_counter()
    first: list[float] = []

    def progress(p: SearchProgress) -> None:
        if p.hits and not first:
            first.append(time.perf_counter() - start)

    hits = search_cases(store, query, on_progress=progress, **kwargs)
    total = time.perf_counter() - start
    return (first[0] if first else total), total, hits


def fmt(values: list[float]) -> str:
    return (
        f"{statistics.median(values) * 1e3:8.1f} ms ({min(values) * 1e3:.1f}-"
        f"{max(values) * 1e3:.1f})"
    )


def ensure_index(store: Store) -> None:
    state = idx.index_state(store)
    if state.complete:
        return
    print(f"building the index for {state.pending:,} cases first...", flush=True)
    start = time.perf_counter()
    build_index(store)
    print(f"  {time.perf_counter() - start:.1f} s", flush=True)


def part_queries(store: Store, runs: int) -> None:
    ensure_index(store)
    state = idx.index_state(store)
    print(f"\n## q: search with the index ({state.last_seq:,} case rows), {runs} runs each")
    print(f"{'what':38s} {'query':28s} {'first hits':>26s} {'complete':>26s}  hits (kinds)")
    for what, query in queries_for(state.last_seq):
        firsts, totals = [], []
        hits: list[Hit] = []
        for _ in range(runs):
            first, total, hits = timed_search(store, query)
            firsts.append(first)
            totals.append(total)
        kinds: dict[str, int] = {}
        for h in hits:
            kinds[h.kind] = kinds.get(h.kind, 0) + 1
        print(
            f"{what:38s} {query!r:28s} {fmt(firsts):>26s} {fmt(totals):>26s}  {len(hits)} {kinds}",
            flush=True,
        )


def part_reference(store: Store, limit_queries: int) -> None:
    state = idx.index_state(store)
    print("\n## r: reference: the full scan before the index (once per query)")
    for what, query in queries_for(state.last_seq)[:limit_queries]:
        start = time.perf_counter()
        found = old_search(store, query)
        took = time.perf_counter() - start
        print(f"{what:38s} {query!r:28s} {took * 1e3:10.0f} ms  {len(found)} hits", flush=True)


def part_agreement(store: Store, limit_queries: int) -> None:
    ensure_index(store)
    state = idx.index_state(store)
    print("\n## a: top 20 through the index vs the same ranking by scanning every case")
    for what, query in queries_for(state.last_seq)[:limit_queries]:
        _, t_index, with_index = timed_search(store, query)
        _, t_scan, scanned = timed_search(store, query, use_index=False)
        a = {h.seq for h in with_index}
        b = {h.seq for h in scanned}
        same_order = [h.seq for h in with_index if h.kind != "typo"] == [
            h.seq for h in scanned if h.kind != "typo"
        ]
        best_typo = [round(h.score) for h in with_index if h.kind == "typo"][:3]
        best_typo_scan = [round(h.score) for h in scanned if h.kind == "typo"][:3]
        print(
            f"{what:38s} {query!r:28s} index {t_index * 1e3:7.0f} ms, scan {t_scan * 1e3:7.0f} ms;"
            f" shared {len(a & b)}/{len(b)}; exact/words identical: {same_order};"
            f" best typo scores {best_typo} vs {best_typo_scan}",
            flush=True,
        )


def index_bytes(store: Store) -> str:
    """The size of each index table (with its shadow tables), from ``dbstat``."""
    try:
        rows = store.query(
            "SELECT substr(name, 1, 10), sum(pgsize) FROM dbstat"
            " WHERE name LIKE 'case_search%' OR name LIKE 'case_words%' GROUP BY 1"
        )
    except sqlite3.Error:
        return "size unknown (no dbstat)"
    names = {"case_searc": "trigrams", "case_words": "words"}
    return ", ".join(f"{names.get(r[0], r[0])} {int(r[1]) / 1e6:,.0f} MB" for r in rows)


def part_build(store: Store) -> None:
    print("\n## b: empty the index and build it again (as the screen's thread, nobody writing)")
    idx.clear_index(store)
    store.conn.execute("PRAGMA synchronous = NORMAL")
    state = idx.index_state(store)
    start = time.perf_counter()
    done = build_index(store)
    took = time.perf_counter() - start
    shown = index_bytes(store)
    print(
        f"{done:,} case rows in {took:.1f} s = {done / took:,.0f} cases/s, "
        f"{took / max(done, 1) * 1e5:.1f} s per 100k; index {shown} "
        f"(was {state.pending:,} pending)",
        flush=True,
    )


def part_writes(store_path: Path, seconds: float) -> None:
    print(f"\n## w: label writes every 20 ms from another connection, {seconds:.0f} s each")
    with open_store(store_path) as store:
        idx.clear_index(store)
        bucket = store.query("SELECT key FROM buckets ORDER BY position LIMIT 1")[0][0]

    def writer(stop: threading.Event, out: list[float], start_seq: int) -> None:
        conn = sqlite3.connect(store_path, isolation_level=None, timeout=10)
        conn.execute("PRAGMA busy_timeout = 10000")
        conn.execute("PRAGMA synchronous = FULL")
        seq = start_seq
        while not stop.is_set():
            t0 = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(
                "INSERT OR REPLACE INTO labels (case_seq, reviewer, account, bucket, labeled_at)"
                " VALUES (?, 'bench-writer', 'bench', ?, '2026-12-01T00:00:00Z')",
                (seq, bucket),
            )
            conn.execute("COMMIT")
            out.append(time.perf_counter() - t0)
            seq += 1
            time.sleep(0.02)
        conn.close()

    for label, with_build in (("without a build", False), ("while the index builds", True)):
        stop = threading.Event()
        waits: list[float] = []
        thread = threading.Thread(target=writer, args=(stop, waits, 10 if with_build else 1))
        thread.start()
        built = _build_for(store_path, seconds) if with_build else _sleep(seconds)
        stop.set()
        thread.join()
        print(f"{label:24s} {_latencies(waits)}; cases indexed {built:,}", flush=True)
    with open_store(store_path) as store:
        with store.write() as conn:
            conn.execute("DELETE FROM labels WHERE reviewer = 'bench-writer'")
        print("(index left partly built; the next `q` builds the rest)")


def _build_for(store_path: Path, seconds: float) -> int:
    end = time.perf_counter() + seconds
    with open_store(store_path) as store:
        store.conn.execute("PRAGMA synchronous = NORMAL")
        return build_index(store, should_stop=lambda: time.perf_counter() > end)


def _sleep(seconds: float) -> int:
    time.sleep(seconds)
    return 0


def _latencies(waits: list[float]) -> str:
    waits = sorted(waits)

    def at(q: float) -> float:
        return waits[min(len(waits) - 1, int(q * len(waits)))] * 1e3

    return (
        f"{len(waits)} writes: median {at(0.5):.1f} ms, p95 {at(0.95):.1f} ms, "
        f"p99 {at(0.99):.1f} ms, max {waits[-1] * 1e3:.1f} ms"
    )


def part_import(cases: int, runs: int, folder: str | None) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_import import write_cases  # type: ignore[import-not-found]

    from labeler.importing import import_files

    print(f"\n## i: import_files of {cases:,} cases, with the index table and without it")
    with tempfile.TemporaryDirectory(prefix="bench-search-import-", dir=folder) as tmp:
        source = Path(tmp) / "cases.jsonl"
        size = write_cases(source, cases)
        print(f"generated {size / 1e6:,.0f} MB ({size / cases / 1000:.1f} KB per case)")
        times: dict[str, list[float]] = {"without the index table": [], "with it (now)": []}
        build_s: list[float] = []
        for run in range(runs):
            for name in times:
                path = Path(tmp) / f"store-{run}-{len(times[name])}-{name[:4]}.db"
                store = create_store(path, ACTOR)
                if name.startswith("without"):
                    with store.write() as conn:
                        conn.execute("DROP TABLE case_search")
                start = time.perf_counter()
                result = import_files(store, [source], ACTOR)
                times[name].append(time.perf_counter() - start)
                assert result.inserted == cases, result.summary()
                if not name.startswith("without"):
                    start = time.perf_counter()
                    store.conn.execute("PRAGMA synchronous = NORMAL")
                    build_index(store)
                    build_s.append(time.perf_counter() - start)
                store.close()
                for p in Path(tmp).glob(f"{path.name}*"):
                    p.unlink()
        for name, values in times.items():
            print(
                f"{name:26s} median {statistics.median(values):.1f} s "
                f"({min(values):.1f}-{max(values):.1f}) = "
                f"{cases / statistics.median(values):,.0f} cases/s"
            )
        ratio = statistics.median(times["with it (now)"]) / statistics.median(
            times["without the index table"]
        )
        print(f"ratio with/without: {ratio:.3f} (1.0 = the index costs the import nothing)")
        print(
            f"then indexing the imported cases (no pauses): median "
            f"{statistics.median(build_s):.1f} s ({min(build_s):.1f}-{max(build_s):.1f})"
        )


TITLE = "Search"
RUN_QUERIES = ("phrase", "phrase, 3 words", "typo", "typo in a phrase", "non-ASCII", "case id")
RUN_QUERIES += ("2 CJK characters (no trigram: scan)",)


def run(ctx: Any) -> list[Any]:
    """The protocol of ``benchmarks/run`` (see README.md)."""
    import benchlib

    path = ctx.data_dir / "search.db"
    if not path.exists():
        ctx.log(f"copying {ctx.store('main')} to {path} (SQLite backup)")
        source = sqlite3.connect(f"file:{ctx.store('main')}?mode=ro", uri=True)
        target = sqlite3.connect(path)
        source.backup(target)
        target.execute("PRAGMA journal_mode = WAL")
        target.close()
        source.close()
    figures: list[Any] = []
    with open_store(path) as store:
        state = idx.index_state(store)
        build_note = "built in an earlier run"
        if not state.complete:
            ctx.log(f"building the search index for {state.pending:,} cases")
            store.conn.execute("PRAGMA synchronous = NORMAL")
            start = time.perf_counter()
            build_index(store)
            took = time.perf_counter() - start
            build_note = (
                f"built in this run: {state.pending:,} cases in {took:.0f} s "
                f"({took / max(state.pending, 1) * 1e5:.0f} s per 100,000)"
            )
        cases = idx.index_state(store).last_seq
        chosen = [(w, q) for w, q in queries_for(cases) if w in RUN_QUERIES]
        firsts: dict[str, list[float]] = {q: [] for _, q in chosen}

        def step(query: str) -> Callable[[], float]:
            def measure() -> float:
                first, total, _ = timed_search(store, query)
                firsts[query].append(first * 1e3)
                return total * 1e3

            return measure

        steps = {q: step(q) for _, q in chosen}
        reference_query = chosen[0][1]
        steps["reference"] = lambda: _timed_ms(lambda: old_search(store, reference_query))
        times = benchlib.interleaved(ctx.rounds, steps, ctx.log)
        for what, query in chosen:
            figures.append(
                benchlib.absolute(
                    f"`/` {query!r} ({what}): first hits", firsts[query], "ms", at_most=1000
                )
            )
            figures.append(
                benchlib.absolute(
                    f"`/` {query!r} ({what}): complete", times[query], "ms", at_most=3000
                )
            )
        figures.append(
            benchlib.speed_vs(
                f"`/` {reference_query!r}: complete, against the search before the index",
                times[reference_query],
                "the full scan before the index (rapidfuzz over 240 characters of each text)",
                times["reference"],
                at_least=None,
                unit="ms",
            )
        )
        size_note = f"{index_bytes(store)}; {build_note}"
        store_mb = sum(p.stat().st_size for p in path.parent.glob(f"{path.name}*")) / 1e6
        figures.append(
            benchlib.absolute(
                f"search index of {cases:,} cases: store size with it",
                [store_mb],
                "MB",
                note=size_note,
            )
        )
    return figures


def _timed_ms(body: Callable[[], object]) -> float:
    start = time.perf_counter()
    body()
    return (time.perf_counter() - start) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", nargs="?", type=Path)
    parser.add_argument("--parts", default="q,r,a")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reference-queries", type=int, default=99)
    parser.add_argument("--write-seconds", type=float, default=20.0)
    parser.add_argument("--import-cases", type=int, default=100_000)
    parser.add_argument("--import-runs", type=int, default=3)
    parser.add_argument("--dir", default=None, help="folder for the import part's files")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    print_machine()
    run: dict[str, Callable[[], None]] = {}
    if parts - {"i"} and args.store is None:
        raise SystemExit("parts q, r, a, b and w need a store")
    if "b" in parts:
        run["b"] = lambda: _with_store(args.store, part_build)
    if "w" in parts:
        run["w"] = lambda: part_writes(args.store, args.write_seconds)
    if "q" in parts:
        run["q"] = lambda: _with_store(args.store, lambda s: part_queries(s, args.runs))
    if "r" in parts:
        run["r"] = lambda: _with_store(
            args.store, lambda s: part_reference(s, args.reference_queries)
        )
    if "a" in parts:
        run["a"] = lambda: _with_store(
            args.store, lambda s: part_agreement(s, args.reference_queries)
        )
    if "i" in parts:
        run["i"] = lambda: part_import(args.import_cases, args.import_runs, args.dir)
    for name in ("b", "w", "q", "r", "a", "i"):
        if name in run:
            run[name]()


def _with_store(path: Path, body: Callable[[Store], None]) -> None:
    with open_store(path) as store:
        body(store)


if __name__ == "__main__":
    main()
