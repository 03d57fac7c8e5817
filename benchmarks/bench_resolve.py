"""The resolve screen (``labeler resolve``) over the open disagreements of a big store: the first
open disagreement on screen in a real tmux pane (200x50) against ``benchmarks/minimal_app.py``
(one Static) started the same way, round after round, both with a bytecode cache; decision key
-> next disagreement drawn, timed inside the app (the frame turned into terminal bytes) and
visible in tmux; and the event loop's longest stall during decisions and at the end of the
queue. The targets are issue 16's: first disagreement within 2x of the minimal app, p95 under
16 ms in-app and under 50 ms in tmux, nothing on the loop longer than one frame.

Part of ``benchmarks/run`` (``run(ctx)``: parts a, b and c on the store ``main``, fewer keys;
``--set resolve.keys=N``, ``resolve.tmux_keys=N``, ``resolve.tail=N``, ``resolve.prior=N``;
the resolutions it adds, prior ones included, are deleted at the end), or by hand:

    .venv/bin/python benchmarks/make_big_store.py /work/bench-data/resolve-100k.db \\
        --cases 100000 --labels 200000
    .venv/bin/python benchmarks/bench_resolve.py /work/bench-data/resolve-100k.db
    .venv/bin/python benchmarks/bench_resolve.py /work/bench-data/big-1m.db --parts p,b

By hand, the store gets ``--prior`` resolutions once (resolver ``bench-prior``, the first
disagreements in case order, reviewer A's bucket): the state of a team half-way through. They
stay; the resolutions the benchmark makes itself are deleted at the end (their events stay).

Parts (all by default):

p. The queries behind the screen, timed in this process: the first open disagreement, the
   next one past the end of the queue, the counts (``progress``, ``summary``,
   ``confused_pairs``, the session's one pass ``read_tally``) and the checks made at each key.
a. First usable screen in a tmux pane (200x50): ``labeler resolve STORE`` against
   ``benchmarks/minimal_app.py``, alternated, ``--runs`` each (after an untimed round that fills
   the bytecode cache: see ``bytecode_prefix``); stops at the first capture showing the first open
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

import benchlib
from benchlib import (
    VENV_BIN,
    Context,
    Figure,
    Tmux,
    first_screen_vs_minimal,
    minimal_app_command,
    open_app,
    print_machine,
    proc_status_kb,
    quit_pane,
    summary_ms,
    time_keys,
)

TITLE = "Resolve screen"

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
    moved: list[float] = [at for at, seq in app.frames if seq != old]
    first: float = moved[0] if moved else app.frames[-1][0]
    return first - sent


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


def bytecode_prefix(folder: str | Path) -> str:
    """``env ...`` put before the commands run in tmux: Python's bytecode cache on, kept in
    ``folder``, as an installed labeler has its modules compiled (this environment sets
    ``PYTHONDONTWRITEBYTECODE``, so otherwise every start compiles each labeler module it
    imports, about 60 ms of CPU, while textual comes compiled from site-packages). The minimal
    app's one file is never cached either way (it runs as __main__)."""
    return f"env -u PYTHONDONTWRITEBYTECODE PYTHONPYCACHEPREFIX={folder} "


def resolve_command(
    store: Path, resolver: str, labeler: str | Path = VENV_BIN / "labeler", prefix: str = ""
) -> str:
    return f"exec {prefix}{labeler} resolve {store} --reviewer {resolver}"


def counts_known(text: str) -> bool:
    """ "resolved N / M" is in the header (the store's kept counts for the whole store, else a
    worker's count)."""
    return "resolved … / …" not in text


def first_open_case_id(store_path: Path) -> str:
    """The case id of the first open disagreement (what the screen opens on)."""
    from labeler.resolve.disagreements import ResolveSpec, next_page
    from labeler.store import open_store

    with open_store(store_path) as store:
        first = next_page(store, ResolveSpec(), 0, 1)
    if not first:
        raise RuntimeError(f"{store_path} has no open disagreement")
    return case_id_of(store_path, first[0])


