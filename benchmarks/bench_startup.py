"""Start-up of the commands that only read a little, against ``labeler --help``.

Part of ``benchmarks/run`` (``run(ctx)``), or by hand:

    .venv/bin/python benchmarks/bench_startup.py STORE [--progress-store STORE2] [--rounds 15]

Each command is a whole process, spawned and waited for (wall time from spawn to exit, peak
RSS from ``wait4``), output to /dev/null; the commands take turns, round after round. The
reference is ``labeler --help``: Python, click and the command list, nothing else. ``info`` and
``progress`` run on the ``main`` store (alice and bob labeled the first half by case number, so
their labels are not a prefix of the random review order), and ``progress`` again on the
``progress`` store (the first half of the random order labeled, as walking the queue leaves it:
the case ``progress``'s sampling line has a fast path for).

The commands run with a bytecode cache, as an installed labeler has (pip compiles the modules
when it installs them): ``PYTHONDONTWRITEBYTECODE`` is dropped for them and the cache goes to a
folder of its own (``PYTHONPYCACHEPREFIX``), filled by one warm-up run of each command. Without
it every run compiles each labeler module it imports from source (``info`` 1.8 x ``--help``
against 1.6 x with the cache, before the lazy imports of issue 16).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import benchlib
from benchlib import Context, Figure

TITLE = "Start-up"


PREFIX_LABEL = "labels a random-order prefix"
BY_NUMBER_LABEL = "labeled by case number: not a random-order prefix"


def commands(labeler: str, store: Path, progress_store: Path | None = None) -> dict[str, list[str]]:
    """The command lines timed, by name (``progress`` only if this labeler has it): ``info``
    and ``progress`` on ``store`` (labeled by case number), and ``progress`` again on
    ``progress_store`` (labeled in the random order, as walking the queue leaves it) if given."""
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
        if progress_store is not None:
            out[f"labeler progress STORE ({PREFIX_LABEL})"] = [
                labeler,
                "progress",
                str(progress_store),
            ]
        out[f"labeler progress STORE ({BY_NUMBER_LABEL})"] = [labeler, "progress", str(store)]
    return out


def installed_env(cache: Path) -> dict[str, str]:
    """This environment, with Python's bytecode cache on, kept in ``cache``."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(cache)
    return env


