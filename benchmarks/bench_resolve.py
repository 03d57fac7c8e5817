"""Hand-run benchmark of the resolve screen on a big store (not part of the test suite).

    .venv/bin/python benchmarks/make_big_store.py /work/bench-data/resolve-100k.db \\
        --cases 100000 --labels 200000
    .venv/bin/python benchmarks/bench_resolve.py /work/bench-data/resolve-100k.db
    .venv/bin/python benchmarks/bench_resolve.py /work/bench-data/big-1m.db --parts p,b

The store gets ``--prior`` resolutions once (resolver ``bench-prior``, the first disagreements
in case order, reviewer A's bucket): the state of a team half-way through. They stay; the
resolutions the benchmark makes itself are deleted at the end (their events stay).

Parts (all by default):

p. The queries behind the screen, timed in this process: the first open disagreement, the
   next one past the end of the queue, the counts (``progress``, ``summary``,
   ``confused_pairs``, the session's one pass ``read_tally``) and the checks made at each key.
a. First usable screen in a tmux pane (200x50): ``labeler resolve STORE`` against
   ``benchmarks/minimal_app.py``, alternated, ``--runs`` each (after an untimed round that fills
   the bytecode cache: see ``BYTECODE_ENV``); stops at the first capture showing the first open
   disagreement's id in the header. The load average is printed before and after.
b. In-app (``run_test`` at 200x50, frames rendered to terminal bytes as in bench_review.py):
   - start: construction -> first case on screen -> "resolved N / M" in the header;
   - ``--keys`` decisions (a, b, x in turn), key -> first frame showing the next case (a
     later frame may only turn "saving…" into "saved");
   - the end of the queue: every open disagreement but the last ``--tail`` is resolved
     (resolver ``bench-end-PID``), the tail is decided key by key (the last key reaches the
     end), then ``j`` and ``k`` at the end;
   and over the whole run, the event loop's stalls: a task on the loop sleeps 2 ms at a time
   and records how late it wakes up. "Longest stall" is the longest time the loop could not
   run anything (input, timers, frames).
c. Key -> visible in tmux: ``labeler resolve`` in a pane, a decision key, poll the pane until
   the header's case id changes, ``--tmux-keys`` times, one key every ``--gap-ms``.

Run the same script with ``PYTHONPATH=<an older checkout>`` from that checkout's folder to
measure the code before a change (the ``labeler`` command in tmux picks it up too).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchlib import HEADER_CASE, VENV_BIN, Tmux, print_machine, proc_status_kb, summary_ms

DEFAULT_STORE = "/work/bench-data/resolve-100k.db"
PRIOR_RESOLVER = "bench-prior"
AT = "2026-12-01T09:00:00.000Z"


# -- the store ---------------------------------------------------------------------------------


def open_seqs(store_path: Path) -> list[int]:
    """The open disagreements, in case order (one pass; tens of seconds on 1M at most)."""
    from labeler.resolve.disagreements import ResolveSpec, next_page
    from labeler.store import open_store

    with open_store(store_path) as store:
        return next_page(store, ResolveSpec(), 0, 10**9)


def resolve_in_bulk(store_path: Path, seqs: list[int], resolver: str) -> int:
    """Resolve cases with reviewer A's bucket in one transaction (raw SQL, no events)."""
    from labeler.store import open_store

    with open_store(store_path) as store:
        with store.write() as conn:
            conn.execute("CREATE TEMP TABLE IF NOT EXISTS bench_seqs (seq INTEGER PRIMARY KEY)")
            conn.execute("DELETE FROM bench_seqs")
            conn.executemany("INSERT INTO bench_seqs VALUES (?)", [(s,) for s in seqs])
            done = conn.execute(
                "INSERT INTO resolutions (case_seq, bucket, method, resolver, account, reason,"
                " version, resolved_at) SELECT s.seq, (SELECT l.bucket FROM labels l"
                " WHERE l.case_seq = s.seq ORDER BY l.reviewer LIMIT 1), 'took_a', ?, 'bench',"
                " NULL, 1, ? FROM bench_seqs s",
                (resolver, AT),
            ).rowcount
        checkpoint(store)
    return int(done)


