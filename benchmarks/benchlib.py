"""Helpers shared by the benchmarks: machine facts, percentiles, memory, tmux, and the protocol
that ``benchmarks/run`` uses to run every ``bench_*.py`` (see the end of this file and
benchmarks/README.md).

Not a test module and not part of the package; the benchmark scripts import it from their own
folder (``python benchmarks/bench_review.py`` puts ``benchmarks/`` first on ``sys.path``).
"""

from __future__ import annotations

import os
import platform
import re
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def machine_info() -> dict[str, str]:
    """The facts RESULTS.md lists for a run."""
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 2**20:.1f} GiB"
                break
    except OSError:
        pass

    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "-"

    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "ram": mem,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "textual": version("textual"),
        "numpy": version("numpy"),
        "loadavg": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def print_machine() -> None:
    info = machine_info()
    print("machine: " + ", ".join(f"{k} {v}" for k, v in info.items()))


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100) of a non-empty sequence."""
    data = sorted(values)
    if not data:
        return float("nan")
    pos = (len(data) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(data) - 1)
    return data[low] + (data[high] - data[low]) * (pos - low)


def summary_ms(values: Sequence[float]) -> str:
    """``median / p95 / min-max`` of seconds, in ms."""
    if not values:
        return "no samples"
    return (
        f"median {percentile(values, 50) * 1e3:7.1f} ms  p95 {percentile(values, 95) * 1e3:7.1f} ms"
        f"  (min {min(values) * 1e3:.1f}, max {max(values) * 1e3:.1f}, n={len(values)})"
    )


def peak_rss_mb() -> float:
    """Peak RSS of this process (Linux ru_maxrss is KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def proc_status_kb(pid: int, field: str) -> int | None:
    """A ``/proc/PID/status`` field in KiB (VmHWM, VmRSS), or None if the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def run_wait4(cmd: Sequence[str], stdout_path: Path | None = None) -> tuple[float, float, int]:
    """Run ``cmd`` (stdout to a file or /dev/null); return (wall s, peak RSS MB, exit status)."""
    out = open(stdout_path, "wb") if stdout_path else open(os.devnull, "wb")  # noqa: SIM115
    try:
        start = time.perf_counter()
        pid = os.posix_spawn(
            cmd[0],
            list(cmd),
            dict(os.environ),
            file_actions=[(os.POSIX_SPAWN_DUP2, out.fileno(), 1)],
        )
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - start
    finally:
        out.close()
    return wall, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


class Tmux:
    """A private tmux server driven through one control-mode client (no process per poll).

    ``capture-pane`` through the control client costs about 0.1 ms, against 5-20 ms for a
    ``tmux capture-pane`` subprocess, so the screen can be polled every millisecond or two.
    The control client is attached with ``no-output`` (no %output stream) and ``ignore-size``
    (it does not shrink the window), and windows are fixed at ``width`` x ``height``.
    """

    def __init__(self, width: int = 200, height: int = 50) -> None:
        self.socket = f"labeler-bench-{os.getpid()}"
        self.width = width
        self.height = height
        self._run("new-session", "-d", "-s", "bench", "-x", str(width), "-y", str(height))
        # Not "window-size manual": with it, new-window through a control client makes tmux
        # 3.3a exit ("server exited unexpectedly").
        self._run("set", "-g", "default-size", f"{width}x{height}")
        self._run("set", "-g", "remain-on-exit", "off")
        # What most tmux users have: 256 colours (tmux passes no COLORTERM).
        self._run("set", "-g", "default-terminal", "tmux-256color")
        self._run("set", "-g", "escape-time", "10")
        self._client = subprocess.Popen(
            ["tmux", "-L", self.socket, "-C", "attach-session", "-t", "bench", "-f",
             "no-output,ignore-size"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,
        )  # fmt: skip
        self._read_block()

    def _run(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null", *args],
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    def _read_block(self) -> list[str]:
        assert self._client.stdout is not None
        number = None
        lines: list[str] = []
        while True:
            raw = self._client.stdout.readline()
            if not raw:
                raise RuntimeError("the tmux control client ended")
            line = raw.decode("utf-8", "replace").rstrip("\n")
            if number is None:
                if line.startswith("%begin "):
                    number = line.split()[2]
                continue
            if line.startswith(("%end ", "%error ")) and line.split()[2] == number:
                if line.startswith("%error"):
                    raise RuntimeError("tmux: " + "\n".join(lines))
                return lines
            lines.append(line)

    def cmd(self, command: str) -> list[str]:
        """Run one tmux command through the control client; return its output lines."""
        assert self._client.stdin is not None
        self._client.stdin.write(command.encode() + b"\n")
        return self._read_block()

    def new_window(self, command: str, env: dict[str, str] | None = None) -> tuple[str, int]:
        """Start ``command`` in a new window; return (pane id, pid of the pane's process)."""
        env_args = "".join(f" -e {quote(f'{k}={v}')}" for k, v in (env or {}).items())
        out = self.cmd(
            f"new-window -d -P -F '#{{pane_id}} #{{pane_pid}}'{env_args} {quote(command)}"
        )
        pane, pid = out[0].split()
        size = self.cmd(f"display -p -t {pane} '#{{window_width}}x#{{window_height}}'")[0]
        if size != f"{self.width}x{self.height}":
            raise RuntimeError(f"the tmux window is {size}, not {self.width}x{self.height}")
        return pane, int(pid)

    def capture(self, pane: str) -> str:
        """The visible text of the pane."""
        return "\n".join(self.cmd(f"capture-pane -p -t {pane}"))

    def send(self, pane: str, keys: str) -> None:
        """Type ``keys`` literally into the pane."""
        self.cmd(f"send-keys -t {pane} -l {quote(keys)}")

    def pane_alive(self, pane: str) -> bool:
        try:
            out = self.cmd("list-panes -a -F '#{pane_id}'")
        except RuntimeError:
            return False
        return pane in out

    def wait_for(
        self, pane: str, predicate: Callable[[str], bool], timeout: float, poll_s: float
    ) -> tuple[float | None, str]:
        """Poll the pane until ``predicate(text)``; return (perf_counter time or None, text)."""
        deadline = time.perf_counter() + timeout
        text = ""
        while time.perf_counter() < deadline:
            text = self.capture(pane)
            now = time.perf_counter()
            if predicate(text):
                return now, text
            time.sleep(poll_s)
        return None, text

    def close(self) -> None:
        try:
            if self._client.stdin is not None:
                self._client.stdin.close()
            self._client.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self._client.kill()
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


def quote(text: str) -> str:
    """Quote for tmux's command parser (single quotes; a ' inside is closed and escaped)."""
    return "'" + text.replace("'", "'\\''") + "'"


HEADER_CASE = re.compile(r"case (\S+)")


# -- screens in a tmux pane: first screen against a minimal app, key -> next case --------------
#
# Shared by the benchmarks of the screens (bench_review.py, bench_resolve.py):
# start a command in a pane of a private tmux server, time its first usable screen against
# ``minimal_app.py`` round after round, and time a key until the header shows another case id.

MINIMAL_APP_TEXT = "hello from a minimal app"
"""What ``benchmarks/minimal_app.py`` shows: its first screen is there when this is."""


def minimal_app_command(python: str | Path = VENV_BIN / "python", prefix: str = "") -> str:
    """The shell command that starts ``benchmarks/minimal_app.py`` (one Static) in a pane;
    ``prefix`` goes before the interpreter (``env VAR=... ``, as the app measured gets it)."""
    return f"exec {prefix}{python} {Path(__file__).resolve().parent / 'minimal_app.py'}"


def header_case(text: str) -> str | None:
    """The case id in the header (the first 3 lines of the screen), or None."""
    for line in text.splitlines()[:3]:
        match = HEADER_CASE.search(line)
        if match:
            return match.group(1)
    return None


def process_running(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def quit_pane(tmux: Tmux, pane: str, pid: int | None = None, key: str = "q") -> None:
    """Press ``key`` (again if the app is still busy, e.g. saving), wait until the process or
    the pane is gone; kill the pane after three tries."""
    for _ in range(3):
        try:
            tmux.send(pane, key)
        except RuntimeError:  # the pane is gone already
            return
        deadline = time.perf_counter() + 5
        while time.perf_counter() < deadline:
            if (pid is not None and not process_running(pid)) or not tmux.pane_alive(pane):
                return
            time.sleep(0.02)
    tmux.cmd(f"kill-pane -t {pane}")


@dataclass
class FirstScreen:
    """One start of a command in a pane: seconds from asking tmux to start it to the first
    capture showing every ``ready`` string; seconds until ``then`` held (if asked); the
    process's peak RSS (VmHWM) just before it was asked to quit."""

    first_s: float
    then_s: float | None
    hwm_mb: float | None


def first_screen(
    tmux: Tmux,
    command: str,
    ready: Sequence[str],
    *,
    poll_s: float = 0.001,
    then: Callable[[str], bool] | None = None,
    then_timeout: float = 120,
    linger_s: float = 0.3,
    timeout: float = 60,
) -> FirstScreen:
    """Start ``command`` in a new window and time its first usable screen (see FirstScreen);
    then quit it (``q``). ``then`` (e.g. "the queue count is in the header") is timed from the
    same start, polled every 20 ms; without it the app runs ``linger_s`` more before quitting."""
    start = time.perf_counter()
    pane, pid = tmux.new_window(command)
    seen, text = tmux.wait_for(pane, lambda t: all(s in t for s in ready), timeout, poll_s)
    if seen is None:
        tmux.cmd(f"kill-pane -t {pane}")
        raise RuntimeError(f"the first screen never showed {list(ready)!r}; the pane:\n{text}")
    then_s = None
    if then is not None:
        at, _ = tmux.wait_for(pane, then, then_timeout, 0.02)
        then_s = None if at is None else at - start
    else:
        time.sleep(linger_s)
    hwm = proc_status_kb(pid, "VmHWM")
    quit_pane(tmux, pane, pid)
    return FirstScreen(seen - start, then_s, None if hwm is None else hwm / 1024)


def first_screen_vs_minimal(
    rounds: int,
    command: str,
    ready: Sequence[str],
    *,
    poll_s: float = 0.001,
    then: Callable[[str], bool] | None = None,
    log: Callable[[str], None] | None = None,
    minimal_command: str | None = None,
    warmup: bool = False,
) -> tuple[list[FirstScreen], list[FirstScreen]]:
    """``rounds`` first screens of ``command`` and of ``minimal_app.py``, in turn (the order
    alternates each round), in one private tmux server at 200x50; returns (app, minimal).

    ``minimal_command``: how to start the minimal app (default :func:`minimal_app_command`);
    ``warmup``: one untimed start of each first (e.g. to fill a bytecode cache)."""
    app: list[FirstScreen] = []
    minimal: list[FirstScreen] = []
    minimal_cmd = minimal_app_command() if minimal_command is None else minimal_command
    tmux = Tmux()
    try:
        if warmup:
            first_screen(tmux, minimal_cmd, [MINIMAL_APP_TEXT], poll_s=poll_s)
            first_screen(tmux, command, ready, poll_s=poll_s)
            if log is not None:
                log("warm-up round done (not timed)")

        def run_app() -> float:
            app.append(first_screen(tmux, command, ready, poll_s=poll_s, then=then))
            return app[-1].first_s

        def run_minimal() -> float:
            got = first_screen(tmux, minimal_cmd, [MINIMAL_APP_TEXT], poll_s=poll_s)
            minimal.append(got)
            return got.first_s

        interleaved(rounds, {"minimal app": run_minimal, "app": run_app}, log)
    finally:
        tmux.close()
    return app, minimal


def open_app(
    tmux: Tmux,
    command: str,
    ready: Callable[[str], bool],
    *,
    settled: Callable[[str], bool] | None = None,
    poll_s: float = 0.001,
    rest_s: float = 0.5,
) -> tuple[str, int]:
    """Start ``command`` in a new window and wait until ``ready(screen)``, then until
    ``settled(screen)`` (e.g. a background count done), then ``rest_s``; returns (pane, pid)."""
    pane, pid = tmux.new_window(command)
    seen, text = tmux.wait_for(pane, ready, 60, poll_s)
    if seen is None:
        tmux.cmd(f"kill-pane -t {pane}")
        raise RuntimeError(f"the first screen never came; the pane shows:\n{text}")
    if settled is not None:
        tmux.wait_for(pane, settled, 300, 0.05)
    time.sleep(rest_s)
    return pane, pid


@dataclass
class KeyTimes:
    """Key -> another case id in the header, in seconds (one per key that got there)."""

    latencies: list[float] = field(default_factory=list)
    timeouts: int = 0


def time_keys(
    tmux: Tmux,
    pane: str,
    keys: Sequence[str],
    *,
    poll_s: float = 0.001,
    gap_s: float = 0.15,
    timeout: float = 5,
    log: Callable[[str], None] | None = None,
) -> KeyTimes:
    """Send each key in turn; time from sending it to the first capture whose header shows a
    case id other than before (polling every ``poll_s`` through the control client, about
    0.1 ms a capture: a sample is late by up to one poll and one capture); ``gap_s`` between
    keys."""
    out = KeyTimes()
    current = header_case(tmux.capture(pane))
    for i, key in enumerate(keys):

        def moved(text: str, before: str | None = current) -> bool:
            return header_case(text) not in (None, before)

        start = time.perf_counter()
        tmux.send(pane, key)
        at, text = tmux.wait_for(pane, moved, timeout, poll_s)
        if at is None:
            out.timeouts += 1
            if log is not None:
                log(f"key {i} ({key!r}): no new case within {timeout:g} s")
        else:
            out.latencies.append(at - start)
        current = header_case(text)
        time.sleep(gap_s)
    return out


# -- the protocol of benchmarks/run ------------------------------------------------------------
#
# A file ``benchmarks/bench_*.py`` takes part in ``benchmarks/run`` by defining
#
#     def run(ctx: benchlib.Context) -> list[benchlib.Figure]: ...
#
# ``run`` measures each figure *and its reference in the same run* (interleaved rounds, see
# ``interleaved``), and returns the figures; ``benchmarks/run`` writes them to RESULTS.md. The
# module may also define ``TITLE`` (its section heading); its docstring's first paragraph says
# what is measured. See benchmarks/README.md.

PROTOCOL = 1
"""Bumped if ``Context`` or ``Figure`` change incompatibly."""

DEFAULT_DATA = Path("/work/bench-data/run")


@dataclass
class Context:
    """What ``benchmarks/run`` gives each benchmark's ``run(ctx)``."""

    million: bool
    """False: the small stores (quick); True: the 1M-case store (``--million``)."""
    data_dir: Path
    """A folder for the benchmark's own files (kept between runs; it may reuse them)."""
    stores: dict[str, str]
    """Prepared stores by name. ``main``: ``make_big_store.py`` cases of about 9 KB (50,000
    small, 1,000,000 with --million) and labels by alice and bob on the first half, by case
    number. ``progress``: ``make_progress_store.py`` cases of a few words (as many), labeled by
    alice and bob on the first half of the random review order (as walking the queue leaves
    it), with label events and a few hundred resolutions."""
    rounds: int
    """How many times to measure each figure and its reference (interleaved)."""
    python: str = sys.executable
    labeler: str = str(VENV_BIN / "labeler")
    options: dict[str, str] = field(default_factory=dict)
    """``--set KEY=VALUE`` options from the command line, for any benchmark that wants them."""

    def store(self, name: str = "main") -> Path:
        return Path(self.stores[name])

    def log(self, message: str) -> None:
        print(f"  {message}", file=sys.stderr, flush=True)


@dataclass
class Figure:
    """One measured figure, with its reference from the same run and its target.

    ``samples`` and ``reference_samples`` are in ``unit``; the runner shows median, min and max
    of each. ``ratio`` is computed by the benchmark (from the medians; what it means is in
    ``ratio_means``), and ``met`` is True/False against ``target``, or None when the figure has
    no target (shown for information).
    """

    name: str
    unit: str
    samples: list[float]
    reference: str = ""
    reference_samples: list[float] = field(default_factory=list)
    ratio: float | None = None
    ratio_means: str = ""
    target: str = ""
    met: bool | None = None
    note: str = ""
    lower_is_better: bool = True

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Figure:
        return cls(**data)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def speed_vs(
    name: str,
    samples: Sequence[float],
    reference: str,
    reference_samples: Sequence[float],
    *,
    at_least: float | None,
    unit: str = "s",
    note: str = "",
) -> Figure:
    """A time compared with a reference time as a speed: reference / subject (medians).

    1.0 is as fast as the reference; ``at_least=0.8`` means "at least 0.8 of its speed".
    """
    ratio = median(reference_samples) / median(samples)
    return Figure(
        name=name,
        unit=unit,
        samples=list(samples),
        reference=reference,
        reference_samples=list(reference_samples),
        ratio=ratio,
        ratio_means="× the reference's speed (reference time / this time)",
        target=f"≥ {at_least:g}" if at_least is not None else "",
        met=None if at_least is None else ratio >= at_least,
        note=note,
    )


def time_vs(
    name: str,
    samples: Sequence[float],
    reference: str,
    reference_samples: Sequence[float],
    *,
    at_most: float | None,
    unit: str = "s",
    note: str = "",
) -> Figure:
    """A time compared with a reference time: subject / reference (medians); ``at_most=1.5``
    means "at most 1.5 times as long"."""
    ratio = median(samples) / median(reference_samples)
    return Figure(
        name=name,
        unit=unit,
        samples=list(samples),
        reference=reference,
        reference_samples=list(reference_samples),
        ratio=ratio,
        ratio_means="× the reference's time (this time / reference time)",
        target=f"≤ {at_most:g}" if at_most is not None else "",
        met=None if at_most is None else ratio <= at_most,
        note=note,
    )


def absolute(
    name: str,
    samples: Sequence[float],
    unit: str,
    *,
    at_least: float | None = None,
    at_most: float | None = None,
    note: str = "",
    met: bool | None = None,
    target: str | None = None,
) -> Figure:
    """A figure with an absolute target (or none); ``met`` and ``target`` override the
    comparison of the median when the benchmark knows better (e.g. "where the disk allows")."""
    value = median(samples)
    if target is None:
        target = f"≥ {at_least:,g} {unit}" if at_least is not None else ""
        target = f"≤ {at_most:,g} {unit}" if at_most is not None else target
    if met is None and at_least is not None:
        met = value >= at_least
    if met is None and at_most is not None:
        met = value <= at_most
    return Figure(
        name=name,
        unit=unit,
        samples=list(samples),
        target=target,
        met=met,
        note=note,
        lower_is_better=at_least is None,
    )


def absolute_vs(
    name: str,
    samples: Sequence[float],
    unit: str,
    reference: str,
    reference_samples: Sequence[float],
    *,
    at_least: float | None = None,
    at_most: float | None = None,
    note: str = "",
    met: bool | None = None,
    target: str | None = None,
) -> Figure:
    """An absolute target (as ``absolute``) on a figure that also has a reference measured in
    the same run, shown with the ratio this / reference (medians) for information: e.g. a
    command's time against a library doing the same computation, where the issue's target is
    a number of seconds, not a ratio."""
    figure = absolute(
        name, samples, unit, at_least=at_least, at_most=at_most, note=note, met=met,
        target=target,
    )  # fmt: skip
    figure.reference = reference
    figure.reference_samples = list(reference_samples)
    figure.ratio = median(samples) / median(reference_samples)
    figure.ratio_means = "× the reference's (this / reference)"
    return figure


def first_screen_figure(
    name: str,
    app: Sequence[FirstScreen],
    minimal: Sequence[FirstScreen],
    *,
    at_most: float = 2.0,
    note: str = "",
) -> Figure:
    """The figure of :func:`first_screen_vs_minimal`'s rounds, in ms: the app's first screen
    against the minimal app's (this / minimal, at most ``at_most``); the note ends with the
    app's VmHWM."""
    hwm = [x.hwm_mb for x in app if x.hwm_mb is not None]
    memory = f"VmHWM at the first screen {min(hwm, default=0):.0f}-{max(hwm, default=0):.0f} MB"
    return time_vs(
        name,
        [x.first_s * 1e3 for x in app],
        "a minimal Textual app (one Static), started the same way in the same tmux",
        [x.first_s * 1e3 for x in minimal],
        at_most=at_most,
        unit="ms",
        note=f"{note}; {memory}." if note else f"{memory}.",
    )


def key_latency_figures(
    name: str, rounds: Sequence[Sequence[float]], keys: int, *, at_most: float, note: str = ""
) -> list[Figure]:
    """Two figures of key latencies (seconds, one list per round), in ms: ``NAME, p95 of KEYS
    keys`` (one sample per round, against ``at_most`` ms; the note starts with the median, p95
    and max over every key) and ``NAME, median of KEYS keys`` (for information)."""
    every = [x for r in rounds for x in r]
    over_all = (
        f"one figure per round; over all {len(every)} keys: median {median(every) * 1e3:.1f} ms, "
        f"p95 {percentile(every, 95) * 1e3:.1f} ms, max {max(every, default=0) * 1e3:.1f} ms"
    )
    return [
        absolute(
            f"{name}, p95 of {keys} keys",
            [percentile(r, 95) * 1e3 for r in rounds],
            "ms",
            at_most=at_most,
            note=f"{over_all}. {note}" if note else over_all,
        ),
        absolute(f"{name}, median of {keys} keys", [median(r) * 1e3 for r in rounds], "ms"),
    ]


def interleaved(
    rounds: int, steps: dict[str, Callable[[], float]], log: Callable[[str], None] | None = None
) -> dict[str, list[float]]:
    """Run each step ``rounds`` times, in turn (the order rotates each round), so that every
    figure and its reference see the same machine; each step returns its measurement."""
    names = list(steps)
    out: dict[str, list[float]] = {name: [] for name in names}
    for number in range(rounds):
        shift = number % len(names)
        for name in names[shift:] + names[:shift]:
            value = steps[name]()
            out[name].append(value)
            if log is not None:
                log(f"round {number + 1}/{rounds}: {name}: {value:.4g}")
    return out


@dataclass
class Timed:
    """A child process's wall time, CPU time (its own and its waited-for children's), peak RSS
    and exit status."""

    wall: float
    cpu: float
    max_rss_mb: float
    status: int


def run_timed(
    cmd: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    stdout: Path | None = None,
    stdin: Path | None = None,
    stderr: Path | None = None,
) -> Timed:
    """Run ``cmd`` to the end (stdout and stderr to files, or /dev/null)."""
    out = open(stdout, "wb") if stdout else open(os.devnull, "wb")  # noqa: SIM115
    inp = open(stdin, "rb") if stdin else open(os.devnull, "rb")  # noqa: SIM115
    err = open(stderr, "wb") if stderr else open(os.devnull, "wb")  # noqa: SIM115
    try:
        start = time.perf_counter()
        pid = os.posix_spawn(
            cmd[0],
            list(cmd),
            dict(os.environ if env is None else env),
            file_actions=[
                (os.POSIX_SPAWN_DUP2, inp.fileno(), 0),
                (os.POSIX_SPAWN_DUP2, out.fileno(), 1),
                (os.POSIX_SPAWN_DUP2, err.fileno(), 2),
            ],
        )
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - start
    finally:
        out.close()
        inp.close()
        err.close()
    return Timed(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        max_rss_mb=usage.ru_maxrss / 1024,
        status=os.waitstatus_to_exitcode(status),
    )


def disk_write_speed(folder: Path, size: int = 512 << 20) -> float:
    """MB/s writing ``size`` bytes to a new file in ``folder`` and fsyncing it (as dd with
    conv=fdatasync); the file is removed."""
    block = os.urandom(1 << 20)
    path = folder / f".disk-speed-{os.getpid()}"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        start = time.perf_counter()
        written = 0
        while written < size:
            written += os.write(fd, block)
        os.fsync(fd)
        seconds = time.perf_counter() - start
    finally:
        os.close(fd)
        path.unlink(missing_ok=True)
    return written / seconds / 1e6


def package_versions() -> dict[str, str]:
    """Versions of the packages whose speed the figures depend on."""
    out = {}
    for name in ("labeler", "textual", "rich", "click", "pydantic", "rapidfuzz", "numpy",
                 "sqlite-utils"):  # fmt: skip
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "-"
    return out


def git_commit() -> str:
    """The commit the tree is at, with ``+changes`` when files differ from it."""
    try:
        head = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "?"
    return head + (" + uncommitted changes" if dirty else "")


def run_child(module_path: Path, context_json: Path, out_json: Path) -> None:
    """Import one benchmark file and run it (``python benchlib.py --child ...``, one process per
    benchmark, so that one benchmark's imports and failures cannot touch another)."""
    import importlib.util
    import json
    import traceback

    import benchlib as lib  # the module the benchmarks import (this file may be __main__)

    data = json.loads(context_json.read_text())
    ctx = lib.Context(
        million=data["million"],
        data_dir=Path(data["data_dir"]),
        stores=data["stores"],
        rounds=data["rounds"],
        python=data["python"],
        labeler=data["labeler"],
        options=data["options"],
    )
    spec = importlib.util.spec_from_file_location(module_path.stem, module_path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses in the module look their module up there
    result: dict[str, Any] = {"title": module_path.stem, "doc": "", "figures": []}
    try:
        spec.loader.exec_module(module)
        result["title"] = getattr(module, "TITLE", module_path.stem)
        result["doc"] = (module.__doc__ or "").strip()
        figures = module.run(ctx)
        result["figures"] = [f.to_json() for f in figures]
    except BaseException as exc:  # reported in RESULTS.md; the other benchmarks still run
        result["error"] = "".join(traceback.format_exception(exc))[-3000:]
    out_json.write_text(json.dumps(result))


if __name__ == "__main__" and len(sys.argv) == 5 and sys.argv[1] == "--child":
    run_child(Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]))
