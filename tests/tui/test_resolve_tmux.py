"""The installed ``labeler resolve`` in a real terminal: tmux on a private socket sends the keys,
the store is checked afterwards. Skipped only when tmux is missing (CI installs it)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from resolve_helpers import demo_store, expected_queue, resolution_rows, reviewer_buckets

from labeler.identity import os_account
from labeler.store import open_store

TMUX = shutil.which("tmux")
LABELER = Path(sys.executable).parent / "labeler"
pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed")


class Tmux:
    """One tmux server on a private socket, with one session running a command."""

    def __init__(self, folder: Path) -> None:
        self.socket = f"labeler-resolve-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.folder = folder
        # Keep the pane after the command ends, so its last screen can be read.
        self.config = folder / "tmux.conf"
        self.config.write_text("set-option -g remain-on-exit on\n", encoding="utf-8")
        self.status_file = folder / "exit-status"

    def run(self, *args: str, check: bool = True) -> str:
        assert TMUX is not None
        done = subprocess.run(
            [TMUX, "-L", self.socket, "-f", str(self.config), *args],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)} failed: {done.stderr}")
        return done.stdout

    def start(self, command: list[str]) -> None:
        """Start the session running ``command`` in a 120x40 terminal.

        tmux sometimes loses a dead pane's exit status (pane_dead_status stays empty), so a
        shell around the command writes it to a file.
        """
        wrapper = f'"$@"; echo $? > {_quote(str(self.status_file))}'
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.folder),
            "TERM": "xterm-256color",
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
        }
        self.run(
            "new-session",
            "-d",
            "-s",
            "main",
            "-x",
            "120",
            "-y",
            "40",
            *[arg for key, value in env.items() for arg in ("-e", f"{key}={value}")],
            " ".join(_quote(part) for part in ["sh", "-c", wrapper, "sh", *command]),
        )

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "main", check=False)

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", "main", *keys)

    def wait_for(self, predicate: Callable[[str], bool], timeout: float = 15) -> str:
        """Poll the screen until ``predicate`` holds; fail with the screen shown."""
        deadline = time.monotonic() + timeout
        shown = ""
        while time.monotonic() < deadline:
            shown = self.screen()
            if predicate(shown):
                return shown
            time.sleep(0.1)
        raise AssertionError(f"timed out; the screen was:\n{shown}")

    def exit_status(self, timeout: float = 15) -> str:
        """Wait for the command to end; its exit status, as the wrapper shell wrote it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.status_file.exists() and self.status_file.read_text().endswith("\n"):
                return self.status_file.read_text().strip()
            time.sleep(0.1)
        raise AssertionError(f"the command did not end; the screen was:\n{self.screen()}")

    def kill(self) -> None:
        """Stop this server and remove its socket file (tmux leaves it behind)."""
        socket_path = self.run("display-message", "-p", "#{socket_path}", check=False).strip()
        self.run("kill-server", check=False)
        if socket_path.endswith(self.socket):
            Path(socket_path).unlink(missing_ok=True)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    server = Tmux(tmp_path)
    yield server
    server.kill()


def test_installed_command_resolves_cases_in_a_real_terminal(tmux: Tmux, tmp_path: Path) -> None:
    assert LABELER.exists(), f"the labeler command is not installed next to {sys.executable}"
    store = demo_store(tmp_path / "demo")
    first, second, third = expected_queue(store)[:3]
    path = store.path
    store.close()
    tmux.start([str(LABELER), "resolve", str(path), "--reviewer", "tmuxres"])
    tmux.wait_for(lambda s: "resolved 0 / 34" in s)

    def resolved(n: int) -> Callable[[str], bool]:
        return lambda s: f"resolved {n} / 34" in s

    for key, done in (("a", 1), ("b", 2), ("x", 3)):
        tmux.keys(key)
        tmux.wait_for(resolved(done))
    tmux.keys("q")
    assert tmux.exit_status() == "0", tmux.screen()
    after = tmux.screen()
    assert "Traceback" not in after and "Error" not in after
    with open_store(path) as reopened:
        rows = resolution_rows(reopened)
        buckets = {seq: reviewer_buckets(reopened, seq) for seq in (first, second)}
        integrity = reopened.query("PRAGMA integrity_check")[0][0]
    assert sorted(rows) == [first, second, third]
    assert [rows[s]["method"] for s in (first, second, third)] == ["took_a", "took_b", "unclear"]
    assert rows[first]["bucket"] == buckets[first][0]
    assert rows[second]["bucket"] == buckets[second][1]
    assert rows[third]["bucket"] is None
    assert {r["resolver"] for r in rows.values()} == {"tmuxres"}
    assert {r["account"] for r in rows.values()} == {os_account()}
    assert integrity == "ok"


def case_ids(path: Path, seqs: list[int]) -> list[str]:
    """The case ids of these internal numbers."""
    with open_store(path) as store:
        ids = {int(r[0]): str(r[1]) for r in store.query("SELECT seq, case_id FROM cases")}
    return [ids[seq] for seq in seqs]


def shows_case(case_id: str) -> Callable[[str], bool]:
    """True when the header shows this case (``case ID`` followed by a space)."""
    return lambda screen: f"case {case_id} " in screen


def test_installed_command_wraps_and_goes_to_the_next_open_case(tmux: Tmux, tmp_path: Path) -> None:
    """Issue 12, point 4: past the last disagreement j wraps to the first open one (it does not
    say it is finished); after a decision the next case is the next open one, not a case of
    the history that is resolved already."""
    store = demo_store(tmp_path / "demo")
    queue = expected_queue(store)
    path = store.path
    store.close()
    first, second, third = case_ids(path, queue[:3])
    last = case_ids(path, queue[-1:])[0]
    tmux.start([str(LABELER), "resolve", str(path), "--reviewer", "tmuxres"])
    tmux.wait_for(lambda s: "resolved 0 / 34" in s and shows_case(first)(s))
    for _ in range(len(queue) - 1):
        tmux.keys("j")
    tmux.wait_for(shows_case(last))
    tmux.keys("j")  # past the last disagreement
    screen = tmux.wait_for(lambda s: shows_case(first)(s) or "No disagreements left" in s)
    assert shows_case(first)(screen), screen  # wrapped to the first open one
    assert "No disagreements left" not in screen
    tmux.keys("a")
    tmux.wait_for(lambda s: "resolved 1 / 34" in s and shows_case(second)(s))
    tmux.keys("a")
    tmux.wait_for(lambda s: "resolved 2 / 34" in s and shows_case(third)(s))
    tmux.keys("k", "k")
    tmux.wait_for(shows_case(first))
    tmux.keys("b")  # change the first case's decision
    screen = tmux.wait_for(lambda s: not shows_case(first)(s))
    assert shows_case(third)(screen), screen  # the second is resolved: on to the next open one
    assert "resolved 2 / 34" in screen
    tmux.keys("q")
    assert tmux.exit_status() == "0", tmux.screen()
    with open_store(path) as reopened:
        rows = resolution_rows(reopened)
    assert sorted(rows) == queue[:2]
    assert [rows[seq]["method"] for seq in queue[:2]] == ["took_b", "took_a"]
