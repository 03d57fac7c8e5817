"""Export to CSV: ``export_store`` against a bare ``sqlite3`` -> ``csv.writer`` loop.

Part of ``benchmarks/run`` (``run(ctx)``), or by hand:

    .venv/bin/python benchmarks/bench_export.py STORE [--rounds 5]

The reference is the least a CSV export of the same rows can do: the same SELECT that labeler
runs (the ``case_status`` view with its notes and resolution; for ``--what labels`` the labels
of the current cases), each row handed to ``csv.writer.writerow`` as SQLite returns it, into a
file with ``newline=""``. labeler does more for the same rows: a first pass for the columns
(every slice name and flattened metadata key), the metadata flattened into those columns, every
cell made safe for a spreadsheet, and the file written beside the target, fsynced and renamed.
Both run in the same process, in turn, on the same store; times are wall clock, and the CPU
time of each is in the note (it is steadier on a busy machine).
"""

from __future__ import annotations

import argparse
import csv
import sqlite3
import sys
import time
from pathlib import Path

import benchlib
from benchlib import Context, Figure

TITLE = "Export"

FINAL_SQL = """
    SELECT s.case_id, s.final_bucket, s.status, s.labels,
        (SELECT group_concat(n.reviewer || ': ' || n.note, '; ')
           FROM (SELECT reviewer, note FROM labels
                  WHERE case_seq = s.case_seq AND note IS NOT NULL AND note <> ''
                  ORDER BY reviewer) n) AS notes,
        s.resolution_method, s.resolver, r.reason AS resolution_reason,
        s.slices, s.meta
    FROM case_status s LEFT JOIN resolutions r ON r.case_seq = s.case_seq
    ORDER BY s.case_seq"""
LABELS_SQL = """
    SELECT c.case_id, l.reviewer, l.bucket, l.note, l.labeled_at, l.account
    FROM cases c JOIN labels l ON l.case_seq = c.seq
    WHERE c.is_current = 1
    ORDER BY c.seq, l.reviewer"""


def bare(store: Path, out: Path, sql: str) -> int:
    """The reference: the rows, as SQLite gives them, through csv.writer."""
    conn = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    rows = 0
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        for row in conn.execute(sql):
            writer.writerow(row)
            rows += 1
    conn.close()
    return rows


def labeler_export(store: Path, out: Path, what: str) -> int:
    from labeler.export import ExportSpec, export_store
    from labeler.store import open_store

    out.unlink(missing_ok=True)
    with open_store(store, write=False) as opened:
        result = export_store(opened, out, ExportSpec(what=what))  # type: ignore[arg-type]
    return result.rows


def measure(store: Path, folder: Path, rounds: int, log: object) -> tuple[dict, dict, dict]:
    """Interleaved rounds; wall seconds, CPU seconds and row counts per step."""
    cpu: dict[str, list[float]] = {}
    rows: dict[str, int] = {}

    def step(name: str, work: object) -> float:
        start, start_cpu = time.perf_counter(), time.process_time()
        rows[name] = work()  # type: ignore[operator]
        wall = time.perf_counter() - start
        cpu.setdefault(name, []).append(time.process_time() - start_cpu)
        return wall

    out = folder / "export-out.csv"
    steps = {
        "bare final": lambda: step("bare final", lambda: bare(store, out, FINAL_SQL)),
        "labeler final": lambda: step("labeler final", lambda: labeler_export(store, out, "final")),
        "bare labels": lambda: step("bare labels", lambda: bare(store, out, LABELS_SQL)),
        "labeler labels": lambda: step(
            "labeler labels", lambda: labeler_export(store, out, "labels")
        ),
    }
    times = benchlib.interleaved(rounds, steps, log)  # type: ignore[arg-type]
    out.unlink(missing_ok=True)
    return times, cpu, rows


def figures(times: dict, cpu: dict, rows: dict, cli: list[float]) -> list[Figure]:
    out = []
    for what, flag in (("final", ""), ("labels", " --what labels")):
        n = rows[f"labeler {what}"]
        assert n == rows[f"bare {what}"], (what, n, rows[f"bare {what}"])
        subject = times[f"labeler {what}"]
        per_row = benchlib.median(subject) / max(n, 1) * 1e6
        cpu_ratio = benchlib.median(cpu[f"bare {what}"]) / benchlib.median(cpu[f"labeler {what}"])
        out.append(
            benchlib.speed_vs(
                f"`export{flag}` to CSV, {n:,} rows",
                subject,
                "the same SELECT through csv.writer (bare loop)",
                times[f"bare {what}"],
                at_least=0.5,
                note=f"{per_row:.1f} µs a row; by CPU time the ratio is {cpu_ratio:.2f}",
            )
        )
    if cli:
        out.append(
            benchlib.absolute(
                "`labeler export STORE out.csv`, the command start to end "
                f"({rows['labeler final']:,} rows)",
                cli,
                "s",
                note="information",
            )
        )
    return out


def run(ctx: Context) -> list[Figure]:
    store = ctx.store("main")
    folder = ctx.data_dir / "export"
    folder.mkdir(parents=True, exist_ok=True)
    times, cpu, rows = measure(store, folder, ctx.rounds, ctx.log)
    out = folder / "cli-out.csv"
    cli = []
    for _ in range(ctx.rounds):
        out.unlink(missing_ok=True)
        cli.append(benchlib.run_timed([ctx.labeler, "export", str(store), str(out)]).wall)
    out.unlink(missing_ok=True)
    return figures(times, cpu, rows, cli)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--dir", type=Path, default=benchlib.DEFAULT_DATA / "export")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    benchlib.print_machine()
    times, cpu, rows = measure(args.store, args.dir, args.rounds, lambda m: print(m, flush=True))
    for figure in figures(times, cpu, rows, []):
        print(f"{figure.name}: ratio {figure.ratio:.2f} (target {figure.target}); {figure.note}")
    sys.exit(0)


if __name__ == "__main__":
    main()
