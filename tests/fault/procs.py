"""Real processes for the fault suite: the installed ``labeler`` command, review screens in tmux
on a private socket, loops of other commands, and reads of the store on short-lived connections.

Nothing here imports ``labeler``: the suite drives the installed command as a user runs it.
The store is read from the test process with a fresh SQLite connection for every query,
opened and closed like any other process (a ``sqlite3`` shell) would.

Environment:

* ``LABELER_BIN``: the command under test (default: ``labeler`` beside this Python);
* ``LABELER_FAULT_SCREENS``: review screens at once in the concurrent test (default 2);
* ``LABELER_FAULT_LOOPS``: iterations of each crash loop (default 5);
* ``LABELER_FAULT_SLOW=1``: also run the slow tests (a lock held for 30 s);
* ``LABELER_FAULT_SEED``: the random seed (default: a new one, printed by each test).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import select
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import tmux_terminal
from tmux_terminal import END_OF_QUEUE, TMUX, TmuxTerminal, shown_case, status_line

LABELER = Path(os.environ.get("LABELER_BIN") or Path(sys.executable).parent / "labeler")
SQLITE3 = shutil.which("sqlite3")
SCREENS = int(os.environ.get("LABELER_FAULT_SCREENS", "2"))
LOOPS = int(os.environ.get("LABELER_FAULT_LOOPS", "5"))
SLOW = os.environ.get("LABELER_FAULT_SLOW") == "1"

NEEDS = [
    what
    for what, found in (("tmux", TMUX), ("the labeler command", LABELER.is_file()))
    if not found
]
"""What the suite needs and this machine lacks (CI installs tmux)."""

VISIBLE_WITHIN_S = 1.0
"""A label the screen showed as saved must be readable by another process within this time."""
RESPONSIVE_WITHIN_S = 1.0
"""A j/k key must move the screen within this time, even while the store is locked."""
SAVED_WITHIN_S = 40.0
"""Generous bound for a pending label to be saved once nothing holds the store (2 loaded cores)."""
SCREEN_UP_WITHIN_S = 60.0
"""Generous bound for a review screen to show its first case (8 screens on 2 cores)."""


def child_env(**extra: str) -> dict[str, str]:
    """The environment of every child: ours (PYTHONPATH included) without tmux's or a default
    reviewer name, in a UTF-8 locale and a 256-colour terminal."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("TMUX", "TMUX_PANE", "LABELER_REVIEWER")
    }
    env.update(TERM="xterm-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8")
    env.update(extra)
    return env


