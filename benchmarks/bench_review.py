"""Hand-run benchmark of the review screen on a big store (not part of the test suite).

    .venv/bin/python benchmarks/make_big_store.py /work/bench-data/big-1m.db --big-texts 600
    .venv/bin/python benchmarks/bench_review.py /work/bench-data/big-1m.db
    .venv/bin/python benchmarks/bench_review.py STORE --parts b --keys 200 --profile /tmp/b.prof
    .venv/bin/python benchmarks/bench_review.py STORE --parts b --settle-ms 10

Parts (all by default):

p. Where startup time goes: import times of textual and labeler (subprocesses, -X importtime)
   and the queries the first screen runs, timed in this process, with next_page's plan.
a. First usable screen in a real tmux pane (200x50): ``labeler review STORE --reviewer carol``
   against ``benchmarks/minimal_app.py`` (one Static), alternated, ``--runs`` each. The clock
   starts just before tmux is asked to start the process and stops at the first capture of
   the pane that shows the first queue case's id and the first words of its input and its
   output (for the minimal app: its text). Also reported: when the queue count (a background
   worker) reached the header, and the process's VmHWM.
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

from benchlib import (
    HEADER_CASE,
    REPO,
    VENV_BIN,
    Tmux,
    print_machine,
    proc_status_kb,
    summary_ms,
)

DEFAULT_STORE = "/work/bench-data/big-1m.db"


# -- helpers over the store ----------------------------------------------------------------


def first_case_facts(store_path: Path, reviewer: str) -> tuple[str, str, str, float]:
    """(case id, input snippet, output snippet, seconds the queue took) of the first case."""
    from labeler.cases import load_case
    from labeler.review.case_display import case_display
    from labeler.review.queue import QueueSpec, next_page, resume_point
    from labeler.store import open_store

    with open_store(store_path) as store:
        spec = QueueSpec(reviewer)
        start = time.perf_counter()
        page = next_page(store, spec, resume_point(store, spec))
        took = time.perf_counter() - start
        case = load_case(store, page[0])
        assert case is not None
        display = case_display(case)

    def snippet(lines: list[Any]) -> str:
        for line in lines:
            if line.kind == "text" and line.text.strip():
                text = line.text.strip()[:24]
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


def review_command(store: Path, reviewer: str, extra: str = "") -> str:
    return f"exec {VENV_BIN / 'labeler'} review {store} --reviewer {reviewer}{extra}"


def minimal_command() -> str:
    return f"exec {VENV_BIN / 'python'} {REPO / 'benchmarks' / 'minimal_app.py'}"


def quit_pane(tmux: Tmux, pane: str, pid: int) -> None:
    """q (again if labels are still saving), then wait for the pane to close."""
    for _ in range(3):
        try:
            tmux.send(pane, "q")
        except RuntimeError:  # the pane is gone already
            return
        deadline = time.perf_counter() + 5
        while time.perf_counter() < deadline:
            if not process_running(pid) or not tmux.pane_alive(pane):
                return
            time.sleep(0.02)
    tmux.cmd(f"kill-pane -t {pane}")


def process_running(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@dataclass
class FirstScreen:
    first_s: float
    counted_s: float | None
    hwm_mb: float | None


def first_screen_run(
    tmux: Tmux, command: str, ready: list[str], poll_s: float, wait_count: bool
) -> FirstScreen:
    start = time.perf_counter()
    pane, pid = tmux.new_window(command)
    seen, text = tmux.wait_for(pane, lambda t: all(s in t for s in ready), 60, poll_s)
    if seen is None:
        tmux.cmd(f"kill-pane -t {pane}")
        raise RuntimeError(f"first screen never showed {ready!r}; the pane shows:\n{text}")
    counted = None
    if wait_count:
        at, _ = tmux.wait_for(pane, lambda t: " / … " not in t, 120, 0.02)
        counted = None if at is None else at - start
    else:
        time.sleep(0.3)
    hwm = proc_status_kb(pid, "VmHWM")
    quit_pane(tmux, pane, pid)
    return FirstScreen(seen - start, counted, None if hwm is None else hwm / 1024)


def part_a(store: Path, runs: int, poll_s: float) -> None:
    print("\n(a) first usable screen in a tmux pane, 200x50")
    case_id, in_snip, out_snip, took = first_case_facts(store, "carol")
    print(
        f"    carol's first case: {case_id} (finding it with next_page took {took * 1e3:.0f} ms "
        f"in this process); waiting for {case_id!r}, {in_snip!r}, {out_snip!r}"
    )
    ready = [f"case {case_id}", in_snip, out_snip]
    variants = [
        ("minimal app (one Static)", minimal_command(), ["hello from a minimal app"], False),
        ("labeler review", review_command(store, "carol"), ready, True),
    ]
    results: dict[str, list[FirstScreen]] = {name: [] for name, *_ in variants}
    tmux = Tmux()
    try:
        for _ in range(runs):
            for name, command, expect, wait_count in variants:
                results[name].append(first_screen_run(tmux, command, expect, poll_s, wait_count))
    finally:
        tmux.close()
    base = statistics.median(r.first_s for r in results[variants[0][0]])
    for name, *_ in variants:
        got = results[name]
        firsts = [x.first_s for x in got]
        print(f"    {name:<52} {fmt_runs(firsts)}; {statistics.median(firsts) / base:.2f}x")
        counted = [x.counted_s for x in got if x.counted_s is not None]
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


def part_cd(store: Path, keys: int, poll_s: float, gap_s: float, reviewer: str) -> None:
    print(f"\n(c) key -> visible in a tmux pane, 200x50, {keys} keys, reviewer {reviewer}")
    case_id, in_snip, _, _ = first_case_facts(store, reviewer)
    keys_list = shortcuts(store)
    tmux = Tmux()
    latencies: list[float] = []
    timeouts = 0
    try:
        pane, pid = tmux.new_window(review_command(store, reviewer))
        seen, text = tmux.wait_for(
            pane, lambda t: f"case {case_id}" in t and in_snip in t, 60, poll_s
        )
        if seen is None:
            raise RuntimeError(f"first screen never came; the pane shows:\n{text}")
        tmux.wait_for(pane, lambda t: " / … " not in t, 120, 0.05)
        time.sleep(0.5)
        current = header_case(tmux.capture(pane))
        for i in range(keys):
            key = keys_list[i % len(keys_list)]
            start = time.perf_counter()
            tmux.send(pane, key)
            at, text = tmux.wait_for(
                pane, lambda t, old=current: header_case(t) not in (None, old), 5, poll_s
            )
            if at is None:
                timeouts += 1
                print(f"    key {i}: no new case within 5 s", file=sys.stderr)
            else:
                latencies.append(at - start)
            current = header_case(text)
            time.sleep(gap_s)
        time.sleep(0.3)
        hwm = proc_status_kb(pid, "VmHWM")
        rss = proc_status_kb(pid, "VmRSS")
        quit_pane(tmux, pane, pid)
    finally:
        tmux.close()
    print(f"    key -> new case id visible: {summary_ms(latencies)}; timeouts {timeouts}")
    print(
        f"    (polling every {poll_s * 1e3:.1f} ms through a tmux control client, ~0.1 ms per "
        "capture: each sample is late by up to one poll interval plus one capture)"
    )
    print("\n(d) peak memory of the review process (after (c))")
    if hwm is not None and rss is not None:
        print(f"    VmHWM {hwm / 1024:.1f} MB, VmRSS {rss / 1024:.1f} MB (target < 100 MB)")


def header_case(text: str) -> str | None:
    for line in text.splitlines()[:3]:
        match = HEADER_CASE.search(line)
        if match:
            return match.group(1)
    return None


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
    app = app_class(store, actor, QueueSpec(reviewer, 2, slices, False))
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
