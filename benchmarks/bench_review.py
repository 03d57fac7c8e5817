"""The review screen (``labeler review``, in its default random order): its first usable screen
in a real tmux pane (200x50) against ``benchmarks/minimal_app.py`` (one Static) started the same
way, round after round; key -> next case drawn, timed inside the app (the frame turned into
terminal bytes) and key -> new case id visible in tmux; and the review process's peak memory.
The targets are issue 3's: first screen within 2x of the minimal app, p95 under 16 ms in-app and
under 50 ms in tmux, peak memory under 100 MB.

Part of ``benchmarks/run`` (``run(ctx)``: parts a, b and c on the store ``main``, fewer keys;
``--set review.keys=N``, ``review.tmux_keys=N`` per round), or by hand:

    .venv/bin/python benchmarks/make_big_store.py /work/bench-data/big-1m.db --big-texts 600
    .venv/bin/python benchmarks/bench_review.py /work/bench-data/big-1m.db
    .venv/bin/python benchmarks/bench_review.py STORE --parts b --keys 200 --profile /tmp/b.prof
    .venv/bin/python benchmarks/bench_review.py STORE --parts b --settle-ms 10

Parts (all by default):

p. Where startup time goes: import times of textual and labeler (subprocesses, -X importtime)
   and the queries the first screen runs, timed in this process, with next_page's plan.
a. First usable screen in a real tmux pane (200x50): ``labeler review STORE --reviewer carol``
   (the default random order) against ``benchmarks/minimal_app.py`` (one Static), alternated,
   ``--runs`` each. The clock starts just before tmux is asked to start the process and stops
   at the first capture of the pane that shows the first queue case's id and the first words
   of its output (for the minimal app: its text). Also reported: when the queue count (a
   background worker) reached the header, and the process's VmHWM.
b. In-app: key -> next case drawn, with ``run_test`` at 200x50, ``--keys`` label keys over the
   normal queue and ``--big-keys`` over the 100 KB cases (``--slice length=huge``). See
   "How (b) measures" below.
c. Key -> visible in tmux: ``labeler review`` in a pane; send a bucket key, poll the pane until
   the case id in the header changes, ``--tmux-keys`` times, one key every ``--gap-ms``.
d. Peak RSS: ``/proc/PID/status`` VmHWM of the review process of (c) before it quits.

How (b) measures. Headless Textual skips turning an update into terminal bytes (``App._display``
returns early when headless), so timing inside the app would stop too early. Here the
benchmark subclasses ``ReviewApp`` and overrides ``_display`` so that, headless, it still does
that work (``CompositorUpdate.render_segments`` with the app's console, as the real driver
path does before handing the bytes to its writer thread), then stamps ``perf_counter``. The
start stamp is taken just before the key event is handed to the driver (``send_message``, as
Pilot does, but without Pilot's wait-for-idle). Latency = last frame written after the key -
key sent; the benchmark waits until the case changed and no frame came for ``--settle-ms``
before the next key. Per key it also records the time inside the label write wait and inside
``show_case`` (method wrappers on the screen instance).

The screen prepares the next case on a thread 30 ms after showing one (``PREFETCH_DELAY_S``).
With the default settle time that is done before the next key, as it is for a person reading
the case; ``--settle-ms 10`` presses keys faster than that and measures the path without it.

Labels written by (b) and (c) go under throw-away reviewer names (``carol-b-PID``...) and are
deleted at the end (``--keep-labels`` keeps them); the ``label.*`` events stay (the audit log is
append-only), a few hundred rows per run.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import statistics
import subprocess
import sys
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
    open_app,
    print_machine,
    proc_status_kb,
    quit_pane,
    summary_ms,
    time_keys,
)

TITLE = "Review screen"

DEFAULT_STORE = "/work/bench-data/big-1m.db"


# -- helpers over the store ----------------------------------------------------------------


def first_case_facts(store_path: Path, reviewer: str) -> tuple[str, str, str, float]:
    """(case id, input snippet, output snippet, seconds the queue took) of the first case."""
    from labeler.cases import load_case
    from labeler.review.case_display import case_display
    from labeler.review.queue import QueueSpec, next_page, resume_point
    from labeler.store import open_store

    with open_store(store_path) as store:
        spec = QueueSpec(reviewer, order="random")
        start = time.perf_counter()
        page = next_page(store, spec, resume_point(store, spec))
        took = time.perf_counter() - start
        case = load_case(store, page[0])
        assert case is not None
        display = case_display(case)

    def snippet(lines: list[Any]) -> str:
        for line in lines:
            if line.kind == "text" and line.text.strip():
                text: str = line.text.strip()[:24]
                return text.rsplit(" ", 1)[0] if " " in text else text
        return ""

    return display.case_id, snippet(display.input.lines), snippet(display.output.lines), took


def delete_labels(store_path: Path, reviewers: list[str]) -> int:
    """Remove the benchmark's labels (the triggers fix label_count)."""
    from labeler.store import open_store

    with open_store(store_path) as store, store.write() as conn:
        marks = ",".join("?" * len(reviewers))
        return conn.execute(f"DELETE FROM labels WHERE reviewer IN ({marks})", reviewers).rowcount


