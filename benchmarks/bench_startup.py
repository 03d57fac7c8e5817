"""Start-up of the commands that only read a little, against ``labeler --help``.

Part of ``benchmarks/run`` (``run(ctx)``), or by hand:

    .venv/bin/python benchmarks/bench_startup.py STORE [--rounds 15]

Each command is a whole process, spawned and waited for (wall time from spawn to exit, peak
RSS from ``wait4``), output to /dev/null; the commands take turns, round after round. The
reference is ``labeler --help``: Python, click and the command list, nothing else. ``info`` and
``progress`` run on the benchmark's store.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import benchlib
from benchlib import Context, Figure

TITLE = "Start-up"


def commands(labeler: str, store: Path) -> dict[str, list[str]]:
    """The command lines timed, by name (``progress`` only if this labeler has it)."""
    out = {
        "labeler --help": [labeler, "--help"],
        "labeler info STORE": [labeler, "info", str(store)],
        "labeler gate --example": [labeler, "gate", "--example"],
    }
    try:
        from labeler.cli import COMMANDS
    except ImportError:
        COMMANDS = {}
    if "progress" in COMMANDS:
        out["labeler progress STORE"] = [labeler, "progress", str(store)]
    return out


def measure(
    labeler: str, store: Path, rounds: int, log: object
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    rss: dict[str, list[float]] = {}

    def timed(name: str, cmd: list[str]) -> float:
        result = benchlib.run_timed(cmd)
        if result.status != 0:
            raise RuntimeError(f"{' '.join(cmd)} exited with {result.status}")
        rss.setdefault(name, []).append(result.max_rss_mb)
        return result.wall

    steps = {
        name: (lambda name=name, cmd=cmd: timed(name, cmd))
        for name, cmd in commands(labeler, store).items()
    }
    timed("warm-up", [labeler, "--help"])  # the first start reads the files from the disk
    return benchlib.interleaved(rounds, steps, None), rss  # type: ignore[arg-type]


def figures(times: dict[str, list[float]], rss: dict[str, list[float]], store: str) -> list[Figure]:
    reference = "labeler --help"
    out = [
        benchlib.absolute(
            f"`{reference}`",
            [t * 1000 for t in times[reference]],
            "ms",
            note=f"the reference; peak RSS {benchlib.median(rss[reference]):.0f} MB",
        )
    ]
    for name, samples in times.items():
        if name == reference:
            continue
        out.append(
            benchlib.time_vs(
                f"`{name}` start to end",
                [t * 1000 for t in samples],
                f"`{reference}`",
                [t * 1000 for t in times[reference]],
                at_most=1.5,
                unit="ms",
                note=f"peak RSS {benchlib.median(rss[name]):.0f} MB; STORE is {store}",
            )
        )
    return out


def run(ctx: Context) -> list[Figure]:
    store = ctx.store("main")
    rounds = max(ctx.rounds * 5, 10)
    times, rss = measure(ctx.labeler, store, rounds, ctx.log)
    size = sum(p.stat().st_size for p in store.parent.glob(store.name + "*")) / 1e9
    return figures(times, rss, f"the benchmark store ({size:.1f} GB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    benchlib.print_machine()
    labeler = str(Path(sys.executable).parent / "labeler")
    times, rss = measure(labeler, args.store, args.rounds, None)
    for figure in figures(times, rss, str(args.store)):
        ratio = f" ratio {figure.ratio:.2f} (target {figure.target})" if figure.ratio else ""
        print(f"{figure.name}: median {benchlib.median(figure.samples):.0f} ms{ratio}")


if __name__ == "__main__":
    main()