def checkpoint(store: Any) -> None:
    """Write the WAL back into the store now, so that the next commit measured does not run
    the checkpoint of the benchmark's own bulk writes."""
    store.query("PRAGMA wal_checkpoint(TRUNCATE)")


def delete_resolutions(store_path: Path, resolvers: list[str]) -> int:
    from labeler.store import open_store

    with open_store(store_path) as store:
        with store.write() as conn:
            marks = ",".join("?" * len(resolvers))
            done = conn.execute(
                f"DELETE FROM resolutions WHERE resolver IN ({marks})", resolvers
            ).rowcount
        checkpoint(store)
    return int(done)


def ensure_prior(store_path: Path, prior: int) -> None:
    from labeler.store import open_store

    with open_store(store_path) as store:
        have = store.query("SELECT count(*) FROM resolutions WHERE resolver = ?", [PRIOR_RESOLVER])
    if have[0][0] or not prior:
        return
    start = time.perf_counter()
    seqs = open_seqs(store_path)[:prior]
    done = resolve_in_bulk(store_path, seqs, PRIOR_RESOLVER)
    print(f"added {done:,} prior resolutions ({time.perf_counter() - start:.1f} s)")


def case_id_of(store_path: Path, seq: int) -> str:
    from labeler.store import open_store

    with open_store(store_path) as store:
        return str(store.query("SELECT case_id FROM cases WHERE seq = ?", [seq])[0][0])


# -- (p) queries ------------------------------------------------------------------------------


