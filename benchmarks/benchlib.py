"""Helpers shared by the hand-run benchmarks: machine facts, percentiles, memory, tmux.

Not a test module and not part of the package; the benchmark scripts import it from their own
folder (``python benchmarks/bench_review.py`` puts ``benchmarks/`` first on ``sys.path``).
"""

from __future__ import annotations

import os
import platform
import re
import resource
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path

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