def shortcuts(store_path: Path) -> list[str]:
    from labeler.store import open_store
    from labeler.taxonomy import read_taxonomy

    with open_store(store_path) as store:
        return [b.shortcut for b in read_taxonomy(store).buckets]


# -- (a) first screen and (c)/(d) keys under tmux -----------------------------------------


def review_command(store: Path, reviewer: str, labeler: str | Path = VENV_BIN / "labeler") -> str:
    return f"exec {labeler} review {store} --reviewer {reviewer}"


def queue_counted(text: str) -> bool:
    """The queue count (a background worker) is in the header."""
    return " / … " not in text


def first_screen_rounds(
    store: Path, reviewer: str, runs: int, poll_s: float, labeler: str | Path, log: Any = None
) -> tuple[list[benchlib.FirstScreen], list[benchlib.FirstScreen], str]:
    """(a): ``runs`` first screens of ``labeler review`` and of the minimal app, in turn."""
    case_id, _, out_snip, took = first_case_facts(store, reviewer)
    about = (
        f"{reviewer}'s first case: {case_id} (finding it with next_page took {took * 1e3:.0f} ms "
        f"in this process); waiting for {case_id!r} and {out_snip!r}"
    )
    # Not the input's first words: the input pane of a chat case opens on its last user turn.
    ready = [f"case {case_id}", out_snip]
    command = review_command(store, reviewer, labeler)
    app, minimal = first_screen_vs_minimal(
        runs, command, ready, poll_s=poll_s, then=queue_counted, log=log
    )
    return app, minimal, about


def part_a(store: Path, runs: int, poll_s: float) -> None:
    print("\n(a) first usable screen in a tmux pane, 200x50")
    app, minimal, about = first_screen_rounds(store, "carol", runs, poll_s, VENV_BIN / "labeler")
    print(f"    {about}")
    base = statistics.median(r.first_s for r in minimal)
    for name, got in [("minimal app (one Static)", minimal), ("labeler review", app)]:
        firsts = [x.first_s for x in got]
        print(f"    {name:<52} {fmt_runs(firsts)}; {statistics.median(firsts) / base:.2f}x")
        counted = [x.then_s for x in got if x.then_s is not None]
        if counted:
            print(f"      queue count in the header (background worker): {fmt_runs(counted)}")
        print(f"      VmHWM {fmt_mb([x.hwm_mb for x in got])}")
    print("    (target: labeler review within 2x of the minimal app)")


def fmt_runs(values: list[float]) -> str:
    ms = ", ".join(f"{v * 1e3:.0f}" for v in values)
    return f"median {statistics.median(values) * 1e3:.0f} ms (runs: {ms})"