def load_average() -> str:
    """The 1, 5 and 15 minute load averages (the machine is shared: say how busy it was)."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def first_screen_rounds(
    store: Path,
    resolver: str,
    runs: int,
    poll_s: float,
    labeler: str | Path = VENV_BIN / "labeler",
    prefix: str = "",
    log: Any = None,
) -> tuple[list[benchlib.FirstScreen], list[benchlib.FirstScreen], str]:
    """(a): ``runs`` first screens of ``labeler resolve`` and of the minimal app, in turn,
    after an untimed round of each when ``prefix`` turns a bytecode cache on (it fills it)."""
    case_id = first_open_case_id(store)
    return (
        *first_screen_vs_minimal(
            runs,
            resolve_command(store, resolver, labeler, prefix),
            [f"case {case_id} "],
            poll_s=poll_s,
            then=counts_known,
            log=log,
            minimal_command=minimal_app_command(prefix=prefix),
            warmup=bool(prefix),
        ),
        case_id,
    )


def part_a(store: Path, runs: int, poll_s: float, tag: str, prefix: str) -> None:
    print(f"\n(a) first usable screen in a tmux pane, 200x50 (load average {load_average()})")
    app, minimal, case_id = first_screen_rounds(
        store, f"bench-a-{tag}", runs, poll_s, prefix=prefix
    )
    print(f"    load average after the runs: {load_average()}; first open disagreement {case_id}")
    base = statistics.median(x.first_s for x in minimal)
    for name, got in [("minimal app (one Static)", minimal), ("labeler resolve", app)]:
        firsts = [x.first_s for x in got]
        runs_ms = ", ".join(f"{v * 1e3:.0f}" for v in firsts)
        print(
            f"    {name:<28} median {statistics.median(firsts) * 1e3:.0f} ms (runs: {runs_ms}); "
            f"{statistics.median(firsts) / base:.2f}x"
        )
    print("    (target: labeler resolve within 2x of the minimal app)")


def tmux_decisions(
    store: Path,
    keys: int,
    poll_s: float,
    gap_s: float,
    resolver: str,
    labeler: str | Path = VENV_BIN / "labeler",
    prefix: str = "",
    log: Any = None,
) -> tuple[benchlib.KeyTimes, int | None]:
    """(c): ``keys`` decisions (a, b, x in turn) in a resolve pane, each timed until the
    header shows another case; and the process's VmHWM (KiB) before it quits."""
    first = first_open_case_id(store)
    tmux = Tmux()
    try:
        pane, pid = open_app(
            tmux,
            resolve_command(store, resolver, labeler, prefix),
            lambda t: f"case {first} " in t,
            settled=counts_known,
            poll_s=poll_s,
        )
        sequence = ["abx"[i % 3] for i in range(keys)]
        got = time_keys(tmux, pane, sequence, poll_s=poll_s, gap_s=gap_s, log=log)
        hwm = proc_status_kb(pid, "VmHWM")
        quit_pane(tmux, pane, pid)
    finally:
        tmux.close()
    return got, hwm


def part_c(store: Path, keys: int, poll_s: float, gap_s: float, tag: str, prefix: str) -> None:
    print(f"\n(c) decision key -> next case id visible in a tmux pane, 200x50, {keys} keys")
    log = lambda message: print(f"    {message}", file=sys.stderr)  # noqa: E731
    got, hwm = tmux_decisions(store, keys, poll_s, gap_s, f"bench-c-{tag}", prefix=prefix, log=log)
    print(f"    key -> new case id visible: {summary_ms(got.latencies)}; timeouts {got.timeouts}")
    if hwm is not None:
        print(f"    peak memory of the resolve process: VmHWM {hwm / 1024:.1f} MB")


# -- benchmarks/run -------------------------------------------------------------------------


def stall_lags(stalls: Stalls, phases: tuple[str, ...]) -> tuple[float, float, int]:
    """(longest stall, longest loop-thread CPU in a stall, stalls over a frame) in ``phases``,
    in seconds."""
    got = [(lag, cpu) for _, lag, cpu, phase in stalls.lags if phase in phases]
    return (
        max((lag for lag, _ in got), default=0.0),
        max((cpu for _, cpu in got), default=0.0),
        sum(lag > FRAME_S for lag, _ in got),
    )


