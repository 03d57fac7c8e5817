"""``labeler stats --json`` (agreement and counts) as a whole process, with and without 1,000
bootstrap replicates, and its peak RSS; the reference is the ``krippendorff`` package computing
nominal alpha on the same labels in its own process (the call alone, the labels already loaded
into numpy), in the same rounds, and the alpha values are compared. The targets are issue 4's:
under 2 s and 300 MB without bootstrap, under 10 s with 1,000 replicates, on 1,000,000 labels.

Part of ``benchmarks/run`` (``run(ctx)``, on the store ``main``: 50,000 labels on the small
stores, 500,000 on 1,000,000 cases with ``--million``; ``--set stats.store=PATH`` for another
store, e.g. the one below), or by hand on 1,000,000 labels (not part of the test suite):

    .venv/bin/python benchmarks/bench_stats.py                 # builds the store if missing
    .venv/bin/python benchmarks/bench_stats.py STORE --runs 5 --profile

The store: 500,000 cases x 2 reviewers (alice, bob) = 1,000,000 labels over 10 buckets (the
default 9 plus one), about 80% raw agreement, built with ``make_big_store.build_store``. Case texts
are 20 characters: ``labeler stats`` reads ``cases`` (seq, and slices/meta only for ``--by``),
``labels``, ``resolutions`` and ``buckets``, never ``case_texts``, so text size does not change
what is measured (the ``cases`` rows carry the same slices and meta JSON as the big store).

Measured, each ``--runs`` times, as separate processes (wall time from spawn to exit, peak RSS
of that process from ``os.wait4``):

* ``labeler stats STORE --json`` (no bootstrap), and with ``--bootstrap 1000 --seed 1``;
* the reference libraries on the same labels, each in its own process that reads the labels
  from the store into numpy arrays first (not timed), then times the call:
  ``krippendorff.alpha`` (nominal, 2 x N reliability data), statsmodels
  ``aggregate_raters`` + ``fleiss_kappa``, sklearn ``cohen_kappa_score``. Their peak RSS
  includes the arrays; the RSS before the call is printed beside it.

The values are compared with labeler's JSON. ``--profile`` runs the stats command once in a
child under cProfile and prints where its time goes.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import benchlib
from benchlib import VENV_BIN, Context, Figure, print_machine, run_wait4

TITLE = "Stats"

DEFAULT_STORE = "/work/bench-data/stats-500k.db"
REFERENCES = ("krippendorff", "statsmodels", "sklearn")


def build(path: Path, cases: int, buckets: int) -> None:
    from make_big_store import build_store

    print(f"building {path}: {cases:,} cases x 2 reviewers, {buckets} buckets, tiny texts")
    result = build_store(
        path, cases=cases, labels=2 * cases, tiny_texts=True, buckets=buckets, quiet=True
    )
    print(f"  built in {result['total_s']:.1f} s, {result['file_bytes'] / 1e6:.0f} MB")


# -- reference child ----------------------------------------------------------------------


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def reference_child(name: str, store: str) -> None:
    """Load the labels, time one reference call, print one JSON line."""
    import sqlite3

    import numpy as np

    conn = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    buckets = [r[0] for r in conn.execute("SELECT key FROM buckets ORDER BY position")]
    code = {b: i for i, b in enumerate(buckets)}
    reviewers = [r[0] for r in conn.execute("SELECT DISTINCT reviewer FROM labels ORDER BY 1")]
    column = {r: i for i, r in enumerate(reviewers)}
    seqs = [r[0] for r in conn.execute("SELECT seq FROM cases WHERE is_current = 1 ORDER BY seq")]
    row_of = {s: i for i, s in enumerate(seqs)}
    data = np.full((len(reviewers), len(seqs)), np.nan)
    for seq, reviewer, bucket in conn.execute("SELECT case_seq, reviewer, bucket FROM labels"):
        data[column[reviewer], row_of[seq]] = code[bucket]
    conn.close()
    import_start = time.perf_counter()
    if name == "krippendorff":
        import krippendorff

        def call() -> float:
            return float(
                krippendorff.alpha(
                    reliability_data=data,
                    level_of_measurement="nominal",
                    value_domain=np.arange(len(buckets), dtype=float),
                )
            )

    elif name == "statsmodels":
        from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

        def call() -> float:
            table, _ = aggregate_raters(data.T.astype(np.int64), n_cat=len(buckets))
            return float(fleiss_kappa(table, method="fleiss"))

    elif name == "sklearn":
        from sklearn.metrics import cohen_kappa_score

        def call() -> float:
            return float(cohen_kappa_score(data[0].astype(np.int64), data[1].astype(np.int64)))

    else:
        raise SystemExit(f"unknown reference {name}")
    import_s = time.perf_counter() - import_start
    before = rss_mb()
    start = time.perf_counter()
    value = call()
    seconds = time.perf_counter() - start
    print(
        json.dumps(
            {"value": value, "seconds": seconds, "import_s": import_s, "rss_before_mb": before}
        )
    )


# -- parent ----------------------------------------------------------------------------------


def run_stats(store: Path, extra: list[str], out: Path) -> tuple[float, float, dict[str, Any]]:
    wall, peak, status = run_wait4(
        [str(VENV_BIN / "labeler"), "stats", str(store), "--json", *extra], out
    )
    if status != 0:
        raise SystemExit(f"labeler stats exited with {status}")
    return wall, peak, json.loads(out.read_text())


def run_reference(name: str, store: Path, out: Path) -> tuple[float, float, dict[str, Any]]:
    cmd = [str(VENV_BIN / "python"), __file__, "--reference", name, str(store)]
    wall, peak, status = run_wait4(cmd, out)
    if status != 0:
        raise SystemExit(f"reference {name} exited with {status}")
    return wall, peak, json.loads(out.read_text().strip().splitlines()[-1])


def fmt(values: list[float], unit: str = "s", digits: int = 2) -> str:
    shown = ", ".join(f"{v:.{digits}f}" for v in values)
    return f"median {statistics.median(values):.{digits}f} {unit} ({shown})"


def profile_stats(store: Path) -> None:
    code = (
        "import cProfile, pstats, io, contextlib, sys\n"
        "from labeler.cli import main\n"
        "p = cProfile.Profile()\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    p.enable()\n"
        "    try:\n"
        f"        main(['stats', {str(store)!r}, '--json'], standalone_mode=False)\n"
        "    finally:\n"
        "        p.disable()\n"
        "s = pstats.Stats(p, stream=sys.stdout)\n"
        "s.sort_stats('cumulative').print_stats(r'labeler|sqlite|json', 22)\n"
        "s.sort_stats('tottime').print_stats(12)\n"
    )
    print("\nprofile of one `labeler stats --json` (cProfile, in a child; imports not included)")
    result = subprocess.run(
        [str(VENV_BIN / "python"), "-c", code], capture_output=True, text=True, check=True
    )
    for line in result.stdout.splitlines():
        if line.strip() and not line.startswith(("   Ordered", "   List reduced")):
            print("  " + line[:160])


# -- benchmarks/run ------------------------------------------------------------------------


def run(ctx: Context) -> list[Figure]:
    store = Path(ctx.options.get("stats.store", ctx.store("main")))
    out = ctx.data_dir / f".bench-stats-{os.getpid()}.json"
    rss: dict[str, list[float]] = {}
    reports: dict[str, dict[str, Any]] = {}

    def stats(name: str, extra: list[str]) -> float:
        got = benchlib.run_timed([ctx.labeler, "stats", str(store), "--json", *extra], stdout=out)
        if got.status != 0:
            raise RuntimeError(f"labeler stats {' '.join(extra)} exited with {got.status}")
        rss.setdefault(name, []).append(got.max_rss_mb)
        reports[name] = json.loads(out.read_text())
        return got.wall

    def krippendorff() -> float:
        cmd = [ctx.python, str(Path(__file__).resolve()), "--reference", "krippendorff"]
        got = benchlib.run_timed([*cmd, str(store)], stdout=out)
        if got.status != 0:
            raise RuntimeError(f"the krippendorff reference exited with {got.status}")
        answer = json.loads(out.read_text().strip().splitlines()[-1])
        rss.setdefault("krippendorff", []).append(got.max_rss_mb)
        reports["krippendorff"] = answer
        return float(answer["seconds"])

    try:
        times = benchlib.interleaved(
            ctx.rounds,
            {
                "stats": lambda: stats("stats", []),
                "bootstrap": lambda: stats("bootstrap", ["--bootstrap", "1000", "--seed", "1"]),
                "krippendorff": krippendorff,
            },
            ctx.log,
        )
    finally:
        out.unlink(missing_ok=True)
    report = reports["stats"]
    ours = report["agreement"]["krippendorff_alpha"]
    theirs = reports["krippendorff"]["value"]
    scale = f"{report['labels']:,} labels"
    about = (
        f"store: {report['cases']:,} cases, {report['labels']:,} labels by "
        f"{', '.join(report['reviewers'])}, {len(report['buckets'])} buckets. Target: issue 4, "
        "on 1,000,000 labels (500,000 cases x 2 reviewers, 10 buckets)."
    )
    return [
        benchlib.absolute_vs(
            f"`labeler stats --json`, {scale}, start to end",
            times["stats"],
            "s",
            "`krippendorff.alpha` (nominal) on the same labels: the call alone, labels already "
            "in numpy, in its own process",
            times["krippendorff"],
            at_most=2.0,
            note=f"alpha: labeler {ours:.6f}, krippendorff {theirs:.6f} "
            f"(|difference| {abs(ours - theirs):.1e}); {about}",
        ),
        benchlib.absolute_vs(
            f"`labeler stats --json`, {scale}: peak RSS",
            rss["stats"],
            "MB",
            "the `krippendorff.alpha` process (labels loaded, then the call)",
            rss["krippendorff"],
            at_most=300,
            note=about,
        ),
        benchlib.absolute(
            f"`labeler stats --json --bootstrap 1000`, {scale}, start to end",
            times["bootstrap"],
            "s",
            at_most=10.0,
            note=f"peak RSS {benchlib.median(rss['bootstrap']):.0f} MB (median); alpha ci95 "
            f"{reports['bootstrap']['agreement']['krippendorff_alpha_ci95']}; {about}",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", nargs="?", default=DEFAULT_STORE, type=Path)
    parser.add_argument("--cases", type=int, default=500_000, help="when building the store")
    parser.add_argument("--buckets", type=int, default=10, help="when building the store")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--bootstrap", type=int, default=1000)
    parser.add_argument("--skip-references", action="store_true")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--reference", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.reference:
        reference_child(args.reference, str(args.store))
        return
    store: Path = args.store
    print_machine()
    if not store.exists():
        store.parent.mkdir(parents=True, exist_ok=True)
        build(store, args.cases, args.buckets)
    out = store.parent / f".bench-stats-{os.getpid()}.json"
    try:
        plain: list[tuple[float, float]] = []
        boot: list[tuple[float, float]] = []
        data: dict[str, Any] = {}
        for _ in range(args.runs):
            wall, peak, data = run_stats(store, [], out)
            plain.append((wall, peak))
            if args.bootstrap:
                wall, peak, boot_data = run_stats(
                    store, ["--bootstrap", str(args.bootstrap), "--seed", "1"], out
                )
                boot.append((wall, peak))
        agreement = data["agreement"]
        print(
            f"\nstore {store}: {data['cases']:,} cases, {data['labels']:,} labels, "
            f"reviewers {', '.join(data['reviewers'])}, {len(data['buckets'])} buckets"
        )
        print("\n`labeler stats STORE --json` (wall time from spawn to exit, peak RSS)")
        print(f"  no bootstrap:   {fmt([w for w, _ in plain])};  peak RSS "
              f"{fmt([p for _, p in plain], 'MB', 0)}   (target < 2 s, < 300 MB)")  # fmt: skip
        if boot:
            print(f"  bootstrap {args.bootstrap}: {fmt([w for w, _ in boot])};  peak RSS "
                  f"{fmt([p for _, p in boot], 'MB', 0)}   (target < 10 s)")  # fmt: skip
            print(f"  alpha ci95 {boot_data['agreement']['krippendorff_alpha_ci95']}")
        print(
            f"  alpha {agreement['krippendorff_alpha']:.6f}  fleiss {agreement['fleiss_kappa']:.6f}"
            f"  cohen {agreement['cohen_kappa']:.6f}  percent {agreement['percent_agreement']:.6f}"
        )
        start = time.perf_counter()
        subprocess.run([str(VENV_BIN / "labeler"), "--help"], capture_output=True, check=True)
        print(f"  (for scale: `labeler --help` alone takes {time.perf_counter() - start:.2f} s)")

        if not args.skip_references:
            print("\nreference libraries on the same labels (each in its own process)")
            ours = {
                "krippendorff": agreement["krippendorff_alpha"],
                "statsmodels": agreement["fleiss_kappa"],
                "sklearn": agreement["cohen_kappa"],
            }
            what = {
                "krippendorff": "krippendorff.alpha (nominal)",
                "statsmodels": "statsmodels aggregate_raters + fleiss_kappa",
                "sklearn": "sklearn cohen_kappa_score",
            }
            for name in REFERENCES:
                calls: list[float] = []
                peaks: list[float] = []
                befores: list[float] = []
                imports: list[float] = []
                value = float("nan")
                for _ in range(args.runs):
                    _, peak, got = run_reference(name, store, out)
                    calls.append(got["seconds"])
                    peaks.append(peak)
                    befores.append(got["rss_before_mb"])
                    imports.append(got["import_s"])
                    value = got["value"]
                print(f"  {what[name]}")
                print(f"    call {fmt(calls)}; import {statistics.median(imports):.2f} s")
                print(
                    f"    peak RSS {fmt(peaks, 'MB', 0)}; RSS with the data loaded, before the "
                    f"call: {statistics.median(befores):.0f} MB"
                )
                print(
                    f"    value {value:.6f}; |labeler - reference| = {abs(value - ours[name]):.2e}"
                )
    finally:
        out.unlink(missing_ok=True)
    if args.profile:
        profile_stats(store)


if __name__ == "__main__":
    sys.exit(main())