# -- commands --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ran:
    """One finished command."""

    argv: list[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    def describe(self) -> str:
        return (
            f"$ {shlex.join(self.argv)}\nexit {self.returncode} after {self.seconds:.1f} s\n"
            f"stdout: {self.stdout[-1500:]!s}\nstderr: {self.stderr[-3000:]!s}"
        )

    @property
    def traceback(self) -> bool:
        return "Traceback" in self.stdout or "Traceback" in self.stderr


def run(argv: Sequence[str | Path], timeout: float = 120.0) -> Ran:
    """Run a command to its end, stdin closed, output captured."""
    args = [str(a) for a in argv]
    started = time.monotonic()
    done = subprocess.run(
        args,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        errors="replace",
        env=child_env(),
        timeout=timeout,
        check=False,
    )
    return Ran(args, done.returncode, done.stdout, done.stderr, time.monotonic() - started)


def labeler(*args: str | Path, timeout: float = 120.0) -> Ran:
    """Run the installed ``labeler`` command."""
    return run([LABELER, *args], timeout=timeout)


def start(argv: Sequence[str | Path]) -> subprocess.Popen[str]:
    """Start a command in the background, output captured."""
    return subprocess.Popen(
        [str(a) for a in argv],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        env=child_env(),
    )


def finish(proc: subprocess.Popen[str], started: float, timeout: float = 120.0) -> Ran:
    """Wait for a command started with :func:`start`."""
    out, err = proc.communicate(timeout=timeout)
    argv = [str(a) for a in proc.args] if isinstance(proc.args, list) else [str(proc.args)]
    return Ran(argv, proc.returncode, out, err, time.monotonic() - started)


def assert_check_passes(store: Path) -> None:
    """``labeler check STORE`` says ok, exit 0, no traceback."""
    ran = labeler("check", store, timeout=300)
    assert ran.returncode == 0 and ran.stdout.strip() == "ok" and not ran.traceback, (
        f"labeler check failed:\n{ran.describe()}"
    )


# -- cases and stores ------------------------------------------------------------------------


def write_cases(path: Path, ids: Iterable[str], text_chars: int = 0) -> Path:
    """A JSONL file of simple cases (``text_chars`` pads each output, to make imports longer)."""
    pad = ("lorem ipsum dolor sit amet " * (text_chars // 27 + 1))[:text_chars]
    with path.open("w", encoding="utf-8") as f:
        for n, case_id in enumerate(ids):
            record = {
                "id": case_id,
                "input": f"Question {n}: where is my refund for order {4000 + n}?",
                "context": [
                    {"title": "Refunds", "text": "Refunds within 30 days.", "source": "kb"}
                ],
                "output": f"Answer {n}: your return is on its way. {pad}",
                "slices": {"length": "short" if n % 3 else "long"},
                "meta": {"latency_ms": 900 + n, "prompt_version": "v7"},
            }
            f.write(json.dumps(record) + "\n")
    return path


def build_store(folder: Path, cases: int = 300) -> Path:
    """A store made with ``labeler import`` from a generated JSONL file of ``cases`` cases."""
    folder.mkdir(parents=True, exist_ok=True)
    source = write_cases(folder / "cases.jsonl", (f"c-{n:04d}" for n in range(cases)))
    store = folder / "store.db"
    ran = labeler("import", store, source)
    assert ran.returncode == 0, ran.describe()
    return store


def write_label_csv(
    path: Path, case_ids: Sequence[str], reviewer: str, buckets: Sequence[str]
) -> Path:
    """A labels CSV (``case_id,reviewer,bucket``) for ``import-labels``."""
    lines = ["case_id,reviewer,bucket"]
    lines += [f"{c},{reviewer},{buckets[n % len(buckets)]}" for n, c in enumerate(case_ids)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def query(store: Path, sql: str, params: Sequence[object] = ()) -> list[tuple[object, ...]]:
    """One query on a connection of its own, opened and closed here (as a sqlite3 shell does)."""
    conn = sqlite3.connect(store, timeout=10)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def bucket_keys(store: Path) -> dict[str, tuple[str, str]]:
    """Shortcut -> (bucket key, bucket name)."""
    return {
        str(s): (str(k), str(n))
        for s, k, n in query(store, "SELECT shortcut, key, name FROM buckets ORDER BY position")
    }


def count(store: Path, sql: str, params: Sequence[object] = ()) -> int:
    """The number a ``SELECT count(*) ...`` query returns."""
    value = query(store, sql, params)[0][0]
    assert isinstance(value, int), value
    return value


def case_count(store: Path) -> int:
    """Current cases in the store."""
    return count(store, "SELECT count(*) FROM cases WHERE is_current = 1")


@dataclass(frozen=True)
class Label:
    """A label a review screen showed (case id, reviewer name, bucket key)."""

    case_id: str
    reviewer: str
    bucket: str

    def __str__(self) -> str:
        return f"{self.reviewer}:{self.case_id}={self.bucket}"


def missing_labels(store: Path, expected: Iterable[Label]) -> list[str]:
    """What is wrong with ``expected`` in the store: a label absent or different, or its audit
    event absent. Empty when every label is there with its event."""
    expected = list(expected)
    if not expected:
        return []
    try:
        stored = {
            (str(c), str(r)): str(b)
            for c, r, b in query(
                store,
                "SELECT c.case_id, l.reviewer, l.bucket FROM labels l "
                "JOIN cases c ON c.seq = l.case_seq",
            )
        }
        events = {
            (str(c), str(a), str(b))
            for c, a, b in query(
                store,
                "SELECT case_id, actor, json_extract(after, '$.bucket') FROM events "
                "WHERE kind LIKE 'label.%' AND after IS NOT NULL",
            )
        }
    except sqlite3.DatabaseError as exc:
        return [f"the store cannot be read by another process: {exc}"]
    problems = []
    for label in expected:
        got = stored.get((label.case_id, label.reviewer))
        if got != label.bucket:
            problems.append(f"{label}: the store has {got or 'no label'}")
        if (label.case_id, label.reviewer, label.bucket) not in events:
            problems.append(f"{label}: no audit event")
    return problems


def assert_visible(
    store: Path, expected: Iterable[Label], within: float = VISIBLE_WITHIN_S
) -> None:
    """Every label is in the store with its event, seen from this process within ``within``."""
    expected = list(expected)
    deadline = time.monotonic() + within
    while True:
        problems = missing_labels(store, expected)
        if not problems:
            return
        if time.monotonic() > deadline:
            shown = "\n  ".join(problems[:30])
            raise AssertionError(
                f"{len(problems)} problem(s) with {len(expected)} label(s) the screens showed as "
                f"saved, {within:.0f} s later, seen from another process:\n  {shown}"
            )
        time.sleep(0.05)


# -- review screens in tmux ------------------------------------------------------------------


class TmuxServer(tmux_terminal.TmuxServer):
    """The suite's tmux server: each review screen is one of its sessions, in :func:`child_env`."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder, "labeler-fault", child_env())


class ReviewScreen:
    """``labeler review STORE --reviewer NAME --overlap N`` in a 120x40 tmux session.

    ``saved`` lists every label the screen showed as saved; ``pending`` those it showed as not
    saved yet (moved to ``saved`` by :meth:`settle`).
    """

    def __init__(
        self,
        server: TmuxServer,
        store: Path,
        reviewer: str,
        *,
        overlap: int = 8,
        buckets: dict[str, tuple[str, str]] | None = None,
    ) -> None:
        self.store = store
        self.reviewer = reviewer
        self.overlap = overlap
        self.name = f"{reviewer}-{uuid.uuid4().hex[:6]}"
        self.terminal = TmuxTerminal(server, self.name, timeout=30.0, poll=0.03)
        self.buckets = buckets if buckets is not None else bucket_keys(store)
        self.saved: list[Label] = []
        self.pending: list[Label] = []
        self._last_key = ""

    def start(self) -> ReviewScreen:
        argv: list[str | Path] = [LABELER, "review", self.store, "--reviewer", self.reviewer]
        self.terminal.start([*argv, "--overlap", str(self.overlap)])
        return self

    def text(self) -> str:
        return self.terminal.screen()

    def exit_status(self, timeout: float = 30.0) -> str:
        """Wait for the command to end; its exit status ("137" after SIGKILL)."""
        return self.terminal.exit_status(timeout)

    def wait(self, predicate: Callable[[str], bool], timeout: float, what: str) -> str:
        """Poll the screen until ``predicate`` holds; ScreenEnded if the process ended first."""
        return self.terminal.wait_for(predicate, what, timeout)

    def ready(self, timeout: float = SCREEN_UP_WITHIN_S) -> str:
        """Wait for the first case (and the footer); return its id."""
        text = self.wait(
            lambda t: shown_case(t) not in (None, END_OF_QUEUE) and "q Quit" in t,
            timeout,
            "the first case",
        )
        return str(shown_case(text))

    def current(self) -> str:
        case = shown_case(self.text())
        assert case is not None and case != END_OF_QUEUE, self.text()
        return case

    def keys(self, *keys: str) -> None:
        self.terminal.keys(*keys)

    def pick_key(self, rng: random.Random) -> str:
        """A random bucket shortcut, never the same twice in a row (so that a status line left
        from the key before cannot be taken for this key's)."""
        choices = [k for k in self.buckets if k != self._last_key]
        self._last_key = rng.choice(choices)
        return self._last_key

    def label(self, shortcut: str, timeout: float = SAVED_WITHIN_S) -> str:
        """Press a bucket key on the case shown; wait for the next case; "saved" or "pending".

        The screen commits before it moves on (or says the label is not saved yet): once the
        next case is drawn, the status line tells which.
        """
        case = self.wait(lambda t: shown_case(t) is not None, timeout, "a case to label")
        case_id = str(shown_case(case))
        assert case_id != END_OF_QUEUE, f"{self.name}: the queue is empty:\n{case}"
        key, name = self.buckets[shortcut]
        self.keys(shortcut)
        moved = self.wait(
            lambda t: shown_case(t) not in (None, case_id), timeout, f"the case after {case_id}"
        )
        # The same frame again a moment later: tmux may have read half of a frame.
        time.sleep(0.03)
        again = self.text()
        if shown_case(again) == shown_case(moved):
            moved = again
        status = status_line(moved)
        label = Label(case_id, self.reviewer, key)
        # "saved: NAME", perhaps followed by a hint (" · a: add a note") or a count.
        if re.fullmatch(rf"saved: {re.escape(name)}(?:\s+[·(].*)?", status):
            self.saved.append(label)
            return "saved"
        if status.startswith("not saved:"):
            raise AssertionError(f"{self.name} refused {label}: {status}\n{moved}")
        self.pending.append(label)
        return "pending"

    def settle(self, timeout: float = SAVED_WITHIN_S) -> list[Label]:
        """Wait until the screen says every label is saved (``saved: ...`` with nothing still
        saving); the pending labels then count as shown saved. Returns them."""
        if not self.pending:
            return []
        self.wait(
            lambda t: status_line(t).startswith("saved:") and "still saving" not in status_line(t),
            timeout,
            f"'saved' for {len(self.pending)} pending label(s)",
        )
        settled, self.pending = self.pending, []
        self.saved += settled
        return settled

    def move(self, key: str, within: float = RESPONSIVE_WITHIN_S) -> float:
        """Press j or k; the seconds until another case is drawn (fails after ``within`` s)."""
        before = self.current()
        started = time.monotonic()
        self.keys(key)
        self.wait(lambda t: shown_case(t) not in (None, before), within, f"{key} to move")
        return time.monotonic() - started

    def quit(self, timeout: float = 30.0) -> None:
        """Press q (every label saved first); the command must end with status 0, no traceback."""
        self.settle()
        self.keys("q")
        status = self.exit_status(timeout)
        text = self.text()
        assert status == "0" and "Traceback" not in text, f"{self.name} exit {status}:\n{text}"
        self.close()

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Send ``sig`` to the labeler process (nothing if it already ended)."""
        if self.terminal.ended():
            return
        with contextlib.suppress(ProcessLookupError, AssertionError):  # already gone
            os.kill(self.terminal.command_pid(), sig)

    def close(self) -> None:
        """Remove the tmux session (killing the process if it still runs)."""
        self.terminal.close()


# -- other processes -------------------------------------------------------------------------


@dataclass
class Loops:
    """Commands run over and over, each in a thread of its own, until :meth:`stop`."""

    results: list[tuple[str, Ran]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(
        self, name: str, argv: Callable[[int], Sequence[str | Path]], pause: float = 0.2
    ) -> None:
        def loop() -> None:
            n = 0
            while not self._stop.is_set():
                ran = run(argv(n), timeout=120)
                with self._lock:
                    self.results.append((name, ran))
                n += 1
                self._stop.wait(pause)

        thread = threading.Thread(target=loop, name=f"loop-{name}", daemon=True)
        self._threads.append(thread)
        thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=150)

    def failures(self) -> list[str]:
        """Every run that failed or printed a traceback."""
        return [
            f"[{name}] {ran.describe()}"
            for name, ran in self.results
            if ran.returncode != 0 or ran.traceback
        ]

    def counts(self) -> dict[str, int]:
        counted: dict[str, int] = {}
        for name, _ in self.results:
            counted[name] = counted.get(name, 0) + 1
        return counted

    def summary(self) -> str:
        """Runs and the slowest run of each command."""
        slowest: dict[str, float] = {}
        for name, ran in self.results:
            slowest[name] = max(slowest.get(name, 0.0), ran.seconds)
        return ", ".join(
            f"{name} {count}x (slowest {slowest[name]:.1f} s)"
            for name, count in self.counts().items()
        )


def run_together(work: Sequence[Callable[[threading.Event], None]], timeout: float) -> None:
    """Run each ``work(stop)`` in a thread; the first error sets ``stop`` and is raised when
    every thread has ended (or ``timeout`` passed)."""
    stop = threading.Event()
    errors: list[BaseException] = []

    def wrap(fn: Callable[[threading.Event], None]) -> None:
        try:
            fn(stop)
        except BaseException as exc:  # reported to the test below
            errors.append(exc)
            stop.set()

    threads = [threading.Thread(target=wrap, args=(fn,), daemon=True) for fn in work]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    if errors:
        raise errors[0]
    assert not any(t.is_alive() for t in threads), f"work still running after {timeout:.0f} s"


COUNT_LABELS = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], timeout=10)
print(conn.execute("SELECT count(*) FROM labels").fetchone()[0])
conn.close()
"""


def bare_count(store: Path) -> list[str | Path]:
    """A bare SQLite connection that counts the labels, then closes: the sqlite3 shell, or
    Python's sqlite3 where the shell is not installed. A busy timeout as labeler's own."""
    if SQLITE3 is not None:
        return [SQLITE3, "-cmd", ".timeout 10000", store, "SELECT count(*) FROM labels"]
    return [sys.executable, "-c", COUNT_LABELS, store]


HOLD_LOCK = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
print("released", flush=True)
conn.close()
"""


class LockHolder:
    """Another process that takes the store's write lock (``BEGIN IMMEDIATE``) and holds it."""

    def __init__(self, store: Path, seconds: float) -> None:
        self.seconds = seconds
        started = time.monotonic()
        self.proc = start([sys.executable, "-c", HOLD_LOCK, store, str(seconds)])
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], 30)
        line = self.proc.stdout.readline() if ready else ""
        assert line.strip() == "locked", f"the lock holder did not start: {line!r}"
        self.held_until = started + seconds
        """The lock is held at least until then (it was taken after the process started)."""

    def holding(self) -> bool:
        """True while the lock is certainly still held."""
        return time.monotonic() < self.held_until and self.proc.poll() is None

    def wait_released(self, timeout: float) -> None:
        out, err = self.proc.communicate(timeout=timeout)
        assert self.proc.returncode == 0 and "released" in out, (out, err)