def fmt_mb(values: list[float | None]) -> str:
    got = [v for v in values if v is not None]
    if not got:
        return "?"
    return f"{min(got):.0f}-{max(got):.0f} MB"


@dataclass
class TmuxKeys:
    latencies: list[float]
    timeouts: int
    hwm_kb: int | None
    rss_kb: int | None


def tmux_keys(
    store: Path,
    keys: int,
    poll_s: float,
    gap_s: float,
    reviewer: str,
    labeler: str | Path = VENV_BIN / "labeler",
    log: Any = None,
) -> TmuxKeys:
    """(c) and (d): ``keys`` bucket keys in a review pane, then the process's VmHWM / VmRSS."""
    case_id, _, out_snip, _ = first_case_facts(store, reviewer)
    keys_list = shortcuts(store)
    tmux = Tmux()
    try:
        pane, pid = open_app(
            tmux,
            review_command(store, reviewer, labeler),
            lambda t: f"case {case_id}" in t and out_snip in t,
            settled=queue_counted,
            poll_s=poll_s,
        )
        sequence = [keys_list[i % len(keys_list)] for i in range(keys)]
        got = time_keys(tmux, pane, sequence, poll_s=poll_s, gap_s=gap_s, log=log)
        time.sleep(0.3)
        hwm = proc_status_kb(pid, "VmHWM")
        rss = proc_status_kb(pid, "VmRSS")
        quit_pane(tmux, pane, pid)
    finally:
        tmux.close()
    return TmuxKeys(got.latencies, got.timeouts, hwm, rss)


def part_cd(store: Path, keys: int, poll_s: float, gap_s: float, reviewer: str) -> None:
    print(f"\n(c) key -> visible in a tmux pane, 200x50, {keys} keys, reviewer {reviewer}")
    log = lambda message: print(f"    {message}", file=sys.stderr)  # noqa: E731
    got = tmux_keys(store, keys, poll_s, gap_s, reviewer, log=log)
    print(f"    key -> new case id visible: {summary_ms(got.latencies)}; timeouts {got.timeouts}")
    print(
        f"    (polling every {poll_s * 1e3:.1f} ms through a tmux control client, ~0.1 ms per "
        "capture: each sample is late by up to one poll interval plus one capture)"
    )
    print("\n(d) peak memory of the review process (after (c))")
    if got.hwm_kb is not None and got.rss_kb is not None:
        print(
            f"    VmHWM {got.hwm_kb / 1024:.1f} MB, VmRSS {got.rss_kb / 1024:.1f} MB "
            "(target < 100 MB)"
        )


# -- (b) in-app -----------------------------------------------------------------------------


@dataclass
class KeySample:
    latency: float  # key sent -> last frame written (wall)
    first_frame: float  # key sent -> first frame written (wall)
    cpu: float  # CPU time of the event-loop thread from key sent to last frame
    frames: int
    bytes: int
    write_wait: float
    show_case: float
    queue_next: float


@dataclass
class InAppResult:
    samples: list[KeySample] = field(default_factory=list)
    setup_s: float = 0.0
    count_s: float | None = None
    color_system: str | None = None


def make_measured_app_class() -> Any:
    from textual._compositor import CompositorUpdate

    from labeler.tui import app as app_module
    from labeler.tui.app import ReviewApp

    class MeasuredReviewApp(ReviewApp):
        """ReviewApp that stamps every frame, rendering it to terminal bytes even headless."""

        CSS_PATH = str(Path(app_module.__file__).parent / "labeler.tcss")

        frames: list[tuple[float, float, int]]
        frame_signal: asyncio.Event

        def _display(self, screen: Any, renderable: Any) -> None:
            if renderable is None or self._batch_count:
                super()._display(screen, renderable)
                return
            size = 0
            if self.is_headless and isinstance(renderable, CompositorUpdate):
                data = renderable.render_segments(self.console)
                size = len(data)
            super()._display(screen, renderable)
            self.frames.append((time.perf_counter(), time.thread_time(), size))
            self.frame_signal.set()

    return MeasuredReviewApp