def measure(
    lines: dict[str, list[str]], rounds: int, env: dict[str, str]
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    rss: dict[str, list[float]] = {}

    def timed(name: str, cmd: list[str]) -> float:
        result = benchlib.run_timed(cmd, env=env)
        if result.status != 0:
            raise RuntimeError(f"{' '.join(cmd)} exited with {result.status}")
        rss.setdefault(name, []).append(result.max_rss_mb)
        return result.wall

    steps = {name: (lambda name=name, cmd=cmd: timed(name, cmd)) for name, cmd in lines.items()}
    for cmd in lines.values():
        timed("warm-up", cmd)  # reads the files from the disk, fills the bytecode cache
    return benchlib.interleaved(rounds, steps, None), rss  # type: ignore[arg-type]


def imports(
    python: str, cmd: list[str], env: dict[str, str] | None = None
) -> list[tuple[str, int, int]]:
    """``(module, cumulative µs, nesting level)`` per import of one run of ``cmd`` (a console
    script run under ``python -X importtime``), in the order Python reports them."""
    done = subprocess.run(
        [python, "-X", "importtime", *cmd], capture_output=True, text=True, check=False, env=env
    )
    out = []
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", line)
        if match:
            out.append((match[3], int(match[1]), len(match[2]) // 2))
    return out


def beyond(
    python: str,
    cmd: list[str],
    reference: list[str],
    top: int = 3,
    env: dict[str, str] | None = None,
) -> str:
    """The heaviest imports ``cmd`` makes that ``reference`` does not, as text: each outermost
    new import with its cumulative time, and the heaviest new module under it."""
    known = {name for name, _, _ in imports(python, reference, env)}
    found = imports(python, cmd, env)
    parent: list[int | None] = [None] * len(found)
    waiting: dict[int, list[int]] = {}  # Python reports an import after the ones it made
    for index, (_, _, level) in enumerate(found):
        for child in waiting.pop(level + 1, []):
            parent[child] = index
        waiting.setdefault(level, []).append(index)

    def new(index: int | None) -> bool:
        return index is not None and found[index][0] not in known

    roots = [i for i in range(len(found)) if new(i) and not new(parent[i])]
    roots.sort(key=lambda i: -found[i][1])
    parts = []
    for root in roots[:top]:
        name, us, _ = found[root]
        text = f"{name} {us / 1000:.0f} ms"
        children = sorted(
            (i for i in range(len(found)) if parent[i] == root and new(i)),
            key=lambda i: -found[i][1],
        )
        shown = [f"{found[i][0]} {found[i][1] / 1000:.0f} ms" for i in children[:2]]
        if shown and found[children[0]][1] > us / 4:
            text += f" (of which {', '.join(shown)})"
        parts.append(text)
    return "; ".join(parts)


def figures(
    times: dict[str, list[float]],
    rss: dict[str, list[float]],
    stores: dict[str, str],
    extra: dict[str, str] | None = None,
    cached: bool = False,
) -> list[Figure]:
    """The reference and one figure per other command; ``stores[name]`` says what STORE is in
    command ``name`` (``""``: it has none), ``cached`` that the modules ran from a bytecode
    cache."""
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
        command, _, qualifier = name.partition(" (")
        title = f"`{command}` start to end" + (f" ({qualifier}" if qualifier else "")
        note = f"peak RSS {benchlib.median(rss[name]):.0f} MB"
        if stores.get(name):
            note += f"; STORE is {stores[name]}"
        if cached:
            note += "; modules run from their bytecode cache"
        if extra and extra.get(name):
            note += f"; imports beyond `--help`: {extra[name]}"
        out.append(
            benchlib.time_vs(
                title,
                [t * 1000 for t in samples],
                f"`{reference}`",
                [t * 1000 for t in times[reference]],
                at_most=1.5,
                unit="ms",
                note=note,
            )
        )
    return out


def store_notes(lines: dict[str, list[str]], main: Path, progress: Path | None) -> dict[str, str]:
    """What STORE is in each command line, by name."""

    def gb(store: Path) -> str:
        size = sum(p.stat().st_size for p in store.parent.glob(store.name + "*")) / 1e9
        return f"{size:.2f} GB"

    described = {
        str(main): f"the `main` benchmark store ({gb(main)}: alice and bob labeled the first "
        "half by case number)",
    }
    if progress is not None:
        described[str(progress)] = (
            f"the `progress` benchmark store ({gb(progress)}: alice and bob labeled the first "
            "half of the random review order, as walking the queue leaves it)"
        )
    out = {}
    for name, cmd in lines.items():
        out[name] = next((described[arg] for arg in cmd if arg in described), "")
    return out


def run(ctx: Context) -> list[Figure]:
    store = ctx.store("main")
    progress_store = ctx.store("progress")
    rounds = max(ctx.rounds * 5, 10)
    lines = commands(ctx.labeler, store, progress_store)
    with tempfile.TemporaryDirectory(prefix="labeler-pycache-") as cache:
        env = installed_env(Path(cache))
        times, rss = measure(lines, rounds, env)
        help_line = lines["labeler --help"]
        extra = {
            name: beyond(ctx.python, cmd, help_line, env=env)
            for name, cmd in lines.items()
            if name != "labeler --help"
        }
    notes = store_notes(lines, store, progress_store)
    return figures(times, rss, notes, extra, cached=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path, help="a store labeled by case number (main)")
    parser.add_argument(
        "--progress-store",
        type=Path,
        help="a store labeled on a prefix of the random order (make_progress_store.py)",
    )
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="keep this environment as it is (with PYTHONDONTWRITEBYTECODE set, every run "
        "compiles the labeler modules it imports)",
    )
    args = parser.parse_args()
    benchlib.print_machine()
    labeler = str(Path(sys.executable).parent / "labeler")
    with tempfile.TemporaryDirectory(prefix="labeler-pycache-") as cache:
        env = dict(os.environ) if args.no_bytecode_cache else installed_env(Path(cache))
        lines = commands(labeler, args.store, args.progress_store)
        times, rss = measure(lines, args.rounds, env)
    for figure in figures(times, rss, store_notes(lines, args.store, args.progress_store)):
        ratio = f" ratio {figure.ratio:.2f} (target {figure.target})" if figure.ratio else ""
        print(f"{figure.name}: median {benchlib.median(figure.samples):.0f} ms{ratio}")


if __name__ == "__main__":
    main()