FRAME_S = 1 / 60
"""One frame at 60 Hz."""


def run(ctx: Context) -> list[Figure]:
    """Parts a, b (decisions, then the end of the queue) and c on the store ``main``,
    ``ctx.rounds`` rounds each, with a bytecode cache. The store gets ``resolve.prior`` prior
    resolutions for the run (a fifth of its open disagreements by default); every resolution
    the run adds is deleted at the end (resolvers ``bench-resolve-PID-*``); their events stay."""
    store = ctx.store("main")
    keys = int(ctx.options.get("resolve.keys", 300 if ctx.million else 60))
    tmux_keys_n = int(ctx.options.get("resolve.tmux_keys", 100 if ctx.million else 30))
    tail_n = int(ctx.options.get("resolve.tail", 30 if ctx.million else 10))
    tag = f"bench-resolve-{os.getpid()}"
    resolvers = [f"{tag}-{part}" for part in ("prior", "a", "b", "end", "t", "c")]
    cache = tempfile.TemporaryDirectory(prefix="bench-resolve-pyc-")
    prefix = bytecode_prefix(cache.name)
    os.environ["TERM"] = "tmux-256color"  # what tmux gives the app in (a) and (c)
    os.environ.pop("COLORTERM", None)
    try:
        seqs = open_seqs(store)
        prior = int(ctx.options.get("resolve.prior", len(seqs) // 5))
        resolve_in_bulk(store, seqs[:prior], resolvers[0])
        ctx.log(f"{len(seqs):,} open disagreements; {prior:,} resolved for the run (prior)")

        ctx.log(f"(a) first screen against the minimal app, {ctx.rounds} rounds")
        app, minimal, first_id = first_screen_rounds(
            store, resolvers[1], ctx.rounds, 0.001, ctx.labeler, prefix, ctx.log
        )
        counted = [x.then_s * 1e3 for x in app if x.then_s is not None]

        ctx.log(f"(b) in-app, {ctx.rounds} rounds of {keys} decisions")
        decided: list[InApp] = []
        decided_stalls: list[Stalls] = []
        for _ in range(ctx.rounds):
            decided_stalls.append(Stalls())
            decided.append(
                asyncio.run(in_app_run(store, resolvers[2], keys, 0.06, False, decided_stalls[-1]))
            )

        ctx.log(f"(c) tmux, {ctx.rounds} rounds of {tmux_keys_n} decisions")
        in_tmux = [
            tmux_decisions(
                store, tmux_keys_n, 0.001, 0.15, resolvers[5], ctx.labeler, prefix, ctx.log
            )
            for _ in range(ctx.rounds)
        ]

        ctx.log(f"(b) the end of the queue: all but {tail_n} open disagreements resolved")
        open_now = open_seqs(store)
        resolve_in_bulk(store, open_now[:-tail_n], resolvers[3])
        ends: list[InApp] = []
        end_stalls: list[Stalls] = []
        for _ in range(ctx.rounds):
            end_stalls.append(Stalls())
            ends.append(
                asyncio.run(in_app_run(store, resolvers[4], tail_n, 0.06, True, end_stalls[-1]))
            )
            delete_resolutions(store, [resolvers[4]])  # the same tail again next round
    finally:
        removed = delete_resolutions(store, resolvers)
        cache.cleanup()
        ctx.log(f"removed {removed:,} benchmark resolutions ({tag}-*)")

    timeouts = sum(got.timeouts for got, _ in in_tmux)
    hwm = [h / 1024 for _, h in in_tmux if h is not None]
    on_keys = [stall_lags(st, ("keys",)) for st in decided_stalls]
    at_end = [stall_lags(st, ("keys", "end")) for st in end_stalls]
    at_start = [stall_lags(st, ("start",)) for st in decided_stalls]
    # Work on the loop is the CPU its thread used during a stall; the wall time of a stall also
    # counts the thread waiting for the CPU (other processes on this shared machine, the GIL).
    longest_cpu = [max(a[1], b[1]) for a, b in zip(on_keys, at_end, strict=True)]
    end_keys = [r.tail[-1] for r in ends if r.tail]
    setup = [r.setup_s * 1e3 for r in decided]
    return [
        benchlib.first_screen_figure(
            "`labeler resolve`: first open disagreement on screen in tmux (200x50)",
            app,
            minimal,
            note=f"Target: issue 16. Until the header shows the first open disagreement "
            f"({first_id}; {prior:,} of {len(seqs):,} disagreements resolved before); both apps "
            'with a bytecode cache, filled by an untimed round first. "resolved N / M" '
            f"reached the header after {benchlib.median(counted):.0f} ms (median)",
        ),
        *benchlib.key_latency_figures(
            "`labeler resolve`: decision → next disagreement drawn, in-app",
            [r.decisions for r in decided],
            keys,
            at_most=16,
            note="Keys a, b, x in turn, sent to the driver -> first frame showing the next case "
            "turned into terminal bytes (run_test at 200x50, 256 colours); first case on screen "
            f"{benchlib.median(setup):.0f} ms after the app was constructed (median). Target: "
            "issue 16 (one frame at 60 Hz).",
        ),
        *benchlib.key_latency_figures(
            "`labeler resolve`: decision → case id visible in tmux",
            [got.latencies for got, _ in in_tmux],
            tmux_keys_n,
            at_most=50,
            note=f"{timeouts} keys without a new case within 5 s; VmHWM of the process "
            f"{min(hwm, default=0):.0f}-{max(hwm, default=0):.0f} MB. A decision key every "
            "150 ms, the pane polled every 1 ms through a tmux control client (a sample is late "
            "by up to one poll and one capture). Target: issue 16.",
        ),
        benchlib.absolute(
            "`labeler resolve`: longest work on the event loop (loop-thread CPU in a stall), "
            "decisions and the end of the queue",
            [x * 1e3 for x in longest_cpu],
            "ms",
            at_most=round(FRAME_S * 1e3, 1),
            note="one figure per round: the most CPU the loop's thread used while a task on the "
            "loop, sleeping 2 ms at a time, woke up late (a stall), over the in-app decisions of "
            "(b) and a run over the last "
            f"{tail_n} open disagreements (the last key reaches the end, then j, k, j and 1.5 s "
            "more). Over all rounds: stalls over a frame "
            f"{sum(a[2] for a in on_keys)} during decisions (longest "
            f"{max(a[0] for a in on_keys) * 1e3:.0f} ms, with at most "
            f"{max(a[1] for a in on_keys) * 1e3:.0f} ms of loop-thread CPU in a stall) and "
            f"{sum(b[2] for b in at_end)} at the end (longest {max(b[0] for b in at_end) * 1e3:.0f}"
            f" ms, CPU at most {max(b[1] for b in at_end) * 1e3:.0f} ms); a stall with less CPU "
            "than wall time is the thread waiting (another process, the GIL), not code on the "
            "loop. The key that reaches the end: "
            f"{', '.join(f'{x * 1e3:.0f}' for x in end_keys)} ms. During start-up (not counted): "
            f"longest {max(a[0] for a in at_start) * 1e3:.0f} ms. Target: issue 16.",
        ),
    ]


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
    global PROFILE
    cache = tempfile.TemporaryDirectory(prefix="bench-resolve-pyc-")
    prefix = "" if args.no_bytecode_cache else bytecode_prefix(cache.name)
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
    print("apps in tmux run " + ("with a bytecode cache" if prefix else "compiling labeler"))
    ensure_prior(store, args.prior)
    tag = str(os.getpid())
    try:
        if "p" in parts:
            part_p(store)
        if "a" in parts:
            part_a(store, args.runs, args.poll_ms / 1000, tag, prefix)
        if "b" in parts:
            part_b(store, args.keys, args.tail, args.settle_ms / 1000, tag)
        if "c" in parts:
            part_c(store, args.tmux_keys, args.poll_ms / 1000, args.gap_ms / 1000, tag, prefix)
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