def timed_method(obj: Any, name: str, sink: list[float]) -> None:
    original = getattr(obj, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            sink.append(time.perf_counter() - start)

    setattr(obj, name, wrapper)


async def in_app_run(
    store_path: Path,
    reviewer: str,
    keys: int,
    slices: tuple[tuple[str, str], ...],
    settle_s: float,
    profile: cProfile.Profile | None,
) -> InAppResult:
    from textual import events

    from labeler.identity import Actor, os_account
    from labeler.review.queue import QueueSpec
    from labeler.store import open_store

    app_class = make_measured_app_class()
    result = InAppResult()
    store = open_store(store_path)
    actor = Actor(name=reviewer, account=os_account(), on_trust=True)
    start = time.perf_counter()
    app = app_class(store, actor, QueueSpec(reviewer, 2, slices, False, "random"))
    app.frames = []
    app.frame_signal = asyncio.Event()
    try:
        async with app.run_test(size=(200, 50)) as pilot:
            await pilot.pause()
            screen = app.screen
            while getattr(screen, "case", None) is None:
                if time.perf_counter() - start > 120:
                    raise RuntimeError(f"no first case for {reviewer} with slices {slices}")
                await asyncio.sleep(0.005)
                screen = app.screen
            result.setup_s = time.perf_counter() - start
            while screen.session.total is None and time.perf_counter() - start < 300:
                await asyncio.sleep(0.01)
            if screen.session.total is not None:
                result.count_s = time.perf_counter() - start
            result.color_system = app.console.color_system
            await asyncio.sleep(0.3)
            writes: list[float] = []
            shows: list[float] = []
            nexts: list[float] = []
            timed_method(screen, "_wait_for", writes)
            timed_method(screen, "show_case", shows)
            timed_method(screen.session, "next", nexts)
            letters = [b.shortcut for b in screen.buckets]
            driver = app._driver
            if profile is not None:
                profile.enable()
            for i in range(keys):
                if screen.case is None:
                    print(f"    the queue ended after {i} keys", file=sys.stderr)
                    break
                old = screen.case.seq
                app.frames = []
                writes.clear()
                shows.clear()
                nexts.clear()
                key = letters[i % len(letters)]
                event = events.Key(key, key)
                app.frame_signal.clear()
                cpu_sent = time.thread_time()
                sent = time.perf_counter()
                driver.send_message(event)
                # Sleep until frames stop coming: no polling loop eats the loop thread's CPU.
                deadline = sent + 10
                while time.perf_counter() < deadline:
                    try:
                        await asyncio.wait_for(app.frame_signal.wait(), settle_s)
                        app.frame_signal.clear()
                    except TimeoutError:
                        changed = screen.case is None or screen.case.seq != old
                        if changed and app.frames:
                            break
                frames = app.frames
                if not frames:
                    print(f"    key {i}: no frame", file=sys.stderr)
                    continue
                result.samples.append(
                    KeySample(
                        latency=frames[-1][0] - sent,
                        first_frame=frames[0][0] - sent,
                        cpu=frames[-1][1] - cpu_sent,
                        frames=len(frames),
                        bytes=sum(f[2] for f in frames),
                        write_wait=sum(writes),
                        show_case=sum(shows),
                        queue_next=sum(nexts),
                    )
                )
                await asyncio.sleep(0.01)
            if profile is not None:
                profile.disable()
            await pilot.press("q")
    finally:
        store.close()
    return result


def report_in_app(title: str, result: InAppResult) -> None:
    s = result.samples
    print(f"    {title}: setup (app constructed -> first case on screen) {result.setup_s:.2f} s")
    if result.count_s is not None:
        print(f"      queue count done {result.count_s:.2f} s after construction (worker)")
    print(f"      key -> last frame written:   {summary_ms([x.latency for x in s])}")
    print(f"      key -> first frame written:  {summary_ms([x.first_frame for x in s])}")
    print(f"      loop-thread CPU, key->last:  {summary_ms([x.cpu for x in s])}")
    print(f"      label write wait in handler: {summary_ms([x.write_wait for x in s])}")
    print(f"      show_case (load + widgets):  {summary_ms([x.show_case for x in s])}")
    print(f"      session.next (queue paging): {summary_ms([x.queue_next for x in s])}")
    if s:
        frames = [x.frames for x in s]
        print(
            f"      frames per key: median {statistics.median(frames):.0f}, max {max(frames)}; "
            f"bytes per key: median {statistics.median([x.bytes for x in s]):,.0f}; "
            f"keys over 16 ms: {sum(x.latency > 0.016 for x in s)} of {len(s)}; "
            f"color system {result.color_system}"
        )


def part_b(
    store: Path,
    keys: int,
    big_keys: int,
    settle_s: float,
    reviewer: str,
    profile_path: Path | None,
) -> None:
    # The terminal tmux gives the app in (a) and (c): 256 colours, no COLORTERM.
    os.environ["TERM"] = "tmux-256color"
    os.environ.pop("COLORTERM", None)
    print(f"\n(b) in-app key -> next case drawn, run_test 200x50, settle {settle_s * 1e3:.0f} ms")
    profile = cProfile.Profile() if profile_path else None
    if keys:
        normal = asyncio.run(in_app_run(store, reviewer, keys, (), settle_s, profile))
        report_in_app(f"{keys} keys, ~9 KB cases", normal)
    if big_keys:
        big = asyncio.run(
            in_app_run(store, reviewer + "-big", big_keys, (("length", "huge"),), settle_s, profile)
        )
        report_in_app(f"{big_keys} keys, 100 KB cases (--slice length=huge)", big)
    if profile is not None and profile_path is not None:
        profile.dump_stats(profile_path)
        print(f"    profile of the key loop written to {profile_path}; top by own time:")
        stats = pstats.Stats(profile)
        stats.sort_stats("tottime").print_stats(25)


# -- phases of startup ----------------------------------------------------------------------


def part_phases(store: Path) -> None:
    print("\n(p) where startup time goes (subprocesses, -X importtime; medians of 3)")
    python = str(VENV_BIN / "python")
    for label, code in [
        ("python -c pass", "pass"),
        ("import textual.app", "import textual.app"),
        ("import labeler.cli", "import labeler.cli"),
        ("import labeler.tui.app", "import labeler.tui.app"),
        ("import labeler.cli + tui.app", "import labeler.cli, labeler.tui.app"),
    ]:
        times = []
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run([python, "-c", code], check=True)
            times.append(time.perf_counter() - start)
        print(f"    {label:<32} {statistics.median(times) * 1e3:6.0f} ms")
    out = subprocess.run(
        [python, "-X", "importtime", "-c", "import labeler.cli, labeler.tui.app"],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    rows = []
    for line in out.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]), parts[2].rstrip()))
    print("    biggest cumulative imports (µs):")
    top_level = [r for r in rows if not r[1].startswith("   ")]
    for cumulative, name in sorted(top_level, reverse=True)[:8]:
        print(f"      {cumulative:>9,}  {name.strip()}")
    interesting = ("numpy", "pydantic", "sqlite_utils", "rapidfuzz", "textual.app", "rich")
    for cumulative, name in sorted(rows, reverse=True):
        if name.strip() in interesting:
            print(f"      {cumulative:>9,}  {name.strip()} (nested)")
    timings = store_phase_timings(store)
    print("    first-screen queries on this store, in this process:")
    for name, seconds in timings:
        print(f"      {name:<44} {seconds * 1e3:8.1f} ms")