def part_p(store_path: Path) -> None:
    from labeler.resolve.disagreements import (
        ResolveSpec,
        case_labels,
        confused_pairs,
        next_page,
        previous_page,
        progress,
    )
    from labeler.resolve.resolutions import get_resolution, summary
    from labeler.store import open_store

    print("\n(p) the queries behind the screen (in this process, each run 3 times, best)")
    spec = ResolveSpec()
    with open_store(store_path) as store:
        seqs = next_page(store, spec, 0, 10**9)
        print(f"    {len(seqs):,} open disagreements; first {seqs[0]}, last {seqs[-1]}")

        def best(name: str, func: Any) -> Any:
            times = []
            value = None
            for _ in range(3):
                start = time.perf_counter()
                value = func()
                times.append(time.perf_counter() - start)
            print(f"    {name:<58} {min(times) * 1e3:9.2f} ms")
            return value

        best("next_page(0, 1): the first open one", lambda: next_page(store, spec, 0, 1))
        best("next_page(last, 1): past the end", lambda: next_page(store, spec, seqs[-1], 1))
        best(
            "previous_page(first, 1, resolved too): before the first",
            lambda: previous_page(store, spec, seqs[0], 1, include_resolved=True),
        )
        best("progress (resolved N / M)", lambda: progress(store, spec))
        best("summary (by method)", lambda: summary(store, spec))
        best("confused_pairs", lambda: confused_pairs(store, spec))
        try:
            from labeler.resolve.resolutions import read_tally, resolution_state
        except ImportError:
            print("    (read_tally / resolution_state: not in this version)")
        else:
            best(
                "read_tally (the session's one pass, in a worker)", lambda: read_tally(store, spec)
            )
            mid = seqs[len(seqs) // 2]
            best(
                "resolution_state (the check before a case is shown)",
                lambda: resolution_state(store, spec, mid),
            )
        mid = seqs[len(seqs) // 2]
        best(
            "case_labels + get_resolution (each case shown)",
            lambda: (case_labels(store, mid), get_resolution(store, mid)),
        )


# -- (b) in-app -------------------------------------------------------------------------------


@dataclass
class Stalls:
    """How late a task on the event loop wakes up from 2 ms sleeps, and how much CPU the loop
    thread used meanwhile: a stall with as much CPU as wall time is the loop running code; one
    without is the process waiting (another process on the CPU, a lock, the GIL)."""

    lags: list[tuple[float, float, float, str]] = field(default_factory=list)
    phase: str = "start"
    running: bool = True

    async def watch(self) -> None:
        while self.running:
            start = time.perf_counter()
            cpu = time.thread_time()
            await asyncio.sleep(0.002)
            lag = time.perf_counter() - start - 0.002
            if lag > 0.008:
                self.lags.append((start, lag, time.thread_time() - cpu, self.phase))

    def report(self, phase: str | None = None) -> str:
        got = [(lag, cpu) for _, lag, cpu, p in self.lags if phase is None or p == phase]
        over = sum(lag > 0.0167 for lag, _ in got)
        busy = sum(cpu > 0.0167 for _, cpu in got)
        longest = max((lag for lag, _ in got), default=0.0)
        longest_cpu = max((cpu for _, cpu in got), default=0.0)
        return (
            f"loop stalls over one frame (16.7 ms): {over} (longest {longest * 1e3:.0f} ms); "
            f"with over a frame of loop CPU: {busy} (longest {longest_cpu * 1e3:.0f} ms)"
        )


def make_measured_app_class() -> Any:
    from textual._compositor import CompositorUpdate

    from labeler.tui import resolve_app as app_module
    from labeler.tui.resolve_app import ResolveApp

    class MeasuredResolveApp(ResolveApp):
        """ResolveApp that stamps every frame, rendering it to terminal bytes even headless."""

        CSS_PATH = str(Path(app_module.__file__).parent / "labeler.tcss")
        frames: list[tuple[float, int | None]]
        """(time written, case on screen) of each frame."""
        frame_signal: asyncio.Event

        def _display(self, screen: Any, renderable: Any) -> None:
            if renderable is None or self._batch_count:
                super()._display(screen, renderable)
                return
            if self.is_headless and isinstance(renderable, CompositorUpdate):
                renderable.render_segments(self.console)
            super()._display(screen, renderable)
            case = getattr(self.screen, "case", None)
            self.frames.append((time.perf_counter(), None if case is None else case.seq))
            self.frame_signal.set()

    return MeasuredResolveApp


def counted(screen: Any) -> bool:
    """True once "resolved N / M" is known (this version's screen or the one before)."""
    session = getattr(screen, "session", None)
    if session is not None and hasattr(session, "progress"):
        return bool(session.progress() is not None)
    return getattr(screen, "counted", None) is not None


CPU: list[float] = []
"""Event-loop thread CPU time from each key until its frames stop (filled by :func:`press`)."""


async def press(app: Any, key: str, settle_s: float) -> float | None:
    """Send one key; the time to the first frame that shows another case, else to the last
    frame written after it (None: no frame)."""
    from textual import events

    screen = app.screen
    cpu = time.thread_time()
    old = screen.case.seq if screen.case is not None else None
    app.frames = []
    app.frame_signal.clear()
    sent = time.perf_counter()
    app._driver.send_message(events.Key(key, key if len(key) == 1 else None))
    deadline = sent + 10
    while time.perf_counter() < deadline:
        try:
            await asyncio.wait_for(app.frame_signal.wait(), settle_s)
            app.frame_signal.clear()
        except TimeoutError:
            now = screen.case.seq if screen.case is not None else None
            if app.frames and (now != old or key in "jk"):
                break
    if not app.frames:
        return None
    CPU.append(time.thread_time() - cpu)
    # The first frame that shows another case (a later one may only say "saved").
    moved = [at for at, seq in app.frames if seq != old]
    return (moved[0] if moved else app.frames[-1][0]) - sent


PROFILE: cProfile.Profile | None = None
"""Set by ``--profile``: profiles the decisions of (b)."""

TIMED: dict[str, list[float]] = {}
"""Time inside some methods of the screen and the session, per call."""


def timed_method(obj: Any, name: str) -> None:
    original = getattr(obj, name)
    sink = TIMED.setdefault(f"{type(obj).__name__}.{name}", [])

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            sink.append(time.perf_counter() - start)

    setattr(obj, name, wrapper)


@dataclass
class InApp:
    setup_s: float = 0.0
    count_s: float | None = None
    decisions: list[float] = field(default_factory=list)
    tail: list[float] = field(default_factory=list)
    end_keys: dict[str, float | None] = field(default_factory=dict)
    end_status: str = ""


async def in_app_run(
    store_path: Path, resolver: str, keys: int, settle_s: float, tail: bool, stalls: Stalls
) -> InApp:
    from labeler.identity import Actor, os_account
    from labeler.resolve.disagreements import ResolveSpec
    from labeler.store import open_store

    app_class = make_measured_app_class()
    result = InApp()
    store = open_store(store_path)
    watcher: asyncio.Task[None] | None = None
    try:
        start = time.perf_counter()
        app = app_class(store, Actor(resolver, os_account(), on_trust=True), ResolveSpec())
        app.frames = []
        app.frame_signal = asyncio.Event()
        async with app.run_test(size=(200, 50)) as pilot:
            watcher = asyncio.get_running_loop().create_task(stalls.watch())
            while getattr(app.screen, "case", None) is None and time.perf_counter() - start < 60:
                await asyncio.sleep(0.002)
            result.setup_s = time.perf_counter() - start
            while not counted(app.screen) and time.perf_counter() - start < 300:
                await asyncio.sleep(0.005)
            result.count_s = time.perf_counter() - start if counted(app.screen) else None
            await asyncio.sleep(0.5)
            CPU.clear()
            screen = app.screen
            for obj, name in [
                (screen, "show_case"),
                (getattr(screen, "session", None), "decide"),
                (getattr(screen, "session", None), "after_decision"),
                (getattr(screen, "session", None), "store_decision"),
            ]:
                if obj is not None and hasattr(obj, name):
                    timed_method(obj, name)
            stalls.phase = "keys"
            if PROFILE is not None and not tail:
                PROFILE.enable()
            sink = result.tail if tail else result.decisions
            for i in range(keys):
                if app.screen.case is None:
                    break
                latency = await press(app, "abx"[i % 3], settle_s)
                if latency is not None:
                    sink.append(latency)
                await asyncio.sleep(0.05)
            if PROFILE is not None:
                PROFILE.disable()
            if tail:
                stalls.phase = "end"
                await asyncio.sleep(0.3)
                result.end_status = str(getattr(app.screen, "status_message", ""))
                for key in ("j", "k", "j"):
                    result.end_keys[key + str(len(result.end_keys))] = await press(
                        app, key, settle_s
                    )
                    await asyncio.sleep(0.3)
                await asyncio.sleep(1.5)  # what runs after the end (a recount) counts too
            stalls.phase = "quit"
            await pilot.press("q")
    finally:
        stalls.running = False
        if watcher is not None:
            await asyncio.gather(watcher, return_exceptions=True)
        store.close()
    return result


def part_b(store_path: Path, keys: int, tail_n: int, settle_s: float, tag: str) -> None:
    os.environ["TERM"] = "tmux-256color"
    os.environ.pop("COLORTERM", None)
    print(f"\n(b) in-app, run_test 200x50, settle {settle_s * 1e3:.0f} ms")
    stalls = Stalls()
    resolver = f"bench-b-{tag}"
    run = asyncio.run(in_app_run(store_path, resolver, keys, settle_s, False, stalls))
    print(f"    first case on screen {run.setup_s * 1e3:.0f} ms after construction; counts in")
    print(
        f"      the header after {run.count_s if run.count_s is None else round(run.count_s, 2)} s"
    )
    print(f"      during start-up: {stalls.report('start')}")
    keys_done = len(run.decisions)
    print(f"    {keys_done} decisions, key -> next case drawn: {summary_ms(run.decisions)}")
    print(f"      loop-thread CPU per key: {summary_ms(CPU[: len(run.decisions)])}")
    for name, values in TIMED.items():
        print(f"      {name:<32} {summary_ms(values)}")
    TIMED.clear()
    print(
        f"      keys over 16 ms: {sum(x > 0.016 for x in run.decisions)}; {stalls.report('keys')}"
    )

    print(f"\n    the end of the queue: all open disagreements but the last {tail_n} resolved")
    end_resolver = f"bench-end-{tag}"
    seqs = open_seqs(store_path)
    resolve_in_bulk(store_path, seqs[:-tail_n], end_resolver)
    tail_stalls = Stalls()
    tail_resolver = f"bench-t-{tag}"
    end = asyncio.run(in_app_run(store_path, tail_resolver, tail_n, settle_s, True, tail_stalls))
    print(f"    {len(end.tail)} decisions, key -> next case drawn: {summary_ms(end.tail)}")
    print(f"      the last one (reaches the end): {end.tail[-1] * 1e3:.1f} ms" if end.tail else "")
    print(f"      {tail_stalls.report('keys')}")
    for name, values in TIMED.items():
        print(f"      {name:<32} {summary_ms(values)}")
    shown = {k: (None if v is None else round(v * 1e3, 1)) for k, v in end.end_keys.items()}
    print(f"    at the end, j / k / j -> frame (ms): {shown}")
    print(f"      status: {end.end_status.splitlines()[0] if end.end_status else '?'}")
    print(f"      {tail_stalls.report('end')} (including 1.5 s after the last key)")


# -- (a) first screen and (c) keys in tmux -----------------------------------------------------


BYTECODE_ENV = ""
"""``env ...`` put before the commands run in tmux: Python's bytecode cache on, kept in a folder
of the run, as an installed labeler has its modules compiled (this environment sets
``PYTHONDONTWRITEBYTECODE``, so otherwise every start compiles each labeler module it imports,
about 60 ms of CPU, while textual comes compiled from site-packages). ``--no-bytecode-cache``
leaves it out. The minimal app's one file is never cached either way (it runs as __main__)."""


def resolve_command(store: Path, resolver: str) -> str:
    return f"exec {BYTECODE_ENV}{VENV_BIN / 'labeler'} resolve {store} --reviewer {resolver}"


def minimal_command() -> str:
    return f"exec {BYTECODE_ENV}{VENV_BIN / 'python'} {Path(__file__).parent / 'minimal_app.py'}"


def close_pane(tmux: Tmux, pane: str) -> None:
    for _ in range(3):
        try:
            tmux.send(pane, "q")
        except RuntimeError:
            return
        deadline = time.perf_counter() + 5
        while time.perf_counter() < deadline:
            if not tmux.pane_alive(pane):
                return
            time.sleep(0.02)
    tmux.cmd(f"kill-pane -t {pane}")


def load_average() -> str:
    """The 1, 5 and 15 minute load averages (the machine is shared: say how busy it was)."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def part_a(store: Path, runs: int, poll_s: float, tag: str) -> None:
    print(f"\n(a) first usable screen in a tmux pane, 200x50 (load average {load_average()})")
    first = open_seqs(store)[0]
    case_id = case_id_of(store, first)
    resolver = f"bench-a-{tag}"
    variants = [
        ("minimal app (one Static)", minimal_command(), ["hello from a minimal app"]),
        ("labeler resolve", resolve_command(store, resolver), [f"case {case_id} "]),
    ]
    results: dict[str, list[float]] = {name: [] for name, _, _ in variants}
    tmux = Tmux()
    try:
        for run in range(runs + (1 if BYTECODE_ENV else 0)):
            for name, command, ready in variants:
                start = time.perf_counter()
                pane, _pid = tmux.new_window(command)
                seen, text = tmux.wait_for(
                    pane, lambda t, r=ready: all(x in t for x in r), 60, poll_s
                )
                if seen is None:
                    raise RuntimeError(f"{name}: never showed {ready!r}; the pane:\n{text}")
                if run or not BYTECODE_ENV:  # (the first round fills the bytecode cache)
                    results[name].append(seen - start)
                time.sleep(0.3)
                close_pane(tmux, pane)
    finally:
        tmux.close()
    print(f"    load average after the runs: {load_average()}")
    base = statistics.median(results[variants[0][0]])
    for name, _, _ in variants:
        got = results[name]
        runs_ms = ", ".join(f"{v * 1e3:.0f}" for v in got)
        print(
            f"    {name:<28} median {statistics.median(got) * 1e3:.0f} ms (runs: {runs_ms}); "
            f"{statistics.median(got) / base:.2f}x"
        )
    print("    (target: labeler resolve within 2x of the minimal app)")


def header_case(text: str) -> str | None:
    for line in text.splitlines()[:3]:
        match = HEADER_CASE.search(line)
        if match:
            return match.group(1)
    return None


def part_c(store: Path, keys: int, poll_s: float, gap_s: float, tag: str) -> None:
    print(f"\n(c) decision key -> next case id visible in a tmux pane, 200x50, {keys} keys")
    resolver = f"bench-c-{tag}"
    first = case_id_of(store, open_seqs(store)[0])
    tmux = Tmux()
    latencies: list[float] = []
    try:
        pane, pid = tmux.new_window(resolve_command(store, resolver))
        seen, text = tmux.wait_for(pane, lambda t: f"case {first} " in t, 60, poll_s)
        if seen is None:
            raise RuntimeError(f"first screen never came; the pane shows:\n{text}")
        tmux.wait_for(pane, lambda t: "resolved … / …" not in t, 300, 0.05)
        time.sleep(0.5)
        current = header_case(tmux.capture(pane))
        for i in range(keys):
            start = time.perf_counter()
            tmux.send(pane, "abx"[i % 3])
            at, text = tmux.wait_for(
                pane, lambda t, old=current: header_case(t) not in (None, old), 5, poll_s
            )
            if at is None:
                print(f"    key {i}: no new case within 5 s", file=sys.stderr)
            else:
                latencies.append(at - start)
            current = header_case(text)
            time.sleep(gap_s)
        hwm = proc_status_kb(pid, "VmHWM")
        close_pane(tmux, pane)
    finally:
        tmux.close()
    print(f"    key -> new case id visible: {summary_ms(latencies)}")
    if hwm is not None:
        print(f"    peak memory of the resolve process: VmHWM {hwm / 1024:.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", nargs="?", default=DEFAULT_STORE, type=Path)
    parser.add_argument("--parts", default="p,a,b,c", help="any of p,a,b,c")
    parser.add_argument("--prior", type=int, default=10_000, help="resolutions made once")
    parser.add_argument("--runs", type=int, default=5, help="(a) runs of each app")
    parser.add_argument("--keys", type=int, default=300, help="(b) decisions")
    parser.add_argument("--tail", type=int, default=30, help="(b) open cases left at the end")
    parser.add_argument("--tmux-keys", type=int, default=100, help="(c) keys")
    parser.add_argument("--poll-ms", type=float, default=1.0, help="tmux polling interval")
    parser.add_argument("--gap-ms", type=float, default=150, help="(c) pause between keys")
    parser.add_argument("--settle-ms", type=float, default=60, help="(b) quiet time after a key")
    parser.add_argument("--profile", type=Path, help="(b) cProfile the decisions into this file")
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="(a, c) run the apps as this environment says (PYTHONDONTWRITEBYTECODE: labeler's "
        "modules compiled at every start) instead of with a bytecode cache, as installed",
    )
    args = parser.parse_args()
    global PROFILE, BYTECODE_ENV
    cache = tempfile.TemporaryDirectory(prefix="bench-resolve-pyc-")
    if not args.no_bytecode_cache:
        BYTECODE_ENV = f"env -u PYTHONDONTWRITEBYTECODE PYTHONPYCACHEPREFIX={cache.name} "
    if args.profile:
        PROFILE = cProfile.Profile()

    store: Path = args.store
    if not store.exists():
        raise SystemExit(f"no store at {store}: run benchmarks/make_big_store.py first")
    parts = set(args.parts.split(","))
    print_machine()
    import labeler

    print(f"labeler from {Path(labeler.__file__).parent}")
    print(f"store {store} ({store.stat().st_size / 1e9:.1f} GB)")
    print("apps in tmux run " + ("with a bytecode cache" if BYTECODE_ENV else "compiling labeler"))
    ensure_prior(store, args.prior)
    tag = str(os.getpid())
    try:
        if "p" in parts:
            part_p(store)
        if "a" in parts:
            part_a(store, args.runs, args.poll_ms / 1000, tag)
        if "b" in parts:
            part_b(store, args.keys, args.tail, args.settle_ms / 1000, tag)
        if "c" in parts:
            part_c(store, args.tmux_keys, args.poll_ms / 1000, args.gap_ms / 1000, tag)
        if PROFILE is not None and args.profile:
            PROFILE.dump_stats(args.profile)
            print(f"\nprofile of the decisions written to {args.profile}; top by own time:")
            pstats.Stats(PROFILE).sort_stats("tottime").print_stats(20)
    finally:
        resolvers = [f"bench-{p}-{tag}" for p in ("a", "b", "end", "t", "c")]
        removed = delete_resolutions(store, resolvers)
        print(f"\nremoved {removed:,} benchmark resolutions ({', '.join(resolvers)})")


if __name__ == "__main__":
    main()