def store_phase_timings(store_path: Path) -> list[tuple[str, float]]:
    from labeler.cases import load_case
    from labeler.labels import get_label
    from labeler.review.case_display import case_display
    from labeler.review.queue import QueueSpec, next_page, queue_progress, resume_point
    from labeler.store import open_store
    from labeler.taxonomy import read_taxonomy

    out: list[tuple[str, float]] = []

    def step(name: str, func: Any) -> Any:
        start = time.perf_counter()
        value = func()
        out.append((name, time.perf_counter() - start))
        return value

    store = step("open_store", lambda: open_store(store_path))
    spec = QueueSpec("carol")
    cursor = step("resume_point (carol)", lambda: resume_point(store, spec))
    page = step("next_page: first page of carol's queue", lambda: next_page(store, spec, cursor))
    step("next_page: the page after it", lambda: next_page(store, spec, max(page)))
    case = step("load_case", lambda: load_case(store, page[0]))
    step("get_label", lambda: get_label(store, page[0], "carol"))
    step("case_display", lambda: case_display(case))
    step("read_taxonomy", lambda: read_taxonomy(store))
    step("queue_progress (background worker)", lambda: queue_progress(store, spec))
    huge = QueueSpec("carol", slices=(("length", "huge"),))
    step("next_page with --slice length=huge", lambda: next_page(store, huge, 0))
    plan = store.query(
        "EXPLAIN QUERY PLAN SELECT c.seq FROM cases c WHERE c.seq > ? AND c.is_current = 1"
        " AND c.label_count < ? AND NOT EXISTS (SELECT 1 FROM labels l WHERE l.case_seq = c.seq"
        " AND l.reviewer = ?) ORDER BY c.seq LIMIT ?",
        (0, 2, "carol", 64),
    )
    print("    next_page plan: " + " | ".join(str(r[3]) for r in plan))
    store.close()
    return out


# -- benchmarks/run -------------------------------------------------------------------------


def run(ctx: Context) -> list[Figure]:
    """Parts a, b and c on the store ``main``, ``ctx.rounds`` rounds each; the labels written
    (throw-away reviewers ``bench-review-PID-*``) are deleted at the end."""
    store = ctx.store("main")
    keys = int(ctx.options.get("review.keys", 300 if ctx.million else 80))
    tmux_keys_n = int(ctx.options.get("review.tmux_keys", 100 if ctx.million else 40))
    tag = f"bench-review-{os.getpid()}"
    reviewers = [f"{tag}-a", f"{tag}-b", f"{tag}-c"]
    try:
        ctx.log(f"(a) first screen against the minimal app, {ctx.rounds} rounds")
        app, minimal, about = first_screen_rounds(
            store, reviewers[0], ctx.rounds, 0.001, ctx.labeler, ctx.log
        )
        ctx.log(about)
        counted = [x.then_s * 1e3 for x in app if x.then_s is not None]

        ctx.log(f"(b) in-app, {ctx.rounds} rounds of {keys} keys")
        os.environ["TERM"] = "tmux-256color"  # what tmux gives the app in (a) and (c)
        os.environ.pop("COLORTERM", None)
        in_app = [
            asyncio.run(in_app_run(store, reviewers[1], keys, (), 0.06, None))
            for _ in range(ctx.rounds)
        ]

        ctx.log(f"(c) tmux, {ctx.rounds} rounds of {tmux_keys_n} keys")
        in_tmux = [
            tmux_keys(store, tmux_keys_n, 0.001, 0.15, reviewers[2], ctx.labeler, ctx.log)
            for _ in range(ctx.rounds)
        ]
    finally:
        removed = delete_labels(store, reviewers)
        ctx.log(f"removed {removed} benchmark labels ({', '.join(reviewers)})")

    key_rounds = [[k.latency for k in r.samples] for r in in_app]
    cpu = [k.cpu for r in in_app for k in r.samples]
    tmux_rounds = [r.latencies for r in in_tmux]
    timeouts = sum(r.timeouts for r in in_tmux)
    hwm = [r.hwm_kb / 1024 for r in in_tmux if r.hwm_kb is not None]
    first_case = f"the first screen is the first case of the queue ({about.split(' (')[0]})"
    return [
        benchlib.first_screen_figure(
            "`labeler review`: first usable screen in tmux (200x50)",
            app,
            minimal,
            note=f"{first_case}; the queue count (a background worker) reached the header "
            f"after {benchlib.median(counted):.0f} ms (median). Target: issue 3",
        ),
        *benchlib.key_latency_figures(
            "`labeler review`: key → next case drawn, in-app",
            key_rounds,
            keys,
            at_most=16,
            note=f"Event-loop CPU per key median {benchlib.median(cpu) * 1e3:.1f} ms. Key event "
            "sent to the driver -> last frame turned into terminal bytes (run_test at 200x50, "
            "256 colours), about 9 KB cases (the store has no 100 KB cases: run by hand for "
            "those). Target: issue 3 (one frame at 60 Hz).",
        ),
        *benchlib.key_latency_figures(
            "`labeler review`: key → case id visible in tmux",
            tmux_rounds,
            tmux_keys_n,
            at_most=50,
            note=f"{timeouts} keys without a new case within 5 s. A bucket key every 150 ms, the "
            "pane polled every 1 ms through a tmux control client (a sample is late by up to "
            "one poll and one capture). Target: issue 3.",
        ),
        benchlib.absolute(
            "`labeler review`: peak memory of the process (VmHWM after the tmux keys)",
            hwm,
            "MB",
            at_most=100,
            note="Target: issue 3.",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", nargs="?", default=DEFAULT_STORE, type=Path)
    parser.add_argument("--parts", default="p,a,b,c", help="any of p,a,b,c (d comes with c)")
    parser.add_argument("--runs", type=int, default=5, help="(a) runs of each app")
    parser.add_argument("--keys", type=int, default=500, help="(b) keys over normal cases")
    parser.add_argument("--big-keys", type=int, default=500, help="(b) keys over 100 KB cases")
    parser.add_argument("--tmux-keys", type=int, default=100, help="(c) keys")
    parser.add_argument("--poll-ms", type=float, default=1.0, help="tmux polling interval")
    parser.add_argument("--gap-ms", type=float, default=150, help="(c) pause between keys")
    parser.add_argument("--settle-ms", type=float, default=60, help="(b) quiet time after a key")
    parser.add_argument("--profile", type=Path, help="(b) cProfile the key loop into this file")
    parser.add_argument("--keep-labels", action="store_true")
    args = parser.parse_args()

    store: Path = args.store
    if not store.exists():
        raise SystemExit(f"no store at {store}: run benchmarks/make_big_store.py first")
    parts = set(args.parts.split(","))
    print_machine()
    print(f"store {store} ({store.stat().st_size / 1e9:.1f} GB)")
    tag = str(os.getpid())
    reviewers = [f"carol-b-{tag}", f"carol-b-{tag}-big", f"carol-c-{tag}"]
    try:
        if "p" in parts:
            part_phases(store)
        if "a" in parts:
            part_a(store, args.runs, args.poll_ms / 1000)
        if "b" in parts:
            part_b(
                store,
                args.keys,
                args.big_keys,
                args.settle_ms / 1000,
                reviewers[0],
                args.profile,
            )
        if "c" in parts:
            part_cd(store, args.tmux_keys, args.poll_ms / 1000, args.gap_ms / 1000, reviewers[2])
    finally:
        if not args.keep_labels:
            removed = delete_labels(store, reviewers)
            print(f"\nremoved {removed} benchmark labels ({', '.join(reviewers)})")


if __name__ == "__main__":
    main()
